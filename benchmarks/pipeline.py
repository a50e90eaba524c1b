"""The whole pipeline's speed: the demo built from clean, per rule, and the indices stage at EU scale.

1. **Demo** (``--runs`` times, default 3): the workflow is run from clean in a temporary folder
   (``snakemake --cores N`` on this checkout's Snakefile and config; the demo inputs are generated there too),
   then once more with nothing to do (the no-op run). Per job, the median over the runs of the wall time and
   the peak resident memory that Snakemake's ``benchmark:`` files record; per rule the sum over its jobs; the
   median total wall time of the runs; the no-op time.
2. **EU scale** (``--eu``): the ``indices`` stage (:func:`segmap.stages.indices.compute_indices`, with the
   demo's 500 + 500 replicates) on one synthetic country of about 100,000 municipalities and 250,000 schools
   in 1,000 regions, in a fresh process, with its wall time and peak memory.

Read ratios, not seconds, on a shared machine. Usage::

    .venv/bin/python benchmarks/pipeline.py                 # demo, three runs (several minutes)
    .venv/bin/python benchmarks/pipeline.py --runs 1 --eu   # one demo run and the EU-scale indices
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
EU_MUNICIPALITIES = 100_000
EU_SCHOOLS = 250_000
EU_REGIONS = 1_000
EU_SEED = 20261206


def run_demo(folder: Path, cores: int) -> tuple[float, dict[str, tuple[float, float]]]:
    """Build the demo from clean in ``folder``; wall seconds and, per job, (seconds, peak MB) from its
    benchmark file (``benchmarks/{country}/{job}.tsv``)."""
    command = [*SNAKEMAKE, "-s", str(REPO / "Snakefile"), "--directory", str(folder), "--configfile",
               str(REPO / "config" / "config.yaml"), "--cores", str(cores), "--quiet"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    jobs = {}
    for path in sorted((folder / "benchmarks").glob("*/*.tsv")):
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        jobs[f"{path.parent.name}/{path.stem}"] = (float(row["s"]), float(row["max_rss"] or 0.0))
    return wall, jobs


def no_op(folder: Path, cores: int) -> float:
    command = [*SNAKEMAKE, "-s", str(REPO / "Snakefile"), "--directory", str(folder), "--configfile",
               str(REPO / "config" / "config.yaml"), "--cores", str(cores), "--quiet"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def rule_of(job: str) -> str:
    """``es/report_D.2.6_es`` -> ``report`` (the rule names of rules/*.smk)."""
    stem = job.split("/", 1)[1]
    for rule in ("demo_inputs", "prepare_geometry", "code_check", "region_maps", "change_map", "ingest", "indices",
                 "publish", "maps", "report", "atlas"):
        if stem == rule or stem.startswith(rule + "_"):
            return rule
    return stem


def demo_benchmark(runs: int, cores: int) -> None:
    walls, jobs, no_ops = [], defaultdict(list), []
    for number in range(runs):
        with tempfile.TemporaryDirectory(prefix="segmap-pipeline-") as folder:
            wall, measured = run_demo(Path(folder), cores)
            walls.append(wall)
            for job, values in measured.items():
                jobs[job].append(values)
            no_ops.append(no_op(Path(folder), cores))
        print(f"run {number + 1}: {wall:.1f} s", flush=True)
    per_rule = defaultdict(lambda: [0.0, 0.0, 0])
    print(f"\n{'job':<32} {'median s':>9} {'peak MB':>8}")
    for job in sorted(jobs):
        seconds = statistics.median(v[0] for v in jobs[job])
        peak = max(v[1] for v in jobs[job])
        print(f"{job:<32} {seconds:>9.1f} {peak:>8.0f}")
        entry = per_rule[rule_of(job)]
        entry[0] += seconds
        entry[1] = max(entry[1], peak)
        entry[2] += 1
    print(f"\n{'rule':<18} {'jobs':>5} {'sum of medians s':>17} {'peak MB':>8}")
    for rule, (seconds, peak, count) in sorted(per_rule.items(), key=lambda item: -item[1][0]):
        print(f"{rule:<18} {count:>5} {seconds:>17.1f} {peak:>8.0f}")
    print(f"\ntotal (wall, median of {runs}, --cores {cores}): {statistics.median(walls):.1f} s; "
          f"sum of job times: {sum(v[0] for v in per_rule.values()):.1f} s; "
          f"no-op run: {statistics.median(no_ops):.1f} s")


def eu_inputs(folder: Path) -> tuple[Path, Path]:
    """A synthetic country of EU size in the processed layout (schools.csv, census.csv)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from spain_scale import municipal_roma_share, school_pupils, school_roma_propensity

    rng = np.random.default_rng(EU_SEED)
    counts = 1 + rng.poisson(EU_SCHOOLS / EU_MUNICIPALITIES - 1, EU_MUNICIPALITIES)
    labels = np.repeat(np.arange(EU_MUNICIPALITIES), counts)
    total = school_pupils(rng, counts[labels])
    share, high = municipal_roma_share(rng, EU_MUNICIPALITIES)
    group = rng.binomial(total, school_roma_propensity(rng, labels, share, high))
    codes = np.array([f"M{n:06d}" for n in range(EU_MUNICIPALITIES)])
    regions = np.array([f"R{n:04d}" for n in rng.integers(0, EU_REGIONS, EU_MUNICIPALITIES)])
    population = np.maximum(np.bincount(labels, weights=total, minlength=EU_MUNICIPALITIES) * 8, 100).astype(int)
    census = pd.DataFrame({"municipality_code": codes, "municipality_name": codes, "region_code": regions,
                           "region_name": regions, "population_total": population,
                           "population_group": (population * share).astype(int)})
    schools = pd.DataFrame({"school_id": [f"S{n:07d}" for n in range(len(labels))], "school_name": "School",
                            "municipality_code": codes[labels], "settlement": codes[labels],
                            "pupils_total": total, "pupils_group": group, "lon": "", "lat": "",
                            "year": "2025/26"})
    census.to_csv(folder / "census.csv", index=False)
    schools.to_csv(folder / "schools.csv", index=False)
    return folder / "schools.csv", folder / "census.csv"


CHILD = """
import json, resource, sys, time
from segmap.settings import inference_settings
from segmap.stages.indices import compute_indices
folder = sys.argv[1]
tables = ["school", "municipality", "region", "national"]
start = time.perf_counter()
compute_indices(folder + "/schools.csv", folder + "/census.csv", country="eu", country_name="EU-size",
                thresholds={"segregated": 0.5, "severe": 0.8, "comparison": "at_least", "require_alternative": False},
                inference=inference_settings(), outputs={t: f"{folder}/{t}_indices.csv" for t in tables})
print(json.dumps({"seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def eu_benchmark() -> None:
    with tempfile.TemporaryDirectory(prefix="segmap-eu-") as folder:
        schools, _census = eu_inputs(Path(folder))
        n_schools = sum(1 for _ in schools.open()) - 1
        result = subprocess.run([sys.executable, "-c", CHILD, folder], check=True, capture_output=True, text=True)
        measured = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\nEU scale: {EU_MUNICIPALITIES:,} municipalities, {n_schools:,} schools, {EU_REGIONS:,} regions, "
          f"500 + 500 replicates: indices stage {measured['seconds']:.1f} s, peak {measured['peak_mb']:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--eu", action="store_true", help="also the indices stage at EU scale")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo runs")
    args = parser.parse_args(argv)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    if not args.no_demo:
        demo_benchmark(args.runs, args.cores)
    if args.eu:
        eu_benchmark()
    return 0


if __name__ == "__main__":
    sys.exit(main())
