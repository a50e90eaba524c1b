"""The four index tables of the output contract: one row per school, municipality, region and country.

Each table puts the point indices of :mod:`segmap.stats.indices` next to the random-allocation benchmark
and the bootstrap of :mod:`segmap.stats.inference`. ``inference`` settings have the form
``{"random_allocation": {"replicates": 500, "seed": 1}, "bootstrap": {"replicates": 500, "seed": 2}}``;
each level (municipality, region, country) draws from its own stream ``[seed, level]``, so adding a
region does not change the draws of the municipalities; a school year adds its first calendar year
(``[seed, level, 2023]`` for 2023/24), so adding a year does not change the draws of the others.

Several school years are never summed: :func:`year_indices` computes every table from one year's
schools, and each table carries that ``year``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from segmap import years
from segmap.stats import indices
from segmap.stats import inference
from segmap.stats.indices import divide, sum_by
from segmap.settings import inference_settings

#: Seeds and replicates when a caller gives none (the defaults of :mod:`segmap.settings`).
DEFAULT_INFERENCE = inference_settings()
LEVELS = {"municipality": 0, "region": 1, "country": 2, "upper": 3}

AREA_INDEX_COLUMNS = [
    "n_schools", "pupils_total", "pupils_group", "group_share",
    "dissimilarity", "dissimilarity_expected", "dissimilarity_adjusted", "dissimilarity_adjusted_ci_low",
    "dissimilarity_adjusted_ci_high", "dissimilarity_random_p95", "distinguishable_from_random",
    "dissimilarity_bc", "dissimilarity_ci_low", "dissimilarity_ci_high",
    "isolation", "isolation_expected", "isolation_bc", "isolation_ci_low", "isolation_ci_high",
    "exposure", "normalised_exposure", "mutual_information", "theil_h",
    "segregated_schools", "severe_schools", "group_in_segregated_share", "no_alternative_schools", "status",
]
DECOMPOSITION_COLUMNS = ["mutual_information_between", "mutual_information_within"]


@dataclass(frozen=True)
class AreaDraws:
    """One school year's areas as the change between two years needs them (arrays in area order).

    ``dissimilarity``, ``dissimilarity_expected`` (D*) and ``isolation`` per area; ``replicates`` the
    bootstrap replicates ``{"dissimilarity": D_b, "isolation": xPx_b}`` (areas x B, see
    :func:`segmap.stats.inference.bootstrap_replicates`); ``status``, ``schools_with_pupils`` and
    ``pupils_total`` per area.
    """

    dissimilarity: np.ndarray
    dissimilarity_expected: np.ndarray
    isolation: np.ndarray
    replicates: dict[str, np.ndarray]
    status: np.ndarray
    schools_with_pupils: np.ndarray
    pupils_total: np.ndarray


def summarise_areas(schools: pd.DataFrame, area_column: str, areas: pd.Index, *,
                    inference_settings: Mapping[str, Any] | None = None, level: str = "municipality",
                    stream: tuple[int, ...] = ()) -> pd.DataFrame:
    """The area indices of every area in ``areas`` from the schools in it (one row per area).

    ``schools`` needs ``pupils_total``, ``pupils_group``, ``category`` and ``area_column``. Areas
    without schools get zero counts and status ``no_schools``. Columns: :data:`AREA_INDEX_COLUMNS`.
    ``stream`` extends the seeds of the random draws (the school year, see the module docstring).
    """
    return summarise_areas_with_draws(schools, area_column, areas, inference_settings=inference_settings,
                                      level=level, stream=stream)[0]


def summarise_areas_with_draws(schools: pd.DataFrame, area_column: str, areas: pd.Index, *,
                               inference_settings: Mapping[str, Any] | None = None, level: str = "municipality",
                               stream: tuple[int, ...] = ()) -> tuple[pd.DataFrame, AreaDraws]:
    """:func:`summarise_areas` and the :class:`AreaDraws` behind it."""
    settings = inference_settings or DEFAULT_INFERENCE
    n_areas = len(areas)
    labels = areas.get_indexer(schools[area_column])
    if (labels < 0).any():
        unknown = schools.loc[labels < 0, area_column].unique()[:5]
        raise ValueError(f"schools in areas missing from the area list: {list(unknown)}")
    total = schools["pupils_total"].to_numpy(dtype=float)
    group = schools["pupils_group"].to_numpy(dtype=float)
    category = schools["category"].to_numpy()
    in_segregated = np.isin(category, [indices.CATEGORY_SEGREGATED, indices.CATEGORY_SEVERE])

    group_sum = sum_by(labels, group, n_areas)
    total_sum = sum_by(labels, total, n_areas)
    with_pupils = sum_by(labels, (total > 0).astype(float), n_areas)
    status = indices.area_status(with_pupils, group_sum, total_sum - group_sum)
    undefined = status != indices.STATUS_OK

    def defined_only(kernel) -> np.ndarray:
        return np.where(undefined, np.nan, kernel(labels, group, total, n_areas))

    streams = [LEVELS[level], *(int(s) for s in stream)]
    random = inference.random_allocation_indices(
        labels, group, total, n_areas, replicates=int(settings["random_allocation"]["replicates"]),
        seed=[int(settings["random_allocation"]["seed"]), *streams])
    replicates = inference.bootstrap_replicates(
        labels, group, total, n_areas, replicates=int(settings["bootstrap"]["replicates"]),
        seed=[int(settings["bootstrap"]["seed"]), *streams])
    bootstrap = inference.bootstrap_summary(labels, group, total, n_areas, replicates)
    observed_d = defined_only(indices.dissimilarity)
    expected_d = random["dissimilarity_expected"].to_numpy()
    adjusted_low, adjusted_high = inference.adjusted_interval(
        observed_d, expected_d, bootstrap["dissimilarity_bc"].to_numpy(),
        bootstrap["dissimilarity_ci_low"].to_numpy(), bootstrap["dissimilarity_ci_high"].to_numpy())
    columns = {
        "n_schools": np.bincount(labels, minlength=n_areas),
        "pupils_total": total_sum.astype(np.int64),
        "pupils_group": group_sum.astype(np.int64),
        "group_share": divide(group_sum, total_sum),
        "dissimilarity": observed_d,
        "dissimilarity_expected": expected_d,
        "dissimilarity_adjusted": inference.carrington_troske(observed_d, expected_d),
        "dissimilarity_adjusted_ci_low": adjusted_low,
        "dissimilarity_adjusted_ci_high": adjusted_high,
        "dissimilarity_random_p95": random["dissimilarity_random_p95"].to_numpy(),
        "distinguishable_from_random": random["distinguishable_from_random"].array,
        **{name: bootstrap[name].to_numpy() for name in inference.BOOTSTRAP_COLUMNS if name.startswith("diss")},
        "isolation": defined_only(indices.isolation),
        "isolation_expected": random["isolation_expected"].to_numpy(),
        **{name: bootstrap[name].to_numpy() for name in inference.BOOTSTRAP_COLUMNS if name.startswith("iso")},
        "exposure": defined_only(indices.exposure),
        "normalised_exposure": defined_only(indices.normalised_exposure),
        "mutual_information": indices.mutual_information(labels, group, total, n_areas),
        "theil_h": indices.theil_h(labels, group, total, n_areas),
        "segregated_schools": np.bincount(labels, weights=in_segregated, minlength=n_areas).astype(np.int64),
        "severe_schools": np.bincount(labels, weights=category == indices.CATEGORY_SEVERE,
                                      minlength=n_areas).astype(np.int64),
        "group_in_segregated_share": divide(sum_by(labels, group * in_segregated, n_areas), group_sum),
        "no_alternative_schools": np.bincount(labels, weights=category == indices.CATEGORY_NO_ALTERNATIVE,
                                              minlength=n_areas).astype(np.int64),
        "status": status,
    }
    draws = AreaDraws(dissimilarity=observed_d, dissimilarity_expected=expected_d, isolation=columns["isolation"],
                      replicates=replicates, status=status, schools_with_pupils=with_pupils, pupils_total=total_sum)
    return pd.DataFrame(columns, index=areas)[AREA_INDEX_COLUMNS], draws


def decompose_mutual_information(schools: pd.DataFrame, area_column: str, areas: pd.Index) -> pd.DataFrame:
    """M of each area split into ``mutual_information_between`` municipalities and ``..._within`` them.

    M(area) = M(between municipalities) + sum_m (T_m / T) M(within m); see
    :func:`segmap.stats.indices.mutual_information_decomposition`.
    """
    municipalities = pd.Index(pd.unique(schools["municipality_code"]))
    unit_labels = municipalities.get_indexer(schools["municipality_code"])
    area_of_unit = areas.get_indexer(
        schools.groupby("municipality_code", sort=False)[area_column].first().reindex(municipalities))
    between, within = indices.mutual_information_decomposition(
        unit_labels, area_of_unit, schools["pupils_group"].to_numpy(float), schools["pupils_total"].to_numpy(float),
        len(municipalities), len(areas))
    return pd.DataFrame({"mutual_information_between": between, "mutual_information_within": within}, index=areas)


def school_indices(schools: pd.DataFrame, census: pd.DataFrame, thresholds: Mapping) -> pd.DataFrame:
    """One row per school: its share, its part in its municipality's D and M, its category.

    - ``group_share`` = x_i / t_i
    - ``dissimilarity_contribution`` = 1/2 * | x_i / X - y_i / Y | with X, Y of the school's
      municipality (the contributions of a municipality's schools add up to its D; empty where the
      municipality's D is undefined)
    - ``local_segregation`` ls_i = p_i ln(p_i / P) + (1 - p_i) ln((1 - p_i) / (1 - P)) against the
      municipality's share P (sum_i (t_i / T) ls_i = the municipality's M; empty without pupils)
    - ``representation_ratio`` = (x_i / t_i) / P (1 = as many group pupils as in the municipality's
      schools overall)
    - ``category`` from :func:`segmap.stats.indices.school_category`.
    """
    optional = {"school_name": pd.NA, "settlement": pd.NA, "lon": np.nan, "lat": np.nan}
    schools = schools.assign(**{k: v for k, v in optional.items() if k not in schools})
    frame = schools.merge(census[["municipality_code", "region_code"]], on="municipality_code", how="left",
                          validate="many_to_one")
    frame.index = schools.index
    frame["category"] = indices.school_category(frame, thresholds)
    municipalities = pd.Index(census["municipality_code"])
    labels = municipalities.get_indexer(frame["municipality_code"])
    n_areas = len(municipalities)
    total = frame["pupils_total"].to_numpy(dtype=float)
    group = frame["pupils_group"].to_numpy(dtype=float)
    group_sum = sum_by(labels, group, n_areas)
    other_sum = sum_by(labels, total - group, n_areas)
    with_pupils = sum_by(labels, (total > 0).astype(float), n_areas)
    defined = (indices.area_status(with_pupils, group_sum, other_sum) == indices.STATUS_OK)[labels]
    share = divide(group, total)
    frame["group_share"] = share
    frame["dissimilarity_contribution"] = np.where(
        defined, indices.dissimilarity_contribution(labels, group, total, n_areas), np.nan)
    frame["local_segregation"] = indices.local_segregation(labels, group, total, n_areas)
    frame["representation_ratio"] = divide(share, divide(group_sum, group_sum + other_sum)[labels])
    columns = ["school_id", "school_name", "municipality_code", "region_code", "settlement", "pupils_total",
               "pupils_group", "group_share", "dissimilarity_contribution", "local_segregation",
               "representation_ratio", "category", "lon", "lat"]
    return frame[columns]


def municipality_indices(schools: pd.DataFrame, census: pd.DataFrame,
                         inference_settings: Mapping[str, Any] | None = None, *,
                         year: str | None = None) -> pd.DataFrame:
    """One row per municipality of the census (also those without schools).

    ``schools`` is the output of :func:`school_indices` (one school year). ``census_group_share`` is the
    group's share of the census population — the residential baseline to read the school shares against.
    With ``year`` the table has a ``year`` column after the code and the draws use the year's seeds.
    """
    return _municipality_indices(schools, census, inference_settings, year)[0]


def _municipality_indices(schools: pd.DataFrame, census: pd.DataFrame, inference_settings: Mapping[str, Any] | None,
                          year: str | None) -> tuple[pd.DataFrame, AreaDraws]:
    areas = pd.Index(census["municipality_code"], name="municipality_code")
    summary, draws = summarise_areas_with_draws(schools, "municipality_code", areas,
                                                inference_settings=inference_settings, level="municipality",
                                                stream=year_stream(year))
    base = census.set_index("municipality_code")
    table = pd.DataFrame(
        {
            "municipality_name": base["municipality_name"],
            "region_code": base["region_code"],
            "region_name": base["region_name"],
            "population_total": base["population_total"],
            "population_group": base["population_group"],
            "census_group_share": divide(base["population_group"].to_numpy(float),
                                         base["population_total"].to_numpy(float)),
        },
        index=areas,
    ).join(summary)
    return with_year(table.reset_index(), year), draws


def region_indices(schools: pd.DataFrame, census: pd.DataFrame,
                   inference_settings: Mapping[str, Any] | None = None, *, year: str | None = None) -> pd.DataFrame:
    """One row per region: the indices across all schools of the region's municipalities, and its M
    split between and within municipalities (``year``: as in :func:`municipality_indices`)."""
    return _region_indices(schools, census, inference_settings, year)[0]


def _region_indices(schools: pd.DataFrame, census: pd.DataFrame, inference_settings: Mapping[str, Any] | None,
                    year: str | None) -> tuple[pd.DataFrame, AreaDraws]:
    population = census.groupby("region_code", sort=True).agg(
        region_name=("region_name", "first"),
        n_municipalities=("municipality_code", "size"),
        population_total=("population_total", "sum"),
        population_group=("population_group", "sum"),
    )
    population["census_group_share"] = divide(population["population_group"].to_numpy(float),
                                              population["population_total"].to_numpy(float))
    areas = pd.Index(population.index, name="region_code")
    summary, draws = summarise_areas_with_draws(schools, "region_code", areas, inference_settings=inference_settings,
                                                level="region", stream=year_stream(year))
    decomposition = decompose_mutual_information(schools, "region_code", areas)
    return with_year(_with_decomposition(population.join(summary), decomposition).reset_index(), year), draws


#: The first columns of the upper-level table (before :data:`AREA_INDEX_COLUMNS`).
UPPER_HEAD_COLUMNS = ["upper_code", "year", "upper_name", "n_regions", "n_municipalities", "population_total",
                      "population_group", "census_group_share"]


def upper_of_regions(upper_level: Mapping[str, Any], region_codes) -> pd.Series:
    """The upper-level unit of each region (``upper_level["units"]``: ``{code: {"regions": [...]}}``), indexed
    by region code. A region of ``region_codes`` that is in no unit raises ValueError naming it."""
    of = {region: code for code, unit in upper_level["units"].items() for region in unit["regions"]}
    regions = pd.Index(pd.unique(pd.Series(region_codes).astype(str)))
    missing = [r for r in regions if r not in of]
    if missing:
        raise ValueError(f"upper_level.units: {len(missing)} region(s) of the census are in no unit: "
                         f"{', '.join(map(repr, missing[:10]))}")
    return pd.Series([of[r] for r in regions], index=regions, name="upper_code")


def upper_name(unit: Mapping[str, Any], code: str, language: str = "en") -> str:
    """A unit's name in ``language``: its ``names`` entry, else the ``"*"`` one, else the English one, else the code."""
    names = unit.get("names") or {}
    return names.get(language) or names.get("*") or names.get("en") or code


def upper_level_indices(schools: pd.DataFrame, census: pd.DataFrame, upper_level: Mapping[str, Any] | None,
                        inference_settings: Mapping[str, Any] | None = None, *,
                        year: str | None = None) -> pd.DataFrame:
    """One row per unit of the level above the regions (autonomous community, Belgian Region): the indices
    across all schools of its regions, and its M split between and within municipalities. Without
    ``upper_level`` an empty table with the same columns. The draws use their own stream (level ``upper``):
    random allocation within a community is not random allocation within each of its provinces."""
    columns = UPPER_HEAD_COLUMNS + AREA_INDEX_COLUMNS[:AREA_INDEX_COLUMNS.index("mutual_information") + 1] + \
        DECOMPOSITION_COLUMNS + AREA_INDEX_COLUMNS[AREA_INDEX_COLUMNS.index("mutual_information") + 1:]
    if not upper_level:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in ("upper_code", "year", "upper_name", "status")
                                          else float) for c in columns})
    of_region = upper_of_regions(upper_level, census["region_code"])
    census = census.assign(upper_code=census["region_code"].astype(str).map(of_region))
    schools = schools.assign(upper_code=schools["region_code"].astype(str).map(of_region))
    codes = [c for c in upper_level["units"] if c in set(census["upper_code"])]
    population = census.groupby("upper_code", sort=False).agg(
        n_regions=("region_code", "nunique"),
        n_municipalities=("municipality_code", "size"),
        population_total=("population_total", "sum"),
        population_group=("population_group", "sum"),
    ).reindex(codes)
    population.insert(0, "upper_name", [upper_name(upper_level["units"][c], c) for c in codes])
    population["census_group_share"] = divide(population["population_group"].to_numpy(float),
                                              population["population_total"].to_numpy(float))
    areas = pd.Index(codes, name="upper_code")
    summary = summarise_areas(schools, "upper_code", areas, inference_settings=inference_settings, level="upper",
                              stream=year_stream(year))
    decomposition = decompose_mutual_information(schools, "upper_code", areas)
    table = with_year(_with_decomposition(population.join(summary), decomposition).reset_index(), year)
    return table[columns]


def national_indices(schools: pd.DataFrame, census: pd.DataFrame, country: str, country_name: str,
                     inference_settings: Mapping[str, Any] | None = None, *, year: str | None = None) -> pd.DataFrame:
    """One row for the country: the indices across all its schools, and its M split between and within
    municipalities (``year``: as in :func:`municipality_indices`)."""
    return _national_indices(schools, census, country, country_name, inference_settings, year)[0]


def _national_indices(schools: pd.DataFrame, census: pd.DataFrame, country: str, country_name: str,
                      inference_settings: Mapping[str, Any] | None, year: str | None) -> tuple[pd.DataFrame, AreaDraws]:
    areas = pd.Index([country], name="country_code")
    national = schools.assign(country_code=country)
    summary, draws = summarise_areas_with_draws(national, "country_code", areas,
                                                inference_settings=inference_settings, level="country",
                                                stream=year_stream(year))
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
    head["census_group_share"] = divide(head["population_group"].to_numpy(float),
                                        head["population_total"].to_numpy(float))
    decomposition = decompose_mutual_information(national, "country_code", areas)
    return with_year(_with_decomposition(head.join(summary), decomposition).reset_index(), year), draws


# --------------------------------------------------------------------------------------------------
# School years
# --------------------------------------------------------------------------------------------------

LEVEL_KEYS = ("municipality", "region", "national")


@dataclass
class YearIndices:
    """The four tables of one school year (``school``, ``municipality``, ``region``, ``national``) and,
    when asked for, the :class:`AreaDraws` of each area level."""

    year: str | None
    tables: dict[str, pd.DataFrame]
    draws: dict[str, AreaDraws] = field(default_factory=dict)


def year_indices(schools: pd.DataFrame, census: pd.DataFrame, thresholds: Mapping, *, country: str,
                 country_name: str, inference_settings: Mapping[str, Any] | None = None, year: str | None = None,
                 keep_draws: bool = False, upper_level: Mapping[str, Any] | None = None) -> YearIndices:
    """The school, municipality, region and national tables of one school year.

    ``schools`` holds the schools of that year only (school categories, such as whether another school
    exists in the settlement, are a matter of one year). Every table gets a ``year`` column.
    """
    school_table = with_year(school_indices(schools, census, thresholds), year, after="school_id")
    municipality, municipality_draws = _municipality_indices(school_table, census, inference_settings, year)
    region, region_draws = _region_indices(school_table, census, inference_settings, year)
    national, national_draws = _national_indices(school_table, census, country, country_name, inference_settings,
                                                 year)
    draws = ({"municipality": municipality_draws, "region": region_draws, "national": national_draws}
             if keep_draws else {})
    upper = upper_level_indices(school_table, census, upper_level, inference_settings, year=year)
    return YearIndices(year, {"school": school_table, "municipality": municipality, "region": region,
                              "national": national, "upper_level": upper}, draws)


def schools_of_year(schools: pd.DataFrame, year: str | None) -> pd.DataFrame:
    """The schools of one school year (all of them when the data state no year)."""
    if year is None or "year" not in schools:
        return schools
    return schools[(schools["year"].astype("string") == year).fillna(False).to_numpy(bool)]


def year_stream(year: str | None) -> tuple[int, ...]:
    """The seed stream of a school year: its first calendar year (none when no year is stated)."""
    return () if year is None else (years.start_year(year),)


def with_year(table: pd.DataFrame, year: str | None, after: str | None = None) -> pd.DataFrame:
    """The table with a text column ``year`` right after its first column (or after ``after``)."""
    table = table.drop(columns=["year"], errors="ignore")
    at = 1 if after is None else table.columns.get_loc(after) + 1
    table.insert(at, "year", pd.Series([year] * len(table), index=table.index, dtype="string"))
    return table


def _with_decomposition(table: pd.DataFrame, decomposition: pd.DataFrame) -> pd.DataFrame:
    """Insert the two parts of M right after ``mutual_information``."""
    table = table.join(decomposition)
    columns = [c for c in table.columns if c not in DECOMPOSITION_COLUMNS]
    at = columns.index("mutual_information") + 1
    return table[columns[:at] + DECOMPOSITION_COLUMNS + columns[at:]]
