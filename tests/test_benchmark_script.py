"""The Spain-scale benchmark script runs end to end on its small smoke-test case."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

SCRIPT = REPO / "benchmarks" / "spain_scale.py"


def test_quick_benchmark_runs_and_prints_ratios():
    pytest.importorskip("segregation")
    completed = subprocess.run([sys.executable, str(SCRIPT), "--quick"], check=False, cwd=REPO,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "ratio" in completed.stdout
    assert "Summary" in completed.stdout


def test_school_years_benchmark_runs_and_prints_the_ratio():
    completed = subprocess.run([sys.executable, str(REPO / "benchmarks" / "school_years.py"), "--quick"], check=False,
                               cwd=REPO, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "ratio two years / one year" in completed.stdout and "Summary" in completed.stdout


def load_pipeline_benchmark():
    import importlib.util

    spec = importlib.util.spec_from_file_location("pipeline_benchmark", REPO / "benchmarks" / "pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pipeline_benchmark_names_every_rules_jobs():
    import re

    pipeline = load_pipeline_benchmark()
    rules = set()
    for smk in (REPO / "rules").glob("*.smk"):
        rules |= set(re.findall(r"^rule (\w+):", smk.read_text(encoding="utf-8"), flags=re.M))
    benchmark_files = {"es/report_D.2.6_es", "es/atlas_D.2.6_en", "es/maps_es", "es/change_map_en", "es/indices",
                       "es/region_maps", "es/demo_inputs", "es/prepare_geometry", "es/code_check", "es/ingest",
                       "es/publish"}
    assert {pipeline.rule_of(job) for job in benchmark_files} == rules


def test_pipeline_benchmark_eu_case_runs_at_small_scale(monkeypatch, capsys):
    pipeline = load_pipeline_benchmark()
    monkeypatch.setattr(pipeline, "EU_MUNICIPALITIES", 300)
    monkeypatch.setattr(pipeline, "EU_SCHOOLS", 750)
    monkeypatch.setattr(pipeline, "EU_REGIONS", 10)
    pipeline.eu_benchmark()
    printed = capsys.readouterr().out
    assert "300 municipalities" in printed and "indices stage" in printed and "peak" in printed
