"""The demo's statistical model: population, the group's census share, schools, pupils and school years.

Owns the random draws that turn municipalities into numbers: lognormal population growing with area and
boosted in region centres (:func:`simulate_population`), the group's census share as a logistic function
of a spatially smoothed field calibrated to the profile's national share (:func:`group_census_shares`),
schools per municipality (:func:`allocate_school_counts`), pupils per school (:func:`simulate_pupils`), the
group's pupils spread by water-filling (:func:`simulate_group_pupils`, :func:`water_fill`), the guaranteed
edge cases, settlements per school, and the earlier school years (:func:`simulate_earlier_year`). Each
function draws from the generator it is given; :func:`segmap.demo.model.build_demo` calls them in order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmap.demo.geography import Municipalities
from segmap.demo.profiles import DemoProfile, total_population, year_value


def simulate_population(
    area_km2: np.ndarray,
    centre_boost: np.ndarray,
    capital: np.ndarray,
    profile: DemoProfile,
    rng: np.random.Generator,
    fixed_share: np.ndarray | None = None,
) -> np.ndarray:
    """Return integer population per municipality.

    Ordinary municipalities: lognormal, larger with area. Region centres (``centre_boost`` > 1): the boost
    times a little noise, whatever their area. The capital's municipalities share
    ``capital.population_share`` of the total between them (the first, central one weighted by
    ``capital.centre_weight``); municipalities with a ``fixed_share`` (not NaN) get that share of the total; the
    rest is scaled to the profile's total.
    """
    n = len(area_km2)
    ordinary = centre_boost == 1
    log_area = profile.population_area_exponent * np.log(area_km2 / np.median(area_km2))
    noise = rng.standard_normal(n)
    log_weight = np.where(ordinary, log_area + profile.population_sigma * noise, np.log(centre_boost) + 0.3 * noise)
    weight = np.exp(log_weight)
    population = np.zeros(n)
    total = float(total_population(profile))
    rest = total
    free = ~capital
    if profile.capital is not None and capital.any():
        capital_weight = np.exp(0.4 * rng.standard_normal(int(capital.sum())))
        capital_weight[0] *= profile.capital.centre_weight
        capital_total = profile.capital.population_share * total
        population[capital] = capital_total * capital_weight / capital_weight.sum()
        rest -= capital_total
    if fixed_share is not None:
        fixed = ~np.isnan(fixed_share) & ~capital
        population[fixed] = fixed_share[fixed] * total
        rest -= population[fixed].sum()
        free &= ~fixed
    population[free] = rest * weight[free] / weight[free].sum()
    return np.maximum(np.round(population), profile.min_population).astype(np.int64)


def centre_boosts(profile: DemoProfile, municipalities: Municipalities) -> np.ndarray:
    """Return the population multiplier of each municipality: region centres get boost x centre weight."""
    boost = np.ones(len(municipalities.seeds))
    for m in np.flatnonzero(municipalities.region_centre_of >= 0):
        boost[m] = profile.region_centre_boost * profile.regions[municipalities.region_centre_of[m]].centre_weight
    return boost


def smoothed_field(
    n: int, pairs: tuple[np.ndarray, np.ndarray], rng: np.random.Generator, steps: int = 4
) -> np.ndarray:
    """Return a standardised random field, spatially correlated by averaging noise over neighbours.

    Each cell is divided by its own standard deviation under the smoothing, so that every cell is N(0, 1)
    before the final standardisation: averaging shrinks the noise of well-connected cells, and without this
    an isolated cell (a one-municipality exclave such as Ceuta) would keep raw noise and get extreme values.
    """
    left, right = pairs
    degree = np.bincount(left, minlength=n) + np.bincount(right, minlength=n)
    field = rng.standard_normal(n)
    for _ in range(steps):
        total = field.copy()
        np.add.at(total, left, field[right])
        np.add.at(total, right, field[left])
        field = total / (1 + degree)
    field = field / smoothing_scale(n, pairs, degree, steps)
    return (field - field.mean()) / (field.std() or 1.0)


def smoothing_scale(n: int, pairs: tuple[np.ndarray, np.ndarray], degree: np.ndarray, steps: int) -> np.ndarray:
    """Return each cell's standard deviation after ``steps`` neighbour averagings of unit white noise.

    The smoothing is the linear map A ** steps with A[i, k] = 1 / (1 + degree[i]) for k = i or a neighbour of
    i; the standard deviation of cell i is the norm of row i, computed exactly with sparse (row, column, value)
    triples.
    """
    left, right = pairs
    source = np.concatenate([np.arange(n), left, right])  # an entry in row k feeds row k and k's neighbours
    target = np.concatenate([np.arange(n), right, left])
    order = np.argsort(source, kind="stable")
    source, target = source[order], target[order]
    starts = np.searchsorted(source, np.arange(n + 1))
    rows, columns, values = np.arange(n), np.arange(n), np.ones(n)
    for _ in range(steps):
        fan = starts[rows + 1] - starts[rows]
        entry = np.repeat(np.arange(len(rows)), fan)
        offset = np.arange(len(entry)) - np.repeat(np.cumsum(fan) - fan, fan)
        new_rows = target[starts[rows][entry] + offset]
        key, inverse = np.unique(new_rows * n + columns[entry], return_inverse=True)
        values = np.bincount(inverse, weights=values[entry] / (1 + degree[new_rows]))
        rows, columns = key // n, key % n
    return np.sqrt(np.bincount(rows, weights=values**2, minlength=n))


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def group_census_shares(
    population: np.ndarray, pairs: tuple[np.ndarray, np.ndarray], profile: DemoProfile, rng: np.random.Generator
) -> np.ndarray:
    """Return the group's expected census share per municipality, calibrated to ``profile.group_share``.

    share = min(max_share, logistic(a + spread * z)), z = 0.8 * smoothed field + 0.6 * noise, a by bisection.
    """
    n = len(population)
    if profile.group_share >= profile.group_max_share:
        raise ValueError("group_share must be smaller than group_max_share")
    z = 0.8 * smoothed_field(n, pairs, rng) + 0.6 * rng.standard_normal(n)

    def national_share(intercept: float) -> float:
        shares = np.minimum(profile.group_max_share, logistic(intercept + profile.group_spread * z))
        return float((shares * population).sum() / population.sum())

    low, high = -30.0, 30.0
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if national_share(middle) < profile.group_share else (low, middle)
    return np.minimum(profile.group_max_share, logistic((low + high) / 2 + profile.group_spread * z))


def allocate_school_counts(
    population: np.ndarray, n_schools: int, profile: DemoProfile, rng: np.random.Generator
) -> np.ndarray:
    """Split exactly ``n_schools`` over municipalities, expected count ~ population ** exponent (with noise).

    The relative noise fades above 20,000 inhabitants (as 20,000 / population): a city's many neighbourhoods
    average out, so a city of 85,000 gets close to its expected number of schools (about 30 in Spain), while
    small municipalities keep the full noise that gives some of them no school or a single one.
    """
    weight = population.astype(float) ** profile.schools_population_exponent
    sigma = 0.35 * np.minimum(1.0, 20_000 / np.maximum(population, 1))
    weight *= np.exp(sigma * rng.standard_normal(len(population)))
    expected = n_schools * weight / weight.sum()
    counts = np.floor(expected).astype(np.int64)
    remainder = n_schools - int(counts.sum())
    if remainder > 0:
        fraction = expected - counts
        extra = rng.choice(len(population), size=remainder, replace=False, p=fraction / fraction.sum())
        counts[extra] += 1
    return counts


def ensure_school_count_edge_cases(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Make sure some municipality has no school and some has exactly one, moving schools to the largest."""
    counts = counts.copy()
    if len(counts) < 3 or counts.sum() < 2:
        return counts
    largest = int(np.argmax(counts))
    order = [int(m) for m in np.lexsort((np.arange(len(counts)), population)) if m != largest]
    if not (counts == 0).any():
        m = next((m for m in order if counts[m] == 1), order[0])
        counts[largest] += counts[m]
        counts[m] = 0
    if not (counts == 1).any():
        m = next((m for m in order if counts[m] >= 2), None)
        if m is not None:
            counts[largest] += counts[m] - 1
            counts[m] = 1
    return counts


def simulate_pupils(
    population: np.ndarray, school_municipality: np.ndarray, profile: DemoProfile, rng: np.random.Generator
) -> np.ndarray:
    """Return pupils per school: each municipality's school-age pool split by gamma weights.

    Sizes saturate softly towards ``max_pupils`` (p / (1 + (p / max) ** 4) ** 0.25), are at least ``min_pupils``
    and together never exceed the municipality's population.
    """
    pool = population * profile.pupils_per_capita * np.exp(0.15 * rng.standard_normal(len(population)))
    weight = rng.gamma(2.5, size=len(school_municipality))
    weight_sum = np.bincount(school_municipality, weights=weight, minlength=len(population))
    pupils = pool[school_municipality] * weight / weight_sum[school_municipality]
    pupils = pupils / (1 + (pupils / profile.max_pupils) ** 4) ** 0.25
    pupils = np.clip(np.round(pupils), profile.min_pupils, profile.max_pupils).astype(np.int64)
    schools = np.bincount(school_municipality, minlength=len(population))
    fair_share = population // np.maximum(schools, 1)  # never more pupils than inhabitants
    return np.minimum(pupils, fair_share[school_municipality])


def water_fill(total: int, weight: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Split integer ``total`` over slots in proportion to ``weight`` without exceeding integer ``cap``.

    Slots that would exceed their cap are filled to it and the rest is shared again; remainders after
    flooring go to the largest fractions. Requires total <= cap.sum().
    """
    weight = np.where(cap > 0, weight, 0.0)
    if weight.sum() <= 0:
        weight = cap.astype(float)
    share = np.zeros(len(cap))
    active = weight > 0
    remaining = float(total)
    while remaining > 1e-9 and active.any():
        proposal = remaining * weight[active] / weight[active].sum()
        room = cap[active] - share[active]
        full = proposal >= room
        if not full.any():
            share[active] += proposal
            break
        indices = np.flatnonzero(active)[full]
        share[indices] = cap[indices]
        remaining -= room[full].sum()
        active[indices] = False
    counts = np.minimum(np.floor(share + 1e-9).astype(np.int64), cap)
    missing = total - int(counts.sum())
    order = np.argsort(-(share - counts), kind="stable")
    for slot in order:
        if missing <= 0:
            break
        if counts[slot] < cap[slot]:
            counts[slot] += 1
            missing -= 1
    return counts


def simulate_group_pupils(
    census_share: np.ndarray,
    population_group: np.ndarray,
    pupils: np.ndarray,
    school_municipality: np.ndarray,
    profile: DemoProfile,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return group pupils per school.

    A municipality's group pupils are binomial with share = census share x pupil factor (noisy), at most its
    group population, then spread over its schools by water-filling with weights pupils x gamma(shape) propensity: with a small shape most
    schools get few or none and a few fill up completely.
    """
    n = len(census_share)
    pupil_share = census_share * profile.group_pupil_factor * np.exp(0.35 * rng.standard_normal(n))
    pupil_share = np.minimum(pupil_share, 0.98)
    total_pupils = np.bincount(school_municipality, weights=pupils, minlength=n).astype(np.int64)
    group_total = np.minimum(rng.binomial(total_pupils, pupil_share), population_group)
    propensity = rng.gamma(profile.school_propensity_shape, size=len(pupils))
    group = np.zeros(len(pupils), dtype=np.int64)
    starts = np.searchsorted(school_municipality, np.arange(n + 1))
    for m in np.flatnonzero(total_pupils > 0):
        slots = slice(starts[m], starts[m + 1])
        group[slots] = water_fill(int(group_total[m]), pupils[slots] * propensity[slots], pupils[slots])
    return group


def ensure_group_edge_cases(
    census_share: np.ndarray,
    population_group: np.ndarray,
    pupils: np.ndarray,
    group: np.ndarray,
    school_municipality: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Guarantee a municipality with only group pupils, one whose schools have none, and a school with none.

    The all-group municipality is one with the fewest schools and the highest census share; its schools shrink
    if needed so that they hold at most a quarter of the municipality's group population. Returns new
    (pupils, group) arrays.
    """
    pupils, group = pupils.copy(), group.copy()
    n = len(census_share)
    school_count = np.bincount(school_municipality, minlength=n)
    pupil_sum = np.bincount(school_municipality, weights=pupils, minlength=n)
    group_sum = np.bincount(school_municipality, weights=group, minlength=n)
    with_schools = np.flatnonzero((school_count > 0) & (pupil_sum > 0))
    if len(with_schools) < 2:
        return pupils, group
    all_group = with_schools[group_sum[with_schools] == pupil_sum[with_schools]]
    if len(all_group) == 0:
        candidates = with_schools[school_count[with_schools] == school_count[with_schools].min()]
        chosen = int(candidates[np.argmax(census_share[candidates])])
        in_chosen = school_municipality == chosen
        school_age = max(1, int(0.25 * population_group[chosen] / school_count[chosen]))
        pupils[in_chosen] = np.minimum(pupils[in_chosen], school_age)
        group[in_chosen] = pupils[in_chosen]
        all_group = np.array([chosen])
    candidates = np.setdiff1d(with_schools, all_group)
    if not (group_sum[candidates] == 0).any() and len(candidates):
        chosen = int(candidates[np.argmin(census_share[candidates])])
        group[school_municipality == chosen] = 0
    if not (pupils == 0).any():
        in_larger = ~np.isin(school_municipality, all_group) & (school_count[school_municipality] >= 2)
        candidates = np.flatnonzero(in_larger)
        if len(candidates):
            school = int(candidates[np.argmin(pupils[candidates])])
            pupils[school] = 0
            group[school] = 0
    return pupils, group


def assign_settlements(
    school_municipality: np.ndarray, n_municipalities: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return per school its settlement number within the municipality (0 = main town) and per municipality
    the number of settlements: first school in the main town, the others there or in 1..k villages."""
    counts = np.bincount(school_municipality, minlength=n_municipalities)
    settlements = 1 + rng.binomial(np.maximum(counts - 1, 0), 0.3)
    settlement = np.zeros(len(school_municipality), dtype=np.int64)
    starts = np.searchsorted(school_municipality, np.arange(n_municipalities + 1))
    for m in np.flatnonzero(settlements > 1):
        k = settlements[m]
        rest = rng.integers(0, 2 * (k - 1), size=counts[m] - 1)
        rest = np.where(rest >= k - 1, 0, rest + 1)  # half of the other schools stay in the main town
        rest[: k - 1] = np.arange(1, k)  # every village gets at least one school
        settlement[starts[m] + 1 : starts[m + 1]] = rest
    return settlement, settlements


def simulate_earlier_year(schools: pd.DataFrame, profile: DemoProfile, years_back: int,
                          rng: np.random.Generator, closed_in: str | None = None) -> pd.DataFrame:
    """The schools of a school year ``years_back`` years before the report year, with plausible change.

    The same schools under the same ids (registries keep them), each school's pupils drifting by a few per
    cent and its group pupils redrawn binomially at its report-year share: year-to-year noise. In
    ``changing_municipalities`` municipalities (with four or more schools and 60 or more group pupils) the
    earlier year was more segregated — half of each school's group pupils handed out to the schools with the
    highest shares first — so the report year shows a desegregation; in as many others it was less
    segregated — half handed out in proportion to pupils — so the report year shows segregation grown. The
    municipality ``closed_in``, without schools in the report year, had one school then (a school that closed,
    without coordinates): a code present in one year only.
    """
    earlier = schools.copy()
    pupils = earlier["pupils_total"].to_numpy(np.int64)
    group = earlier["pupils_group"].to_numpy(np.int64)
    share = np.where(pupils > 0, group / np.maximum(pupils, 1), 0.0)
    drift = np.exp(0.04 * years_back * rng.standard_normal(len(pupils)))
    earlier_pupils = np.where(pupils > 0, np.maximum(np.round(pupils * drift), profile.min_pupils), 0).astype(np.int64)
    earlier_group = rng.binomial(earlier_pupils, share)
    municipality = earlier["municipality_code"].to_numpy()
    codes, labels = np.unique(municipality, return_inverse=True)
    n_schools = np.bincount(labels, weights=pupils > 0)
    group_sum = np.bincount(labels, weights=earlier_group)
    total_sum = np.bincount(labels, weights=earlier_pupils)
    eligible = np.flatnonzero((n_schools >= 4) & (group_sum >= 60) & (group_sum < 0.7 * total_sum))
    k = min(profile.changing_municipalities, len(eligible) // 2)
    chosen = rng.permutation(eligible)[: 2 * k]
    for number, m in enumerate(chosen):
        slots = np.flatnonzero(labels == m)
        cap = earlier_pupils[slots]
        if number < k:  # more concentrated then: desegregation since
            weight = (share[slots] + 0.01) ** 4 * np.maximum(cap, 1)
        else:  # more even then: segregation grown since
            weight = cap.astype(float)
        target = water_fill(int(earlier_group[slots].sum()), weight, cap)
        earlier_group[slots] = np.minimum((earlier_group[slots] + target) // 2 + (earlier_group[slots] + target) % 2,
                                          cap)
    earlier["pupils_total"] = earlier_pupils
    earlier["pupils_group"] = earlier_group
    earlier["year"] = year_value(profile, profile.year - years_back)
    if closed_in is not None:
        closed = earlier.iloc[[0]].copy()
        closed[profile.school_id_column] = f"{earlier[profile.school_id_column].iloc[-1]}9"
        closed["municipality_code"] = closed_in
        closed[["settlement", "lon", "lat"]] = None
        closed["pupils_total"], closed["pupils_group"] = 60, 12
        earlier = pd.concat([earlier, closed], ignore_index=True)
    return earlier
