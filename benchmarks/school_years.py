"""School-year benchmark: the cost of comparing two school years against the cost of one.

Builds a Spain-sized country (8,000 municipalities, about 20,000 schools, from the case of
``spain_scale.py``) in two school years — the same schools, pupils drifting by a few per cent and Roma
pupils redrawn — and times, side by side in one process:

1. **one year**: ``tables.year_indices`` for the report year — the school table and the municipality,
   region and national tables with random allocation and bootstrap (what the ``indices`` rule does for
   one year);
2. **two years and their change**: ``tables.year_indices`` for both years, keeping the bootstrap
   replicates, and ``change.change_tables`` — the paired bootstrap of the change at every level (what the
   rule does for two years).

Runs alternate (one, two, one, two, ...) so that a noisy machine affects both alike; the script prints
the median of each, their ratio and the target (two years within twice the cost of one), and the share
of the change step itself.

Usage::

    .venv/bin/python benchmarks/school_years.py            # default case, a few minutes on 2 cores
    .venv/bin/python benchmarks/school_years.py --quick    # small smoke test, a few seconds
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spain_scale import build_case, peak_rss_bytes  # noqa: E402  (the Spain-shaped synthetic country)

from segmap.stats import change  # noqa: E402
from segmap.stats import tables

DEFAULT_MUNICIPALITIES = 8_000
DEFAULT_SCHOOLS = 20_000
DEFAULT_REPLICATES = 500
DEFAULT_REPEATS = 3
TARGET_RATIO = 2.0
THRESHOLDS = {"segregated": 0.5, "severe": 0.8, "comparison": "at_least", "require_alternative": False}


def two_years(n_municipalities: int, n_schools: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The schools of two school years (the same ids) and the census of the Spain-shaped case."""
    case = build_case(n_municipalities, seed)
    rng = np.random.default_rng(seed + 1)
    keep = np.sort(rng.choice(case.n_schools, size=min(n_schools, case.n_schools), replace=False))
    codes = np.array([f"{m:05d}" for m in range(case.n_municipalities)])
    earlier = pd.DataFrame({
        "school_id": [f"s{i}" for i in keep], "school_name": None, "settlement": None, "lon": np.nan, "lat": np.nan,
        "municipality_code": codes[case.labels[keep]], "pupils_total": case.total[keep],
        "pupils_group": case.group[keep],
    })
    later = earlier.copy()
    later["pupils_total"] = np.maximum(1, np.round(earlier["pupils_total"] * np.exp(0.05 * rng.standard_normal(
        len(earlier))))).astype(np.int64)
    share = earlier["pupils_group"] / earlier["pupils_total"]
    later["pupils_group"] = rng.binomial(later["pupils_total"], share)
    regions = (np.arange(len(codes)) % 52).astype(str)  # 52 provinces
    census = pd.DataFrame({"municipality_code": codes, "municipality_name": codes, "region_code": regions,
                           "region_name": regions, "population_total": 10_000, "population_group": 100})
    return earlier, later, census


def one_year(later, census, inference):
    return tables.year_indices(later, census, THRESHOLDS, country="es", country_name="Spain",
                               inference_settings=inference, year="2023/24")


def two_years_and_change(earlier, later, census, inference):
    first = tables.year_indices(earlier, census, THRESHOLDS, country="es", country_name="Spain",
                                inference_settings=inference, year="2022/23", keep_draws=True)
    second = tables.year_indices(later, census, THRESHOLDS, country="es", country_name="Spain",
                                 inference_settings=inference, year="2023/24", keep_draws=True)
    started = time.perf_counter()
    result = change.change_tables(first.tables, second.tables, first.draws, second.draws)
    return result, time.perf_counter() - started


def timed(function):
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        result = function()
        return time.perf_counter() - started, result
    finally:
        gc.enable()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=DEFAULT_MUNICIPALITIES)
    parser.add_argument("--schools", type=int, default=DEFAULT_SCHOOLS)
    parser.add_argument("--replicates", type=int, default=DEFAULT_REPLICATES)
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument("--quick", action="store_true", help="small smoke test (300 municipalities, 50 replicates)")
    settings = parser.parse_args(argv)
    if settings.quick:
        settings.municipalities, settings.schools, settings.replicates, settings.repeats = 300, 900, 50, 1
    earlier, later, census = two_years(settings.municipalities, settings.schools, settings.seed)
    inference = {"random_allocation": {"replicates": settings.replicates, "seed": 1},
                 "bootstrap": {"replicates": settings.replicates, "seed": 2}}
    print(f"case: {len(census):,} municipalities in 52 regions, {len(later):,} schools per school year, "
          f"{settings.replicates} replicates (random allocation and bootstrap), {settings.repeats} runs each")
    singles, doubles, change_steps = [], [], []
    for run in range(settings.repeats):
        seconds, _ = timed(lambda: one_year(later, census, inference))
        singles.append(seconds)
        seconds, (result, change_seconds) = timed(lambda: two_years_and_change(earlier, later, census, inference))
        doubles.append(seconds)
        change_steps.append(change_seconds)
        print(f"  run {run + 1}: one year {singles[-1]:.2f} s, two years and their change {doubles[-1]:.2f} s "
              f"(change step {change_seconds:.2f} s)")
    single, double, change_step = (statistics.median(v) for v in (singles, doubles, change_steps))
    statuses = result["municipality"]["change_status"].value_counts().to_dict()
    ratio = double / single
    print("\nSummary (medians)")
    print(f"  one year's inference (3 levels):           {single:8.2f} s")
    print(f"  two years + paired-bootstrap change:       {double:8.2f} s  (change step {change_step:.2f} s, "
          f"{change_step / double:.1%})")
    print(f"  ratio two years / one year:                {ratio:8.2f}  target <= {TARGET_RATIO:.1f}: "
          f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    print(f"  municipalities by change status: {statuses}")
    print(f"  peak resident memory of this process: {peak_rss_bytes() / 1024 ** 2:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
