"""Shareable tables: small counts suppressed with everything computed from them; schools unnamed."""

from __future__ import annotations

import pandas as pd

from segmap.report import privacy
from segmap.report.render import make_environment


def school_rows():
    return pd.DataFrame({
        "school_id": ["s1", "s2", "s3"], "school_name": ["A", "B", "C"], "municipality_code": ["01", "01", "02"],
        "region_code": ["R", "R", "R"], "settlement": ["x", "y", "z"],
        "pupils_total": [120, 3, 80], "pupils_group": [2, 0, 40],
        "group_share": [2 / 120, 0.0, 0.5], "dissimilarity_contribution": [0.1, 0.0, 0.2],
        "local_segregation": [0.01, 0.0, 0.3], "representation_ratio": [0.1, 0.0, 2.0],
        "category": ["below_threshold", "below_threshold", "segregated"], "lon": [1.0, 2.0, 3.0], "lat": [4.0, 5.0, 6.0],
    })


def test_small_group_counts_and_their_shares_are_suppressed():
    out = privacy.published_table(school_rows(), min_cell=5)
    assert out["pupils_group"].tolist() == ["<5", 0, 40]
    assert out["pupils_total"].tolist() == [120, "<5", 80]
    # the share of the suppressed row would give the count back (2/120 * 120): it goes too
    assert out.loc[0, ["group_share", "dissimilarity_contribution", "local_segregation", "representation_ratio",
                       "category"]].isna().all()
    assert out.loc[2, "group_share"] == 0.5


def test_schools_are_not_named_unless_allowed():
    hidden = privacy.published_table(school_rows(), min_cell=5)
    assert not {"school_id", "school_name", "settlement", "lon", "lat"} & set(hidden.columns)
    assert hidden["school_number"].tolist() == [1, 2, 1]
    named = privacy.published_table(school_rows(), min_cell=5, publish_school_names=True)
    assert named["school_name"].tolist() == ["A", "B", "C"]


def test_area_rows_keep_codes_and_counts_of_schools():
    areas = pd.DataFrame({"municipality_code": ["01"], "municipality_name": ["M"], "n_schools": [3],
                          "population_total": [900], "population_group": [4], "census_group_share": [4 / 900],
                          "pupils_total": [300], "pupils_group": [3], "dissimilarity": [0.7],
                          "segregated_schools": [0], "status": ["ok"]})
    out = privacy.published_table(areas, min_cell=5).iloc[0]
    assert out["pupils_group"] == "<5" and out["population_group"] == "<5"
    assert pd.isna(out["dissimilarity"]) and pd.isna(out["census_group_share"])
    assert out["n_schools"] == 3 and out["status"] == "ok" and out["municipality_code"] == "01"


def test_report_count_filter_uses_min_cell(tmp_path):
    (tmp_path / "t.j2").write_text("{{ a|count }} {{ b|count }} {{ c|count }}", encoding="utf-8")
    template = make_environment(tmp_path).get_template("t.j2")
    assert template.render(a=3, b=0, c=1234, min_cell=5) == "&lt;5 0 1,234"  # escaped in HTML, printed as <5
    assert template.render(a=3, b=0, c=1234, min_cell=1) == "3 0 1,234"


def test_change_rows_are_suppressed_when_either_year_has_a_small_group_count():
    rows = pd.DataFrame({"municipality_code": ["01", "02"], "year_from": ["2022/23"] * 2, "year_to": ["2023/24"] * 2,
                         "n_schools_from": [3, 4], "n_schools_to": [3, 4], "pupils_group_from": [30, 3],
                         "pupils_group_to": [25, 40], "dissimilarity_adjusted_change": [0.1, 0.2],
                         "dissimilarity_adjusted_change_ci_low": [0.05, 0.1], "status_from": ["ok", "ok"],
                         "change_status": ["increase", "increase"], "not_comparable_reason": [None, None]})
    out = privacy.published_table(rows, min_cell=5)
    assert out["pupils_group_from"].tolist() == [30, "<5"]
    assert out.loc[0, "dissimilarity_adjusted_change"] == 0.1 and out.loc[0, "change_status"] == "increase"
    assert out.loc[1, ["dissimilarity_adjusted_change", "dissimilarity_adjusted_change_ci_low",
                       "change_status"]].isna().all()
    assert out.loc[1, "year_to"] == "2023/24" and out.loc[1, "n_schools_to"] == 4
