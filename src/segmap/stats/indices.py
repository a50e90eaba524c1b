"""Segregation indices of the group's pupils across schools, for every area at once.

Notation for an area a with schools i: t_i pupils, x_i group pupils, y_i = t_i - x_i;
X = sum x_i, Y = sum y_i, T = X + Y, P = X / T; p_i = x_i / t_i.

All functions are vectorised over areas: schools carry an integer area label and every sum over the
schools of an area is one ``numpy.bincount`` — there is no Python loop over areas, so the 8,000
Spanish municipalities cost about as much as one. The counts may also be matrices with one column
per replicate (shape ``(n_schools, n_replicates)``, pupils of shape ``(n_schools, 1)`` or the same
shape): :mod:`segmap.stats.inference` computes the indices of all its random draws that way.

The dissimilarity, isolation, exposure and normalised exposure of an area are *undefined* (NaN in the
tables) when its ``status`` is not ``ok``:

- ``no_schools``: no school with pupils;
- ``no_group_pupils``: X = 0;
- ``no_other_pupils``: Y = 0 (every pupil belongs to the group);
- ``single_school``: fewer than two schools with pupils (segregation *between* schools does not exist).

Mutual information M is defined for every area with pupils (it is 0 with one school or one group, which
keeps its decomposition exact); Theil's H = M / E(P) wherever 0 < X < T.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

STATUS_OK = "ok"
STATUS_NO_SCHOOLS = "no_schools"
STATUS_NO_GROUP = "no_group_pupils"
STATUS_NO_OTHER = "no_other_pupils"
STATUS_SINGLE_SCHOOL = "single_school"

CATEGORY_SEVERE = "severe"
CATEGORY_SEGREGATED = "segregated"
CATEGORY_BELOW = "below_threshold"
CATEGORY_NO_ALTERNATIVE = "no_alternative"
CATEGORY_NO_PUPILS = "no_pupils"


def sum_by(labels: np.ndarray, values: np.ndarray, n_areas: int) -> np.ndarray:
    """sum_i values_i per area (labels_i in 0..n_areas-1); one column per replicate for a matrix."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        return np.bincount(labels, weights=values, minlength=n_areas)
    n_columns = values.shape[1]
    flat = (labels[:, None] * n_columns + np.arange(n_columns)).ravel()
    sums = np.bincount(flat, weights=values.ravel(), minlength=n_areas * n_columns)
    return sums.reshape(n_areas, n_columns)


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator (broadcast), NaN where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast_shapes(numerator.shape, denominator.shape), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def area_status(n_schools_with_pupils: np.ndarray, group: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Why the indices of each area are undefined, or ``ok`` (first matching reason wins)."""
    return np.select(
        [n_schools_with_pupils == 0, group == 0, other == 0, n_schools_with_pupils < 2],
        [STATUS_NO_SCHOOLS, STATUS_NO_GROUP, STATUS_NO_OTHER, STATUS_SINGLE_SCHOOL],
        default=STATUS_OK,
    ).astype(object)


def dissimilarity(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int) -> np.ndarray:
    """Dissimilarity index per area.

    D = 1/2 * sum_i | x_i / X - y_i / Y |

    The share of the group's pupils (or, equally, of the other pupils) who would have to change
    school for every school to have the area's composition. 0 = even, 1 = complete separation.
    """
    return sum_by(labels, np.nan_to_num(dissimilarity_contribution(labels, group, total, n_areas)), n_areas)


def dissimilarity_contribution(labels: np.ndarray, group: np.ndarray, total: np.ndarray,
                               n_areas: int) -> np.ndarray:
    """Each school's part of its area's dissimilarity: 1/2 * | x_i / X - y_i / Y | (NaN where X or Y is 0)."""
    other = total - group
    group_sum = sum_by(labels, group, n_areas)
    other_sum = sum_by(labels, other, n_areas)
    return 0.5 * np.abs(divide(group, group_sum[labels]) - divide(other, other_sum[labels]))


def isolation(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int) -> np.ndarray:
    """Isolation index per area.

    xPx = sum_i (x_i / X) * (x_i / t_i)

    The group share of the school attended by the average group pupil.
    """
    group_sum = sum_by(labels, group, n_areas)
    term = divide(group, group_sum[labels]) * divide(group, total)
    return sum_by(labels, np.nan_to_num(term), n_areas)


def exposure(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int) -> np.ndarray:
    """Exposure of the group to the other pupils per area.

    xPy = sum_i (x_i / X) * (y_i / t_i) = 1 - xPx

    The share of other pupils in the school attended by the average group pupil.
    """
    group_sum = sum_by(labels, group, n_areas)
    term = divide(group, group_sum[labels]) * divide(total - group, total)
    return sum_by(labels, np.nan_to_num(term), n_areas)


def normalised_exposure(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int) -> np.ndarray:
    """Normalised exposure (variance ratio, correlation ratio eta^2) per area.

    V = (xPx - P) / (1 - P)

    How much more the average group pupil's school is made of the group than the area as a whole,
    as a share of the most it could be: 0 when every school has the area's composition, 1 under
    complete separation. The Stanford Segregation Explorer's headline measure.
    """
    share = divide(sum_by(labels, group, n_areas), sum_by(labels, total * np.ones_like(group, dtype=float),
                                                          n_areas))
    return divide(isolation(labels, group, total, n_areas) - share, 1 - share)


def entropy(share: np.ndarray) -> np.ndarray:
    """Binary entropy E(p) = -p ln p - (1 - p) ln(1 - p), with 0 ln 0 = 0 (natural logarithm)."""
    share = np.asarray(share, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = -share * np.log(share) - (1 - share) * np.log1p(-share)
    return np.where((share <= 0) | (share >= 1), 0.0, terms)


def mutual_information(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int) -> np.ndarray:
    """Mutual information between school and group per area (in nats).

    M = sum_i (t_i / T) * (E(P) - E(p_i))

    How much knowing a pupil's school tells about the pupil's group. 0 when every school has the
    area's composition (and in areas with one school or one group); E(P) under complete separation.
    It decomposes exactly over nested areas, see :func:`mutual_information_decomposition`.
    """
    return _information(labels, group, total, n_areas)[0]


def theil_h(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int) -> np.ndarray:
    """Theil's information theory index H per area.

    H = M / E(P)

    Mutual information as a share of its maximum: 0 = even, 1 = complete separation (NaN where
    E(P) = 0, i.e. X = 0 or Y = 0).
    """
    information, area_entropy = _information(labels, group, total, n_areas)
    return divide(information, area_entropy)


def _information(labels: np.ndarray, group: np.ndarray, total: np.ndarray,
                 n_areas: int) -> tuple[np.ndarray, np.ndarray]:
    """(M, E(P)) per area in one pass; M is NaN for areas without pupils."""
    total = total * np.ones_like(group, dtype=float)
    pupils = sum_by(labels, total, n_areas)
    area_entropy = entropy(divide(sum_by(labels, group, n_areas), pupils))
    school_entropy = np.where(total > 0, entropy(divide(group, total)), 0.0)
    weighted_school_entropy = sum_by(labels, total * school_entropy, n_areas)
    information = np.where(pupils > 0, area_entropy - divide(weighted_school_entropy, pupils), np.nan)
    return information, area_entropy


def local_segregation(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int) -> np.ndarray:
    """Local segregation score of each school within its area (Kullback–Leibler divergence, nats).

    ls_i = sum_g p(g|i) ln(p(g|i) / p(g)) = p_i ln(p_i / P) + (1 - p_i) ln((1 - p_i) / (1 - P))

    How far the school's composition is from its area's; the pupil-weighted sum gives the area's M:
    sum_i (t_i / T) ls_i = M. NaN for schools without pupils.
    """
    share = divide(group, total)
    area_share = divide(sum_by(labels, group, n_areas), sum_by(labels, total, n_areas))[labels]
    with np.errstate(divide="ignore", invalid="ignore"):
        in_group = np.where(share > 0, share * np.log(share / area_share), 0.0)
        out_group = np.where(share < 1, (1 - share) * np.log((1 - share) / (1 - area_share)), 0.0)
    return np.where(np.isnan(share), np.nan, in_group + out_group)


def mutual_information_decomposition(unit_labels: np.ndarray, area_of_unit: np.ndarray, group: np.ndarray,
                                     total: np.ndarray, n_units: int, n_areas: int) -> tuple[np.ndarray, np.ndarray]:
    """Split each area's M into a part between its units (municipalities) and a part within them.

    M(area) = M_between + M_within, with
    M_between = M of the area computed from the units' totals (each unit as one "school"), and
    M_within = sum_u (T_u / T) * M(u) over the area's units.

    ``unit_labels`` gives each school's unit, ``area_of_unit`` each unit's area. Returns
    ``(between, within)`` per area; they add up to :func:`mutual_information` of the area.
    """
    unit_group = sum_by(unit_labels, group, n_units)
    unit_total = sum_by(unit_labels, total, n_units)
    unit_m = np.nan_to_num(mutual_information(unit_labels, group, total, n_units))
    between = mutual_information(area_of_unit, unit_group, unit_total, n_areas)
    area_total = sum_by(area_of_unit, unit_total, n_areas)
    within = divide(sum_by(area_of_unit, unit_total * unit_m, n_areas), area_total)
    return between, np.where(area_total > 0, within, np.nan)


def school_category(schools: pd.DataFrame, thresholds: Mapping) -> pd.Series:
    """Category of each school from its group share and the configured thresholds.

    ``severe`` when share >= thresholds.severe, ``segregated`` when share >= thresholds.segregated
    (``>`` instead of ``>=`` when ``comparison: above``), ``below_threshold`` otherwise, ``no_pupils``
    for schools without pupils. With ``require_alternative: true`` (Bulgarian practice) a school above
    the threshold that is the only school with pupils of its settlement (or, without settlement data,
    of its municipality) is ``no_alternative`` instead: families had no other school to choose.
    """
    total = schools["pupils_total"].to_numpy(dtype=float)
    share = divide(schools["pupils_group"].to_numpy(dtype=float), total)
    above = np.greater if thresholds.get("comparison", "at_least") == "above" else np.greater_equal
    with np.errstate(invalid="ignore"):
        severe = above(share, thresholds["severe"])
        segregated = above(share, thresholds["segregated"])
    category = np.select([total == 0, severe, segregated], [CATEGORY_NO_PUPILS, CATEGORY_SEVERE,
                                                            CATEGORY_SEGREGATED], CATEGORY_BELOW)
    if thresholds.get("require_alternative", False):
        category = np.where(segregated & ~has_alternative_school(schools), CATEGORY_NO_ALTERNATIVE, category)
    return pd.Series(category, index=schools.index, name="category", dtype=object)


def has_alternative_school(schools: pd.DataFrame) -> np.ndarray:
    """True where another school with pupils exists in the same settlement (when the school's
    settlement is known) or else in the same municipality."""
    with_pupils = (schools["pupils_total"] > 0).astype(int)
    per_municipality = with_pupils.groupby(schools["municipality_code"]).transform("sum")
    alternative = per_municipality.to_numpy() >= 2
    if "settlement" in schools:
        settlement = schools["settlement"].astype("string")
        known = settlement.notna() & (settlement.str.len() > 0)
        if known.any():
            key = schools["municipality_code"].astype(str) + "\x1f" + settlement.fillna("")
            per_settlement = with_pupils.groupby(key).transform("sum").to_numpy()
            alternative = np.where(known.to_numpy(), per_settlement >= 2, alternative)
    return alternative


