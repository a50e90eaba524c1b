"""The demo model assembled: :func:`build_demo` builds one country's census, schools and boundaries in memory.

Owns :func:`build_demo` (every step, in the order that fixes the random draws), :class:`DemoData` (its
result), the municipality codes and school ids in each national style, and the schools table. The
pieces live in :mod:`~segmap.demo.geography` and :mod:`~segmap.demo.population`.

The synthetic model, in one paragraph: each country is a hand-written, coarse lon/lat outline (one polygon per land mass: mainland, islands, exclaves). Inside each land mass, municipality seed
points are drawn from a mixture of a uniform background and Gaussian "dense zones", relaxed by a few Lloyd steps,
and turned into municipalities by one Voronoi tessellation clipped to the outline, all in the equal-area
EPSG:3035 and written in EPSG:4326 rounded to 5 decimals. The centres of the named regions (provinces) are
themselves municipality seeds; every other municipality joins the nearest region centre, then stray pieces are
moved to a neighbouring region so that regions are contiguous; islands, exclaves and a capital city (a single
municipality such as Sofia, or a cluster of small ones such as Brussels) are regions of their own, and an
island or exclave region's centre seeds a municipality on its own land. The municipality at a region's centre is
its main municipality (for a capital region, the one at the capital's centre): a provincial capital, Palma,
Ceuta. Population is lognormal and grows with municipality area; main municipalities are boosted instead, or
take a fixed share of the national population when their size is known (Ceuta, Melilla), and may carry a real
name instead of a synthetic one. The census share of the group (Roma) is a logistic function of a spatially
smoothed random field, with the intercept solved so that the national share meets the profile's target; group
counts are binomial. Schools are allocated to municipalities roughly in proportion to population (so many
small municipalities have none or one, while a city's count stays close to proportional), pupils split the
municipality's school-age pool, and the group pupils of a municipality (census share times a youth factor, with
noise) are spread over its schools by water-filling with gamma-distributed propensities of small shape: many
schools get no group pupils and some fill up to near-all-group schools. Finally edge cases the pipeline must
handle are guaranteed: a municipality without schools, one with a single school, one whose schools have no
group pupils, one whose schools have only group pupils, and a school with no pupils. The same country, seed and
profile always give byte-identical files.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import shapely

from segmap.demo.geography import (
    Municipalities,
    assign_regions,
    build_municipalities,
    cells_to_lonlat,
    main_municipalities,
    neighbour_lists,
    neighbour_pairs,
    points_in_cells,
    random_points_in_cells,
)
from segmap.demo.names import settlement_label, synthetic_school_name, unique_place_names
from segmap.demo.population import (
    allocate_school_counts,
    assign_settlements,
    centre_boosts,
    ensure_group_edge_cases,
    ensure_school_count_edge_cases,
    group_census_shares,
    simulate_earlier_year,
    simulate_group_pupils,
    simulate_population,
    simulate_pupils,
)
from segmap.demo.profiles import DemoProfile, resolve_profile, year_value
from segmap.settings import DEMO_SEED

DEFAULT_SEED = DEMO_SEED


def municipality_codes(
    profile: DemoProfile,
    region_of: np.ndarray,
    region_codes: Sequence[str],
    names: Sequence[str],
    seeds: np.ndarray,
    capital: np.ndarray,
) -> list[str]:
    """Give each municipality a text code in the profile's style, numbered alphabetically within its region.

    ``lau``: prefix + 2 digits (``PDV39``); ``ine``: province + 3 digits (``01001``); ``nis``: arrondissement
    prefix + 3 digits (``21004``), the region split west to east over its prefixes; ``generic``: region code +
    3 digits. Capital codes given in the profile are used as they are.
    """
    codes = [""] * len(names)
    if profile.capital is not None and profile.capital.municipality_codes:
        for m, code in zip(np.flatnonzero(capital), profile.capital.municipality_codes):
            codes[m] = code
    digits = 2 if profile.code_style == "lau" else 3
    for region, region_code in enumerate(region_codes):
        members = [m for m in np.flatnonzero(region_of == region) if not codes[m]]
        if profile.regions and profile.regions[region].code_prefixes:
            prefixes = profile.regions[region].code_prefixes
        else:
            prefixes = (region_code,)
        west_to_east = sorted(members, key=lambda m: (seeds[m, 0], m))
        for part, prefix in enumerate(prefixes):
            chunk = west_to_east[part * len(members) // len(prefixes) : (part + 1) * len(members) // len(prefixes)]
            for number, m in enumerate(sorted(chunk, key=lambda m: (names[m], m)), start=1):
                if number >= 10**digits:
                    raise ValueError(f"region {region_code} has too many municipalities for {digits}-digit codes")
                codes[m] = f"{prefix}{number:0{digits}d}"
    if len(set(codes)) != len(codes):
        raise ValueError("municipality codes are not unique; check the profile's code prefixes")
    return codes


def school_ids(profile: DemoProfile, school_region: np.ndarray, region_codes: Sequence[str]) -> list[str]:
    """Return unique text school ids in a national style.

    ``lau``: NEISPUO-like region number + 5 digits; ``ine``: province + 6 digits (``01000123``, leading zero);
    ``nis``: 6 digits with leading zeros; ``generic``: ``SCH`` + 6 digits.
    """
    ids = []
    sequence = np.zeros(len(region_codes), dtype=int)
    for number, region in enumerate(school_region, start=1):
        sequence[region] += 1
        if profile.code_style == "lau":
            ids.append(f"{region + 1}{sequence[region]:05d}")
        elif profile.code_style == "ine":
            ids.append(f"{region_codes[region]}{sequence[region]:06d}")
        elif profile.code_style == "nis":
            ids.append(f"{number:06d}")
        else:
            ids.append(f"SCH{number:06d}")
    return ids


@dataclass
class DemoData:
    """The three synthetic inputs in memory: census and schools tables, boundaries as lon/lat geometries.

    ``schools`` holds the report year; ``earlier_schools`` the earlier school years (oldest first), written to
    the same schools file before it.
    """

    profile: DemoProfile
    census: pd.DataFrame
    schools: pd.DataFrame
    boundaries: pd.DataFrame  # municipality_code, municipality_name, region_code, region_name, geometry
    earlier_schools: list[pd.DataFrame] = dataclasses.field(default_factory=list)

    def all_schools(self) -> pd.DataFrame:
        """Every school year's schools in one table, oldest year first."""
        return pd.concat([*self.earlier_schools, self.schools], ignore_index=True)


def build_demo(country: str, seed: int = DEFAULT_SEED, profile: DemoProfile | None = None) -> DemoData:
    """Build the synthetic census, schools and boundaries for ``country`` in memory (no files written).

    Deterministic: the same country, seed and profile always give the same tables.
    """
    profile = resolve_profile(country, profile)
    rng = np.random.default_rng(seed)
    municipalities = build_municipalities(profile, rng)
    n = len(municipalities.seeds)
    pairs = neighbour_pairs(municipalities.cells)
    neighbours = neighbour_lists(n, pairs)
    region_of, regions = assign_regions(profile, municipalities, neighbours, rng)
    languages = [regions[r][2] for r in region_of]
    main_of = main_municipalities(profile, municipalities)
    real_names = {m: profile.regions[r].main_name for r, m in main_of.items() if profile.regions[r].main_name}
    names = unique_place_names(languages, rng, reserved=real_names.values())
    for m, name in real_names.items():
        names[m] = name
    codes = municipality_codes(
        profile, region_of, [r[0] for r in regions], names, municipalities.seeds, municipalities.capital
    )
    cells_lonlat = cells_to_lonlat(municipalities.cells)

    area_km2 = shapely.area(municipalities.cells) / 1e6
    boost = centre_boosts(profile, municipalities)
    fixed_share = np.full(n, np.nan)
    for r, m in main_of.items():
        if profile.regions[r].main_population_share is not None:
            fixed_share[m] = profile.regions[r].main_population_share
    population = simulate_population(area_km2, boost, municipalities.capital, profile, rng, fixed_share)
    census_share = group_census_shares(population, pairs, profile, rng)
    population_group = rng.binomial(population, census_share)

    # Work in code order from here, so that schools are grouped by municipality.
    order = np.array(sorted(range(n), key=lambda m: codes[m]))
    counts = allocate_school_counts(population[order], profile.n_schools, profile, rng)
    if profile.ensure_edge_cases:
        counts = ensure_school_count_edge_cases(counts, population[order])
    school_slot = np.repeat(np.arange(n), counts)  # position in code order
    pupils = simulate_pupils(population[order], school_slot, profile, rng)
    group = simulate_group_pupils(census_share[order], population_group[order], pupils, school_slot, profile, rng)
    if profile.ensure_edge_cases:
        pupils, group = ensure_group_edge_cases(
            census_share[order], population_group[order], pupils, group, school_slot
        )

    census = pd.DataFrame({
        "municipality_code": [codes[m] for m in order],
        "municipality_name": [names[m] for m in order],
        "region_code": [regions[region_of[m]][0] for m in order],
        "region_name": [regions[region_of[m]][1] for m in order],
        "population_total": population[order],
        "population_group": population_group[order],
    })  # fmt: skip
    schools = build_school_table(
        profile, order[school_slot], pupils, group, municipalities, cells_lonlat, names, languages, region_of,
        [r[0] for r in regions], codes, rng,
    )  # fmt: skip
    boundaries = census[["municipality_code", "municipality_name", "region_code", "region_name"]].copy()
    boundaries["geometry"] = cells_lonlat[order]
    without_schools = sorted(set(census["municipality_code"]) - set(schools["municipality_code"]))
    earlier_rng = np.random.default_rng([seed, 1])  # its own stream: the report year stays as it was
    earlier = [simulate_earlier_year(schools, profile, back, earlier_rng, (without_schools or [None])[0])
               for back in range(profile.earlier_years, 0, -1)]
    return DemoData(profile=profile, census=census, schools=schools, boundaries=boundaries, earlier_schools=earlier)


def build_school_table(
    profile: DemoProfile,
    school_municipality: np.ndarray,
    pupils: np.ndarray,
    group: np.ndarray,
    municipalities: Municipalities,
    cells_lonlat: np.ndarray,
    names: Sequence[str],
    languages: Sequence[str],
    region_of: np.ndarray,
    region_codes: Sequence[str],
    codes: Sequence[str],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Name, place and identify the schools (given in municipality code order) and return the schools table."""
    # Settlement numbering needs schools grouped by municipality index, which code order already guarantees.
    slot_of = {int(m): i for i, m in enumerate(dict.fromkeys(school_municipality.tolist()))}
    slot = np.array([slot_of[int(m)] for m in school_municipality], dtype=np.int64)
    settlement, settlement_count = assign_settlements(slot, len(slot_of), rng)
    slot_municipality = np.array(list(slot_of), dtype=np.int64)

    village_owner = np.repeat(slot_municipality, settlement_count - 1)
    village_points = random_points_in_cells(municipalities.cells[village_owner], rng)
    village_names = unique_place_names([languages[m] for m in village_owner], rng)
    village_start = np.concatenate([[0], np.cumsum(settlement_count - 1)])

    is_main = settlement == 0
    village_index = village_start[slot] + settlement - 1
    area_km2 = shapely.area(municipalities.cells[school_municipality]) / 1e6
    town_sigma = np.minimum(0.2 * np.sqrt(area_km2), 4.0) * 1000
    centres = np.where(is_main[:, None], municipalities.seeds[school_municipality], village_points[village_index])
    sigma = np.where(is_main, town_sigma, np.minimum(town_sigma, 500.0))
    lonlat = points_in_cells(centres, sigma, school_municipality, cells_lonlat, rng)

    settlement_names = [
        settlement_label(languages[m], names[m] if main else village_names[v], main)
        for m, main, v in zip(school_municipality, is_main, village_index)
    ]
    school_names = []
    seen: dict[tuple[int, str], int] = {}
    for m, place, size in zip(school_municipality, settlement_names, pupils):
        plain_place = place.split(" ", 1)[1] if languages[m] == "bg" else place
        name = synthetic_school_name(languages[m], plain_place, int(size), rng)
        key = (int(m), name)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:  # the same name twice in a municipality: number it, as cities do
            name = f"{seen[key]} {name}" if languages[m] == "bg" else f"{name} {seen[key]}"
        school_names.append(name)
    return pd.DataFrame({
        profile.school_id_column: school_ids(profile, region_of[school_municipality], region_codes),
        "school_name": school_names,
        "municipality_code": [codes[m] for m in school_municipality],
        "settlement": settlement_names,
        "pupils_total": pupils,
        "pupils_group": group,
        "lon": lonlat[:, 0],
        "lat": lonlat[:, 1],
        "year": [year_value(profile, profile.year)] * len(pupils),
    })  # fmt: skip
