"""Deterministic synthetic demo inputs: schools, census and municipality boundaries.

Real school and census data cannot be shipped, so segmap generates inputs that look and behave like the real
ones (see DESIGN.md section 2); the same country, seed and profile always give byte-identical files. The model
is described in :mod:`segmap.demo.model`. Modules:

- :mod:`~segmap.demo.outlines`: the countries' land masses (:class:`Land`) as coarse lon/lat outlines;
- :mod:`~segmap.demo.profiles`: :class:`DemoProfile`, its building blocks and the built-in ``PROFILES``;
- :mod:`~segmap.demo.names`: synthetic place, school and settlement names;
- :mod:`~segmap.demo.geography`: municipalities (Voronoi cells) and contiguous regions;
- :mod:`~segmap.demo.population`: population, group shares, schools, pupils and earlier school years;
- :mod:`~segmap.demo.model`: :func:`build_demo`, which runs it all in order, and :class:`DemoData`;
- :mod:`~segmap.demo.writing`: :func:`write_demo_inputs`, the three files;
- :mod:`~segmap.demo.cli`: ``python -m segmap.demo bg data/raw/demo/bg [--seed N]``.
"""

from __future__ import annotations

from segmap.demo.model import DEFAULT_SEED, DemoData, build_demo
from segmap.demo.outlines import Land
from segmap.demo.profiles import PROFILES, Capital, DemoProfile, DensityKernel, Region, scale_profile
from segmap.demo.writing import write_demo_inputs

__all__ = [
    "DEFAULT_SEED",
    "Capital",
    "DemoData",
    "DemoProfile",
    "DensityKernel",
    "Land",
    "PROFILES",
    "Region",
    "build_demo",
    "scale_profile",
    "write_demo_inputs",
]
