"""Provenance: what made an output — package versions, the git commit, a digest of the settings, and how
each input was read.

The ingest stage records the inputs (:func:`reading_record`) in ``data/processed/{country}/inputs.json``;
the report stage adds :func:`package_versions`, :func:`git_commit` and :func:`settings_digest` and prints
them on the data-sources page.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

REPORTED_PACKAGES = ["segmap", "numpy", "pandas", "geopandas", "shapely", "pyogrio", "matplotlib",
                     "jinja2", "weasyprint", "snakemake"]


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers and the report."""
    versions = {"python": platform.python_version()}
    for name in REPORTED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(folder: str | Path) -> str:
    """The git commit of the code that made the outputs (``-modified`` when tracked files were changed),
    or ``not a git checkout``."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True,
                              timeout=20).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return commit + ("-modified" if changed else "")


def settings_digest(settings: Mapping[str, Any]) -> str:
    """SHA-256 of the country's settings as canonical JSON (changes when any setting changes)."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def reading_record(spec: Mapping[str, Any], table: pd.DataFrame | None) -> dict[str, Any]:
    """How an input was read, for the provenance record: encoding (and whether it was detected),
    separator, header rows when more than one, recipe and the recipe's choice of census total."""
    record: dict[str, Any] = {}
    attrs = table.attrs if table is not None else {}
    for key in ("encoding", "encoding_detected", "sep", "census_total"):
        if key in attrs and attrs[key] is not None:
            record[key] = attrs[key]
    if (spec.get("header_rows") or 1) > 1:
        record["header_rows"] = spec["header_rows"]
    if spec.get("recipe"):
        recipe = spec["recipe"]
        record["recipe"] = recipe if isinstance(recipe, str) else recipe.get("name")
    return record
