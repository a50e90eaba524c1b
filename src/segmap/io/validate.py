"""Check the inputs against the data contract and return them typed and canonical.

Every problem found is collected (file, spreadsheet row, column, school or municipality id) and raised
together as one :class:`~segmap.errors.InputError`, so a partner fixes a file in one pass.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from segmap import years
from segmap.errors import InputError, Problem
from segmap.io.reconcile import SCHOOL_NAME_COLUMNS, CensusNames, code_hint, source_of
from segmap.settings import CountrySettings

log = logging.getLogger(__name__)

SCHOOL_COLUMNS = ["school_id", "school_name", "municipality_code", "settlement", "pupils_total",
                  "pupils_group", "lon", "lat", "year"]
SCHOOL_REQUIRED = ["school_id", "municipality_code", "pupils_total", "pupils_group"]
CENSUS_COLUMNS = ["municipality_code", "municipality_name", "region_code", "region_name",
                  "population_total", "population_group"]
CENSUS_REQUIRED = ["municipality_code", "municipality_name", "region_code", "population_total",
                   "population_group"]


def _missing_columns(frame: pd.DataFrame, required: list[str], file: str, role: str) -> list[Problem]:
    alternatives = {("schools", "municipality_code"): " or map a column of municipality names to municipality_name"}
    return [
        Problem(file, f"required {role} column is missing (map it with 'columns:' in the config"
                f"{alternatives.get((role, column), '')}; columns found: {', '.join(map(str, frame.columns))})",
                column=column)
        for column in required if column not in frame.columns
    ]


def clean_code(values: pd.Series) -> pd.Series:
    """Codes as text: strip blanks, keep leading zeros, drop a spurious ``.0`` from numeric readers."""
    text = values.astype("string").str.strip()
    return text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)


#: Characters that separate thousands as a space: space, no-break space, narrow no-break space (French
#: typography), thin space, figure space. Any of them is one separator: ``thousands: " "`` accepts them all.
THOUSANDS_SPACES = " \u00a0\u202f\u2009\u2007"
_SPACE_GROUPS = rf"\d{{1,3}}(?:[{THOUSANDS_SPACES}]\d{{3}})+"


def strip_space_thousands(text: pd.Series) -> pd.Series:
    """``1 234 567`` (with any of :data:`THOUSANDS_SPACES` between groups of three digits) -> ``1234567``;
    other values unchanged (``12 34`` is not a count written with thousands)."""
    grouped = text.str.fullmatch(_SPACE_GROUPS).fillna(False).astype(bool)
    return text.where(~grouped, text.str.replace(rf"[{THOUSANDS_SPACES}]", "", regex=True))


def parse_count(values: pd.Series, thousands: str | None = None) -> pd.Series:
    """Parse whole, non-negative counts written as text; unparseable entries become ``NA``.

    ``thousands`` (e.g. ``"."``) is removed first; ``"1.234"`` with ``thousands="."`` is 1234. A space
    (any of :data:`THOUSANDS_SPACES`) as ``thousands`` accepts every kind of space between groups of three
    digits: ``"1\u202f234"`` is 1234.
    """
    text = values.astype("string").str.strip(THOUSANDS_SPACES + "\t\r\n")
    if thousands and thousands in THOUSANDS_SPACES:
        text = strip_space_thousands(text)
    elif thousands:
        text = text.str.replace(thousands, "", regex=False)
    else:
        # "2.000" or "2,000" is a count with a thousands separator, not two: refuse rather than guess
        text = text.mask(text.str.fullmatch(r"\d{1,3}([.,]\d{3})+").fillna(False).astype(bool))
    numbers = pd.to_numeric(text, errors="coerce")
    numbers = numbers.where(np.isfinite(numbers) & (np.abs(numbers) < 2**53))  # "inf", 1e20: no count
    return numbers.astype("Float64")


def _count_problems(frame: pd.DataFrame, column: str, parsed: pd.Series, file: str,
                    ident: pd.Series | None) -> list[Problem]:
    problems = []
    raw = frame[column]
    ids = ident if ident is not None else pd.Series(None, index=frame.index, dtype=object)
    for row in frame.index[parsed.isna()]:
        value = raw.loc[row]
        if pd.isna(value):
            reason = "is empty"
        elif re.fullmatch(r"\s*\d{1,3}([.,]\d{3})+\s*", str(value)):
            reason = (f"{str(value).strip()!r} has a thousands separator: set 'thousands:' for this input "
                      "in the config")
        elif re.fullmatch(_SPACE_GROUPS, str(value).strip()):
            reason = (f"{str(value).strip()!r} has spaces between thousands: set 'thousands: \" \"' for this input in "
                      "the config (any kind of space is then accepted)")
        else:
            reason = f"is not a number ({str(value)[:40]!r})"
        problems.append(Problem(file, f"count {reason}", column, int(row), _id(ids.loc[row])))
    finite = parsed.notna()
    for row in frame.index[finite & (parsed < 0)]:
        problems.append(Problem(file, f"count is negative ({parsed.loc[row]:g})", column, int(row),
                                _id(ids.loc[row])))
    for row in frame.index[finite & (parsed != parsed.round())]:
        problems.append(Problem(file, f"count is not a whole number ({parsed.loc[row]:g}); if it has a "
                                "thousands separator, set 'thousands:' for this input", column,
                                int(row), _id(ids.loc[row])))
    return problems


def _id(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _duplicates(codes: pd.Series, file: str, column: str, ident_is_code: bool = True,
                within: pd.Series | None = None) -> list[Problem]:
    """A problem for every code that appears more than once (within each value of ``within``, e.g. the
    school year, when given: a school keeps its id from one year to the next)."""
    key = codes if within is None else within.astype("string").fillna("") + "\x1f" + codes
    dup = codes[key.duplicated(keep=False) & codes.notna()]
    problems = []
    for _key, rows in key[dup.index].groupby(key[dup.index]).groups.items():
        rows = list(rows)
        code = codes.loc[rows[0]]
        year = None if within is None or pd.isna(within.loc[rows[0]]) else within.loc[rows[0]]
        where = f" in school year {year}" if year else ""
        listed = ", ".join(str(r) for r in rows[:10])
        problems.append(Problem(file, f"'{code}' appears more than once{where} (rows {listed})", column,
                                int(rows[1]), str(code) if ident_is_code else None))
    return problems


def _check_header(frame: pd.DataFrame, required: list[str], file: str, role: str, rows_name: str) -> None:
    """Stop at once when required columns are missing or there are no data rows."""
    problems = _missing_columns(frame, required, file, role)
    if problems:
        raise InputError(problems)
    if frame.empty:
        raise InputError(Problem(file, f"has a header but no {rows_name}"))


def _empty_codes(codes: pd.Series, file: str, column: str, what: str,
                 ids: pd.Series | None = None) -> list[Problem]:
    """A problem for every row whose code is empty."""
    return [Problem(file, f"{what} is empty", column, int(row), None if ids is None else _id(ids.loc[row]))
            for row in codes.index[codes.isna() | (codes == "")]]


def _parse_counts(frame: pd.DataFrame, out: pd.DataFrame, total: str, group: str, file: str, ids: pd.Series,
                  thousands: str | None) -> list[Problem]:
    """Parse the total and group count columns into ``out``; check 0 <= group <= total."""
    problems = []
    for column in (total, group):
        parsed = parse_count(frame[column], thousands)
        problems += _count_problems(frame, column, parsed, file, ids)
        out[column] = parsed
    valid = (out[total] >= 0).fillna(False) & (out[group] >= 0).fillna(False)
    for row in out.index[valid & (out[group] > out[total])]:
        problems.append(Problem(file, f"{group} ({out.at[row, group]:g}) is larger than {total} "
                                f"({out.at[row, total]:g})", group, int(row), _id(ids.loc[row])))
    return problems


REJECTED_COLUMNS = ["file", "row", "school_id", "municipality_code", "column", "reason"]


def validate_schools(frame: pd.DataFrame, file: str, thousands: str | None = None, *, year: str | None = None,
                     plain_years: str = years.PLAIN_YEAR_STARTS) -> pd.DataFrame:
    """Check the schools table and return it typed, with the canonical columns in order.

    Rules: required columns present; ``school_id`` non-empty and unique within a school year;
    ``year`` a school year (normalised to ``2023/24``, see :func:`read_school_years`); ``municipality_code``
    non-empty unless the school has coordinates (it is then located by point in polygon);
    ``pupils_total`` and ``pupils_group`` whole numbers with 0 <= group <= total; ``lon``/``lat``
    numeric within WGS84 ranges when given. Any problem stops with every problem listed.
    """
    schools, problems = _check_school_rows(frame, file, thousands, year, plain_years)
    if problems:
        raise InputError(problems)
    return _typed_schools(schools)


def screen_schools(frame: pd.DataFrame, file: str, thousands: str | None = None,
                   on_invalid_rows: str = "error", *, year: str | None = None,
                   plain_years: str = years.PLAIN_YEAR_STARTS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check the schools table under a policy for invalid rows; return ``(schools, rejected)``.

    ``on_invalid_rows="error"`` behaves like :func:`validate_schools`. With ``"drop"``, rows with a
    problem (empty or duplicated id, bad count, group above total, bad coordinate) are left out and
    returned in ``rejected`` (:data:`REJECTED_COLUMNS`, one row per rejected school, reasons joined by
    "; "); problems of the whole file (missing column, no rows, school years in a column the config does
    not map) still stop the run. Every school of a duplicated id (within its school year) is rejected,
    since which one is right cannot be known. ``year`` is the school year of the whole file, from the
    config (one file per year).
    """
    if on_invalid_rows not in ("error", "drop"):
        raise ValueError(f"on_invalid_rows must be 'error' or 'drop', not {on_invalid_rows!r}")
    schools, problems = _check_school_rows(frame, file, thousands, year, plain_years)
    if on_invalid_rows == "error" or not problems:
        if problems:
            raise InputError(problems)
        return _typed_schools(schools), rejected_table([])
    whole_file = [p for p in problems if p.row is None]
    if whole_file:
        raise InputError(problems)
    key = schools["year"].astype("string").fillna("") + "\x1f" + schools["school_id"]
    duplicated = key.duplicated(keep=False) & schools["school_id"].notna()
    problems = [p for p in problems if not (p.column == "school_id" and "appears more than once" in p.message)]
    problems += [Problem(file, f"school id '{schools.at[row, 'school_id']}' appears more than once"
                         + (f" in school year {schools.at[row, 'year']}" if pd.notna(schools.at[row, "year"]) else ""),
                         "school_id", int(row), _id(schools.at[row, "school_id"])) for row in schools.index[duplicated]]
    rejected = rejected_table(problems, {(file, int(row)): code for row, code in schools["municipality_code"].items()})
    kept = schools.drop(index=sorted({p.row for p in problems}))
    log.warning("%s: %d school row(s) dropped as invalid (on_invalid_rows: drop)", file, len(rejected))
    return _typed_schools(kept), rejected


def rejected_table(problems: list[Problem], codes: Mapping[tuple[str, int], Any] | None = None) -> pd.DataFrame:
    """One row per rejected school row: file, row, school id, municipality code, columns, reasons.

    ``codes`` gives the municipality code of each (file, row) that has one."""
    if not problems:
        return pd.DataFrame({column: pd.Series(dtype="string") for column in REJECTED_COLUMNS})
    by_row: dict[tuple[str, int], list[Problem]] = {}
    for problem in problems:
        by_row.setdefault((problem.file, int(problem.row)), []).append(problem)
    rows = []
    for (file, row), found in sorted(by_row.items()):
        code = _id((codes or {}).get((file, row)))
        rows.append({
            "file": file, "row": row, "school_id": next((p.ident for p in found if p.ident), None),
            "municipality_code": code,
            "column": "; ".join(dict.fromkeys(p.column for p in found if p.column)),
            "reason": "; ".join(dict.fromkeys(p.message for p in found)),
        })
    return pd.DataFrame(rows, columns=REJECTED_COLUMNS)


def _typed_schools(out: pd.DataFrame) -> pd.DataFrame:
    out = out.copy()
    out["pupils_total"] = out["pupils_total"].astype("int64")
    out["pupils_group"] = out["pupils_group"].astype("int64")
    return out[SCHOOL_COLUMNS + [c for c in SCHOOL_NAME_COLUMNS if c in out]]


def _check_school_rows(frame: pd.DataFrame, file: str, thousands: str | None, year: str | None = None,
                       plain_years: str = years.PLAIN_YEAR_STARTS) -> tuple[pd.DataFrame, list[Problem]]:
    """The canonical columns (counts as nullable floats) and every problem found."""
    by_name = "municipality_name" in frame and "municipality_code" not in frame
    _check_header(frame, [c for c in SCHOOL_REQUIRED if not (by_name and c == "municipality_code")], file,
                  "schools", "schools")
    out = pd.DataFrame(index=frame.index)
    out["school_id"] = clean_code(frame["school_id"])
    problems = _empty_codes(out["school_id"], file, "school_id", "school id")
    out["year"], year_problems = read_school_years(frame, file, out["school_id"], year, plain_years)
    problems += year_problems
    problems += _duplicates(out["school_id"], file, "school_id", within=out["year"])
    ids = out["school_id"]
    out["school_name"] = (frame["school_name"].astype("string").str.strip()
                          if "school_name" in frame else ids)
    out["municipality_code"] = (clean_code(frame["municipality_code"]) if "municipality_code" in frame
                                else pd.Series(pd.NA, index=frame.index, dtype="string"))
    for column in SCHOOL_NAME_COLUMNS:  # a municipality given by name (and its region), matched later
        if column in frame:
            out[column] = (clean_code(frame[column]) if column == "region_code"
                           else frame[column].astype("string").str.strip().replace("", pd.NA))
    out["settlement"] = (frame["settlement"].astype("string").str.strip()
                         if "settlement" in frame else pd.Series(pd.NA, index=frame.index, dtype="string"))
    problems += _parse_counts(frame, out, "pupils_total", "pupils_group", file, ids, thousands)
    for column, low, high in (("lon", -180, 180), ("lat", -90, 90)):
        if column in frame:
            values = pd.to_numeric(frame[column].astype("string").str.strip().str.replace(",", ".", regex=False),
                                   errors="coerce")
            bad = frame[column].notna() & (values.isna() | (values < low) | (values > high))
            for row in frame.index[bad]:
                problems.append(Problem(file, f"coordinate {frame.at[row, column]!r} is not a number in "
                                        f"[{low}, {high}]", column, int(row), _id(ids.loc[row])))
            out[column] = values.astype("float64")
        else:
            out[column] = np.nan
    # a school without a municipality code can still be placed by its coordinates
    located = out["lon"].notna() & out["lat"].notna()
    no_code = out["municipality_code"].isna() | (out["municipality_code"] == "")
    if "municipality_name" in out:
        no_code &= out["municipality_name"].isna()
    problems += [Problem(file, "municipality code is empty and the school has no coordinates to locate it",
                         "municipality_code", int(row), _id(ids.loc[row]))
                 for row in out.index[no_code & ~located]]
    if out["year"].isna().all():
        warn_repeated_schools(out, file)
    return out, problems


def read_school_years(frame: pd.DataFrame, file: str, ids: pd.Series, year: str | None = None,
                      plain_years: str = years.PLAIN_YEAR_STARTS) -> tuple[pd.Series, list[Problem]]:
    """The school year of every row as a label (``2023/24``; :mod:`segmap.years`), and the problems found.

    The year comes from the ``year`` column, or from ``year`` (the whole file's year, set in the config),
    which the column must then agree with. A file that holds school years in a column the config does not
    map (``curso``, ``учебна година``, or any column of values such as ``2023/24``) stops the run when it
    holds several of them — summed together they would give wrong numbers — and is read with that year
    when it holds one. A value that is not a school year, or an empty year in a file whose other rows
    have one, is a problem of its row.
    """
    problems: list[Problem] = []
    column = "year"
    if "year" not in frame:
        found = {name: held for name in frame.columns if str(name) not in SCHOOL_COLUMNS
                 and (held := years.looks_like_year_column(name, frame[name], plain_years))}
        several = {name: held for name, held in found.items() if len(held) > 1}
        if several and year is None:
            name, held = next(iter(several.items()))
            raise InputError(Problem(file, f"column '{name}' holds {len(held)} school years ({', '.join(held)}) "
                                           "but no column is mapped to 'year': segmap would add the years up. Map "
                                           f"it with columns: {{year: {name}}} to compare the years", str(name)))
        if not found or year is not None:
            labels = pd.Series(year if year is not None else pd.NA, index=frame.index, dtype="string")
            return labels, problems
        column = next(iter(found))
        log.info("%s: column '%s' read as the school year (%s)", file, column, found[column][0])
    labels, bad = years.parse_years(frame[column], plain_years)
    for row in frame.index[bad.to_numpy()]:
        problems.append(Problem(file, f"{str(frame.at[row, column]).strip()[:40]!r} is not a school year (write 2023, "
                                      "2023/24 or 2023-2024)", column, int(row), _id(ids.loc[row])))
    if year is not None:
        for row in labels.index[labels.notna() & (labels != year)]:
            problems.append(Problem(file, f"school year {labels.loc[row]} differs from the year the config gives "
                                          f"this file ({year})", column, int(row), _id(ids.loc[row])))
        return labels.fillna(year), problems
    held = years.sorted_years(labels)
    if held:
        for row in frame.index[(labels.isna() & ~bad).to_numpy()]:
            problems.append(Problem(file, f"school year is empty (the other rows give {', '.join(held)})", column,
                                    int(row), _id(ids.loc[row])))
    return labels, problems


def warn_repeated_schools(schools: pd.DataFrame, file: str) -> None:
    """Log a warning when schools of a file without school years repeat under other ids (same name, municipality
    and settlement): the file may hold several years that would be added up."""
    named = schools[(schools["school_name"].notna() & (schools["school_name"] != schools["school_id"]))
                    .fillna(False).to_numpy(bool)]
    key = pd.DataFrame({"name": named["school_name"].str.casefold(), "municipality": named["municipality_code"],
                        "settlement": named["settlement"].fillna("")})
    repeated = named[key.duplicated(keep=False).to_numpy(bool)]
    if len(repeated) >= 2:
        log.warning("%s: %d schools share their name, municipality and settlement with another school under another id "
                    "(first: %s). If the file holds several school years, map its year column with "
                    "columns: {year: ...}: the years would otherwise be added up", file, len(repeated),
                    ", ".join(f"{r.school_name} ({r.school_id})" for r in repeated.head(4).itertuples()))


def validate_census(frame: pd.DataFrame, file: str, thousands: str | None = None) -> pd.DataFrame:
    """Check the census table: one row per municipality with its region and population counts."""
    _check_header(frame, CENSUS_REQUIRED, file, "census", "municipalities")
    out = pd.DataFrame(index=frame.index)
    out["municipality_code"] = clean_code(frame["municipality_code"])
    codes = out["municipality_code"]
    problems = _empty_codes(codes, file, "municipality_code", "municipality code")
    problems += _duplicates(codes, file, "municipality_code")
    out["municipality_name"] = frame["municipality_name"].astype("string").str.strip()
    out["region_code"] = clean_code(frame["region_code"])
    problems += _empty_codes(out["region_code"], file, "region_code", "region code", codes)
    out["region_name"] = (frame["region_name"].astype("string").str.strip()
                          if "region_name" in frame else out["region_code"])
    problems += _parse_counts(frame, out, "population_total", "population_group", file, codes, thousands)
    if problems:
        raise InputError(problems)
    out["population_total"] = out["population_total"].astype("int64")
    out["population_group"] = out["population_group"].astype("int64")
    return out[CENSUS_COLUMNS]


#: Equal-area CRS in which repaired polygons' areas are compared (WGS 84 / NSIDC EASE-Grid 2.0 Global).
AREA_CRS = "EPSG:6933"
#: A repair may change a municipality's area by this share at most (the default of ``max_repair_area_change``).
MAX_REPAIR_AREA_CHANGE = CountrySettings.max_repair_area_change


def validate_boundaries(frame: gpd.GeoDataFrame, file: str,
                        max_repair_area_change: float = MAX_REPAIR_AREA_CHANGE) -> gpd.GeoDataFrame:
    """Check the boundary layer and return ``municipality_code`` + geometry (+ ``municipality_name`` and
    ``country_code`` when the layer has them), repaired where invalid.

    Requires a ``municipality_code`` field (mapped through ``columns:``), unique non-empty codes and
    non-empty polygon geometries. A layer without a CRS (TopoJSON, a shapefile without ``.prj``) is read as
    WGS84 longitudes and latitudes when every coordinate fits them (``attrs["crs_assumed"]``), and refused
    otherwise. Invalid polygons (self-intersections, as found in many official files) are repaired
    (:func:`repair_polygons`); the repairs are in ``attrs["repairs"]``, and a repair that changes a
    municipality's area by more than ``max_repair_area_change`` stops the run.
    """
    problems = _missing_columns(frame, ["municipality_code"], file, "boundaries")
    if problems:
        raise InputError(problems)
    if frame.empty:
        raise InputError(Problem(file, "has no features"))
    crs_assumed = False
    if frame.crs is None:
        xmin, ymin, xmax, ymax = frame.geometry.total_bounds
        if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
            raise InputError(Problem(file, "has no coordinate reference system and its coordinates "
                                           f"(x {xmin:.6g} to {xmax:.6g}, y {ymin:.6g} to {ymax:.6g}) are not longitudes "
                                           "and latitudes: save it with its CRS, add a .prj file, or give the CRS "
                                           "in the config (boundaries: {path: ..., crs: EPSG:3035})"))
        log.warning("%s: no coordinate reference system; read as WGS84 longitudes and latitudes (EPSG:4326), "
                    "which its coordinates fit", file)
        frame = frame.set_crs("EPSG:4326")
        crs_assumed = True
    codes = clean_code(frame["municipality_code"])
    problems += _duplicates(codes, file, "municipality_code")
    geometry = frame.geometry
    empty = geometry.isna() | geometry.is_empty
    for row in frame.index[empty]:
        problems.append(Problem(file, "feature has no geometry", "geometry", int(row), _id(codes.loc[row])))
    kinds = geometry[~empty].geom_type
    for row in kinds.index[~kinds.isin(["Polygon", "MultiPolygon"])]:
        problems.append(Problem(file, f"feature is a {kinds.loc[row]}, not a polygon", "geometry",
                                int(row), _id(codes.loc[row])))
    if problems:
        raise InputError(problems)
    geometry, repairs = repair_polygons(geometry, codes, file, max_repair_area_change)
    columns = {"municipality_code": codes.astype(str).values}
    if "municipality_name" in frame:
        columns["municipality_name"] = frame["municipality_name"].astype("string").str.strip().values
    country_field = next((name for name in ("country_code", "CNTR_CODE") if name in frame), None)
    if country_field is not None:
        columns["country_code"] = frame[country_field].astype("string").values
    result = gpd.GeoDataFrame(columns, geometry=geometry.values, crs=frame.crs, index=frame.index)
    result.attrs.update({"repairs": repairs, "crs_assumed": crs_assumed})
    return result


def repair_polygons(geometry: gpd.GeoSeries, codes: pd.Series, file: str,
                    max_area_change: float = MAX_REPAIR_AREA_CHANGE) -> tuple[gpd.GeoSeries, list[dict]]:
    """Repair invalid polygons; return the geometry and one record per repair (code, areas in km²).

    Of the two repairs GEOS offers (``make_valid`` by line work, and by structure, which reads rings as
    outlines and holes), the one whose area is closer to the polygon's own (its rings' shoelace areas,
    holes subtracted) is kept. A repair that changes the area by more than ``max_area_change`` (a share,
    0.01 = 1%) is an error naming the municipality: self-crossing rings can make a repair drop part of a
    municipality, and the map would then misplace its schools silently.
    """
    invalid = ~geometry.is_valid
    if not invalid.any():
        return geometry, []
    values = geometry[invalid].values
    candidates = [shapely.make_valid(values, method="linework"),
                  shapely.make_valid(values, method="structure", keep_collapsed=False)]
    candidates = [np.array([_polygonal_part(g) for g in candidate], dtype=object) for candidate in candidates]
    to_area = gpd.GeoSeries(values, crs=geometry.crs)
    areas_before = _km2(to_area)
    areas = [_km2(gpd.GeoSeries(candidate, crs=geometry.crs)) for candidate in candidates]
    change = [np.abs(a - areas_before) / np.where(areas_before > 0, areas_before, np.nan) for a in areas]
    best = np.where(np.nan_to_num(change[1], nan=np.inf) < np.nan_to_num(change[0], nan=np.inf), 1, 0)
    fixed = np.array([candidates[b][i] for i, b in enumerate(best)], dtype=object)
    after = np.array([areas[b][i] for i, b in enumerate(best)])
    shares = np.array([change[b][i] for i, b in enumerate(best)])
    rows, ids = geometry.index[invalid], codes[invalid].astype(str).to_numpy()
    no_area = [Problem(file, "polygon has no area (it is a line or a point once repaired)", "geometry", int(row), code)
               for row, code, g in zip(rows, ids, fixed)
               if g.geom_type not in ("Polygon", "MultiPolygon") or g.is_empty]
    if no_area:
        raise InputError(no_area)
    too_much = [Problem(file, f"repairing this invalid polygon (its rings cross) changes the municipality's area "
                              f"from {before:,.1f} to {new:,.1f} km² ({_percent(before, new)}), more than "
                              f"max_repair_area_change ({max_area_change:.1%}): fix the polygon in a GIS, or raise "
                              "max_repair_area_change for this country if the repaired shape is right",
                        "geometry", int(row), code)
                for row, code, before, new, share in zip(rows, ids, areas_before, after, shares)
                if not share <= max_area_change]
    if too_much:
        raise InputError(too_much)
    log.warning("%s: repaired %d invalid polygon(s): %s", file, int(invalid.sum()),
                ", ".join(f"{code} ({_percent(before, new)})" for code, before, new in
                          list(zip(ids, areas_before, after))[:20]))
    repaired = geometry.copy()
    repaired[invalid] = fixed
    records = [{"municipality_code": code, "input": "boundaries", "action": "polygon_repaired",
                "detail": f"invalid polygon repaired: area {before:,.2f} km² before, {new:,.2f} km² after "
                          f"({_percent(before, new)})",
                "area_before_km2": round(float(before), 4), "area_after_km2": round(float(new), 4)}
               for code, before, new in zip(ids, areas_before, after)]
    return repaired, records


def _km2(geometry: gpd.GeoSeries) -> np.ndarray:
    """Areas in km² in an equal-area CRS (shoelace areas for invalid polygons)."""
    return np.asarray(shapely.area(geometry.to_crs(AREA_CRS).values), dtype=float) / 1e6


def _percent(before: float, after: float) -> str:
    if before <= 0:
        return "from no area"
    return f"{(after - before) / before:+.2%}"


def _polygonal_part(geometry):
    """Keep the polygonal part of a repaired geometry (make_valid can add stray lines or points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else geometry


#: Where each school row comes from (file, and row as a spreadsheet shows it), kept while the inputs are checked.
SOURCE_COLUMNS = ("source_file", "source_row")


def combine_school_files(parts: list[pd.DataFrame], files: list[str]) -> pd.DataFrame:
    """The screened schools of one or more files (one per school year, say) as one table.

    Each row keeps its file and row in :data:`SOURCE_COLUMNS` for later messages. A school id may appear
    in several school years but only once within a year, also across files. Files with school years
    and files without cannot be combined (which year the latter belong to is unknown).
    """
    frames = [part.assign(source_file=file, source_row=part.index.to_numpy(dtype=np.int64))
              for part, file in zip(parts, files)]
    schools = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*SCHOOL_COLUMNS, *SOURCE_COLUMNS])
    if len(parts) > 1:
        stated = [file for part, file in zip(parts, files) if part["year"].notna().any()]
        unstated = [file for part, file in zip(parts, files) if part["year"].isna().all() and len(part)]
        if stated and unstated:
            raise InputError([Problem(file, "has no school year while other schools files have one "
                                            f"({', '.join(stated)}): give each file's year in the config "
                                            "(schools: [{path: ..., year: 2023}, ...]) or map its year column")
                              for file in unstated])
        key = schools["year"].astype("string").fillna("") + "\x1f" + schools["school_id"]
        repeated = schools[key.duplicated(keep=False)]
        problems = []
        for _key, rows in repeated.groupby(key[repeated.index], sort=True).groups.items():
            rows = schools.loc[list(rows)]
            where = "; ".join(f"{r.source_file} row {r.source_row}" for r in rows.itertuples())
            first = rows.iloc[1]
            year = f" in school year {first['year']}" if pd.notna(first["year"]) else ""
            problems.append(Problem(str(first["source_file"]), f"school id '{first['school_id']}' appears more than "
                                    f"once{year} ({where})", "school_id", int(first["source_row"]),
                                    str(first["school_id"])))
        if problems:
            raise InputError(problems)
    return schools


class _Hints:
    """:func:`segmap.io.reconcile.code_hint` once per unknown code, with the census names indexed once."""

    def __init__(self, census: pd.DataFrame):
        self.census, self.lookup, self.by_code = census, None, {}

    def __call__(self, code: str) -> str:
        if code not in self.by_code:
            if self.lookup is None and code is not None:
                self.lookup = CensusNames(self.census)
            self.by_code[code] = code_hint(code, self.census, self.lookup)
        return self.by_code[code]

    def get(self, code: str, default: str = "") -> str:
        return self.by_code.get(code, default)


def check_school_municipalities(schools: pd.DataFrame, census: pd.DataFrame, files: dict[str, str],
                                on_invalid_rows: str = "error") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every school's municipality must be in the census; return ``(schools, rejected)``.

    Run after :func:`segmap.io.locate.locate_schools` (which fills codes from coordinates). With
    ``on_invalid_rows="drop"`` schools with an unknown or missing code are left out and returned in
    the rejected table; otherwise they stop the run.
    """
    known = set(census["municipality_code"])
    unknown = schools[~schools["municipality_code"].isin(known)]
    problems, codes, hints = [], {}, _Hints(census)
    for index, school in unknown.iterrows():
        code = school["municipality_code"]
        located = pd.notna(school["lon"]) and pd.notna(school["lat"])
        if pd.isna(code) or code == "":
            message = "municipality code is empty and the school's coordinates are outside every municipality"
        else:
            message = (f"municipality '{code}' is not in the census file {files['census']}"
                       + (" and the school's coordinates are outside every municipality" if located else "")
                       + hints(code))
        file, row = source_of(schools, index, files["schools"])
        codes[(file, row)] = code
        problems.append(Problem(file, message, "municipality_code", row, str(school["school_id"])))
    named = sum(1 for c in unknown["municipality_code"] if "municipality name" in hints.get(c, ""))
    unpadded = sum(1 for c in unknown["municipality_code"] if "leading zeros" in hints.get(c, ""))
    for n, what in ((named, "look like municipality names, not codes: map the column to municipality_name"),
                    (unpadded, "look like census codes that lost their leading zeros")):
        if n > 1 and problems and on_invalid_rows != "drop":
            problems.append(Problem(files["schools"], f"{n} of the {len(unknown)} schools with a municipality code not in the census have codes that {what}",
                                    "municipality_code"))
    if problems and on_invalid_rows != "drop":
        raise InputError(problems)
    if problems:
        log.warning("%s: %d school(s) with an unknown municipality dropped (on_invalid_rows: drop)",
                    files["schools"], len(problems))
    return schools.drop(index=unknown.index), rejected_table(problems, codes)
