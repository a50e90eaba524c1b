"""Spain-scale benchmark: segmap's vectorised indices and inference against PySAL ``segregation``.

Builds a synthetic country shaped like Spain (8,000 municipalities, about 36,000 schools, a few big
cities, a long tail of villages with one to three schools, Roma pupils concentrated in some schools)
and times, in the same process:

1. the point indices — PySAL's natural approach (one index object per municipality, in a Python
   loop) against one vectorised segmap call for every municipality at once, checking that both give
   the same numbers;
2. the inference — segmap's random allocation and bootstrap (all municipalities, each run in a fresh
   process to read its peak resident memory) against PySAL's ``ModifiedDissim`` and
   ``BiasCorrectedDissim`` on a sample of municipalities, extrapolated to the whole country.

PySAL is timed on per-municipality DataFrames prepared beforehand (the split is not timed) and only
for the municipalities where the indices are defined; segmap is timed on every municipality,
including the undefined ones. Both choices favour PySAL.

Usage::

    .venv/bin/python benchmarks/spain_scale.py            # default case, a few minutes on 2 cores
    .venv/bin/python benchmarks/spain_scale.py --quick    # small smoke test, a few seconds
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_MUNICIPALITIES = 8_000
DEFAULT_REPLICATES = 500
DEFAULT_PYSAL_SAMPLE = 500
DEFAULT_PYSAL_INFERENCE_SAMPLE = 25
DEFAULT_SEED = 20240901
SEGMAP_REPEATS = 15

QUICK_MUNICIPALITIES = 300
QUICK_REPLICATES = 50
QUICK_PYSAL_SAMPLE = 40
QUICK_PYSAL_INFERENCE_SAMPLE = 3

TARGET_POINT_RATIO = 1_000
TARGET_INFERENCE_SECONDS = 20.0
TARGET_INFERENCE_BYTES = 2 * 1024**3

#: Schools of the biggest cities in a country of DEFAULT_MUNICIPALITIES municipalities (scaled with
#: the number of municipalities for other sizes).
BIG_CITY_SCHOOLS = {
    "Madrid": 1_500, "Barcelona": 900, "Valencia": 380, "Sevilla": 320, "Zaragoza": 290,
    "Málaga": 260, "Murcia": 230, "Palma": 210,
}
#: The other municipalities have ceil(lognormal) schools, at most this many.
MAX_TOWN_SCHOOLS = 180
SCHOOL_PUPILS_MIN, SCHOOL_PUPILS_MAX = 20, 1_500

COLUMN_GROUP, COLUMN_OTHER, COLUMN_TOTAL = "roma", "other", "total"


# --------------------------------------------------------------------------------------------------
# The synthetic country
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """Schools of a synthetic country: each school's municipality, pupils and Roma pupils."""

    labels: np.ndarray   # municipality of each school, 0..n_municipalities-1
    group: np.ndarray    # Roma pupils per school
    total: np.ndarray    # pupils per school
    n_municipalities: int

    @property
    def n_schools(self) -> int:
        """Number of schools in the country."""
        return len(self.labels)

    def schools_per_municipality(self) -> np.ndarray:
        """Number of schools of each municipality."""
        return np.bincount(self.labels, minlength=self.n_municipalities)

    def defined(self) -> np.ndarray:
        """Municipalities where the indices are defined: >= 2 schools with pupils and 0 < Roma < pupils."""
        with_pupils = np.bincount(self.labels, weights=self.total > 0, minlength=self.n_municipalities)
        roma = np.bincount(self.labels, weights=self.group, minlength=self.n_municipalities)
        pupils = np.bincount(self.labels, weights=self.total, minlength=self.n_municipalities)
        return (with_pupils >= 2) & (roma > 0) & (roma < pupils)


def schools_per_municipality(rng: np.random.Generator, n_municipalities: int) -> np.ndarray:
    """Number of schools of each municipality: the big cities first, then a long-tailed rest.

    Most of the rest have one to three schools; a few towns reach ``MAX_TOWN_SCHOOLS``.
    """
    scale = n_municipalities / DEFAULT_MUNICIPALITIES
    cities = [max(2, round(n * scale)) for n in BIG_CITY_SCHOOLS.values()][:n_municipalities]
    n_towns = n_municipalities - len(cities)
    towns = np.ceil(rng.lognormal(mean=0.33, sigma=1.4, size=n_towns)).astype(np.int64)
    return np.concatenate([cities, np.clip(towns, 1, MAX_TOWN_SCHOOLS)]).astype(np.int64)


def school_pupils(rng: np.random.Generator, schools_in_municipality: np.ndarray) -> np.ndarray:
    """Pupils of each school: small village schools, bigger ones in towns and cities.

    Lognormal around a median that grows from about 60 (one-school villages) to about 350 (cities),
    clipped to SCHOOL_PUPILS_MIN..SCHOOL_PUPILS_MAX.
    """
    median = 350 - 290 * np.exp(-(schools_in_municipality - 1) / 15)
    pupils = rng.lognormal(mean=np.log(median), sigma=0.65)
    return np.clip(np.round(pupils), SCHOOL_PUPILS_MIN, SCHOOL_PUPILS_MAX).astype(np.int64)


def municipal_roma_share(rng: np.random.Generator, n_municipalities: int) -> tuple[np.ndarray, np.ndarray]:
    """Roma share of each municipality's pupils and whether it is one of the high-share places.

    A skewed mixture: most municipalities have 0-3% Roma pupils (Beta(0.7, 55), mean 1.3%), about
    one in twelve has 10-40% (Beta(2.5, 9), mean 22%).
    """
    high = rng.random(n_municipalities) < 0.08
    share = np.where(high, rng.beta(2.5, 9.0, n_municipalities), rng.beta(0.7, 55.0, n_municipalities))
    return share, high


def school_roma_propensity(rng: np.random.Generator, labels: np.ndarray, municipal_share: np.ndarray,
                           high_share: np.ndarray) -> np.ndarray:
    """Probability that a pupil of each school is Roma.

    On the logit scale: the municipality's share, plus mild school-to-school noise everywhere, plus —
    in "segregating" municipalities (a quarter of them, half of the high-share ones) — a large boost
    for a few schools (about one in ten) that concentrate the Roma pupils.
    """
    n_municipalities = len(municipal_share)
    segregating = rng.random(n_municipalities) < np.where(high_share, 0.5, 0.25)
    concentrating = segregating[labels] & (rng.random(len(labels)) < 0.10)
    boost = np.where(concentrating, rng.uniform(2.0, 4.0, len(labels)), 0.0)
    share = np.clip(municipal_share[labels], 1e-6, 1 - 1e-6)
    logit = np.log(share / (1 - share)) + rng.normal(0.0, 0.3, len(labels)) + boost
    return 1 / (1 + np.exp(-logit))


def build_case(n_municipalities: int, seed: int) -> Case:
    """A synthetic Spain-like country of ``n_municipalities`` municipalities, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    counts = schools_per_municipality(rng, n_municipalities)
    labels = np.repeat(np.arange(n_municipalities), counts)
    total = school_pupils(rng, counts[labels])
    share, high = municipal_roma_share(rng, n_municipalities)
    group = rng.binomial(total, school_roma_propensity(rng, labels, share, high))
    return Case(labels=labels, group=group.astype(np.int64), total=total, n_municipalities=n_municipalities)


def describe_case(case: Case) -> str:
    """One paragraph on the size and shape of the case."""
    counts = case.schools_per_municipality()
    roma, pupils = int(case.group.sum()), int(case.total.sum())
    small = int(((counts >= 1) & (counts <= 3)).sum())
    biggest = ", ".join(f"{name} {n:,}" for name, n in zip(BIG_CITY_SCHOOLS, counts[:3]))
    return (
        f"Synthetic case: {case.n_municipalities:,} municipalities and {case.n_schools:,} schools "
        f"({small:,} municipalities with 1-3 schools, median {np.median(counts):.0f}, largest {biggest}); "
        f"{pupils:,} pupils (school sizes {case.total.min():,}-{case.total.max():,}), of whom {roma:,} Roma "
        f"({roma / pupils:.1%}); {int((case.group > 0.5 * case.total).sum()):,} schools are more than half Roma. "
        f"The indices are defined (>= 2 schools with pupils, 0 < Roma < pupils) in "
        f"{int(case.defined().sum()):,} municipalities."
    )


# --------------------------------------------------------------------------------------------------
# Timing helpers
# --------------------------------------------------------------------------------------------------

@contextmanager
def garbage_collector_paused():
    """Pause Python's cyclic garbage collector while timing, as ``timeit`` does (for both libraries)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def median_seconds(function: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median wall time of ``repeats`` calls of ``function`` after one untimed warm-up call, and the
    result of the last call."""
    result = function()
    times = []
    with garbage_collector_paused():
        for _ in range(repeats):
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
    return statistics.median(times), result


def municipality_frames(case: Case, municipalities: np.ndarray) -> list[pd.DataFrame]:
    """One DataFrame of schools (roma, other, total) per municipality, as a PySAL user would pass."""
    order = np.argsort(case.labels, kind="stable")
    starts = np.searchsorted(case.labels[order], municipalities, side="left")
    ends = np.searchsorted(case.labels[order], municipalities, side="right")
    frames = []
    for start, end in zip(starts, ends):
        rows = order[start:end]
        group, total = case.group[rows], case.total[rows]
        frames.append(pd.DataFrame({COLUMN_GROUP: group, COLUMN_OTHER: total - group, COLUMN_TOTAL: total}))
    return frames


def sample_municipalities(rng: np.random.Generator, candidates: np.ndarray, size: int) -> np.ndarray:
    """``size`` municipalities drawn without replacement (all of them when size is 0 or too large)."""
    if size <= 0 or size >= len(candidates):
        return candidates
    return np.sort(rng.choice(candidates, size=size, replace=False))


def pysal_loop(make_statistic: Callable[[pd.DataFrame], float], frames: Sequence[pd.DataFrame]
               ) -> tuple[float, np.ndarray]:
    """Seconds to compute one PySAL index object per municipality, and the statistics."""
    with garbage_collector_paused():
        start = time.perf_counter()
        values = [make_statistic(frame) for frame in frames]
        seconds = time.perf_counter() - start
    return seconds, np.asarray(values, dtype=float)


# --------------------------------------------------------------------------------------------------
# Point indices
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointIndex:
    """One index: segmap's vectorised function and the PySAL class computing the same number."""

    name: str
    pysal_name: str
    segmap_function: Callable[..., np.ndarray]
    pysal_statistic: Callable[[pd.DataFrame], float]
    full_loop: bool  # time PySAL on every defined municipality rather than on a sample


def single_group(pysal_class) -> Callable[[pd.DataFrame], float]:
    """PySAL single-group index of a municipality's schools."""
    return lambda frame: pysal_class(frame, group_pop_var=COLUMN_GROUP, total_pop_var=COLUMN_TOTAL).statistic


def two_groups(pysal_class) -> Callable[[pd.DataFrame], float]:
    """PySAL multigroup index of a municipality's schools, with the groups Roma and other."""
    return lambda frame: pysal_class(frame, groups=[COLUMN_GROUP, COLUMN_OTHER]).statistic


def point_indices() -> list[PointIndex]:
    """The indices compared; PySAL is imported here so that its import warnings can be silenced."""
    from segregation.multigroup import MultiDivergence, MultiInfoTheory
    from segregation.singlegroup import CorrelationR, Dissim, Isolation

    from segmap.stats import indices

    return [
        PointIndex("dissimilarity", "Dissim", indices.dissimilarity, single_group(Dissim), True),
        PointIndex("isolation", "Isolation", indices.isolation, single_group(Isolation), False),
        PointIndex("normalised exposure", "CorrelationR", indices.normalised_exposure,
                   single_group(CorrelationR), False),
        PointIndex("mutual information", "MultiDivergence", indices.mutual_information,
                   two_groups(MultiDivergence), False),
        PointIndex("Theil's H", "MultiInfoTheory", indices.theil_h, two_groups(MultiInfoTheory), False),
    ]


@dataclass(frozen=True)
class Comparison:
    """PySAL against segmap for one task; PySAL seconds measured or extrapolated to every municipality."""

    task: str
    pysal_name: str
    pysal_seconds: float
    pysal_measured_on: int
    pysal_extrapolated_to: int
    segmap_seconds: float
    max_abs_difference: float | None = None

    @property
    def extrapolated(self) -> bool:
        """True when PySAL was timed on a sample and scaled to every defined municipality."""
        return self.pysal_measured_on < self.pysal_extrapolated_to

    @property
    def ratio(self) -> float:
        """How many times faster segmap is."""
        return self.pysal_seconds / self.segmap_seconds

    def pysal_note(self) -> str:
        """Whether the PySAL seconds were measured or extrapolated, and from how many municipalities."""
        if self.extrapolated:
            return f"extrapolated from {self.pysal_measured_on:,}"
        return f"measured on all {self.pysal_measured_on:,}"


def compare_point_index(index: PointIndex, case: Case, defined: np.ndarray, sample: np.ndarray,
                        frames: dict[int, pd.DataFrame]) -> Comparison:
    """Time one index with PySAL (per municipality) and segmap (all at once); check they agree."""
    measured = defined if index.full_loop else sample
    pysal_seconds, pysal_values = pysal_loop(index.pysal_statistic, [frames[m] for m in measured])
    segmap_seconds, segmap_values = median_seconds(
        lambda: index.segmap_function(case.labels, case.group, case.total, case.n_municipalities), SEGMAP_REPEATS)
    difference = float(np.max(np.abs(segmap_values[measured] - pysal_values))) if len(measured) else None
    return Comparison(
        task=index.name, pysal_name=index.pysal_name,
        pysal_seconds=pysal_seconds * len(defined) / max(len(measured), 1),
        pysal_measured_on=len(measured), pysal_extrapolated_to=len(defined),
        segmap_seconds=segmap_seconds, max_abs_difference=difference,
    )


# --------------------------------------------------------------------------------------------------
# Inference
# --------------------------------------------------------------------------------------------------

def peak_rss_bytes() -> int:
    """Peak resident memory of this process so far, in bytes.

    On Linux this is ``VmHWM`` of ``/proc/self/status``: ``ru_maxrss`` would not do there, because a
    spawned process is forked from the parent before it executes a new Python, and Linux carries the
    parent's resident size of that moment into the child's ``ru_maxrss``. Elsewhere ``ru_maxrss``
    (bytes on macOS, KiB on the other systems).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def segmap_inference_in_process(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_municipalities: int,
                                replicates: int, seed: int) -> dict[str, float]:
    """Random allocation then bootstrap on every municipality, run in a fresh process.

    Returns the seconds of each, the peak RSS after the imports and data (baseline) and the peak RSS
    after each step (the high-water mark only grows, so the last one is the peak of both together).
    """
    from segmap.stats import inference

    result = {"baseline_rss": peak_rss_bytes()}
    start = time.perf_counter()
    inference.random_allocation_indices(labels, group, total, n_municipalities, replicates=replicates,
                                        seed=[seed, 0])
    result["random_allocation_seconds"] = time.perf_counter() - start
    result["random_allocation_rss"] = peak_rss_bytes()
    start = time.perf_counter()
    inference.bootstrap_indices(labels, group, total, n_municipalities, replicates=replicates, seed=[seed, 1])
    result["bootstrap_seconds"] = time.perf_counter() - start
    result["both_rss"] = peak_rss_bytes()
    return result


def segmap_table_in_process(labels: np.ndarray, group: np.ndarray, total: np.ndarray, n_municipalities: int,
                            replicates: int, seed: int) -> dict[str, float]:
    """The full municipality table builder (point indices, random allocation, bootstrap), in a fresh process."""
    from segmap.stats import tables

    codes = [f"{m:05d}" for m in range(n_municipalities)]
    census = pd.DataFrame({
        "municipality_code": codes, "municipality_name": codes, "region_code": "00", "region_name": "Spain",
        "population_total": 0, "population_group": 0,
    })
    schools = pd.DataFrame({
        "school_id": [f"{i:06d}" for i in range(len(labels))],
        "municipality_code": np.asarray(codes)[labels], "pupils_total": total, "pupils_group": group,
    })
    thresholds = {"segregated": 0.30, "severe": 0.41, "comparison": "above", "require_alternative": False}
    settings = {"random_allocation": {"replicates": replicates, "seed": seed},
                "bootstrap": {"replicates": replicates, "seed": seed + 1}}
    school_table = tables.school_indices(schools, census, thresholds)
    baseline = peak_rss_bytes()
    start = time.perf_counter()
    tables.municipality_indices(school_table, census, settings)
    return {"seconds": time.perf_counter() - start, "baseline_rss": baseline, "rss": peak_rss_bytes()}


def run_in_fresh_process(function: Callable[..., dict], *args) -> dict:
    """Call ``function(*args)`` in a newly spawned Python process and return its result."""
    with multiprocessing.get_context("spawn").Pool(processes=1) as pool:
        return pool.apply(function, args)


def pysal_modified_dissim(replicates: int) -> Callable[[pd.DataFrame], float]:
    """Carrington–Troske dissimilarity with PySAL's defaults (joblib threads on every core)."""
    from segregation.singlegroup import ModifiedDissim

    return lambda frame: ModifiedDissim(frame, group_pop_var=COLUMN_GROUP, total_pop_var=COLUMN_TOTAL,
                                        iterations=replicates).statistic


def pysal_bias_corrected_dissim(replicates: int) -> Callable[[pd.DataFrame], float]:
    """Bootstrap bias-corrected dissimilarity (Allen et al. 2015)."""
    from segregation.singlegroup import BiasCorrectedDissim

    return lambda frame: BiasCorrectedDissim(frame, group_pop_var=COLUMN_GROUP, total_pop_var=COLUMN_TOTAL,
                                             B=replicates).statistic


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------

def format_bytes(count: float) -> str:
    """Bytes as MB (MiB), for the memory lines."""
    return f"{count / 1024**2:,.0f} MB"


def verdict(passed: bool) -> str:
    """PASS or FAIL against a target."""
    return "PASS" if passed else "FAIL"


def print_point_comparison(comparison: Comparison) -> None:
    """One line per point index: PySAL seconds (measured or extrapolated), segmap ms, ratio, agreement."""
    difference = "n/a" if comparison.max_abs_difference is None else f"{comparison.max_abs_difference:.1e}"
    print(f"  {comparison.task:<20} PySAL {comparison.pysal_name:<16} {comparison.pysal_seconds:9.2f} s "
          f"({comparison.pysal_note()})  segmap {comparison.segmap_seconds * 1e3:7.2f} ms  "
          f"ratio {comparison.ratio:>9,.0f}x  max |diff| {difference}")


def print_summary(comparisons: Sequence[Comparison], inference: dict, table: dict | None) -> None:
    """The final table: every task with PySAL seconds, segmap seconds and ratio, then the targets."""
    print("\nSummary (PySAL seconds for every defined municipality; * = extrapolated from a sample)")
    print(f"  {'task':<34} {'PySAL s':>11} {'segmap s':>10} {'ratio':>10}")
    for comparison in comparisons:
        star = "*" if comparison.extrapolated else " "
        print(f"  {comparison.task:<34} {comparison.pysal_seconds:10.2f}{star} {comparison.segmap_seconds:10.5f} "
              f"{comparison.ratio:>9,.0f}x")
    if table is not None:
        print(f"  {'municipality table (segmap only)':<34} {'':>11} {table['seconds']:10.5f}")
    point = [c for c in comparisons if c.max_abs_difference is not None]
    worst_ratio = min(c.ratio for c in point)
    seconds = inference["random_allocation_seconds"] + inference["bootstrap_seconds"]
    print(f"\nTargets (set for the Spain-scale default of {DEFAULT_MUNICIPALITIES:,} municipalities)")
    print(f"  point indices ratio >= {TARGET_POINT_RATIO:,}x: lowest {worst_ratio:,.0f}x  "
          f"{verdict(worst_ratio >= TARGET_POINT_RATIO)}")
    print(f"  random allocation + bootstrap < {TARGET_INFERENCE_SECONDS:.0f} s: {seconds:.2f} s  "
          f"{verdict(seconds < TARGET_INFERENCE_SECONDS)}")
    print(f"  random allocation + bootstrap peak RSS < {format_bytes(TARGET_INFERENCE_BYTES)}: "
          f"{format_bytes(inference['both_rss'])}  {verdict(inference['both_rss'] < TARGET_INFERENCE_BYTES)}")
    agreement = max(c.max_abs_difference for c in point)
    print(f"  segmap = PySAL on the point indices: max |diff| {agreement:.1e}  {verdict(agreement < 1e-9)}")


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """What to run, from the command line."""

    municipalities: int
    replicates: int
    pysal_sample: int
    pysal_inference_sample: int
    seed: int
    table: bool


def parse_settings(argv: Sequence[str] | None) -> Settings:
    """Settings from the command line; ``--quick`` changes the defaults, explicit options still win."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--municipalities", type=int, help=f"default {DEFAULT_MUNICIPALITIES:,}")
    parser.add_argument("--replicates", type=int, help=f"random allocation and bootstrap replicates "
                                                       f"(default {DEFAULT_REPLICATES})")
    parser.add_argument("--pysal-sample", type=int,
                        help=f"municipalities PySAL is timed on for the sampled point indices, then extrapolated "
                             f"(default {DEFAULT_PYSAL_SAMPLE}; 0 = all, no extrapolation)")
    parser.add_argument("--pysal-inference-sample", type=int,
                        help=f"municipalities PySAL's ModifiedDissim and BiasCorrectedDissim are timed on "
                             f"(default {DEFAULT_PYSAL_INFERENCE_SAMPLE}; 0 = all, hours at Spain scale)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
    parser.add_argument("--no-table", action="store_true", help="skip timing the full municipality table")
    parser.add_argument("--quick", action="store_true",
                        help=f"small case for a smoke test ({QUICK_MUNICIPALITIES} municipalities, "
                             f"{QUICK_REPLICATES} replicates); explicit options still win")
    arguments = parser.parse_args(argv)

    def pick(value, default, quick):
        return value if value is not None else (quick if arguments.quick else default)

    return Settings(
        municipalities=pick(arguments.municipalities, DEFAULT_MUNICIPALITIES, QUICK_MUNICIPALITIES),
        replicates=pick(arguments.replicates, DEFAULT_REPLICATES, QUICK_REPLICATES),
        pysal_sample=pick(arguments.pysal_sample, DEFAULT_PYSAL_SAMPLE, QUICK_PYSAL_SAMPLE),
        pysal_inference_sample=pick(arguments.pysal_inference_sample, DEFAULT_PYSAL_INFERENCE_SAMPLE,
                                    QUICK_PYSAL_INFERENCE_SAMPLE),
        seed=arguments.seed,
        table=not arguments.no_table,
    )


def silence_warnings() -> None:
    """PySAL and libpysal warn on import and on every index object (and set numpy's error state)."""
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")


def compare_point_indices(case: Case, defined: np.ndarray, sample: np.ndarray,
                          frames: dict[int, pd.DataFrame]) -> list[Comparison]:
    """Time and check every point index, printing one line each."""
    print(f"\nPoint indices: PySAL loops over one index object per defined municipality ({len(defined):,}; "
          f"DataFrames split beforehand, not timed); segmap computes all {case.n_municipalities:,} municipalities "
          f"in one call (median of {SEGMAP_REPEATS}). Max |diff| over the municipalities PySAL computed.")
    comparisons = []
    for index in point_indices():
        comparisons.append(compare_point_index(index, case, defined, sample, frames))
        print_point_comparison(comparisons[-1])
    return comparisons


def compare_inference(case: Case, settings: Settings, defined: np.ndarray, sample: np.ndarray,
                      frames: dict[int, pd.DataFrame]) -> tuple[list[Comparison], dict]:
    """Time segmap's random allocation and bootstrap (fresh process, peak RSS) and PySAL's equivalents."""
    print(f"\nInference, {settings.replicates} replicates: segmap on all {case.n_municipalities:,} municipalities, "
          f"in a fresh spawned process (peak RSS = its VmHWM); PySAL timed on {len(sample):,} municipalities "
          f"and extrapolated to {len(defined):,}. The estimators differ (ModifiedDissim draws each school's "
          f"Roma pupils binomially, segmap hypergeometrically) — speed only.")
    inference = run_in_fresh_process(segmap_inference_in_process, *case_arguments(case, settings))
    print(f"  process baseline (imports + data): peak RSS {format_bytes(inference['baseline_rss'])}")
    comparisons = []
    for task, pysal_name, make_statistic, seconds_key, rss_key in (
            ("random allocation (D*)", "ModifiedDissim", pysal_modified_dissim(settings.replicates),
             "random_allocation_seconds", "random_allocation_rss"),
            ("bootstrap (bias-corrected D)", "BiasCorrectedDissim", pysal_bias_corrected_dissim(settings.replicates),
             "bootstrap_seconds", "both_rss")):
        pysal_seconds, _ = pysal_loop(make_statistic, [frames[m] for m in sample])
        comparison = Comparison(
            task=task, pysal_name=pysal_name, pysal_seconds=pysal_seconds * len(defined) / len(sample),
            pysal_measured_on=len(sample), pysal_extrapolated_to=len(defined), segmap_seconds=inference[seconds_key])
        comparisons.append(comparison)
        print(f"  {task:<28} PySAL {pysal_name:<19} {comparison.pysal_seconds:9.1f} s ({comparison.pysal_note()})  "
              f"segmap {comparison.segmap_seconds:6.2f} s  ratio {comparison.ratio:>7,.0f}x  "
              f"peak RSS so far {format_bytes(inference[rss_key])}")
    return comparisons, inference


def time_municipality_table(case: Case, settings: Settings) -> dict:
    """Time segmap's full municipality table builder in a fresh process and print it."""
    table = run_in_fresh_process(segmap_table_in_process, *case_arguments(case, settings))
    print(f"  segmap tables.municipality_indices (all indices + both simulations, fresh process): "
          f"{table['seconds']:.2f} s, peak RSS {format_bytes(table['rss'])} "
          f"(baseline {format_bytes(table['baseline_rss'])})")
    return table


def case_arguments(case: Case, settings: Settings) -> tuple:
    """The arguments the fresh-process workers take: the case's arrays, replicates and seed."""
    return case.labels, case.group, case.total, case.n_municipalities, settings.replicates, settings.seed


def main(argv: Sequence[str] | None = None) -> int:
    """Build the case, run every comparison, print the summary; exit status 0 (1 without any defined area)."""
    settings = parse_settings(argv)
    silence_warnings()
    case = build_case(settings.municipalities, settings.seed)
    print(describe_case(case))
    defined = np.flatnonzero(case.defined())
    if len(defined) == 0:
        print("No municipality with defined indices: nothing to compare.")
        return 1
    rng = np.random.default_rng([settings.seed, 1])
    sample = sample_municipalities(rng, defined, settings.pysal_sample)
    inference_sample = sample_municipalities(rng, defined, settings.pysal_inference_sample)
    frames = dict(zip(defined.tolist(), municipality_frames(case, defined)))

    comparisons = compare_point_indices(case, defined, sample, frames)
    inference_comparisons, inference = compare_inference(case, settings, defined, inference_sample, frames)
    table = time_municipality_table(case, settings) if settings.table else None
    print_summary(comparisons + inference_comparisons, inference, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
