"""Schools placed by coordinates, invalid rows dropped and counted, formula cells neutralised."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from segmap.stages.ingest import ingest_country
from segmap.io import locate
from segmap.io import validate
from segmap.errors import InputError
from segmap.files import read_csv, write_csv

from conftest import tiny_boundaries, tiny_schools


def boundaries():
    return tiny_boundaries().rename(columns={"code": "municipality_code"})


def census_codes():
    return pd.Series(["01001", "01002", "01003", "02001", "02002", "02003"])


def test_codes_filled_replaced_checked_and_outside():
    schools = tiny_schools().iloc[:5].copy()
    schools["municipality_code"] = [None, "99999", "01002", "01002", "01003"]  # 0003 lies in 01001
    schools.loc[4, ["lon", "lat"]] = [10.0, 50.0]                                # far away
    located, checks = locate.locate_schools(schools, boundaries(), census_codes())
    assert located["municipality_code"].tolist() == ["01001", "01001", "01002", "01002", "01003"]
    assert checks.set_index("school_id")["status"].to_dict() == {
        "0001": "assigned", "0002": "replaced_unknown_code", "0003": "disagrees", "0004": "agrees", "0005": "outside"}
    assert checks.set_index("school_id").loc["0003", "located_code"] == "01001"


def test_locating_works_in_a_projected_crs():
    schools = tiny_schools().iloc[:1].assign(municipality_code=None)
    located, _ = locate.locate_schools(schools, boundaries().to_crs("EPSG:3035"), census_codes())
    assert located["municipality_code"].tolist() == ["01001"]


def ingest(inputs, out, **options):
    ingest_country({role: {"path": str(path)} for role, path in inputs.items()},
                            out / "schools.csv", out / "census.csv", out / "b.parquet", out / "inputs.json",
                            rejected_out=out / "rejected.csv", locations_out=out / "locations.csv", **options)


def broken_schools(tiny_inputs, tmp_path):
    schools = pd.read_csv(tiny_inputs["schools"], dtype=str)
    schools.loc[1, "pupils_group"] = "400"                                       # above total
    schools.loc[2, "pupils_total"] = "ten"                                       # not a number
    schools.loc[3, "school_id"] = "0005"                                         # duplicate of the next row (row 6)
    schools.loc[7, ["municipality_code", "lon", "lat"]] = ["77777", None, None]  # unknown, cannot be located
    schools.loc[8, "municipality_code"] = None                                   # located by coordinates
    path = tmp_path / "schools.csv"
    schools.to_csv(path, index=False)
    return {**tiny_inputs, "schools": path}


def test_invalid_rows_stop_the_run_by_default(tiny_inputs, tmp_path):
    with pytest.raises(InputError) as error:
        ingest(broken_schools(tiny_inputs, tmp_path), tmp_path / "out")
    message = str(error.value)
    for needle in ("row 3", "larger than pupils_total", "row 4", "not a number", "'0005' appears more than once"):
        assert needle in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_drop_leaves_invalid_rows_out_and_lists_them(tiny_inputs, tmp_path):
    out = tmp_path / "out"
    ingest(broken_schools(tiny_inputs, tmp_path), out, on_invalid_rows="drop")
    rejected = read_csv(out / "rejected.csv")
    assert rejected["row"].tolist() == [3, 4, 5, 6, 9]
    reasons = dict(zip(rejected["row"], rejected["reason"]))
    assert "larger than pupils_total" in reasons[3] and "not a number" in reasons[4]
    assert "appears more than once" in reasons[5] and "appears more than once" in reasons[6]
    assert "'77777' is not in the census" in reasons[9]
    schools = read_csv(out / "schools.csv")
    assert len(schools) == 10 - 5
    assert schools.set_index("school_id").loc["0009", "municipality_code"] == "02002"  # located
    provenance = json.loads((out / "inputs.json").read_text())
    assert provenance["schools_rejected"] == 5 and provenance["schools_used"] == 5
    assert provenance["locations"]["assigned"] == 1


def test_whole_file_problems_stop_even_under_drop(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("school_id,municipality_code,pupils_total\nA,01001,10\n", encoding="utf-8")
    frame = pd.read_csv(path, dtype=str)
    frame.index = frame.index + 2
    with pytest.raises(InputError, match="pupils_group"):
        validate.screen_schools(frame, str(path), on_invalid_rows="drop")


def test_formula_cells_are_neutralised_in_csv_outputs(tmp_path):
    names = ['=HYPERLINK("http://127.0.0.1:9/x","click")', "+1+1", "-2+3", "@SUM(A1)", "Plain", "'=kept"]
    table = pd.DataFrame({"municipality_name": names, "pupils_total": [-1, 2, 3, 4, 5, 6]})
    path = tmp_path / "t.csv"
    write_csv(table, path)
    cells = pd.read_csv(path, dtype=str, keep_default_na=False)["municipality_name"].tolist()
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert cells[0] == "'" + names[0] and cells[4] == "Plain" and cells[5] == "''=kept"
    assert pd.read_csv(path)["pupils_total"].tolist() == [-1, 2, 3, 4, 5, 6]  # numbers untouched
    assert read_csv(path)["municipality_name"].tolist() == names  # the pipeline reads back the original
