"""Stage ``indices``: the index tables of one country — report year, by year, and the change between years.

The formulas are :mod:`segmap.stats.indices`, chance and intervals :mod:`segmap.stats.inference`, the tables
per level :mod:`segmap.stats.tables`, the change :mod:`segmap.stats.change`, the choice of years
:mod:`segmap.years`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from segmap.errors import InputError, Problem
from segmap.files import read_csv, write_csv
from segmap.stats import change, tables
from segmap.years import select_years

log = logging.getLogger(__name__)


def compute_indices(schools_in: str | Path, census_in: str | Path, *, country: str, country_name: str,
                    thresholds: Mapping[str, Any], inference: Mapping[str, Any], outputs: Mapping[str, str | Path],
                    year: str | None = None, years: list[str] | None = None,
                    upper_level: Mapping[str, Any] | None = None) -> None:
    """Write the index tables of one country: the four tables of the report year (school, municipality,
    region, national), the ``*_by_year`` tables (one row per area and compared school year) and the
    ``*_change`` tables (one row per area, from the first compared year to the report year).

    ``year`` is the report year (default: the latest in the data), ``years`` the years to compare
    (default: every year up to the report year; :func:`segmap.years.select_years`). Every year's indices
    come from that year's schools only. ``inference`` gives the replicates and seed of the random-allocation
    benchmark and of the bootstrap (see :mod:`segmap.stats.tables`). ``upper_level`` (optional) groups the
    regions into the units that run schools; their table (``upper_level``, report year) is empty without it.
    """
    schools = read_csv(schools_in)
    census = read_csv(census_in)
    try:
        selection = select_years(schools["year"], year, years, source=str(schools_in))
    except ValueError as exc:
        raise InputError(Problem(str(schools_in), str(exc), "year")) from None
    log.info("%s", selection.describe())
    if upper_level:
        try:
            tables.upper_of_regions(upper_level, census["region_code"])
        except ValueError as exc:
            raise InputError(Problem(str(census_in), f"countries.{country}.{exc} (add them to a unit in the "
                                     "configuration)", "region_code")) from None
    results = {}
    for label in selection.compared:
        keep = selection.has_change and label in (selection.first, selection.report)
        results[label] = tables.year_indices(
            tables.schools_of_year(schools, label), census, thresholds, country=country, country_name=country_name,
            inference_settings=inference, year=label, keep_draws=keep, upper_level=upper_level)
        log.info("school year %s: %d schools", label or "(not stated)", len(results[label].tables["school"]))
    report = results[selection.report]
    written = {key: report.tables[key] for key in ("school", "municipality", "region", "national", "upper_level")}
    for level in tables.LEVEL_KEYS:
        by_year = pd.concat([results[label].tables[level] for label in selection.compared], ignore_index=True)
        key = change.KEY_COLUMNS[level][0]
        written[f"{level}_by_year"] = by_year.sort_values([key, "year"], kind="stable").reset_index(drop=True)
        if selection.has_change:
            first = results[selection.first]
            written[f"{level}_change"] = change.change_table(level, first.tables[level], report.tables[level],
                                                             first.draws[level], report.draws[level])
        else:
            written[f"{level}_change"] = change.empty_change_table(level)
    for key, table in written.items():
        if key in outputs:  # a caller from Python may ask for some of the tables only
            write_csv(table, outputs[key])
