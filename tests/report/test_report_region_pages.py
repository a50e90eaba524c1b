"""Tests of the regional pages of the report (segmap.report.render): the municipality tables beside each
regional map and the suppression of small counts. The regional maps are tested in tests/maps/test_map_regional.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from segmap.report import render as report


def test_region_pages_tables():
    municipalities = pd.DataFrame({
        "municipality_code": ["a", "b", "c", "d", "e"],
        "municipality_name": ["A", "B", "C", "D", "E"],
        "region_code": ["R1", "R1", "R1", "R2", "R1"],
        "status": ["ok", "ok", "single_school", "ok", "no_group_pupils"],
        "n_schools": [3, 4, 1, 2, 2],
        "pupils_total": [300, 400, 80, 200, 150],
        "pupils_group": [10, 50, 7, 20, 0],
        "distinguishable_from_random": pd.array([True, False, pd.NA, True, pd.NA], dtype="boolean"),
    })
    regions = pd.DataFrame({"region_code": ["R2", "R1"], "region_name": ["Two", "One"]})
    index = pd.DataFrame({"region_code": ["R1"], "file": ["region_001.svg"], "scalebar_km": [20.0],
                          "scalebar_in": [1.0], "width_in": [6.0], "height_in": [4.0], "src": ["file:///x.svg"]})
    pages = report.region_pages(regions, municipalities, index, language="fr")
    assert [p["region"]["region_code"] for p in pages] == ["R1", "R2"]
    first = pages[0]
    assert [m["municipality_code"] for m in first["municipalities"]] == ["b", "a"]  # most group pupils first
    assert [m["distinguishable"] for m in first["municipalities"]] == [False, True]
    assert first["others"] == {"count": 2, "n_schools": 3, "pupils_total": 230, "pupils_group": 7}
    assert first["more"]["count"] == 0
    assert first["n_municipalities"] == 4
    assert first["figure"]["scalebar_label"] == "20\u00a0km"
    assert pages[1]["figure"] is None
    # at most ``rows`` municipalities listed; the next ones (fewer group pupils) are summed
    short = report.region_pages(regions, municipalities, index, rows=1)[0]
    assert [m["municipality_code"] for m in short["municipalities"]] == ["b"]
    assert short["more"] == {"count": 1, "n_schools": 3, "pupils_total": 300, "pupils_group": 10}


@pytest.mark.parametrize("counts, hidden", [
    ([120, 3, 40, 7], [3]),       # one count suppressed: the smallest other positive one is hidden too
    ([120, 3, 40, 2], []),        # two suppressed: neither can be worked out from the total
    ([120, 40, 7], []),           # none suppressed
    ([3, 0, 0], []),              # nothing else to hide (zeros reveal nothing more)
    ([50, 4, 9, 9], [2]),         # first of equals
])
def test_hide_complement(counts, hidden):
    assert report.hide_complement(counts, min_cell=5) == hidden


def test_region_pages_hide_a_second_count_when_one_is_suppressed():
    municipalities = pd.DataFrame({
        "municipality_code": ["a", "b", "c"], "municipality_name": ["A", "B", "C"],
        "region_code": ["R1"] * 3, "status": ["ok", "ok", "single_school"], "n_schools": [3, 2, 1],
        "pupils_total": [300, 200, 50], "pupils_group": [40, 3, 12],
        "distinguishable_from_random": pd.array([True, False, pd.NA], dtype="boolean"),
    })
    regions = pd.DataFrame({"region_code": ["R1"], "region_name": ["One"]})
    page = report.region_pages(regions, municipalities, None, min_cell=5)[0]
    assert page["hidden"]
    assert page["others"].get("group_hidden")  # 12 is the smallest other positive count
    assert not any(m.get("group_hidden") for m in page["municipalities"])


def test_share_filter_hides_shares_of_suppressed_counts(tmp_path):
    (tmp_path / "t.j2").write_text("{{ a|share(3) }} {{ a|share(30) }} {{ a|share(0) }}", encoding="utf-8")
    env = report.make_environment(tmp_path, "fr")
    assert env.get_template("t.j2").render(a=0.123, min_cell=5) == "– 12,3\u00a0% 12,3\u00a0%"
