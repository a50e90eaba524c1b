"""A corpus of broken inputs, each made from the tiny country of ``conftest`` with one thing wrong.

Every :class:`Case` says which input it breaks, how to write the broken file(s) into a folder and what
must happen under ``on_invalid_rows: error`` and under ``drop``:

- :class:`Fails` — the run stops with an :class:`~segmap.errors.InputError` whose message holds the
  broken file's name and every needle (the culprit: column, row number, id or value);
- :class:`Dropped` — (``drop`` only) the run goes on without the bad school rows, which are listed in
  the rejected table with a reason that holds the needle;
- :class:`Repaired` — the input is accepted after a documented repair, and a warning names the file
  and what was repaired.

``drop=None`` means the same outcome as under ``error`` (problems of a whole file always stop the run).
``xfail`` marks cases that show a known problem of the code (the reason says where); they are run as
strict expected failures (``xfail_raises``: the exception they fail with; by default, the run did not
stop where it should have), so that fixing the code makes them fail until the mark is removed.

Tiny country reminder: school ``000k`` is on data row ``k + 1`` of the schools file (index ``k - 1``);
census municipality ``i`` (0-based, ``01001`` first) is on row ``i + 2``; boundary features are
numbered from 1.
"""

from __future__ import annotations

import random
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Polygon

from conftest import tiny_boundaries, tiny_census, tiny_schools

ROLES = ("schools", "census", "boundaries")
N_SCHOOLS = 10

Specs = dict[str, dict[str, Any]]
Writer = Callable[[Path, Specs], None]


@dataclass(frozen=True)
class Fails:
    needles: tuple[str, ...]


@dataclass(frozen=True)
class Dropped:
    rows: int                 # rejected school rows
    reason: str               # in every rejected row's reason
    ids: tuple[str, ...] = ()  # school ids that must be missing from the schools output


@dataclass(frozen=True)
class Repaired:
    log: tuple[str, ...]      # in the warnings logged


@dataclass(frozen=True)
class Case:
    id: str
    breaks: str               # schools, census or boundaries
    write: Writer             # writes the broken file(s) and points specs[breaks] at them
    error: Fails | Repaired
    drop: Fails | Dropped | Repaired | None = None
    options: dict[str, Any] = field(default_factory=dict)  # more keyword arguments of ingest_country
    xfail: str | None = None
    xfail_policies: tuple[str, ...] = ("error", "drop")
    xfail_raises: type[BaseException] | None = None  # the failure expected; None: the run did not stop

    def expected(self, policy: str) -> Fails | Dropped | Repaired:
        return self.error if policy == "error" or self.drop is None else self.drop


# --------------------------------------------------------------------------------------------------
# The clean tiny country, and writers of broken copies
# --------------------------------------------------------------------------------------------------

def clean_boundaries() -> gpd.GeoDataFrame:
    return tiny_boundaries().rename(columns={"code": "municipality_code"})


def write_clean(folder: Path) -> Specs:
    """The tiny country as canonical files in ``folder``; returns the input specifications."""
    tiny_schools().to_csv(folder / "schools.csv", index=False)
    tiny_census().to_csv(folder / "census.csv", index=False)
    clean_boundaries().to_file(folder / "municipalities.geojson", driver="GeoJSON")
    return {"schools": {"path": str(folder / "schools.csv")}, "census": {"path": str(folder / "census.csv")},
            "boundaries": {"path": str(folder / "municipalities.geojson")}}


def write_case(case: Case, folder: Path) -> Specs:
    """The tiny country with the case's broken input; returns the input specifications."""
    specs = write_clean(folder)
    case.write(folder, specs)
    return specs


def broken_file_name(specs: Specs, case: Case) -> str:
    return Path(specs[case.breaks]["path"]).name


def _edited(frame: pd.DataFrame, changes, drop_columns=()) -> pd.DataFrame:
    frame = frame.astype(str)
    for index, column, value in changes:
        frame.loc[index, column] = value
    return frame.drop(columns=list(drop_columns))


def _table_writer(role: str, make: Callable[[], pd.DataFrame], name: str, changes=(), drop_columns=(),
                  sep: str = ",", encoding: str = "utf-8", **spec) -> Writer:
    def write(folder: Path, specs: Specs) -> None:
        frame = _edited(make(), changes, drop_columns)
        path = folder / name
        path.write_bytes(frame.to_csv(index=False, sep=sep, lineterminator="\n").encode(encoding))
        specs[role] = {"path": str(path), **spec}
    return write


def schools(name: str, *changes, drop_columns=(), **options) -> Writer:
    """The tiny schools as CSV ``name`` with ``(index, column, value)`` changes."""
    return _table_writer("schools", tiny_schools, name, changes, drop_columns, **options)


def census(name: str, *changes, drop_columns=(), **options) -> Writer:
    """The tiny census as CSV ``name`` with ``(index, column, value)`` changes."""
    return _table_writer("census", tiny_census, name, changes, drop_columns, **options)


def raw_file(role: str, name: str, content: bytes, **spec) -> Writer:
    """An input file with exactly these bytes."""
    def write(folder: Path, specs: Specs) -> None:
        (folder / name).write_bytes(content)
        specs[role] = {"path": str(folder / name), **spec}
    return write


def boundaries(name: str, edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame], driver: str = "GeoJSON",
               **spec) -> Writer:
    """The tiny boundaries, edited, written as ``name`` with ``driver``."""
    def write(folder: Path, specs: Specs) -> None:
        edit(clean_boundaries()).to_file(folder / name, driver=driver)
        specs["boundaries"] = {"path": str(folder / name), **spec}
    return write


def _set_geometry(index: int, geometry) -> Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]:
    def edit(frame):
        frame.loc[index, "geometry"] = geometry
        return frame
    return edit


def _header_only(role: str, make, name: str) -> Writer:
    return raw_file(role, name, (",".join(make().columns) + "\n").encode())


def _csv_text() -> str:
    return tiny_schools().to_csv(index=False, lineterminator="\n")


def _schools_xlsx_with_sheet(folder: Path, specs: Specs) -> None:
    path = folder / "schools_sheet.xlsx"
    tiny_schools().astype(str).to_excel(path, sheet_name="centros", index=False)
    specs["schools"] = {"path": str(path), "sheet": "centros_2024"}


def _schools_parquet_that_is_csv(folder: Path, specs: Specs) -> None:
    (folder / "schools_not_parquet.parquet").write_text(_csv_text(), encoding="utf-8")
    specs["schools"] = {"path": str(folder / "schools_not_parquet.parquet")}


def _schools_two_total_columns(folder: Path, specs: Specs) -> None:
    frame = tiny_schools()
    header = ",".join([*frame.columns, "pupils_total"])
    rows = [",".join(map(str, [*row, 9999])) for row in frame.itertuples(index=False)]
    (folder / "schools_two_totals.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    specs["schools"] = {"path": str(folder / "schools_two_totals.csv")}


def _shapefile_without_prj(folder: Path, specs: Specs, crs: str | None = None) -> None:
    shp = folder / "munis_no_crs.shp"
    frame = clean_boundaries().rename(columns={"municipality_code": "code"})
    (frame if crs is None else frame.to_crs(crs)).to_file(shp)
    shp.with_suffix(".prj").unlink()
    specs["boundaries"] = {"path": str(shp), "columns": {"municipality_code": "code"}}


def _projected_shapefile_without_prj(folder: Path, specs: Specs) -> None:
    _shapefile_without_prj(folder, specs, "EPSG:3035")


def _boundaries_missing_layer(folder: Path, specs: Specs) -> None:
    path = folder / "munis_layers.gpkg"
    clean_boundaries().to_file(path, layer="municipalities", driver="GPKG")
    specs["boundaries"] = {"path": str(path), "layer": "municipios"}


def _boundaries_empty_layer(folder: Path, specs: Specs) -> None:
    path = folder / "munis_empty.gpkg"
    clean_boundaries().iloc[:0].to_file(path, layer="municipalities", driver="GPKG")
    specs["boundaries"] = {"path": str(path)}


def _boundaries_as_table(folder: Path, specs: Specs) -> None:
    shutil.copy(folder / "census.csv", folder / "munis_table.csv")
    specs["boundaries"] = {"path": str(folder / "munis_table.csv")}


def _boundaries_extra_polygon(frame):
    extra = frame.iloc[[0]].assign(municipality_code="09999")
    extra["geometry"] = extra.geometry.translate(xoff=1.0)  # east of the country, another edition's polygon
    return pd.concat([frame, extra], ignore_index=True)


def _boundaries_integer_codes(frame):
    frame["municipality_code"] = frame["municipality_code"].astype(int)  # 01001 -> 1001
    return frame


def _zipped_two_files(folder: Path, specs: Specs) -> None:
    path = folder / "schools_two.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("schools.csv", _csv_text())
        archive.writestr("schools_old.csv", _csv_text())
    specs["schools"] = {"path": str(path)}


def _missing_path(role: str, name: str) -> Writer:
    def write(folder: Path, specs: Specs) -> None:
        specs[role] = {"path": str(folder / "nowhere" / name)}
    return write


SCHOOL_COLUMNS = list(tiny_schools().columns)
BOWTIE_02003 = Polygon([(-3.8, 39.9), (-3.7, 40.0), (-3.7, 39.9), (-3.8, 40.0), (-3.8, 39.9)])
# the cell of 02003 (x -3.8..-3.7, y 39.9..40.0) whose ring crosses its bottom edge in a tiny loop
SMALL_CROSSING_02003 = Polygon([(-3.8, 39.9), (-3.7, 39.9), (-3.7, 40.0), (-3.8, 40.0), (-3.8, 39.9002),
                                (-3.7998, 39.8999), (-3.8, 39.9)])
FLAT_02003 = Polygon([(-3.8, 39.9), (-3.75, 39.9), (-3.7, 39.9), (-3.8, 39.9)])  # a flat ring: no area
CYRILLIC_SCHOOLS = ("school_id,school_name,municipality_code,pupils_total,pupils_group\n"
                    + "\n".join(f"{sid},Училище {i},{code},{total},{group}"
                                for i, (sid, _name, code, total, group, _lon, _lat) in
                                enumerate(tiny_schools().itertuples(index=False))) + "\n")
MANY_BAD = [(index, "pupils_total", "?") for index in range(6)]


# --------------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------------

CASES: list[Case] = [
    # ---- schools: one bad row (stop under error; left out and counted under drop) ------------------
    Case("schools_group_above_total", "schools",
         schools("schools_group_above.csv", (3, "pupils_group", "250")),
         Fails(("row 5", "pupils_group", "0004", "(250) is larger than pupils_total (200)")),
         Dropped(1, "larger than pupils_total", ("0004",))),
    Case("schools_group_pupils_but_zero_total", "schools",
         schools("schools_zero_total.csv", (4, "pupils_total", "0"), (4, "pupils_group", "5")),
         Fails(("row 6", "pupils_group", "0005", "(5) is larger than pupils_total (0)")),
         Dropped(1, "larger than pupils_total", ("0005",))),
    Case("schools_negative_count", "schools",
         schools("schools_negative.csv", (1, "pupils_group", "-6")),
         Fails(("row 3", "pupils_group", "0002", "negative (-6)")),
         Dropped(1, "negative", ("0002",))),
    Case("schools_non_numeric_count", "schools",
         schools("schools_text_count.csv", (2, "pupils_total", "ten")),
         Fails(("row 4", "pupils_total", "0003", "not a number ('ten')")),
         Dropped(1, "not a number", ("0003",))),
    Case("schools_non_integer_count", "schools",
         schools("schools_fraction.csv", (2, "pupils_total", "12.5")),
         Fails(("row 4", "pupils_total", "0003", "not a whole number (12.5)")),
         Dropped(1, "not a whole number", ("0003",))),
    Case("schools_empty_count", "schools",
         schools("schools_empty_count.csv", (5, "pupils_group", "")),
         Fails(("row 7", "pupils_group", "0006", "count is empty")),
         Dropped(1, "count is empty", ("0006",))),
    Case("schools_infinite_count", "schools",
         schools("schools_inf.csv", (6, "pupils_total", "inf")),
         Fails(("row 8", "pupils_total", "0007", "'inf'")),
         Dropped(1, "not a number", ("0007",))),
    Case("schools_count_beyond_integers", "schools",
         schools("schools_huge.csv", (7, "pupils_total", "1e20")),
         Fails(("row 9", "pupils_total", "0008", "'1e20'")),
         Dropped(1, "not a number", ("0008",))),
    Case("schools_thousands_separator_without_setting", "schools",
         schools("schools_thousands.csv", (0, "pupils_total", "1.250"), sep=";"),
         Fails(("row 2", "pupils_total", "0001", "'1.250' has a thousands separator", "set 'thousands:'")),
         Dropped(1, "thousands separator", ("0001",))),
    Case("schools_duplicate_id", "schools",
         schools("schools_duplicate_id.csv", (3, "school_id", "0005")),
         Fails(("school_id", "'0005' appears more than once (rows 5, 6)")),
         Dropped(2, "appears more than once", ("0005",))),
    Case("schools_empty_id", "schools",
         schools("schools_empty_id.csv", (2, "school_id", "")),
         Fails(("row 4", "school_id", "school id is empty")),
         Dropped(1, "school id is empty", ("0003",))),
    Case("schools_unknown_municipality", "schools",
         schools("schools_unknown_muni.csv", (0, "municipality_code", "99999"), (0, "lon", ""), (0, "lat", "")),
         Fails(("row 2", "municipality_code", "0001", "'99999' is not in the census file")),
         Dropped(1, "'99999' is not in the census", ("0001",))),
    Case("schools_no_code_no_coordinates", "schools",
         schools("schools_no_code.csv", (1, "municipality_code", ""), (1, "lon", ""), (1, "lat", "")),
         Fails(("row 3", "municipality_code", "0002", "no coordinates to locate it")),
         Dropped(1, "no coordinates to locate it", ("0002",))),
    Case("schools_coordinates_outside_wgs84", "schools",  # UTM metres where degrees belong
         schools("schools_utm.csv", (2, "lon", "440000"), (2, "lat", "4430000")),
         Fails(("row 4", "column 'lon'", "column 'lat'", "0003", "'440000' is not a number in [-180, 180]",
                "'4430000' is not a number in [-90, 90]")),
         Dropped(1, "is not a number in [-180, 180]", ("0003",))),
    Case("schools_coordinate_not_a_number", "schools",
         schools("schools_dms.csv", (1, "lat", "40°02'N")),
         Fails(("row 3", "column 'lat'", "0002", "40°02'N")),
         Dropped(1, "is not a number in [-90, 90]", ("0002",))),
    Case("schools_unknown_code_outside_every_polygon", "schools",
         schools("schools_far_away.csv", (0, "municipality_code", "99999"), (0, "lon", "10.0"), (0, "lat", "50.0")),
         Fails(("row 2", "0001", "'99999' is not in the census", "outside every municipality")),
         Dropped(1, "outside every municipality", ("0001",))),
    Case("schools_no_code_outside_every_polygon", "schools",
         schools("schools_no_code_far.csv", (1, "municipality_code", ""), (1, "lon", "10.0"), (1, "lat", "50.0")),
         Fails(("row 3", "0002", "municipality code is empty and the school's coordinates are outside")),
         Dropped(1, "outside every municipality", ("0002",))),
    Case("schools_many_bad_rows_capped", "schools",
         schools("schools_many_bad.csv", *MANY_BAD),
         Fails(("6 problem(s)", "row 2", "row 4", "... and 3 more")),
         Dropped(6, "not a number ('?')", ("0001", "0006")),
         options={"max_problems": 3}),
    Case("schools_all_rows_invalid", "schools",
         schools("schools_all_bad.csv", *[(index, "pupils_total", "?") for index in range(N_SCHOOLS)]),
         Fails(("10 problem(s)", "row 11", "0010", "not a number ('?')")),
         Fails(("no valid school is left", "not a number ('?')"))),

    # ---- schools: the whole file is unusable (stops under error and under drop) -------------------
    Case("schools_missing_column", "schools",
         schools("schools_no_group.csv", drop_columns=["pupils_group"]),
         Fails(("column 'pupils_group'", "required schools column is missing", "columns found: school_id"))),
    Case("schools_empty_file", "schools", raw_file("schools", "schools_empty.csv", b""),
         Fails(("the schools file is empty",))),
    Case("schools_header_only", "schools", _header_only("schools", tiny_schools, "schools_header.csv"),
         Fails(("has a header but no schools",))),
    Case("schools_only_a_bom", "schools", raw_file("schools", "schools_bom.csv", b"\xef\xbb\xbf"),
         Fails(("has no header row",))),
    Case("schools_binary_garbage", "schools",
         raw_file("schools", "schools_garbage.csv", random.Random(20240901).randbytes(4096)),
         Fails(("is not a valid delimited file", "line 26"))),
    Case("schools_utf16_without_byte_order_mark", "schools",  # with its BOM, UTF-16 is read (test_readers)
         raw_file("schools", "schools_utf16.csv", _csv_text().encode("utf-16-le")),
         Fails(("column 'school_id'", "required schools column is missing", "columns found"))),
    Case("schools_cp1251_declared_utf8", "schools",
         raw_file("schools", "schools_cp1251.csv", CYRILLIC_SCHOOLS.encode("cp1251"), encoding="utf-8"),
         Fails(("cannot be read as utf-8", "byte", "set 'encoding:'"))),
    Case("schools_unknown_encoding_declared", "schools",
         raw_file("schools", "schools_klingon.csv", _csv_text().encode(), encoding="klingon"),
         Fails(("unknown encoding 'klingon'",))),
    Case("schools_xlsx_that_is_csv", "schools",
         raw_file("schools", "schools_fake.xlsx", _csv_text().encode()),
         Fails(("cannot read the spreadsheet",))),
    Case("schools_missing_sheet", "schools", _schools_xlsx_with_sheet,
         Fails(("cannot read the spreadsheet", "centros_2024"))),
    Case("schools_parquet_that_is_csv", "schools", _schools_parquet_that_is_csv,
         Fails(("cannot be read as a Parquet file",))),
    Case("schools_corrupt_gzip", "schools",
         raw_file("schools", "schools_broken.csv.gz", b"this is not gzip data"),
         Fails(("cannot be decompressed",))),
    Case("schools_zip_with_two_files", "schools", _zipped_two_files,
         Fails(("the archive must hold exactly one file, not 2",))),
    Case("schools_ragged_row", "schools",
         raw_file("schools", "schools_ragged.csv",
                  (_csv_text() + "0011,CEIP Once,01001,10,1,-3.9,40.0,x,y\n").encode()),
         Fails(("is not a valid delimited file", "Expected 7 fields in line 12, saw 9"))),
    Case("schools_wrong_separator_declared", "schools",
         raw_file("schools", "schools_commas.csv", _csv_text().encode(), sep=";"),
         Fails(("column 'pupils_total'", "required schools column is missing"))),
    Case("schools_column_mapping_to_absent_column", "schools",
         raw_file("schools", "schools_mapped.csv", _csv_text().encode(), columns={"school_id": "kod_neispuo"}),
         Fails(("'kod_neispuo', which is not in the file", "columns found: school_id, school_name"))),
    Case("schools_header_row_beyond_file", "schools",
         raw_file("schools", "schools_header_row.csv", _csv_text().encode(), header_row=50),
         Fails(("has no row 50", "header_row: 50"))),
    Case("schools_path_does_not_exist", "schools", _missing_path("schools", "schools_missing.csv"),
         Fails(("the schools file does not exist",))),
    Case("schools_duplicate_column_name", "schools", _schools_two_total_columns,
         Fails(("column 'pupils_total' appears more than once in the header",))),

    # ---- census: any problem stops the run, whatever on_invalid_rows says -------------------------
    Case("census_without_regions", "census",
         census("census_no_regions.csv", drop_columns=["region_code", "region_name"]),
         Fails(("column 'region_code'", "required census column is missing"))),
    Case("census_code_repeated", "census",
         census("census_repeated.csv", (1, "municipality_code", "01001")),
         Fails(("column 'municipality_code'", "'01001' appears more than once (rows 2, 3)"))),
    Case("census_total_below_group", "census",
         census("census_group_above.csv", (1, "population_total", "30")),
         Fails(("row 3", "population_group", "01002", "(40) is larger than population_total (30)"))),
    Case("census_empty_region_code", "census",
         census("census_empty_region.csv", (4, "region_code", "")),
         Fails(("row 6", "region_code", "02002", "region code is empty"))),
    Case("census_empty_municipality_code", "census",
         census("census_empty_code.csv", (5, "municipality_code", "")),
         Fails(("row 7", "municipality_code", "municipality code is empty"))),
    Case("census_non_numeric_population", "census",
         census("census_text.csv", (3, "population_group", "approx. 600")),
         Fails(("row 5", "population_group", "02001", "not a number ('approx. 600')"))),
    Case("census_negative_population", "census",
         census("census_negative.csv", (2, "population_total", "-2000")),
         Fails(("row 4", "population_total", "01003", "negative (-2000)"))),
    Case("census_infinite_population", "census",
         census("census_inf.csv", (0, "population_total", "inf")),
         Fails(("row 2", "population_total", "01001", "'inf'"))),
    Case("census_round_thousands_without_setting", "census",
         census("census_round_thousands.csv", (2, "population_total", "2.000"), sep=";"),
         Fails(("row 4", "population_total", "'2.000' has a thousands separator"))),
    Case("census_header_only", "census", _header_only("census", tiny_census, "census_header.csv"),
         Fails(("has a header but no municipalities",))),
    Case("census_is_the_schools_file", "census",
         raw_file("census", "census_swapped.csv", _csv_text().encode()),
         Fails(("column 'municipality_name'", "column 'region_code'", "required census column is missing"))),

    # ---- boundaries ----------------------------------------------------------------------------------
    Case("boundaries_without_code_field", "boundaries",
         boundaries("munis_lau.geojson", lambda f: f.rename(columns={"municipality_code": "LAU_ID"})),
         Fails(("column 'municipality_code'", "required boundaries column is missing", "LAU_ID"))),
    Case("boundaries_null_geometry", "boundaries",
         boundaries("munis_null.geojson", _set_geometry(2, None)),
         Fails(("row 3", "01003", "feature has no geometry"))),
    Case("boundaries_zero_area_polygon", "boundaries",
         boundaries("munis_flat.geojson", _set_geometry(5, FLAT_02003)),
         Fails(("02003", "polygon has no area"))),
    Case("boundaries_self_intersecting_polygon", "boundaries",  # its repair would change its area: stop
         boundaries("munis_bowtie.geojson", _set_geometry(5, BOWTIE_02003)),
         Fails(("row 6", "02003", "changes the municipality's area", "max_repair_area_change"))),
    Case("boundaries_polygon_with_a_small_self_crossing", "boundaries",  # documented: repaired, listed
         boundaries("munis_crossing.geojson", _set_geometry(5, SMALL_CROSSING_02003)),
         Repaired(("munis_crossing.geojson", "repaired 1 invalid polygon(s): 02003"))),
    Case("boundaries_points_not_polygons", "boundaries",
         boundaries("munis_points.geojson", lambda f: f.set_geometry(f.geometry.representative_point())),
         Fails(("row 1", "01001", "feature is a Point, not a polygon"))),
    Case("boundaries_lines_not_polygons", "boundaries",
         boundaries("munis_line.geojson", _set_geometry(0, LineString([(-4.0, 40.0), (-3.9, 40.1)]))),
         Fails(("row 1", "01001", "feature is a LineString, not a polygon"))),
    Case("boundaries_missing_crs", "boundaries", _shapefile_without_prj,  # lon/lat that fit: read as WGS84
         Repaired(("munis_no_crs.shp", "no coordinate reference system; read as WGS84",))),
    Case("boundaries_missing_crs_projected", "boundaries", _projected_shapefile_without_prj,
         Fails(("has no coordinate reference system and its coordinates", "not longitudes and latitudes"))),
    Case("boundaries_code_repeated", "boundaries",
         boundaries("munis_repeated.geojson", lambda f: f.assign(
             municipality_code=f["municipality_code"].where(f.index != 2, "01002"))),
         Fails(("municipality_code", "'01002' appears more than once"))),
    Case("boundaries_census_municipality_without_polygon", "boundaries",  # another edition: kept, listed
         boundaries("munis_missing_one.geojson", lambda f: f[f["municipality_code"] != "02002"]),
         Repaired(("census.csv", "1 census municipalities have no polygon", "kept in every table", "02002"))),
    Case("boundaries_census_municipality_without_polygon_strict", "boundaries",
         boundaries("munis_missing_one.geojson", lambda f: f[f["municipality_code"] != "02002"]),
         Fails(("census.csv", "id '02002'", "'02002' has no polygon in the boundaries file", "on_code_mismatch")),
         options={"on_code_mismatch": "error"}),
    Case("boundaries_polygon_without_census_row", "boundaries",  # another edition: drawn as no data, listed
         boundaries("munis_extra_one.geojson", _boundaries_extra_polygon),
         Repaired(("1 polygons have no census row", "09999"))),
    Case("boundaries_codes_lost_leading_zeros", "boundaries",  # restored: the census codes have 5 digits
         boundaries("munis_integer_codes.geojson", _boundaries_integer_codes),
         Repaired(("munis_integer_codes.geojson", "lost their leading zeros and were padded to 5 digits"))),
    Case("boundaries_not_a_geometry_file", "boundaries",
         raw_file("boundaries", "munis_text.geojson", b"municipality_code;geometry\n01001;somewhere\n"),
         Fails(("cannot be read as a boundary layer",))),
    Case("boundaries_table_without_geometry", "boundaries", _boundaries_as_table,
         Fails(("has no geometry column",))),
    Case("boundaries_missing_layer", "boundaries", _boundaries_missing_layer,
         Fails(("cannot be read as a boundary layer", "municipios"))),
    Case("boundaries_empty_layer", "boundaries", _boundaries_empty_layer,
         Fails(("has no features",))),
    Case("boundaries_path_does_not_exist", "boundaries", _missing_path("boundaries", "munis_missing.gpkg"),
         Fails(("the boundaries file does not exist",))),
]

CASES_BY_ID = {case.id: case for case in CASES}
assert len(CASES_BY_ID) == len(CASES), "case ids must be unique"
