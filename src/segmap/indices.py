"""Segregation indices of the group's pupils across schools, for every area at once.

Notation for an area a with schools i: t_i pupils, x_i group pupils, y_i = t_i - x_i;
X = sum x_i, Y = sum y_i, T = X + Y, P = X / T.

All functions are vectorised over areas: schools carry an integer area label and every sum over the
schools of an area is one ``numpy.bincount`` — there is no Python loop over areas, so the 8,000
Spanish municipalities cost about as much as one.

An index is *undefined* (NaN) for an area when its ``status`` is not ``ok``:

- ``no_schools``: no school with pupils;
- ``no_group_pupils``: X = 0;
- ``no_other_pupils``: Y = 0 (every pupil belongs to the group);
- ``single_school``: fewer than two schools with pupils (segregation *between* schools does not exist).
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

AREA_INDEX_COLUMNS = [
    "n_schools", "pupils_total", "pupils_group", "group_share", "dissimilarity", "isolation",
    "exposure", "segregated_schools", "severe_schools", "group_in_segregated_share", "no_alternative_schools",
    "status",
]


def _sum_by(labels: np.ndarray, values: np.ndarray, n_areas: int) -> np.ndarray:
    """sum_i values_i per area (labels_i in 0..n_areas-1)."""
    return np.bincount(labels, weights=values, minlength=n_areas)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0."""
    out = np.full(np.shape(numerator), np.nan)
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
    other = total - group
    group_sum = _sum_by(labels, group, n_areas)
    other_sum = _sum_by(labels, other, n_areas)
    contribution = 0.5 * np.abs(_divide(group, group_sum[labels]) - _divide(other, other_sum[labels]))
    return _sum_by(labels, np.nan_to_num(contribution), n_areas)


def isolation(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int) -> np.ndarray:
    """Isolation index per area.

    xPx = sum_i (x_i / X) * (x_i / t_i)

    The group share of the school attended by the average group pupil.
    """
    group_sum = _sum_by(labels, group, n_areas)
    term = _divide(group, group_sum[labels]) * _divide(group, total)
    return _sum_by(labels, np.nan_to_num(term), n_areas)


def exposure(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_areas: int) -> np.ndarray:
    """Exposure of the group to the other pupils per area.

    xPy = sum_i (x_i / X) * (y_i / t_i) = 1 - xPx

    The share of other pupils in the school attended by the average group pupil.
    """
    group_sum = _sum_by(labels, group, n_areas)
    term = _divide(group, group_sum[labels]) * _divide(total - group, total)
    return _sum_by(labels, np.nan_to_num(term), n_areas)


def school_category(schools: pd.DataFrame, thresholds: Mapping) -> pd.Series:
    """Category of each school from its group share and the configured thresholds.

    ``severe`` when share >= thresholds.severe, ``segregated`` when share >= thresholds.segregated
    (``>`` instead of ``>=`` when ``comparison: above``), ``below_threshold`` otherwise, ``no_pupils``
    for schools without pupils. With ``require_alternative: true`` (Bulgarian practice) a school above
    the threshold that is the only school with pupils of its settlement (or, without settlement data,
    of its municipality) is ``no_alternative`` instead: families had no other school to choose.
    """
    total = schools["pupils_total"].to_numpy(dtype=float)
    share = _divide(schools["pupils_group"].to_numpy(dtype=float), total)
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


def summarise_areas(schools: pd.DataFrame, area_column: str, areas: pd.Index) -> pd.DataFrame:
    """The area indices of every area in ``areas`` from the schools in it (one row per area).

    ``schools`` needs ``pupils_total``, ``pupils_group``, ``category`` and ``area_column``. Areas
    without schools get zero counts and status ``no_schools``. Columns: :data:`AREA_INDEX_COLUMNS`.
    """
    n_areas = len(areas)
    labels = areas.get_indexer(schools[area_column])
    if (labels < 0).any():
        unknown = schools.loc[labels < 0, area_column].unique()[:5]
        raise ValueError(f"schools in areas missing from the area list: {list(unknown)}")
    total = schools["pupils_total"].to_numpy(dtype=float)
    group = schools["pupils_group"].to_numpy(dtype=float)
    category = schools["category"].to_numpy()
    in_segregated = np.isin(category, [CATEGORY_SEGREGATED, CATEGORY_SEVERE])

    group_sum = _sum_by(labels, group, n_areas)
    total_sum = _sum_by(labels, total, n_areas)
    other_sum = total_sum - group_sum
    with_pupils = _sum_by(labels, (total > 0).astype(float), n_areas)
    status = area_status(with_pupils, group_sum, other_sum)
    undefined = status != STATUS_OK

    def defined_only(values: np.ndarray) -> np.ndarray:
        return np.where(undefined, np.nan, values)

    table = pd.DataFrame(
        {
            "n_schools": np.bincount(labels, minlength=n_areas),
            "pupils_total": total_sum.astype(np.int64),
            "pupils_group": group_sum.astype(np.int64),
            "group_share": _divide(group_sum, total_sum),
            "dissimilarity": defined_only(dissimilarity(labels, group, total, n_areas)),
            "isolation": defined_only(isolation(labels, group, total, n_areas)),
            "exposure": defined_only(exposure(labels, group, total, n_areas)),
            "segregated_schools": np.bincount(labels, weights=in_segregated, minlength=n_areas).astype(np.int64),
            "severe_schools": np.bincount(labels, weights=category == CATEGORY_SEVERE,
                                          minlength=n_areas).astype(np.int64),
            "group_in_segregated_share": _divide(_sum_by(labels, group * in_segregated, n_areas), group_sum),
            "no_alternative_schools": np.bincount(labels, weights=category == CATEGORY_NO_ALTERNATIVE,
                                                  minlength=n_areas).astype(np.int64),
            "status": status,
        },
        index=areas,
    )
    return table


def school_indices(schools: pd.DataFrame, census: pd.DataFrame, thresholds: Mapping) -> pd.DataFrame:
    """One row per school: its share, its part in its municipality's D, its representation, its category.

    - ``group_share`` = x_i / t_i
    - ``dissimilarity_contribution`` = 1/2 * | x_i / X - y_i / Y | with X, Y of the school's
      municipality (the contributions of a municipality's schools add up to its D; empty where the
      municipality's D is undefined)
    - ``representation_ratio`` = (x_i / t_i) / P with P the municipality's group share of pupils
      (1 = as many group pupils as in the municipality's schools overall)
    - ``category`` from :func:`school_category`.
    """
    optional = {"school_name": pd.NA, "settlement": pd.NA, "lon": np.nan, "lat": np.nan}
    schools = schools.assign(**{k: v for k, v in optional.items() if k not in schools})
    frame = schools.merge(census[["municipality_code", "region_code"]], on="municipality_code", how="left",
                          validate="many_to_one")
    frame.index = schools.index
    frame["category"] = school_category(frame, thresholds)
    municipalities = pd.Index(census["municipality_code"])
    labels = municipalities.get_indexer(frame["municipality_code"])
    n_areas = len(municipalities)
    total = frame["pupils_total"].to_numpy(dtype=float)
    group = frame["pupils_group"].to_numpy(dtype=float)
    other = total - group
    group_sum = _sum_by(labels, group, n_areas)
    other_sum = _sum_by(labels, other, n_areas)
    with_pupils = _sum_by(labels, (total > 0).astype(float), n_areas)
    defined = (area_status(with_pupils, group_sum, other_sum) == STATUS_OK)[labels]
    share = _divide(group, total)
    contribution = 0.5 * np.abs(_divide(group, group_sum[labels]) - _divide(other, other_sum[labels]))
    frame["group_share"] = share
    frame["dissimilarity_contribution"] = np.where(defined, contribution, np.nan)
    frame["representation_ratio"] = _divide(share, _divide(group_sum, group_sum + other_sum)[labels])
    columns = ["school_id", "school_name", "municipality_code", "region_code", "settlement", "pupils_total",
               "pupils_group", "group_share", "dissimilarity_contribution", "representation_ratio", "category",
               "lon", "lat"]
    return frame[columns]


def municipality_indices(schools: pd.DataFrame, census: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality of the census (also those without schools).

    ``schools`` is the output of :func:`school_indices`. ``census_group_share`` is the group's share
    of the census population — the residential baseline to read the school shares against.
    """
    areas = pd.Index(census["municipality_code"], name="municipality_code")
    summary = summarise_areas(schools, "municipality_code", areas)
    base = census.set_index("municipality_code")
    table = pd.DataFrame(
        {
            "municipality_name": base["municipality_name"],
            "region_code": base["region_code"],
            "region_name": base["region_name"],
            "population_total": base["population_total"],
            "population_group": base["population_group"],
            "census_group_share": _divide(base["population_group"].to_numpy(float),
                                          base["population_total"].to_numpy(float)),
        },
        index=areas,
    ).join(summary)
    return table.reset_index()


def region_indices(schools: pd.DataFrame, census: pd.DataFrame) -> pd.DataFrame:
    """One row per region: the indices across all schools of the region's municipalities."""
    population = census.groupby("region_code", sort=True).agg(
        region_name=("region_name", "first"),
        n_municipalities=("municipality_code", "size"),
        population_total=("population_total", "sum"),
        population_group=("population_group", "sum"),
    )
    population["census_group_share"] = _divide(population["population_group"].to_numpy(float),
                                               population["population_total"].to_numpy(float))
    areas = pd.Index(population.index, name="region_code")
    summary = summarise_areas(schools, "region_code", areas)
    return population.join(summary).reset_index()


def national_indices(schools: pd.DataFrame, census: pd.DataFrame, country: str, country_name: str) -> pd.DataFrame:
    """One row for the country: the indices across all its schools."""
    areas = pd.Index([country], name="country_code")
    summary = summarise_areas(schools.assign(country_code=country), "country_code", areas)
    head = pd.DataFrame(
        {
            "country_name": [country_name],
            "n_regions": [census["region_code"].nunique()],
            "n_municipalities": [len(census)],
            "population_total": [int(census["population_total"].sum())],
            "population_group": [int(census["population_group"].sum())],
        },
        index=areas,
    )
    head["census_group_share"] = _divide(head["population_group"].to_numpy(float),
                                         head["population_total"].to_numpy(float))
    return head.join(summary).reset_index()
