"""Stage ``code_check``: compare the codes of schools, census and boundaries once; write what was done.

Writes ``data/processed/{c}/code_check.csv`` (:data:`CODE_CHECK_COLUMNS`): one row per municipality code of any
input and per thing done to it (``action``, the ``input`` it concerns, ``detail`` in words, areas of a repaired
polygon), with the inputs that hold it — codes in every input they belong to have one
row with action ``ok`` — and the map layer ``boundaries.parquet``: census municipalities in census order,
then the polygons without a census row (``in_census`` false). The comparison is
:func:`segmap.io.reconcile.compare_editions`; the fixes of the ingest stage (leading zeros, names, polygon
repairs) come in through its fixes table.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from segmap.files import read_csv, read_geoparquet, write_csv, write_geoparquet
from segmap.io import reconcile

log = logging.getLogger(__name__)

CODE_CHECK_COLUMNS = ["municipality_code", "municipality_name", "in_schools", "in_census", "in_boundaries",
                      "action", "input", "detail", "area_before_km2", "area_after_km2"]
OK = "ok"


def check_codes(*, schools_in: str | Path, census_in: str | Path, boundaries_in: str | Path, fixes_in: str | Path,
                provenance_in: str | Path, code_check_out: str | Path, boundaries_out: str | Path,
                on_code_mismatch: str = "keep") -> None:
    """Compare the editions of census and boundaries and write the code check table and the map layer."""
    schools = read_csv(schools_in)
    census = read_csv(census_in)
    boundaries = read_geoparquet(boundaries_in)
    fixes = read_csv(fixes_in)
    files = input_files(provenance_in)
    layer, mismatches = reconcile.compare_editions(census, boundaries, files, on_code_mismatch)
    table = code_check_table(schools, census, boundaries, pd.concat([fixes, reconcile.fix_table(mismatches)],
                                                                    ignore_index=True))
    write_geoparquet(layer, boundaries_out)
    write_csv(table, code_check_out)
    done = table[table["action"] != OK]["action"].value_counts().sort_index()
    log.info("code check: %d codes; %s", table["municipality_code"].nunique(),
             ", ".join(f"{action} {n}" for action, n in done.items()) or "every code in every input")


def input_files(provenance_in: str | Path) -> dict[str, str]:
    """The file of each input role, as the ingest stage recorded it (several schools files joined by ', ')."""
    record = json.loads(Path(provenance_in).read_text(encoding="utf-8"))
    files: dict[str, list[str]] = {}
    for entry in record["inputs"]:
        files.setdefault(entry["role"], []).append(str(entry["path"]))
    return {role: ", ".join(paths) for role, paths in files.items()}


def code_check_table(schools: pd.DataFrame, census: pd.DataFrame, boundaries: Any, fixes: pd.DataFrame) -> pd.DataFrame:
    """One row per code and action (:data:`CODE_CHECK_COLUMNS`), sorted by code; ``ok`` for codes nothing
    was done to. Names come from the census, else from the boundaries (when they have a name field)."""
    in_schools = set(schools["municipality_code"].astype(str))
    in_census = set(census["municipality_code"].astype(str))
    in_boundaries = set(boundaries["municipality_code"].astype(str))
    names = {}
    if "municipality_name" in boundaries:
        names.update(zip(boundaries["municipality_code"].astype(str), boundaries["municipality_name"]))
    names.update(zip(census["municipality_code"].astype(str), census["municipality_name"]))
    codes = sorted(in_census | in_boundaries | in_schools)
    fixes = fixes.assign(municipality_code=fixes["municipality_code"].astype(str))
    untouched = sorted(set(codes) - set(fixes["municipality_code"]))
    rows = pd.concat([fixes, pd.DataFrame({"municipality_code": untouched, "action": OK, "input": "", "detail": ""})],
                     ignore_index=True)
    rows["municipality_name"] = rows["municipality_code"].map(names)
    for column, held in (("in_schools", in_schools), ("in_census", in_census), ("in_boundaries", in_boundaries)):
        rows[column] = rows["municipality_code"].isin(held)
    rows = rows.sort_values(["municipality_code", "action"], kind="stable").reset_index(drop=True)
    return rows[CODE_CHECK_COLUMNS]
