"""Stage ``demo_inputs``: the synthetic demonstration inputs of one demo country (:mod:`segmap.demo`)."""

from __future__ import annotations

from pathlib import Path

from segmap.demo import write_demo_inputs
from segmap.settings import DEMO_SEED


def write_demo_country(country: str, folder: str | Path, seed: int = DEMO_SEED) -> None:
    """Write ``schools.csv``, ``census.csv`` and ``municipalities.geojson`` of demo ``country`` into ``folder``."""
    write_demo_inputs(country, Path(folder), seed=seed)
