"""One country at a time: a target per country, `build:` in an extra config file, the working order of the
command line (dry runs: only what Snakemake plans is checked)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from conftest import REPO
from test_workflow import SNAKEMAKE


def _config(folder, tiny_inputs, **top) -> str:
    """An extra config file with the country xx, in a folder that has the checkout's config/config.yaml (the
    three demo countries), as a partner's working copy has."""
    (folder / "config").mkdir(exist_ok=True)
    shutil.copy(REPO / "config" / "config.yaml", folder / "config" / "config.yaml")
    entry = {"name": "Testland", "deliverable": "D.9.9", **{role: str(path) for role, path in tiny_inputs.items()}}
    path = folder / "mine.yaml"
    path.write_text(yaml.safe_dump({"countries": {"xx": entry}, **top}), encoding="utf-8")
    return str(path)


def _plan(*arguments, cwd) -> tuple[subprocess.CompletedProcess, dict[str, int]]:
    """Snakemake's dry run from ``cwd`` with the repository's Snakefile: (result, jobs per rule)."""
    result = subprocess.run([*SNAKEMAKE, "-n", "-s", str(REPO / "Snakefile"), "--directory", str(cwd), *arguments],
                            capture_output=True, text=True, timeout=300)
    table = result.stdout.split("Job stats:")[-1] if "Job stats:" in result.stdout else ""
    jobs = {name: int(count) for name, count in re.findall(r"^(\w+)\s+(\d+)$", table, re.M) if name != "total"}
    return result, jobs


def _countries(result) -> set[str]:
    """The countries whose rules run in the plan (from the outputs under outputs/ and data/processed/)."""
    return set(re.findall(r"(?:outputs|data/processed)/(\w+)/", result.stdout))


@pytest.mark.parametrize("order", [
    ["xx", "--cores", "4", "--configfile", "{config}"],          # the target first
    ["--configfile", "{config}", "--cores", "4", "xx"],          # --cores ends the list of config files
])
def test_a_target_per_country_in_an_order_that_works(order, tmp_path, tiny_inputs):
    config = _config(tmp_path, tiny_inputs)
    result, jobs = _plan(*[a.format(config=config) for a in order], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert jobs["xx"] == 1 and jobs["report"] == 1 and jobs["publish"] == 1
    assert _countries(result) == {"xx"}  # not the demo countries


def test_a_target_right_after_configfile_is_read_as_a_config_file(tmp_path, tiny_inputs):
    config = _config(tmp_path, tiny_inputs)
    result, _ = _plan("--cores", "4", "--configfile", config, "xx", cwd=tmp_path)
    assert result.returncode != 0  # why the README shows the orders above


def test_build_lists_the_countries_that_all_builds(tmp_path, tiny_inputs):
    config = _config(tmp_path, tiny_inputs, build=["xx"])
    result, jobs = _plan("--cores", "4", "--configfile", config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _countries(result) == {"xx"} and jobs["all"] == 1
    # on the command line instead of the file
    config = _config(tmp_path, tiny_inputs)
    result, _ = _plan("--cores", "4", "--configfile", config, "--config", "build=[xx]", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _countries(result) == {"xx"}
    # without build: every configured country
    result, _ = _plan("--cores", "4", "--configfile", config, cwd=tmp_path)
    assert {"xx", "bg", "es", "be"} <= _countries(result)


def test_unknown_build_country_and_a_country_named_like_a_rule_are_errors(tmp_path, tiny_inputs):
    config = _config(tmp_path, tiny_inputs, build=["xy"])
    result, _ = _plan("--cores", "1", "--configfile", config, cwd=tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "build: 'xy' is not configured under 'countries:' (configured: be, bg, es, xx)" in output
    entry = {"name": "Clash", "deliverable": "D.9.9", **{role: str(path) for role, path in tiny_inputs.items()}}
    (tmp_path / "clash.yaml").write_text(yaml.safe_dump({"countries": {"maps": entry}}), encoding="utf-8")
    result, _ = _plan("--cores", "1", "--configfile", str(tmp_path / "clash.yaml"), cwd=tmp_path)
    assert result.returncode != 0
    assert "the key 'maps' is also the name of a rule" in result.stdout + result.stderr
