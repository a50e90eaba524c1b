"""A full disk: a plain message naming the file, exit code 1, no traceback, no partial output."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pandas as pd
import pytest

from conftest import REPO
from segmap import files
from segmap.errors import DiskFullError


def _full_disk(monkeypatch, code=errno.ENOSPC):
    def replace(source, target):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr(files.os, "replace", replace)


def test_a_full_disk_names_the_file_and_leaves_nothing(tmp_path, monkeypatch):
    _full_disk(monkeypatch)
    target = tmp_path / "data" / "processed" / "xx" / "schools.csv"
    with pytest.raises(DiskFullError, match=r"no space left on the disk while writing .*schools.csv.*free some space"):
        files.write_csv(pd.DataFrame({"a": [1]}), target)
    assert list(target.parent.iterdir()) == []  # not even the temporary file


def test_a_full_quota_says_so(tmp_path, monkeypatch):
    _full_disk(monkeypatch, errno.EDQUOT)
    with pytest.raises(DiskFullError, match="the disk quota is exceeded while writing"):
        files.write_json({"a": 1}, tmp_path / "inputs.json")


def test_other_write_errors_keep_their_own_type(tmp_path, monkeypatch):
    _full_disk(monkeypatch, errno.EACCES)
    with pytest.raises(PermissionError):
        files.write_json({"a": 1}, tmp_path / "inputs.json")


def test_a_figure_on_a_full_disk(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from segmap.maps.draw import save_figure

    _full_disk(monkeypatch)
    with pytest.raises(DiskFullError, match="map.svg"):
        save_figure(Figure(), tmp_path / "map.svg")
    assert list(tmp_path.iterdir()) == []


def test_a_rule_on_a_full_disk_exits_1_with_a_plain_message(tmp_path):
    script = f"""
import errno, os
from segmap import files
from segmap.logs import run_logged
import pandas as pd
def replace(source, target):
    raise OSError(errno.ENOSPC, "No space left on device")
files.os.replace = replace
run_logged({str(tmp_path / 'rule.log')!r}, lambda: files.write_csv(pd.DataFrame({{'a': [1]}}),
                                                                   {str(tmp_path / 'out.csv')!r}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("segmap: no space left on the disk while writing ")
    assert "out.csv" in result.stderr and "Traceback" not in result.stderr
    assert "no space left on the disk" in (tmp_path / "rule.log").read_text()
    assert not (tmp_path / "out.csv").exists()
