"""Partner data as it really comes, through the whole workflow: editions of census and boundaries that do not
match, a boundary layer without CRS, schools given by municipality name, codes that lost their zeros.

The tiny country runs in every test run; the real Bulgarian shapes of ``../shared/reference`` (optional) give a
real layer with an edition mismatch and Cyrillic names.
"""

from __future__ import annotations

import shutil

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from conftest import SHARED_REFERENCE, tiny_boundaries, tiny_census, tiny_schools
from segmap.files import read_csv
from test_workflow import pdf_text, run_snakemake, write_config

PDF = "outputs/xx/D.9.9_school_segregation_maps_xx_en.pdf"
FAST = {"replicates": {"random_allocation": 40, "bootstrap": 40}}


def _editions_that_do_not_match(folder):
    """The tiny country with a boundary layer of another edition (02002 missing, 09999 extra, codes as
    numbers) without CRS, and a schools file that gives some municipalities by name, some codes without zeros."""
    folder.mkdir()
    census = tiny_census()
    census.to_csv(folder / "census.csv", index=False)
    layer = tiny_boundaries()
    layer = layer[layer["code"] != "02002"]
    extra = gpd.GeoDataFrame({"code": ["09999"], "name": ["Nuevo"]}, geometry=[box(-3.7, 39.9, -3.6, 40.0)],
                             crs=layer.crs)
    layer = pd.concat([layer, extra], ignore_index=True)
    layer["code"] = layer["code"].astype(int)  # a numeric field: 01001 -> 1001
    layer.to_file(folder / "munis.shp")
    (folder / "munis.prj").unlink()  # no CRS: the coordinates are longitudes and latitudes
    schools = tiny_schools().drop(columns=["lon", "lat"])
    schools["municipio"] = schools["municipality_code"].map(census.set_index("municipality_code")["municipality_name"])
    schools["provincia"] = schools["municipality_code"].map(census.set_index("municipality_code")["region_name"])
    by_name = schools["municipality_code"].isin(["01001", "02001"])
    schools.loc[by_name, "municipio"] = schools.loc[by_name, "municipio"].str.upper().str.replace("Í", "I")
    schools["municipality_code"] = schools["municipality_code"].where(~by_name, "").str.lstrip("0")
    schools.to_csv(folder / "schools.csv", index=False)
    return {
        "schools": {"path": str(folder / "schools.csv"),
                    "columns": {"municipality_name": "municipio", "region_name": "provincia"}},
        "census": str(folder / "census.csv"),
        "boundaries": {"path": str(folder / "munis.shp"), "columns": {"municipality_code": "code",
                                                                       "municipality_name": "name"}},
    }


@pytest.mark.slow
def test_mismatched_editions_build_a_report_that_lists_the_codes(tmp_path):
    entries = _editions_that_do_not_match(tmp_path / "raw")
    workdir = tmp_path / "work"
    workdir.mkdir()
    write_config(workdir, entries, **FAST)
    run_snakemake(workdir, PDF)

    # every census municipality stays in the tables, with its schools (02002 has no polygon)
    table = read_csv(workdir / "outputs/xx/municipality_indices.csv")
    assert list(table["municipality_code"]) == ["01001", "01002", "01003", "02001", "02002", "02003"]
    assert table.set_index("municipality_code").loc["02002", "n_schools"] == 2
    schools = read_csv(workdir / "data/processed/xx/schools.csv")
    assert schools.set_index("school_id")["municipality_code"].to_dict() == {
        "0001": "01001", "0002": "01001", "0003": "01001", "0004": "01002", "0005": "01003", "0006": "01003",
        "0007": "02001", "0008": "02001", "0009": "02002", "0010": "02002"}

    check = read_csv(workdir / "data/processed/xx/code_check.csv")
    actions = check.groupby("municipality_code")["action"].apply(set).to_dict()
    assert actions["02002"] == {"not_on_map", "zeros_restored"}  # the schools wrote 2002
    assert actions["09999"] == {"no_census_data", "zeros_restored"}
    assert "matched_by_name" in actions["01001"] and "matched_by_name" in actions["02001"]
    assert "zeros_restored" in actions["01002"]  # the schools' '1002' and the boundaries' 1002
    row = check[check["action"] == "no_census_data"].iloc[0]
    assert row["municipality_name"] == "Nuevo" and not row["in_census"] and row["in_boundaries"]
    assert set(check.loc[check["action"] == "zeros_restored", "input"]) == {"boundaries", "schools"}

    # the map layer: census municipalities, then the polygon without census data
    layer = gpd.read_parquet(workdir / "data/processed/xx/municipalities_map.parquet")
    assert layer.set_index("municipality_code")["in_census"].to_dict() == {
        "01001": True, "01002": True, "01003": True, "02001": True, "02003": True, "09999": False}

    provenance = (workdir / "data/processed/xx/inputs.json").read_text(encoding="utf-8")
    assert '"crs_assumed": "EPSG:4326"' in provenance

    _, text = pdf_text(workdir / PDF)
    flat = " ".join(text.split())
    assert "Codes of the inputs" in flat
    assert "it was read as WGS84 (EPSG:4326)" in flat
    assert "1 census municipality has no polygon: it is counted in every table" in flat
    assert "not on the maps. 1 polygon has no census row: it is drawn white" in flat
    assert "Alatoz" in flat and "in every table, not on the maps" in flat
    assert "Nuevo" in flat and "no census data" in flat
    assert "2 names were matched" in flat
    assert "data/processed/xx/code_check.csv" in flat


@pytest.mark.slow
def test_strict_editions_stop_the_run(tmp_path):
    entries = _editions_that_do_not_match(tmp_path / "raw")
    workdir = tmp_path / "work"
    workdir.mkdir()
    write_config(workdir, entries, on_code_mismatch="error", **FAST)
    result = run_snakemake(workdir, PDF, check=False)
    assert result.returncode != 0
    assert "'02002' has no polygon in the boundaries file" in result.stderr
    assert "polygon of '09999' has no row in the census file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (workdir / "data/processed/xx/code_check.csv").exists()
    assert not list(workdir.rglob("*.pdf"))


# --------------------------------------------------------------------------------------------------
# Real shapes (optional): the 265 Bulgarian municipalities, with an edition mismatch
# --------------------------------------------------------------------------------------------------

REFERENCE_BG = SHARED_REFERENCE / "bg" / "municipalities.geojson"


@pytest.mark.slow
@pytest.mark.skipif(not REFERENCE_BG.exists(), reason="../shared/reference/bg is not on this machine")
def test_real_bulgarian_layer_of_another_edition(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    real = gpd.read_file(REFERENCE_BG)
    # the census: every municipality but three (merged away in "its" edition), plus two new ones
    census = pd.DataFrame({
        "municipality_code": real["LAU_CODE"], "municipality_name": real["NAME_BG"],
        "region_code": real["NUTS_3_CODE"], "region_name": real["NUTS_3_CODE"],
        "population_total": 10_000, "population_group": 800})
    gone = ["SOF46", "VAR06", "BLG03"]
    census = census[~census["municipality_code"].isin(gone)]
    census = pd.concat([census, pd.DataFrame({
        "municipality_code": ["NEW01", "NEW02"], "municipality_name": ["Нова община", "Друга нова"],
        "region_code": ["BG411", "BG331"], "region_name": ["BG411", "BG331"],
        "population_total": [5000, 4000], "population_group": [100, 50]})], ignore_index=True)
    census.to_csv(raw / "census.csv", index=False)
    shutil.copy(REFERENCE_BG, raw / "municipalities.geojson")
    # schools by name, in Cyrillic, a few in Latin letters (the English names) and in capitals
    names = census.set_index("municipality_code")["municipality_name"]
    english = real.set_index("LAU_CODE")["NAME_EN"]
    rows = []
    for number, code in enumerate(census["municipality_code"]):
        name = names[code] if number % 5 else str(english.get(code, names[code]))
        name = name.upper() if number % 7 == 0 else name
        for school in range(2):
            rows.append({"id": f"{code}-{school}", "obshtina": name, "oblast": census.set_index(
                "municipality_code").at[code, "region_code"], "total": 200 + 10 * school, "roma": 20 + 50 * school})
    pd.DataFrame(rows).to_csv(raw / "schools.csv", index=False)
    workdir = tmp_path / "work"
    workdir.mkdir()
    write_config(workdir, {
        "schools": {"path": str(raw / "schools.csv"),
                    "columns": {"school_id": "id", "municipality_name": "obshtina", "region_code": "oblast",
                                "pupils_total": "total", "pupils_group": "roma"}},
        "census": str(raw / "census.csv"),
        "boundaries": {"path": str(raw / "municipalities.geojson"),
                       "columns": {"municipality_code": "LAU_CODE", "municipality_name": "NAME_BG"}},
    }, **FAST)
    run_snakemake(workdir, PDF)
    table = read_csv(workdir / "outputs/xx/municipality_indices.csv")
    assert sorted(table["municipality_code"]) == sorted(census["municipality_code"])  # every census municipality
    assert (table["n_schools"] == 2).all()
    check = read_csv(workdir / "data/processed/xx/code_check.csv")
    listed = check.groupby("action")["municipality_code"].apply(set).to_dict()
    assert listed["not_on_map"] == {"NEW01", "NEW02"}
    assert listed["no_census_data"] == set(gone)
    assert len(listed["matched_by_name"]) == len(census)
    assert len(listed.get("polygon_repaired", ())) == 6  # the layer's invalid polygons, each area kept
    repaired = check[check["action"] == "polygon_repaired"]
    assert ((repaired["area_after_km2"] - repaired["area_before_km2"]).abs()
            <= 0.01 * repaired["area_before_km2"]).all()
    _, text = pdf_text(workdir / PDF)
    flat = " ".join(text.split())
    assert "Нова община" in flat and "6 invalid polygons of the boundary file were repaired" in flat
