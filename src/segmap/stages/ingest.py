"""Stage ``ingest``: read, validate and cross-check one country's three inputs; write their canonical copies.

Reading is :mod:`segmap.io.readers` (plain files) and :mod:`segmap.recipes` (official layouts); the checks
are :mod:`segmap.io.validate`, the placing of schools in municipalities :mod:`segmap.io.locate`, the
download of boundaries :mod:`segmap.io.gisco`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from segmap import recipes
from segmap.errors import InputError, Problem
from segmap.files import sha256, write_csv, write_geoparquet, write_json
from segmap.io import gisco, locate, readers, reconcile, validate
from segmap.provenance import reading_record
from segmap.settings import school_input_specs

log = logging.getLogger(__name__)


def ingest_country(inputs: Mapping[str, Any], schools_out: str | Path, census_out: str | Path,
                   boundaries_out: str | Path, provenance_out: str | Path, *, rejected_out: str | Path | None = None,
                   locations_out: str | Path | None = None, fixes_out: str | Path | None = None,
                   country: str = "xx", on_invalid_rows: str = "error", max_problems: int = 200,
                   plain_years: str = "start",
                   max_repair_area_change: float = validate.MAX_REPAIR_AREA_CHANGE) -> None:
    """Read, validate and cross-check the three inputs; write their canonical versions.

    ``inputs`` maps ``schools``/``census``/``boundaries`` to input specifications
    (:class:`segmap.settings.InputSpec` as dict; boundaries may be ``source: gisco``; schools may be a list
    of specifications, one per file, each with its own ``year``). Every school gets its school year as a
    label (``2023/24``; :mod:`segmap.years`), ids are unique within a year, and the years are kept apart,
    never added up. Schools with coordinates are placed in municipalities by point in polygon
    (:mod:`segmap.io.locate`); the checks go to ``locations_out``. Invalid school rows stop the run, or with
    ``on_invalid_rows="drop"`` are left out and listed with their reasons in ``rejected_out``. With Belgian
    NIS codes, years coded before a merger are recoded to the census's code list. Nothing is written unless
    all inputs pass.

    Codes are reconciled (:mod:`segmap.io.reconcile`): codes that lost their leading zeros are restored where
    census and boundaries agree on the width, schools given by municipality name get its code, invalid polygons
    are repaired (an area change above ``max_repair_area_change`` stops the run), and polygons of other
    countries are left out. What was done goes to ``fixes_out``; ``boundaries_out`` keeps every polygon of the
    country, also those without a census row: the ``code_check`` stage compares the editions.
    """
    school_specs = school_input_specs(inputs["schools"])
    files = {role: str(inputs[role]["path"]) for role in ("census", "boundaries")}
    files["schools"] = ", ".join(str(spec["path"]) for spec in school_specs)
    try:
        school_tables, screened, rejected_parts = [], [], []
        for spec in school_specs:
            table = recipes.read_input(spec, "schools")
            part, rejected = validate.screen_schools(table, str(spec["path"]), spec.get("thousands"), on_invalid_rows,
                                                     year=spec.get("year"), plain_years=plain_years)
            school_tables.append(table)
            screened.append(part)
            rejected_parts.append(rejected)
        schools = validate.combine_school_files(screened, [str(spec["path"]) for spec in school_specs])
        census_table = recipes.read_input(inputs["census"], "census")
        census = validate.validate_census(census_table, files["census"], inputs["census"].get("thousands"))
        boundaries, boundary_sources = read_boundary_input(inputs["boundaries"], country)
        boundaries = validate.validate_boundaries(boundaries, files["boundaries"], max_repair_area_change)
        fixes = list(boundaries.attrs.get("repairs", []))
        crs_assumed = bool(boundaries.attrs.get("crs_assumed"))
        census, boundaries, padded = reconcile.restore_code_widths(census, boundaries, files)
        fixes += padded
        boundaries, out_of_scope = keep_country_polygons(boundaries, census, files["boundaries"])
        code_edition = check_code_edition(inputs, census, boundaries, files)
        schools, recoded = recipes.recode_nis_years(schools, code_edition, files["schools"])
        schools, school_fixes = reconcile.restore_school_zeros(schools, census["municipality_code"],
                                                                boundaries["municipality_code"], files["schools"])
        schools, name_fixes, name_problems = reconcile.match_school_names(schools, census, files["schools"])
        schools, unnamed = drop_or_stop(schools, name_problems, on_invalid_rows)
        fixes += school_fixes + name_fixes
        schools, locations = locate.locate_schools(schools, boundaries, census["municipality_code"])
        schools, unknown = validate.check_school_municipalities(schools, census, files, on_invalid_rows)
        if schools.empty:
            dropped = [Problem(str(r.file), str(r.reason), None if pd.isna(r.column) else str(r.column), int(r.row),
                               None if pd.isna(r.school_id) else str(r.school_id))
                       for r in pd.concat([*rejected_parts, unnamed, unknown]).itertuples()]
            raise InputError([Problem(files["schools"], "no valid school is left: every row was invalid and "
                                                        "left out (on_invalid_rows: drop)"), *dropped])
    except InputError as error:
        raise error.limited(max_problems) from None
    rejected = pd.concat([r for r in (*rejected_parts, unnamed, unknown) if len(r)] or [rejected_parts[0]],
                         ignore_index=True)
    schools = schools.drop(columns=[c for c in reconcile.SCHOOL_NAME_COLUMNS if c in schools])
    school_years = {str(year): int(n) for year, n in schools["year"].value_counts().sort_index().items()}
    provenance = {
        "inputs": [
            *({"role": "schools", "path": str(spec["path"]), "sha256": sha256(spec["path"]), "rows": len(table),
               **({"year": spec["year"]} if spec.get("year") else {}), **reading_record(spec, table)}
              for spec, table in zip(school_specs, school_tables)),
            {"role": "census", "path": files["census"], "sha256": sha256(files["census"]), "rows": len(census),
             **reading_record(inputs["census"], census_table)},
            {"role": "boundaries", "path": files["boundaries"],
             "sha256": None if boundary_sources else sha256(files["boundaries"]), "rows": len(boundaries),
             **reading_record(inputs["boundaries"], None),
             **({"crs_assumed": "EPSG:4326"} if crs_assumed else {}),
             **({"polygons_of_other_countries": out_of_scope} if out_of_scope else {})},
        ],
        "code_edition": code_edition,
        "code_recoding": recoded,
        "boundary_sources": boundary_sources,
        "school_years": school_years,
        "schools_rejected": len(rejected),
        "schools_used": len(schools),
        "on_invalid_rows": on_invalid_rows,
        "locations": {str(k): int(v) for k, v in locations["status"].value_counts().sort_index().items()},
    }
    write_csv(schools.drop(columns=list(validate.SOURCE_COLUMNS)), schools_out)
    write_csv(census, census_out)
    write_geoparquet(boundaries, boundaries_out)
    if fixes_out is not None:
        write_csv(reconcile.fix_table(fixes), fixes_out)
    if rejected_out is not None:
        write_csv(rejected, rejected_out)
    if locations_out is not None:
        write_csv(locations, locations_out)
    write_json(provenance, provenance_out)
    log.info("ingested %d schools (%d rejected), %d municipalities, %d polygons", len(schools), len(rejected),
             len(census), len(boundaries))
    log.info("school years: %s", ", ".join(f"{year} ({n} schools)" for year, n in school_years.items())
             or "not stated in the schools data")


def keep_country_polygons(boundaries: Any, census: pd.DataFrame, file: str) -> tuple[Any, int]:
    """The polygons of the census's country (:func:`segmap.io.reconcile.in_scope`) and how many others
    (a European LAU file's) were left out."""
    scope = reconcile.in_scope(boundaries, census)
    if not scope.all():
        log.info("%s: %d polygons of other countries are left out (%s...)", file, int((~scope).sum()),
                 ", ".join(boundaries.loc[~scope, "municipality_code"].astype(str).head(5)))
    return boundaries[scope.to_numpy()], int((~scope).sum())


def drop_or_stop(schools: pd.DataFrame, problems: list[Problem], on_invalid_rows: str) -> tuple[pd.DataFrame,
                                                                                                 pd.DataFrame]:
    """Schools whose municipality name could not be matched stop the run, or with ``on_invalid_rows: drop``
    are left out and returned as rejected rows."""
    if not problems:
        return schools, validate.rejected_table([])
    if on_invalid_rows != "drop":
        raise InputError(problems)
    keys = {(p.file, p.row) for p in problems}
    source = list(zip(schools["source_file"].astype(str), schools["source_row"].astype(int)))
    drop = [index for index, key in zip(schools.index, source) if key in keys]
    log.warning("%d school(s) with an unmatched municipality name dropped (on_invalid_rows: drop)", len(drop))
    return schools.drop(index=drop), validate.rejected_table(problems)


def check_code_edition(inputs: Mapping[str, Mapping[str, Any]], census: pd.DataFrame, boundaries: Any,
                       files: Mapping[str, str]) -> str | None:
    """For Belgian NIS codes (recipe ``be_nis``), check that census and boundaries use the same edition of
    the code list (581 municipalities until 2024, 565 from 2025); returns the edition, if known."""
    specs = [*school_input_specs(inputs["schools"]), inputs["census"], inputs["boundaries"]]
    uses_nis = any(recipes.recipe_options(spec)[0] == "be_nis" for spec in specs if spec.get("recipe"))
    if not uses_nis:
        return None
    return recipes.check_nis_year(census["municipality_code"], boundaries["municipality_code"],
                                  file=files["census"], boundary_file=files["boundaries"])


def read_boundary_input(spec: Mapping[str, Any], country: str) -> tuple[Any, list[dict[str, Any]]]:
    """The boundary layer from a file, or from Eurostat GISCO (``source: gisco``), with the downloaded
    files' addresses and checksums for the provenance record (empty for a local file)."""
    if spec.get("source") == "gisco":
        municipalities, _regions = gisco.gisco_boundaries(spec, country)
        return municipalities, gisco.provenance(spec, country)
    return readers.read_boundaries(spec), []
