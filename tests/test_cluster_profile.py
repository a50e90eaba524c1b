"""The workflow as a cluster runs it: every job submitted through the generic cluster executor
(``snakemake-executor-plugin-cluster-generic``) with the project's profile ``profiles/cluster-generic``, whose
submit script starts each job as a separate process and records the resources it was asked for; and the
SLURM and local profiles are valid Snakemake profiles asking for what the rules declare."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import REPO

pytestmark = pytest.mark.slow


def rule_resources() -> dict[str, dict[str, int]]:
    """RULE_RESOURCES of rules/common.smk, read from its source."""
    text = (REPO / "rules" / "common.smk").read_text(encoding="utf-8")
    block = re.search(r"RULE_RESOURCES = \{(.*?)\n\}", text, re.S).group(1)
    return {name: {"mem_mb": int(mem), "runtime": int(runtime)} for name, mem, runtime in re.findall(
        r'"(\w+)": \{"mem_mb": (\d+), "runtime": (\d+)\}', block)}


def test_every_rule_declares_threads_and_resources():
    declared = rule_resources()
    for smk in sorted((REPO / "rules").glob("*.smk")):
        for rule, body in re.findall(r"^rule (\w+):\n(.*?)(?=^rule |\Z)", smk.read_text(encoding="utf-8"),
                                     flags=re.M | re.S):
            assert "    threads: 1" in body, rule
            assert f'RULE_RESOURCES["{rule}"]["mem_mb"]' in body and f'RULE_RESOURCES["{rule}"]["runtime"]' in body, rule
            assert rule in declared, rule


def test_profiles_are_valid_yaml_for_their_executors():
    slurm = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text(encoding="utf-8"))
    assert slurm["executor"] == "slurm" and set(slurm["set-resources"]) <= set(rule_resources())
    assert {"mem_mb", "runtime"} <= set(slurm["default-resources"])
    local = yaml.safe_load((REPO / "profiles" / "local" / "config.yaml").read_text(encoding="utf-8"))
    assert local["cores"] == 4


def test_the_workflow_runs_job_by_job_through_a_cluster_executor(tmp_path, tiny_inputs):
    pytest.importorskip("snakemake_executor_plugin_cluster_generic")
    workdir = tmp_path / "work"
    workdir.mkdir()
    shutil.copytree(REPO / "profiles" / "cluster-generic", workdir / "profiles" / "cluster-generic")
    country = {"name": "Testland", "deliverable": "D.9.9", **{role: str(path) for role, path in tiny_inputs.items()}}
    (workdir / "config.yaml").write_text(yaml.safe_dump({"countries": {"xx": country}}), encoding="utf-8")
    targets = ["outputs/xx/published/national_indices.csv", "outputs/xx/atlas/D.9.9_atlas_xx_en.html"]
    command = [sys.executable, "-m", "snakemake", *targets, "-s", str(REPO / "Snakefile"), "--directory",
               str(workdir), "--configfile", str(workdir / "config.yaml"), "--profile",
               str(workdir / "profiles" / "cluster-generic")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=workdir)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for target in targets:
        assert (workdir / target).is_file(), target
    submitted = [line.split("\t") for line in (workdir / "logs" / "cluster" / "submitted.tsv").read_text().splitlines()]
    declared = rule_resources()
    rules = {rule for rule, *_ in submitted}
    assert {"ingest", "indices", "publish", "atlas"} <= rules  # each its own submitted job
    for rule, mem_mb, runtime, threads in submitted:
        assert (int(mem_mb), int(runtime), int(threads)) == (declared[rule]["mem_mb"], declared[rule]["runtime"], 1)
