"""Synthetic map data, its fixtures and the figure builders shared by the tests in tests/maps.

The fixtures of the test modules (``mainland``, ``with_insets``, ``with_capital``) wrap the builders
:func:`mainland_areas`, :func:`areas_with_insets` and :func:`areas_with_capital` (no conftest.py here: it
would shadow the ``conftest`` module that other tests import ``REPO`` from).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from segmap.maps.classes import INDICATOR_CLASSES
from segmap.maps.frames import Inset
from segmap.maps.national import build_choropleth_figure, build_school_points_figure
from segmap.maps.page import MapFigure

UNDEFINED = "Not defined (fewer than two schools or no Roma pupils)"
CATEGORY_LABELS = {
    "severe": "Severely segregated (≥ 80 %)",
    "segregated": "Segregated (50–80 %)",
    "below_threshold": "Below threshold (< 50 %)",
}


def grid(nx: int, ny: int, size: float, origin: tuple[float, float], prefix: str) -> gpd.GeoDataFrame:
    """A block of square municipalities (EPSG:3035 metres)."""
    x0, y0 = origin
    boxes, codes = [], []
    for i in range(nx):
        for j in range(ny):
            boxes.append(shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size))
            codes.append(f"{prefix}{i:02d}{j:02d}")
    return gpd.GeoDataFrame({"municipality_code": codes}, geometry=boxes, crs="EPSG:3035")


def with_values(areas: gpd.GeoDataFrame, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    n = len(areas)
    areas = areas.copy()
    areas["group_share"] = rng.uniform(0, 0.3, n)
    d = rng.uniform(0, 0.7, n)  # never reaches the 0.75–1.00 class: that class must still be in the legend
    d[rng.random(n) < 0.25] = np.nan
    areas["dissimilarity"] = d
    areas["region_code"] = [c[:2] for c in areas["municipality_code"]]
    return areas


def mainland_areas() -> gpd.GeoDataFrame:
    """A 12 x 9 block of 20 km municipalities with indicator values and NaNs."""
    return with_values(grid(12, 9, 20_000, (4_000_000, 2_500_000), "A"))


def areas_with_insets() -> tuple[gpd.GeoDataFrame, list[Inset]]:
    """Mainland plus an archipelago 1,000 km south-west and two tiny exclaves just south of it."""
    parts = [
        grid(12, 9, 20_000, (4_000_000, 2_500_000), "A"),
        grid(4, 2, 15_000, (3_100_000, 1_700_000), "C"),  # far away, "Canary Islands"
        grid(1, 1, 4_000, (4_060_000, 2_440_000), "E"),  # tiny, 60 km south, "Ceuta"
        grid(1, 1, 3_000, (4_160_000, 2_430_000), "F"),  # tiny, "Melilla"
    ]
    areas = with_values(pd.concat(parts, ignore_index=True))
    codes = areas["municipality_code"]
    insets = [
        Inset("Canary Islands", tuple(codes[codes.str.startswith("C")])),
        Inset("Ceuta", tuple(codes[codes.str.startswith("E")])),
        Inset("Melilla", tuple(codes[codes.str.startswith("F")])),
    ]
    return areas, insets


def areas_with_capital(with_insets) -> tuple[gpd.GeoDataFrame, list[Inset], Inset]:
    """``with_insets`` with one mainland municipality split into a "capital" of 4 x 4 municipalities of 5 km,
    the far-away insets and a zoom inset on the capital (last)."""
    areas, insets = with_insets
    parts = [
        areas[areas["municipality_code"] != "A0504"].drop(columns=["group_share", "dissimilarity", "region_code"]),
        grid(4, 4, 5_000, (4_100_000, 2_580_000), "K"),
    ]
    areas = with_values(pd.concat(parts, ignore_index=True), seed=7)
    capital = Inset("Capital", tuple(c for c in areas["municipality_code"] if c.startswith("K")), zoom=True)
    return areas, insets, capital


def centre_schools(areas: gpd.GeoDataFrame, seed: int = 2) -> gpd.GeoDataFrame:
    """One school at the centre of each municipality, with mixed categories."""
    rng = np.random.default_rng(seed)
    cats = np.array(["severe", "segregated", "below_threshold", "no_alternative", "no_pupils"])
    return gpd.GeoDataFrame(
        {
            "municipality_code": areas["municipality_code"].to_numpy(),
            "group_share": rng.uniform(0, 1, len(areas)),
            "category": cats[rng.integers(0, len(cats), len(areas))],
            "pupils_total": rng.integers(20, 1500, len(areas)),
        },
        geometry=areas.geometry.centroid.to_numpy(),
        crs=areas.crs,
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_choropleth(areas, column="dissimilarity", **kw) -> MapFigure:
    kw.setdefault("legend_title", "Dissimilarity index")
    kw.setdefault("undefined_label", UNDEFINED)
    return build_choropleth_figure(areas, column, INDICATOR_CLASSES[column], **kw)


def build_points(areas, schools, **kw) -> MapFigure:
    kw.setdefault("legend_title", "Schools")
    kw.setdefault("category_labels", CATEGORY_LABELS)
    kw.setdefault("size_legend_title", "Pupils")
    return build_school_points_figure(areas, schools, **kw)


def legend_boxes_in_data(mf: MapFigure) -> list:
    """Legend extents converted to data coordinates of the main frame (after a draw)."""
    mf.figure.canvas.draw()
    inv = mf.main_ax.transData.inverted()
    boxes = []
    for legend in mf.legends:
        bb = legend.get_window_extent().transformed(inv)
        boxes.append(shapely.box(bb.x0, bb.y0, bb.x1, bb.y1))
    return boxes


def n_points(ax) -> int:
    """Number of school markers in an axes (scatter collections have per-point sizes, polygons none)."""
    return sum(len(c.get_offsets()) for c in ax.collections if len(c.get_sizes()))
