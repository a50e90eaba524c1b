"""The change of segregation between two school years, with a paired-bootstrap 95% interval.

For an area with an index theta in the first compared year f and the report year t:

- change = theta_t - theta_f;
- paired bootstrap: replicate b of the change is theta_t,b - theta_f,b, where theta_y,b is the b-th
  bootstrap replicate of year y (:func:`segmap.stats.inference.bootstrap_replicates`: the year's school x group
  table redrawn from its proportions, seeded from the config and the year). The two years are drawn
  independently, as two samples are; pairing replicate b with replicate b is how their noise adds up;
- 95% interval: the spread of the replicate changes placed around the observed change, as the report
  does for a single year's adjusted D (:func:`segmap.stats.inference.adjusted_interval`):
  [change - (q97.5 - m), change + (m - q2.5)] with m, q2.5, q97.5 the mean and percentiles of the replicate
  changes (each spread counted as at least 0, so the interval always contains the change);
- dissimilarity beyond chance (Carrington–Troske): each year's replicates are first centred on the
  observed D (the bootstrap's own bias taken out) and adjusted with that year's D*:
  D_adj,y,b = CT(D_y + D_y,b - mean_b(D_y,b), D*_y), clipped to [0, 1] before the adjustment.

``change_status`` reads the interval of the change in dissimilarity beyond chance, the report's headline
index: ``increase`` (the whole interval above 0), ``decrease`` (below 0), ``no_clear_change`` (it contains 0:
the change is within what sampling noise gives), ``not_comparable`` — the index is undefined in either
year (fewer than two schools, no group pupils, ...), the area has schools in one year only (a code
present in one year only), or its schools changed too much to compare: the number of schools with pupils
or the number of pupils more than doubled or halved (:data:`MAX_SIZE_RATIO`), which points to a change of
coverage in the data (a registry that added a school type, a merger) rather than of segregation.
``not_comparable_reason`` says which.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from segmap.stats import indices
from segmap.stats import inference
from segmap.stats.tables import AreaDraws

#: The indices whose change is tabulated (the column prefixes of the change tables).
CHANGE_INDICES = ("dissimilarity", "dissimilarity_adjusted", "isolation")
#: An area whose schools with pupils, or pupils, grew or shrank by more than this factor is not compared.
MAX_SIZE_RATIO = 2.0

INCREASE, DECREASE, NO_CLEAR_CHANGE, NOT_COMPARABLE = "increase", "decrease", "no_clear_change", "not_comparable"
REASON_ONE_YEAR = "schools_in_one_year_only"
REASON_UNDEFINED = "index_undefined"
REASON_SCHOOLS_CHANGED = "schools_changed"

#: The area columns each level's change table starts with.
KEY_COLUMNS = {
    "municipality": ["municipality_code", "municipality_name", "region_code", "region_name"],
    "region": ["region_code", "region_name"],
    "national": ["country_code", "country_name"],
}


def change_columns(level: str) -> list[str]:
    """The columns of a level's change table, in order."""
    per_index = [f"{name}_{part}" for name in CHANGE_INDICES
                 for part in ("from", "to", "change", "change_ci_low", "change_ci_high")]
    return [*KEY_COLUMNS[level], "year_from", "year_to", "n_schools_from", "n_schools_to", "pupils_group_from",
            "pupils_group_to", *per_index, "status_from", "status_to", "change_status", "not_comparable_reason"]


def empty_change_table(level: str) -> pd.DataFrame:
    """A change table without rows (a single school year: nothing to compare)."""
    return pd.DataFrame({column: pd.Series(dtype="object") for column in change_columns(level)})


def change_table(level: str, table_from: pd.DataFrame, table_to: pd.DataFrame, draws_from: AreaDraws,
                 draws_to: AreaDraws) -> pd.DataFrame:
    """One row per area: the change of D, D beyond chance and xPx from ``table_from``'s year to ``table_to``'s.

    ``table_*`` are one level's tables of the two years (the same areas in the same order, as
    :func:`segmap.stats.tables.year_indices` makes them) and ``draws_*`` their :class:`~segmap.stats.tables.AreaDraws`.
    Formulas and statuses: see the module docstring.
    """
    keys = KEY_COLUMNS[level]
    if not table_from[keys[0]].equals(table_to[keys[0]]):
        raise ValueError("the two years' tables must list the same areas in the same order")
    out = pd.DataFrame({column: table_to[column].to_numpy() for column in keys})
    out["year_from"] = str(table_from["year"].iloc[0])
    out["year_to"] = str(table_to["year"].iloc[0])
    for column in ("n_schools", "pupils_group"):
        out[f"{column}_from"] = table_from[column].to_numpy()
        out[f"{column}_to"] = table_to[column].to_numpy()
    # replicates only where the index is defined in both years (elsewhere the change is empty anyway)
    rows = np.flatnonzero((draws_from.status == indices.STATUS_OK) & (draws_to.status == indices.STATUS_OK))
    for name in CHANGE_INDICES:
        observed_from, replicates_from = observed_and_replicates(name, draws_from, rows)
        observed_to, replicates_to = observed_and_replicates(name, draws_to, rows)
        change = observed_to - observed_from
        low, high = np.full(len(change), np.nan), np.full(len(change), np.nan)
        low[rows], high[rows] = change_interval(change[rows], replicates_to - replicates_from)
        out[f"{name}_from"] = observed_from
        out[f"{name}_to"] = observed_to
        out[f"{name}_change"] = change
        out[f"{name}_change_ci_low"] = low
        out[f"{name}_change_ci_high"] = high
    out["status_from"] = table_from["status"].to_numpy()
    out["status_to"] = table_to["status"].to_numpy()
    reason = not_comparable_reason(draws_from, draws_to)
    out["change_status"] = change_status(out["dissimilarity_adjusted_change_ci_low"].to_numpy(),
                                         out["dissimilarity_adjusted_change_ci_high"].to_numpy(), reason)
    out["not_comparable_reason"] = pd.Series(reason, dtype="object").where(reason != "", None)
    return out[change_columns(level)]


def observed_and_replicates(name: str, draws: AreaDraws, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An index of every area, and the bootstrap replicates (len(rows) x B) of the areas ``rows``, for the
    change (module docstring)."""
    if name == "dissimilarity_adjusted":
        observed = inference.carrington_troske(draws.dissimilarity, draws.dissimilarity_expected)
        replicates = draws.replicates["dissimilarity"][rows]
        centred = np.clip(draws.dissimilarity[rows, None] + replicates - inference.row_mean(replicates)[:, None], 0, 1)
        return observed, inference.carrington_troske(centred, draws.dissimilarity_expected[rows, None])
    return np.asarray(getattr(draws, name), dtype=float), draws.replicates[name][rows]


def change_interval(change: np.ndarray, replicate_changes: np.ndarray,
                    level: float = inference.LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """The interval of each area's change from its paired replicate changes (areas x B; NaN replicates left out):

    [change - max(q_hi - m, 0), change + max(m - q_lo, 0)], m the mean, q_lo and q_hi the (1 - level)/2 and
    (1 + level)/2 percentiles of the replicate changes. NaN where the change or every replicate is NaN.
    """
    low_quantile, high_quantile = inference.row_quantiles(replicate_changes, [(1 - level) / 2, (1 + level) / 2])
    mean = inference.row_mean(replicate_changes)
    with np.errstate(invalid="ignore"):
        low = change - np.maximum(high_quantile - mean, 0)
        high = change + np.maximum(mean - low_quantile, 0)
    return low, high


def not_comparable_reason(draws_from: AreaDraws, draws_to: AreaDraws) -> np.ndarray:
    """Why each area's two years cannot be compared, or ``""`` (module docstring)."""
    schools_from, schools_to = draws_from.schools_with_pupils, draws_to.schools_with_pupils
    one_year = (schools_from == 0) != (schools_to == 0)
    undefined = (draws_from.status != indices.STATUS_OK) | (draws_to.status != indices.STATUS_OK)
    with np.errstate(divide="ignore", invalid="ignore"):
        changed = ((np.maximum(schools_from, schools_to) > MAX_SIZE_RATIO * np.minimum(schools_from, schools_to))
                   | (np.maximum(draws_from.pupils_total, draws_to.pupils_total)
                      > MAX_SIZE_RATIO * np.minimum(draws_from.pupils_total, draws_to.pupils_total)))
    return np.select([one_year, undefined, changed], [REASON_ONE_YEAR, REASON_UNDEFINED, REASON_SCHOOLS_CHANGED],
                     default="").astype(object)


def change_status(ci_low: np.ndarray, ci_high: np.ndarray, reason: np.ndarray) -> np.ndarray:
    """``increase`` / ``decrease`` / ``no_clear_change`` from the interval, ``not_comparable`` where ``reason``."""
    with np.errstate(invalid="ignore"):
        status = np.select([reason != "", np.isnan(ci_low) | np.isnan(ci_high), ci_low > 0, ci_high < 0],
                           [NOT_COMPARABLE, NOT_COMPARABLE, INCREASE, DECREASE], default=NO_CLEAR_CHANGE)
    return status.astype(object)


def change_tables(by_level_from: dict[str, pd.DataFrame], by_level_to: dict[str, pd.DataFrame],
                  draws_from: dict[str, AreaDraws], draws_to: dict[str, AreaDraws],
                  levels: Sequence[str] = ("municipality", "region", "national")) -> dict[str, pd.DataFrame]:
    """The change table of every level (see :func:`change_table`)."""
    return {level: change_table(level, by_level_from[level], by_level_to[level], draws_from[level], draws_to[level])
            for level in levels}
