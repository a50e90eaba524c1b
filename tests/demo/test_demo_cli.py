"""The demo's command line (segmap.demo.cli), run as ``python -m segmap.demo``."""

from __future__ import annotations

import subprocess
import sys


def test_runs_as_a_module():
    completed = subprocess.run([sys.executable, "-m", "segmap.demo", "--help"], capture_output=True, text=True,
                               timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "{be,bg,es}" in completed.stdout and "--seed" in completed.stdout
