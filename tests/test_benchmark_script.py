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
