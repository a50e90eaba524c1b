"""How much of an area's segregation chance alone would produce, and how sure the numbers are.

Two simulations, both vectorised across every area and every replicate at once (no loop over areas):

**Random allocation** (the small-unit benchmark). Keep every school's number of pupils and the
area's number of group pupils X, and hand the X group pupils to the schools at random — each draw is
one multivariate hypergeometric allocation. The mean dissimilarity of the draws is the expected
dissimilarity under no segregation, D*; where schools are few or small, D* is far from 0.

- Carrington–Troske adjusted dissimilarity: D_ct = (D - D*) / (1 - D*) if D >= D*, else (D - D*) / D*.
- ``distinguishable_from_random``: D above the 95th percentile of the simulated dissimilarities.
- The same simulation gives the expected isolation xPx*.

**Bootstrap** (Allen et al. 2015; the method of R ``segregation``). Redraw the area's table of pupils
by school and group from its observed proportions (multinomial with the area's T pupils), B times.
Bias-corrected index = 2 * observed - mean(replicates); 95% interval = the 2.5th and 97.5th
percentiles of 2 * observed - replicate.

Both draw from ``numpy.random.Generator`` seeded from the configuration: the same inputs and seeds
give the same numbers. Multinomial and multivariate hypergeometric draws are made for all areas and
replicates together by recursive halving: the amount to share out over a run of schools is split
between its first and second half by one binomial (hypergeometric) draw, then each half is split
again, so the number of numpy calls grows with log2 of the largest area's number of schools.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from segmap import settings
from segmap.stats import indices

#: Replicates simulated together; bounds the memory to a few (schools x CHUNK) matrices.
CHUNK = 100
DEFAULT_REPLICATES = settings.DEFAULT_REPLICATES.bootstrap
LEVEL = 0.95

RANDOM_ALLOCATION_COLUMNS = ["dissimilarity_expected", "dissimilarity_random_p95", "distinguishable_from_random",
                             "isolation_expected"]
BOOTSTRAP_COLUMNS = ["dissimilarity_bc", "dissimilarity_ci_low", "dissimilarity_ci_high",
                     "isolation_bc", "isolation_ci_low", "isolation_ci_high"]


# --------------------------------------------------------------------------------------------------
# Public API: one row per area
# --------------------------------------------------------------------------------------------------

def random_allocation_indices(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int, *,
                              replicates: int = DEFAULT_REPLICATES, seed: int | list[int] = 0) -> pd.DataFrame:
    """Expected dissimilarity and isolation under random allocation, per area.

    ``labels`` (0..n_areas-1), ``group`` (x_i) and ``total`` (t_i) describe the schools. Returns one row
    per area with ``dissimilarity_expected`` (D*, mean over the replicates),
    ``dissimilarity_random_p95`` (95th percentile of the simulated D), ``distinguishable_from_random``
    (observed D > that percentile) and ``isolation_expected`` (xPx*). NaN / missing where the area's
    status is not ``ok``.
    """
    layout = _Layout(labels, group, total, n_areas)
    rng = np.random.default_rng(seed)
    simulated_d, simulated_isolation = [], []
    for size in _chunks(replicates):
        amounts = np.repeat(layout.group_sum[:, None], size, axis=1)
        allocated = _share_out(layout, amounts, layout.total, _hypergeometric_split(rng))
        simulated_d.append(indices.dissimilarity(layout.labels, allocated, layout.total[:, None], layout.n))
        simulated_isolation.append(indices.isolation(layout.labels, allocated, layout.total[:, None], layout.n))
    simulated_d = np.concatenate(simulated_d, axis=1)
    observed = indices.dissimilarity(layout.labels, layout.group, layout.total, layout.n)
    percentile_95 = np.quantile(simulated_d, 0.95, axis=1) if layout.n else np.empty(0)
    table = pd.DataFrame({
        "dissimilarity_expected": simulated_d.mean(axis=1),
        "dissimilarity_random_p95": percentile_95,
        "distinguishable_from_random": pd.array(observed > percentile_95, dtype="boolean"),
        "isolation_expected": np.concatenate(simulated_isolation, axis=1).mean(axis=1),
    })
    return layout.expand(table)


def bootstrap_indices(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int, *,
                      replicates: int = DEFAULT_REPLICATES, seed: int | list[int] = 0) -> pd.DataFrame:
    """Bias-corrected dissimilarity and isolation with 95% bootstrap intervals, per area.

    For an index theta with replicates theta_b (b = 1..B), replicates where the index is undefined
    (no group pupil, no other pupil or fewer than two schools drawn) left out:

    - ``*_bc`` = 2 theta - mean(theta_b)
    - ``*_ci_low`` = 2 theta - q97.5(theta_b), ``*_ci_high`` = 2 theta - q2.5(theta_b)

    NaN where the area's status is not ``ok``.
    """
    return bootstrap_summary(labels, group, total, n_areas,
                             bootstrap_replicates(labels, group, total, n_areas, replicates=replicates, seed=seed))


def bootstrap_replicates(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int, *,
                         replicates: int = DEFAULT_REPLICATES, seed: int | list[int] = 0) -> dict[str, np.ndarray]:
    """The bootstrap replicates themselves: ``{"dissimilarity": D_b, "isolation": xPx_b}``, each an
    (n_areas x replicates) matrix, NaN for areas whose status is not ``ok`` and for replicates where the
    index is undefined. The same seed gives the same matrices; :func:`bootstrap_summary` turns them into
    the bias-corrected indices and intervals, :mod:`segmap.stats.change` pairs two years' replicates."""
    layout = _Layout(labels, group, total, n_areas)
    rng = np.random.default_rng(seed)
    school_share = indices.divide(layout.group, layout.total)
    replicate_d, replicate_isolation = [], []
    for size in _chunks(replicates):
        amounts = np.repeat(layout.total_sum[:, None], size, axis=1)
        pupils = _share_out(layout, amounts, layout.total, _binomial_split(rng))
        drawn_group = _binomial(rng, pupils, np.nan_to_num(school_share)[:, None])
        defined = _defined(layout, drawn_group, pupils)
        replicate_d.append(np.where(defined, indices.dissimilarity(layout.labels, drawn_group, pupils, layout.n),
                                    np.nan))
        replicate_isolation.append(np.where(defined, indices.isolation(layout.labels, drawn_group, pupils,
                                                                       layout.n), np.nan))
    return {"dissimilarity": layout.expand_matrix(np.concatenate(replicate_d, axis=1), replicates),
            "isolation": layout.expand_matrix(np.concatenate(replicate_isolation, axis=1), replicates)}


def bootstrap_summary(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int,
                      replicates: dict[str, np.ndarray]) -> pd.DataFrame:
    """``*_bc``, ``*_ci_low`` and ``*_ci_high`` of D and xPx per area from :func:`bootstrap_replicates`
    (formulas in :func:`bootstrap_indices`)."""
    columns = {}
    for name, kernel in (("dissimilarity", indices.dissimilarity), ("isolation", indices.isolation)):
        observed = kernel(np.asarray(labels, dtype=np.int64), np.asarray(group, dtype=float),
                          np.asarray(total, dtype=float), n_areas)
        replicate = replicates[name]
        low, high = row_quantiles(replicate, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
        columns[f"{name}_bc"] = 2 * observed - row_mean(replicate)
        columns[f"{name}_ci_low"] = 2 * observed - high
        columns[f"{name}_ci_high"] = 2 * observed - low
    return pd.DataFrame(columns)


def carrington_troske(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Carrington–Troske adjustment of an index against its value under random allocation.

    D_ct = (D - D*) / (1 - D*) if D >= D*, else (D - D*) / D*

    0 = no more segregated than random allocation, 1 = complete separation, negative = more even
    than chance. 0 where D = D* (also when D* is 0 or 1).
    """
    observed = np.asarray(observed, dtype=float)
    expected = np.asarray(expected, dtype=float)
    difference = observed - expected
    scale = np.where(difference >= 0, 1 - expected, expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        adjusted = difference / scale
    return np.where(scale == 0, difference * 0.0, adjusted)  # 0 where D* is 0 or 1 (NaN stays NaN)


def adjusted_interval(observed: np.ndarray, expected: np.ndarray, bias_corrected: np.ndarray,
                      ci_low: np.ndarray, ci_high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% interval of the Carrington–Troske adjusted dissimilarity.

    The bootstrap interval of D describes its sampling spread around the bias-corrected value; the
    adjustment already removes the part of D that chance explains, so the spread is moved back around
    the observed D and both ends are adjusted with the same D*:

    low = D_ct(D - (D_bc - ci_low)), high = D_ct(D + (ci_high - D_bc)), ends clipped to [0, 1] first
    (a negative spread, possible only if D_bc falls outside its own interval, counts as 0).

    The interval always contains the adjusted value.
    """
    observed = np.asarray(observed, dtype=float)
    spread_below = np.maximum(np.asarray(bias_corrected, dtype=float) - ci_low, 0)
    spread_above = np.maximum(np.asarray(ci_high, dtype=float) - bias_corrected, 0)
    low = np.clip(observed - spread_below, 0, 1)
    high = np.clip(observed + spread_above, 0, 1)
    return carrington_troske(low, expected), carrington_troske(high, expected)


# --------------------------------------------------------------------------------------------------
# Quantiles of rows with missing replicates
# --------------------------------------------------------------------------------------------------

def row_quantiles(values: np.ndarray, probabilities: list[float]) -> list[np.ndarray]:
    """Quantiles of each row, ignoring NaN (linear interpolation, as ``numpy.quantile``'s default).

    NaN for rows without any value. Vectorised: one sort of the whole matrix.
    """
    ordered = np.sort(values, axis=1)  # NaN last
    valid = (~np.isnan(values)).sum(axis=1)
    rows = np.arange(len(values))
    results = []
    for probability in probabilities:
        position = probability * np.maximum(valid - 1, 0)
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, np.maximum(valid - 1, 0))
        if ordered.shape[1] == 0:
            results.append(np.full(len(values), np.nan))
            continue
        low_value = ordered[rows, below]
        high_value = ordered[rows, above]
        quantile = low_value + (position - below) * (high_value - low_value)
        results.append(np.where(valid > 0, quantile, np.nan))
    return results


def row_mean(values: np.ndarray) -> np.ndarray:
    """Mean of each row, ignoring NaN (NaN for rows without any value)."""
    valid = (~np.isnan(values)).sum(axis=1)
    return indices.divide(np.nansum(values, axis=1), valid)


# --------------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------------

class _Layout:
    """The schools of the areas whose indices are defined, sorted by area.

    ``labels`` are renumbered 0..n-1 over those areas; ``expand`` puts per-area results back on all
    ``n_areas`` (missing elsewhere).
    """

    def __init__(self, labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int):
        labels = np.asarray(labels, dtype=np.int64)
        group = np.asarray(group, dtype=np.int64)
        total = np.asarray(total, dtype=np.int64)
        group_sum = np.bincount(labels, weights=group, minlength=n_areas)
        total_sum = np.bincount(labels, weights=total, minlength=n_areas)
        with_pupils = np.bincount(labels, weights=total > 0, minlength=n_areas)
        ok = indices.area_status(with_pupils, group_sum, total_sum - group_sum) == indices.STATUS_OK
        self.n_areas = n_areas
        self.areas = np.flatnonzero(ok)
        self.n = len(self.areas)
        renumber = np.full(n_areas, -1)
        renumber[self.areas] = np.arange(self.n)
        keep = ok[labels] & (total > 0)
        order = np.argsort(renumber[labels[keep]], kind="stable")
        self.labels = renumber[labels[keep]][order]
        self.group = group[keep][order]
        self.total = total[keep][order]
        self.sizes = np.bincount(self.labels, minlength=self.n)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)
        self.group_sum = group_sum[self.areas].astype(np.int64)
        self.total_sum = total_sum[self.areas].astype(np.int64)

    def expand_matrix(self, matrix: np.ndarray, columns: int) -> np.ndarray:
        """An (areas x columns) matrix on all ``n_areas`` rows (NaN for the areas left out)."""
        full = np.full((self.n_areas, columns), np.nan)
        full[self.areas] = matrix
        return full

    def expand(self, table: pd.DataFrame) -> pd.DataFrame:
        """One row per area of the original numbering; areas left out are missing."""
        full = pd.DataFrame(index=pd.RangeIndex(self.n_areas))
        for column in table:
            values = table[column]
            if values.dtype == "boolean":
                out = pd.array([pd.NA] * self.n_areas, dtype="boolean")
            else:
                out = np.full(self.n_areas, np.nan)
            out[self.areas] = values.to_numpy()
            full[column] = out
        return full


def _chunks(replicates: int) -> list[int]:
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    return [min(CHUNK, replicates - start) for start in range(0, replicates, CHUNK)]


Split = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _share_out(layout: _Layout, amounts: np.ndarray, weights: np.ndarray, split: Split) -> np.ndarray:
    """Share each area's ``amounts[area, replicate]`` out over its schools by recursive halving.

    A run of schools holding ``amount`` is cut in two halves; ``split(amount, first_weight,
    run_weight)`` draws how much goes to the first half (the rest goes to the second), and both halves
    are cut again until every run is one school. Returns a (schools x replicates) integer matrix.
    """
    cumulative = np.concatenate([[0], np.cumsum(weights)])
    allocated = np.zeros((len(weights), amounts.shape[1]), dtype=np.int64)
    start, size, amount = layout.starts, layout.sizes, amounts
    while start.size:
        single = size == 1
        allocated[start[single]] = amount[single]
        start, size, amount = start[~single], size[~single], amount[~single]
        half = size // 2
        middle = start + half
        first_weight = (cumulative[middle] - cumulative[start])[:, None]
        run_weight = (cumulative[start + size] - cumulative[start])[:, None]
        first = split(amount, first_weight, run_weight)
        start = np.concatenate([start, middle])
        size = np.concatenate([half, size - half])
        amount = np.concatenate([first, amount - first])
    return allocated


def _hypergeometric_split(rng: np.random.Generator) -> Split:
    """Group pupils in the first half when ``first_weight`` of the run's ``run_weight`` seats are drawn
    without replacement: hypergeometric(good = amount, bad = run_weight - amount, sample = first_weight)."""

    def split(amount: np.ndarray, first_weight: np.ndarray, run_weight: np.ndarray) -> np.ndarray:
        first_weight = np.broadcast_to(first_weight, amount.shape)
        run_weight = np.broadcast_to(run_weight, amount.shape)
        out = np.zeros(amount.shape, dtype=np.int64)
        # certain outcomes need no draw: nothing to share, or the first half takes every seat or none
        random = (amount > 0) & (first_weight > 0) & (first_weight < run_weight)
        out[(amount > 0) & (first_weight == run_weight)] = amount[(amount > 0) & (first_weight == run_weight)]
        out[random] = rng.hypergeometric(amount[random], run_weight[random] - amount[random], first_weight[random])
        return out

    return split


def _binomial_split(rng: np.random.Generator) -> Split:
    """Pupils in the first half of a multinomial draw: binomial(amount, first_weight / run_weight)."""

    def split(amount: np.ndarray, first_weight: np.ndarray, run_weight: np.ndarray) -> np.ndarray:
        probability = indices.divide(first_weight, run_weight)
        return _binomial(rng, amount, np.nan_to_num(probability))

    return split


def _binomial(rng: np.random.Generator, count: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """binomial(count, probability), drawing only where the outcome is uncertain (0 < p < 1, count > 0)."""
    probability = np.broadcast_to(probability, count.shape)
    out = np.where(probability >= 1, count, 0).astype(np.int64)
    random = (count > 0) & (probability > 0) & (probability < 1)
    out[random] = rng.binomial(count[random], probability[random])
    return out


def _defined(layout: _Layout, group: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Per area and replicate: are D and xPx defined for the drawn counts (status ``ok``)?"""
    group_sum = indices.sum_by(layout.labels, group, layout.n)
    total_sum = indices.sum_by(layout.labels, total, layout.n)
    with_pupils = indices.sum_by(layout.labels, total > 0, layout.n)
    return (group_sum > 0) & (total_sum > group_sum) & (with_pupils >= 2)
