"""Tables fit for sharing: small counts of people suppressed, schools not named unless allowed.

Ethnic origin is a special category of personal data (GDPR art. 9). The full index tables stay with
the research team; :func:`published_table` makes the copy that goes to partners, officials and the
public (``outputs/{country}/published/``), and the report prints counts through :func:`show_count`.

Rules, with ``min_cell`` from the configuration (default 5):

- a count of people (pupils, group pupils, population, group population) from 1 to ``min_cell - 1``
  is shown as ``<min_cell`` (zeros are shown: they are structural and suppressing them would hide
  which schools and municipalities have no group pupils at all);
- in a row whose group count is suppressed, every figure computed from it (shares, indices,
  intervals, representation ratio, contributions) is left empty, so it cannot be recomputed from
  the share and the total;
- without ``publish_school_names: true`` the school table carries no name, id, settlement or
  coordinates: each school is numbered within its municipality.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Counts of people, and the group counts that decide whether a row's figures are published (a change
#: table has one per school year compared; a row is suppressed when either is small).
PERSON_COUNTS = ["pupils_total", "pupils_group", "population_total", "population_group",
                 "pupils_group_from", "pupils_group_to"]
GROUP_COUNTS = ["pupils_group", "pupils_group_from", "pupils_group_to"]
#: Columns that identify a school.
SCHOOL_IDENTIFIERS = ["school_id", "school_name", "settlement", "lon", "lat"]
#: Columns that are not computed from the group's counts (kept as they are).
NOT_DERIVED = {
    "municipality_code", "municipality_name", "region_code", "region_name", "country_code", "country_name",
    "n_regions", "n_municipalities", "n_schools", "status", "census_group_share", "segregated_schools",
    "severe_schools", "no_alternative_schools", "school_number", *PERSON_COUNTS, *SCHOOL_IDENTIFIERS,
    "year", "year_from", "year_to", "n_schools_from", "n_schools_to", "status_from", "status_to",
    "not_comparable_reason",
}


def is_suppressed(value: Any, min_cell: int) -> bool:
    """True for a count of 1 .. min_cell - 1 people."""
    return value is not None and not pd.isna(value) and 0 < float(value) < min_cell


def show_count(value: Any, min_cell: int) -> str | None:
    """``'<5'`` for a suppressed count, else ``None`` (print the number as usual)."""
    return f"<{min_cell}" if is_suppressed(value, min_cell) else None


def published_table(table: pd.DataFrame, min_cell: int, publish_school_names: bool = False) -> pd.DataFrame:
    """The copy of an index table meant for sharing (see the module docstring for the rules)."""
    out = table.copy()
    group_counts = [column for column in GROUP_COUNTS if column in out]
    if group_counts:
        small_group = np.logical_or.reduce([out[column].map(lambda v: is_suppressed(v, min_cell)).to_numpy(dtype=bool)
                                            for column in group_counts])
        derived = [c for c in out.columns if c not in NOT_DERIVED]
        for column in derived:
            out[column] = out[column].astype(object).where(~small_group, None)
        if "population_group" in out and "census_group_share" in out:
            small_census = out["population_group"].map(lambda v: is_suppressed(v, min_cell)).to_numpy(dtype=bool)
            out["census_group_share"] = out["census_group_share"].astype(object).where(~small_census, None)
    for column in PERSON_COUNTS:
        if column in out:
            values = out[column]
            out[column] = values.astype(object).where(
                ~values.map(lambda v: is_suppressed(v, min_cell)).to_numpy(dtype=bool), f"<{min_cell}")
    if "school_id" in out and not publish_school_names:
        number = out.groupby("municipality_code", sort=False).cumcount() + 1
        out = out.drop(columns=[c for c in SCHOOL_IDENTIFIERS if c in out])
        out.insert(out.columns.get_loc("municipality_code") + 1, "school_number", number.to_numpy(np.int64))
    return out
