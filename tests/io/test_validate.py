"""Reading and validating inputs: canonical mapping, and errors that name file, row, column and id."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from shapely.geometry import Polygon

from segmap.stages.ingest import ingest_country
from segmap.io import readers as ingest
from segmap.io import validate
from segmap.errors import InputError


def read_and_validate_schools(path, **spec):
    return validate.validate_schools(ingest.read_table({"path": str(path), **spec}, "schools"), str(path))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_partner_layout_maps_to_canonical(tiny_inputs_partner_layout, tmp_path):
    paths, entries = tiny_inputs_partner_layout
    before = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()}
    out = tmp_path / "out"
    ingest_country(entries, out / "schools.csv", out / "census.csv", out / "b.parquet", out / "p.json")
    schools = pd.read_csv(out / "schools.csv", dtype=str)
    assert schools["school_id"].iloc[0] == "0001"
    assert schools["municipality_code"].iloc[0] == "01001"
    assert set(schools.columns) >= {"school_id", "pupils_total", "pupils_group", "lon", "lat"}
    census = pd.read_csv(out / "census.csv", dtype=str)
    assert census["region_code"].iloc[0] == "01"
    # raw inputs untouched
    assert before == {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()}


def test_missing_column_names_file_and_column(tmp_path):
    path = write(tmp_path, "s.csv", "school_id,municipality_code,pupils_total\nA,01001,10\n")
    with pytest.raises(InputError) as error:
        read_and_validate_schools(path)
    message = str(error.value)
    assert "s.csv" in message and "'pupils_group'" in message and "missing" in message


def test_mapping_to_absent_column_lists_columns_found(tmp_path):
    path = write(tmp_path, "s.csv", "id,muni,total,roma\nA,01001,10,2\n")
    with pytest.raises(InputError) as error:
        read_and_validate_schools(path, columns={"school_id": "kod_neispuo"})
    assert "kod_neispuo" in str(error.value) and "columns found: id, muni, total, roma" in str(error.value)


@pytest.mark.parametrize(
    "row, needle",
    [
        ("B,01001,10,12", "larger than pupils_total"),
        ("B,01001,-3,0", "negative"),
        ("B,01001,ten,0", "not a number"),
        ("B,01001,10.5,0", "not a whole number"),
        ("B,01001,,0", "empty"),
        ("A,01001,10,0", "appears more than once"),
        ("B,,10,0", "municipality code is empty"),
    ],
)
def test_bad_school_rows_name_row_column_and_id(tmp_path, row, needle):
    path = write(tmp_path, "s.csv", f"school_id,municipality_code,pupils_total,pupils_group\nA,01001,10,2\n{row}\n")
    with pytest.raises(InputError) as error:
        read_and_validate_schools(path)
    message = str(error.value)
    assert needle in message
    assert "s.csv" in message and "row 3" in message


def test_all_problems_are_collected(tmp_path):
    path = write(tmp_path, "s.csv",
                 "school_id,municipality_code,pupils_total,pupils_group\nA,1,10,20\nB,1,-1,0\nC,1,x,0\n")
    with pytest.raises(InputError) as error:
        read_and_validate_schools(path)
    assert len(error.value.problems) == 3
    assert "id 'A'" in str(error.value) and "id 'C'" in str(error.value)


def test_thousands_separator(tmp_path):
    path = write(tmp_path, "s.csv", "school_id;municipality_code;pupils_total;pupils_group\nA;44001;1.234;56\n")
    schools = validate.validate_schools(
        ingest.read_table({"path": str(path), "sep": ";"}, "schools"), str(path), thousands=".")
    assert schools["pupils_total"].iloc[0] == 1234


def test_empty_and_header_only_files(tmp_path):
    empty = write(tmp_path, "empty.csv", "")
    with pytest.raises(InputError, match="empty.csv: the schools file is empty"):
        read_and_validate_schools(empty)
    header = write(tmp_path, "header.csv", "school_id,municipality_code,pupils_total,pupils_group\n")
    with pytest.raises(InputError, match="header.csv: has a header but no schools"):
        read_and_validate_schools(header)


def test_wrong_encoding_is_explained(tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes("school_id,school_name,municipality_code,pupils_total,pupils_group\n1,Училище,SOF46,10,2\n"
                     .encode("cp1251"))
    with pytest.raises(InputError, match="encoding"):
        read_and_validate_schools(path, encoding="utf-8")  # a wrong encoding set in the config
    schools = read_and_validate_schools(path, encoding="cp1251")
    assert schools["school_name"].iloc[0] == "Училище"
    assert read_and_validate_schools(path)["school_name"].iloc[0] == "Училище"  # detected without it


def test_unknown_municipality_and_missing_boundary(tiny_inputs, tmp_path):
    spec = {role: {"path": str(path)} for role, path in tiny_inputs.items()}
    schools = pd.read_csv(tiny_inputs["schools"], dtype=str)
    schools.loc[0, "municipality_code"] = "99999"
    schools.loc[0, ["lon", "lat"]] = None  # without coordinates the school cannot be located
    bad = tmp_path / "bad_schools.csv"
    schools.to_csv(bad, index=False)
    spec["schools"] = {"path": str(bad)}
    out = tmp_path / "out"
    with pytest.raises(InputError) as error:
        ingest_country(spec, out / "s.csv", out / "c.csv", out / "b.parquet", out / "p.json")
    assert "'99999' is not in the census" in str(error.value) and "id '0001'" in str(error.value)
    assert not out.exists() or not any(out.iterdir())  # nothing written


def test_boundaries_without_code_field_or_crs(tiny_inputs, tmp_path):
    import geopandas as gpd

    frame = gpd.read_file(tiny_inputs["boundaries"])
    no_code = tmp_path / "no_code.geojson"
    frame.rename(columns={"municipality_code": "LAU_ID"}).to_file(no_code)
    with pytest.raises(InputError, match="no_code.geojson.*municipality_code.*LAU_ID"):
        validate.validate_boundaries(ingest.read_boundaries({"path": str(no_code)}), str(no_code))
    # without a CRS, coordinates that fit longitudes and latitudes are read as WGS84, and that is recorded
    no_crs = frame.set_crs(None, allow_override=True)
    assumed = validate.validate_boundaries(no_crs, "x.gpkg")
    assert assumed.crs == "EPSG:4326" and assumed.attrs["crs_assumed"] is True
    # ... projected coordinates (metres) without a CRS cannot be guessed
    projected = frame.to_crs("EPSG:3035").set_crs(None, allow_override=True)
    with pytest.raises(InputError, match=r"x.gpkg: has no coordinate reference system and its coordinates .* are "
                                         r"not longitudes and latitudes.*crs: EPSG:3035"):
        validate.validate_boundaries(projected, "x.gpkg")


def test_invalid_polygon_is_repaired_and_the_repair_recorded():
    import geopandas as gpd

    # a square of 10 km with a tiny self-crossing loop at one corner: the repair keeps its area
    square_with_loop = Polygon([(0, 0), (10_000, 0), (10_000, 10_000), (0, 10_000), (0, 20), (20, -10),
                                (0, 0)])
    frame = gpd.GeoDataFrame({"municipality_code": ["A"]}, geometry=[square_with_loop], crs="EPSG:3035")
    assert not frame.is_valid.all()
    checked = validate.validate_boundaries(frame, "b.gpkg")
    assert checked.geometry.is_valid.all()
    assert checked.geometry.iloc[0].area == pytest.approx(1e8, rel=1e-4)
    [repair] = checked.attrs["repairs"]
    assert repair["municipality_code"] == "A" and repair["action"] == "polygon_repaired"
    assert repair["area_before_km2"] == pytest.approx(100, rel=1e-3)
    assert repair["area_after_km2"] == pytest.approx(100, rel=1e-3)


def test_a_repair_that_changes_the_area_stops_the_run():
    import geopandas as gpd

    # a ring that crosses itself once: a bow tie with one lobe much larger than the other. Its shoelace area
    # (the lobes' signed areas) is far from the area of the repaired polygon (both lobes).
    bowtie = Polygon([(0, 0), (10_000, 8_000), (10_000, 0), (0, 10_000), (0, 0)])
    frame = gpd.GeoDataFrame({"municipality_code": ["BGS99"]}, geometry=[bowtie], crs="EPSG:3035")
    with pytest.raises(InputError, match=r"b.gpkg, row 0, column 'geometry', id 'BGS99': repairing this invalid "
                                         r"polygon .* changes the municipality's area from .* km² .* more than "
                                         r"max_repair_area_change \(1.0%\)"):
        validate.validate_boundaries(frame, "b.gpkg")
    # a partner who checked the shape raises the limit
    accepted = validate.validate_boundaries(frame, "b.gpkg", max_repair_area_change=10.0)
    assert accepted.geometry.is_valid.all()


def test_spreadsheet_and_zipped_shapefile(tiny_inputs, tmp_path):
    import zipfile

    import geopandas as gpd

    schools = pd.read_csv(tiny_inputs["schools"], dtype=str)
    workbook = tmp_path / "schools.xlsx"
    schools.to_excel(workbook, sheet_name="centros", index=False)
    read = read_and_validate_schools(workbook, sheet="centros")
    assert read["school_id"].iloc[0] == "0001" and read["pupils_total"].iloc[0] == 400

    shapefile_dir = tmp_path / "shp"
    shapefile_dir.mkdir()
    gpd.read_file(tiny_inputs["boundaries"]).rename(columns={"municipality_code": "NATCODE"}).to_file(
        shapefile_dir / "munis.shp")
    archive = tmp_path / "munis.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for part in sorted(shapefile_dir.iterdir()):
            handle.write(part, part.name)
    boundaries = validate.validate_boundaries(
        ingest.read_boundaries({"path": str(archive), "columns": {"municipality_code": "NATCODE"}}), str(archive))
    assert list(boundaries["municipality_code"])[:2] == ["01001", "01002"]


def test_geopackage_layer_is_chosen_by_name(tmp_path):
    from conftest import tiny_boundaries

    path = tmp_path / "two_layers.gpkg"
    boundaries = tiny_boundaries().rename(columns={"code": "municipality_code"})
    boundaries.iloc[:2].to_file(path, layer="regions_unused", driver="GPKG")
    boundaries.to_file(path, layer="municipalities", driver="GPKG")
    frame = ingest.read_boundaries({"path": str(path), "layer": "municipalities"})
    assert frame["municipality_code"].tolist()[:2] == ["01001", "01002"] and len(frame) == 6
    with pytest.raises(InputError, match="two_layers.gpkg"):
        ingest.read_boundaries({"path": str(path), "layer": "nope"})
