"""Selecting and running a recipe (segmap.recipes): the registry, the options, reading any table input with
or without a recipe, and a recipe through the pipeline's ingest step."""

from __future__ import annotations

import pandas as pd
import pytest
from recipe_samples import bg_2011_csv, bg_boundaries  # noqa: F401 (fixtures)

from segmap import recipes
from segmap.errors import InputError


# --------------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------------


def test_unknown_recipe_and_wrong_role(tmp_path, bg_2011_csv):
    with pytest.raises(InputError, match=r"unknown recipe 'bg_nsi_2031' in the config \(known recipes: be_nis, "
                                         r"bg_nsi_2011, bg_nsi_2021, es_ine\)"):
        recipes.read_input({"path": str(bg_2011_csv), "recipe": "bg_nsi_2031"}, "census")
    with pytest.raises(InputError, match="recipe 'bg_nsi_2011' reads census files, not the schools file"):
        recipes.read_input({"path": str(bg_2011_csv), "recipe": "bg_nsi_2011"}, "schools")


def test_recipe_options_and_extra_inputs():
    spec = {"path": "c.csv", "recipe": {"name": "bg_nsi_2021", "codes": "lau.gpkg"}, "recipe_options": {"total": "all"}}
    assert recipes.recipe_options(spec) == ("bg_nsi_2021", {"codes": "lau.gpkg", "total": "all"})
    assert recipes.extra_input_paths(spec) == ["lau.gpkg"]
    assert recipes.extra_input_paths({"path": "c.csv", "recipe": "es_ine"}) == []


# --------------------------------------------------------------------------------------------------
# Through the pipeline
# --------------------------------------------------------------------------------------------------


def test_bg_recipe_through_ingest(tmp_path, bg_2011_csv, bg_boundaries):
    import json

    from segmap.stages.ingest import ingest_country

    schools = tmp_path / "schools.csv"
    schools.write_bytes(("school_id,school_name,municipality_code,pupils_total,pupils_group\n"
                         "100001,СУ Неофит Рилски,BLG01,400,30\n200001,ОУ Христо Ботев,SLV20,300,210\n"
                         "200002,ОУ Васил Левски,SLV20,250,20\n").encode("cp1251"))
    inputs = {"schools": {"path": str(schools)},
              "census": {"path": str(bg_2011_csv), "recipe": {"name": "bg_nsi_2011", "codes": str(bg_boundaries)}},
              "boundaries": {"path": str(bg_boundaries), "columns": {"municipality_code": "LAU_ID"}}}
    out = tmp_path / "out"
    ingest_country(inputs, out / "schools.csv", out / "census.csv", out / "b.parquet", out / "inputs.json")
    written = pd.read_csv(out / "census.csv", dtype=str)
    assert written["municipality_code"].tolist() == ["BLG01", "BLG02", "BLG03", "SOF46", "SLV11", "SLV20"]
    assert written["municipality_name"].iloc[3] == "Столична"
    provenance = json.loads((out / "inputs.json").read_text(encoding="utf-8"))
    encodings = {entry["role"]: entry.get("encoding") for entry in provenance["inputs"]}
    assert encodings["census"] == "cp1251" and encodings["schools"] == "cp1251"


# --------------------------------------------------------------------------------------------------
# Reading any table input
# --------------------------------------------------------------------------------------------------

def test_read_input_reads_a_plain_input_as_the_plain_reader_does(tmp_path):
    from segmap.io import readers

    path = tmp_path / "schools.csv"
    path.write_text("id;name\n0001;Uno\n\n0002;Dos\n", encoding="utf-8")
    spec = {"path": str(path), "columns": {"school_id": "id"}, "thousands": "."}
    frame = recipes.read_input(spec, "schools")
    pd.testing.assert_frame_equal(frame, readers.read_table(spec, "schools"))
    assert frame.attrs == readers.read_table(spec, "schools").attrs and frame.attrs["thousands"] == "."


def test_read_input_with_a_recipe_records_how_it_was_read(bg_2011_csv, bg_boundaries):
    spec = {"path": str(bg_2011_csv), "header_row": 4,
            "recipe": {"name": "bg_nsi_2011", "codes": str(bg_boundaries)}}
    frame = recipes.read_input(spec, "census")
    assert frame.index.name == "row" and frame.attrs["recipe"] == "bg_nsi_2011" and frame.attrs["header_row"] == 4
    assert frame.attrs["census_total"] == "answered" and frame.attrs["encoding"] == "cp1251"


def test_a_missing_file_is_reported_before_the_recipe_name(tmp_path):
    with pytest.raises(InputError, match="the census file does not exist"):
        recipes.read_input({"path": str(tmp_path / "nope.csv"), "recipe": "no_such_recipe"}, "census")
