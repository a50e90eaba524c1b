"""The shared drawing layer of all maps: geometries, polygons, figures and axes, deterministic saving.

Used by the national maps (:mod:`segmap.maps.national`, through :mod:`segmap.maps.page`) and the regional
maps (:mod:`segmap.maps.regional`):

* geometry helpers: :func:`geometries` (the shapely array of a layer), :func:`polygonal`, :func:`bounds`,
  :func:`pad_extent` and boxes (:data:`Box`, :func:`grow_box`);
* polygons: :func:`add_polygons` (simplified below the output resolution, one rasterisable
  :class:`~matplotlib.collections.PathCollection`), :func:`border_width`, :func:`drop_specks`;
* school markers: :func:`marker_diameter` (area proportional to pupils);
* figures and axes without pyplot: :func:`new_figure`, :func:`setup_axes`;
* :func:`save_figure`: PNG or SVG, byte-for-byte deterministic (with :func:`segmap.maps.style.map_style`),
  written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath

from segmap.files import atomic_path
from segmap.maps.style import (
    BORDER_WIDTH_RANGE,
    DPI,
    INSET_FRAME_COLOR,
    MARKER_DIAMETER_1000,
    MARKER_MIN_DIAMETER,
    SIMPLIFY_PX,
)


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


# --------------------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------------------


def geometries(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """Object array of the shapely geometries of a GeoDataFrame / GeoSeries."""
    series = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    return np.asarray(series.values, dtype=object)


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Polygons / MultiPolygons only (polygon parts of collections kept, others become empty)."""
    types = shapely.get_type_id(geoms)
    odd = ~np.isin(types, (3, 6))  # not Polygon / MultiPolygon
    if not odd.any():
        return geoms
    geoms = geoms.copy()
    for i in np.flatnonzero(odd):
        g = geoms[i]
        parts = [] if g is None else [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        geoms[i] = shapely.MultiPolygon(parts) if parts else shapely.Polygon()
    return geoms


def _polygon_paths(geoms: np.ndarray) -> list[MplPath]:
    """One compound matplotlib path per (multi)polygon, exteriors counter-clockwise, holes clockwise.

    Built from :func:`shapely.to_ragged_array` so 8,000 municipalities convert in a few milliseconds.
    Rings are closed by their repeated first vertex, so only MOVETO / LINETO codes are needed.
    """
    if len(geoms) == 0:
        return []
    geoms = polygonal(np.asarray(geoms, dtype=object))
    if hasattr(shapely, "orient_polygons"):  # shapely >= 2.1; older: keep the source orientation
        geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    gtype, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    if gtype == shapely.GeometryType.POLYGON:
        ring_offsets, geom_offsets = offsets
        first_ring = geom_offsets
    else:
        ring_offsets, polygon_offsets, geom_offsets = offsets
        first_ring = polygon_offsets[geom_offsets]
    vertex_bounds = ring_offsets[first_ring]
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    codes[ring_offsets[:-1]] = MplPath.MOVETO
    return [
        MplPath(coords[a:b], codes[a:b], readonly=True)
        for a, b in zip(vertex_bounds[:-1], vertex_bounds[1:])
    ]


def _simplify(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Topology-preserving simplification (never drops a polygon) below the output resolution."""
    if tolerance <= 0 or len(geoms) == 0:
        return geoms
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    """Total bounds of non-empty geometries."""
    b = shapely.total_bounds(geoms)
    if not np.all(np.isfinite(b)):
        raise ValueError("no non-empty geometry to draw")
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def pad_extent(ext: tuple[float, float, float, float], fraction: float = 0.012) -> tuple[float, ...]:
    """Extent grown by a fraction of its larger side (so borders are not clipped); never degenerate."""
    x0, y0, x1, y1 = ext
    pad = max(x1 - x0, y1 - y0, 1.0) * fraction
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def grow_box(box: Box, d: float) -> Box:
    """The box grown by ``d`` on every side."""
    return (box[0] - d, box[1] - d, box[2] + d, box[3] + d)


# --------------------------------------------------------------------------------------------------
# Polygons and markers
# --------------------------------------------------------------------------------------------------


def border_width(areas: gpd.GeoDataFrame, scale: float) -> float:
    """Municipality border width (pt): ~2 % of the median municipality size on the page, within bounds."""
    size_pt = float(np.median(np.sqrt(np.maximum(shapely.area(geometries(areas)), 0.0)))) * scale * 72
    lo, hi = BORDER_WIDTH_RANGE
    return float(np.clip(0.02 * size_pt, lo, hi))


def add_polygons(
    ax: Axes, geoms: np.ndarray, scale: float, zorder: float, merge: bool = False, **kw
) -> PathCollection | None:
    """Add simplified polygons as one rasterised PathCollection.

    ``merge=True`` joins all polygons into one compound path (one fill colour): Agg then draws a hatch
    pattern once instead of once per polygon, which is ~50x faster for thousands of hatched areas.
    """
    if len(geoms) == 0:
        return None
    tolerance = SIMPLIFY_PX / (DPI * scale)
    paths = _polygon_paths(_simplify(geoms, tolerance))
    if merge and len(paths) > 1:
        paths = [MplPath.make_compound_path(*paths)]
    coll = PathCollection(paths, rasterized=True, zorder=zorder, **kw)
    ax.add_collection(coll, autolim=False)
    return coll


def drop_specks(parts: np.ndarray, min_area: float) -> np.ndarray:
    """Polygon parts without holes / parts smaller than ``min_area``.

    Region outlines made by dissolving municipalities carry sliver holes and crumbs along shared
    borders; stroked, each shows as a dark speck. Real holes and islands are far above the threshold.
    """
    keep = []
    for part in parts:
        if part.area < min_area:
            continue
        holes = [ring for ring in part.interiors if shapely.Polygon(ring).area >= min_area]
        keep.append(part if len(holes) == len(part.interiors) else shapely.Polygon(part.exterior, holes))
    return np.asarray(keep, dtype=object)


def marker_diameter(pupils: np.ndarray) -> np.ndarray:
    """Marker diameter (pt) with area proportional to the number of pupils."""
    p = np.nan_to_num(np.asarray(pupils, dtype=float), nan=0.0).clip(min=0.0)
    return np.maximum(MARKER_DIAMETER_1000 * np.sqrt(p / 1000.0), MARKER_MIN_DIAMETER)


# --------------------------------------------------------------------------------------------------
# Figures, axes and saving
# --------------------------------------------------------------------------------------------------


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A pyplot-free figure with an Agg canvas (garbage-collected, no global registry)."""
    fig = Figure(figsize=figsize, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def setup_axes(fig: Figure, box_in: Box, limits: Box, framed: bool) -> Axes:
    """Axes at a position in figure inches with the given data limits, equal aspect, no ticks."""
    W, H = fig.get_size_inches()
    x0, y0, x1, y1 = box_in
    ax = fig.add_axes((x0 / W, y0 / H, (x1 - x0) / W, (y1 - y0) / H))
    ax.set_xlim(limits[0], limits[2])
    ax.set_ylim(limits[1], limits[3])
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    if framed:
        for spine in ax.spines.values():
            spine.set_color(INSET_FRAME_COLOR)
            spine.set_linewidth(0.6)
        ax.set_facecolor("white")
    else:
        ax.set_axis_off()
    return ax


def save_figure(fig: Figure, out_path: str | os.PathLike) -> Path:
    """Write a figure to ``.png`` (200 dpi) or ``.svg`` deterministically and atomically."""
    out = Path(out_path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported map format {out.suffix!r}: use .png or .svg")
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    with atomic_path(out) as temporary:
        fig.savefig(temporary, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
    return out
