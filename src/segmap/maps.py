"""Map figures for the segmap reports.

Two kinds of maps, both drawn from a GeoDataFrame of municipalities in a projected, equal-area CRS in
metres (the pipeline passes EPSG:3035):

* :func:`choropleth_map` — one indicator per municipality, coloured by **fixed** class breaks
  (:data:`INDICATOR_CLASSES`), the same on every map of a report, with a hatched grey class for areas
  where the index is undefined;
* :func:`school_points_map` — highlighted schools as points sized by pupils and coloured by segregation
  category, over faint grey context dots (scaled down with their crowding) and a light municipality base.

Cartographic conventions (national statistical atlas style):

* colour-blind-safe sequential ColorBrewer palettes, one colour per class; every class is shown in the
  legend, even if no area falls into it, optionally with the number of areas;
* undefined values: very light grey with medium-grey hatching and their own legend entry;
* thin white municipality borders (thinner when municipalities are small on the page), much wider
  near-black region outlines;
* far-away territories (Canary Islands, Ceuta, Melilla ...) drawn in framed insets placed in empty space
  on the side of their true position (the Canary Islands lower left, Ceuta and Melilla at the bottom),
  extending the frame there when needed; they are excluded from the main frame's extent;
* zoom insets (a capital such as Sofia or Brussels): a framed box in empty space showing, magnified, a window
  around some municipalities and their surroundings, which stay in the main frame too, where a thin
  rectangle marks the window;
* one layout for all maps of the same areas: the legend goes in an area of fixed size beside, below or
  inside the map frame (whichever gives the largest map without covering land), so that figure size, map
  scale and position, inset boxes and the scale bar follow from the geometry alone and are identical on the
  choropleths and the school map of a report, whatever their legends say; a scale bar in km sits in an
  empty corner; no title (the report prints titles) and every piece of text comes from the arguments so
  that reports can be translated.

Output is PNG (200 dpi) or SVG (polygons and points rasterised at 200 dpi, text kept as ``<text>``),
byte-for-byte deterministic, written atomically. Figures are created with :class:`matplotlib.figure.Figure`
directly (no pyplot state), inside a local :func:`matplotlib.rc_context`, so the global matplotlib
configuration and backend are never touched.
"""

from __future__ import annotations

import itertools
import math
import os
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox, TransformedBbox
from matplotlib_scalebar.scalebar import ScaleBar

__all__ = [
    "IndicatorClasses",
    "INDICATOR_CLASSES",
    "Inset",
    "MapFigure",
    "choropleth_map",
    "school_points_map",
    "build_choropleth_figure",
    "build_school_points_figure",
    "map_style",
    "save_figure",
]

# --------------------------------------------------------------------------------------------------
# Style
# --------------------------------------------------------------------------------------------------

DPI = 200
FONT_FAMILY = "DejaVu Sans"
FONT_SIZE = 8.0  # legend entries (pt); >= 7 pt even when the figure is shrunk to an A4 text column
TITLE_SIZE = 8.5  # legend titles
SMALL_SIZE = 7.5  # scale bar, inset labels, footnote
TEXT_COLOR = "#262626"
MUTED_TEXT_COLOR = "#595959"

BORDER_COLOR = "#ffffff"  # municipality borders
BORDER_WIDTH_RANGE = (0.08, 0.25)  # pt; thinner when municipalities are small on the page
# Region borders: near-black and about four times as wide as the (white) municipality borders, so that they
# stand out on every class, the darkest included, also on large municipalities (Bulgaria) and in print.
OUTLINE_COLOR = "#1f1f1f"
OUTLINE_WIDTH = 0.8  # pt
LEGEND_EDGE_COLOR = "#8c8c8c"

# Undefined areas: a very light grey with medium-grey diagonals, 0.4 pt wide, 4 pt apart along the axes
# ("///": 18 lines per inch; 2.8 pt apart across the lines). Clearly hatched on large municipalities and at
# print-preview resolution (~70 dpi), while on thousands of tiny municipalities (Spain) it stays a texture
# that does not outweigh the classed areas: denser hatching ("/////", 2.4 pt apart, on a darker face) turned
# into a grey moiré there, lighter hatching (0.3 pt, light grey) was barely visible. The legend patch uses
# the same face, pattern, colour and width.
UNDEFINED_FACE = "#f5f5f5"
UNDEFINED_HATCH = "///"
MUTED_FACE = "#cfcfcf"  # defined, but not told apart from chance (see ``muted_column``)
HATCH_COLOR = "#808080"
HATCH_WIDTH = 0.4  # pt

BASE_FACE = "#ebebe8"  # municipality base under school points
BASE_OUTLINE_COLOR = "#8c8c8c"

INSET_FRAME_COLOR = "#7f7f7f"
INSET_MAX_FRACTION = 0.36  # an inset box spans at most this share of the main extent (each direction)
INSET_MIN_FRACTION = 0.10  # tiny territories (Ceuta, Melilla) are enlarged to at least this share
# Zoom insets: the window is the extent of the inset's municipalities grown on each side by ZOOM_PAD of its
# larger side (so the neighbouring municipalities show around them); the box spans ZOOM_FRACTION of the main
# extent in the direction where it is tighter, at a magnification within ZOOM_FACTOR_RANGE (skipped below it:
# no point in a box that hardly magnifies; capped above it: a tiny window would show few areas, blown up).
ZOOM_PAD = 0.2
ZOOM_FRACTION = 0.33
ZOOM_FACTOR_RANGE = (1.5, 8.0)
ZOOM_MARK_COLOR = "#595959"  # the rectangle marking a zoom window on the main map
ZOOM_MARK_WIDTH = 0.6  # pt

PAD_IN = 0.04  # outer figure margin (inches)
GAP_IN = 0.14  # between map and legend
SIMPLIFY_PX = 0.35  # geometry simplification tolerance, in output pixels

_RC = {
    "font.family": FONT_FAMILY,
    "font.size": FONT_SIZE,
    "text.color": TEXT_COLOR,
    "svg.fonttype": "none",
    "svg.hashsalt": "segmap-maps",
    "svg.image_inline": True,
    "hatch.linewidth": HATCH_WIDTH,
    "hatch.color": HATCH_COLOR,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
    "savefig.edgecolor": "none",
    "legend.frameon": False,
    "axes.unicode_minus": True,
}


@contextmanager
def map_style() -> Iterator[None]:
    """Temporarily apply the map rcParams (font, SVG text as text, fixed SVG hash salt, hatching)."""
    with matplotlib.rc_context(_RC):
        yield


# --------------------------------------------------------------------------------------------------
# Classes
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorClasses:
    """Fixed class breaks of one indicator, identical on every map of a report.

    ``breaks`` ``(b0, ..., bk)`` define k classes ``[b0, b1), [b1, b2), ..., [b_{k-1}, b_k]`` (the last one
    closed). Values outside ``[b0, bk]`` are put in the first / last class (with a warning when they lie
    clearly outside). ``percent`` selects legend labels such as ``"5–10%"`` instead of ``"0.20–0.30"``.
    ``cmap`` names a sequential matplotlib colormap (ColorBrewer or viridis family), or a diverging one for
    changes (breaks symmetric around 0); it is sampled at k evenly spaced positions.
    """

    breaks: tuple[float, ...]
    percent: bool
    cmap: str = "YlOrRd"

    def __post_init__(self) -> None:
        breaks = tuple(float(b) for b in self.breaks)
        if len(breaks) < 2:
            raise ValueError("IndicatorClasses needs at least two breaks (one class)")
        if not all(math.isfinite(b) for b in breaks):
            raise ValueError(f"class breaks must be finite: {breaks}")
        if any(lo >= hi for lo, hi in zip(breaks, breaks[1:])):
            raise ValueError(f"class breaks must increase strictly: {breaks}")
        matplotlib.colormaps[self.cmap]  # raises KeyError for an unknown colormap
        object.__setattr__(self, "breaks", breaks)

    @property
    def n_classes(self) -> int:
        """Number of classes (one fewer than the number of breaks)."""
        return len(self.breaks) - 1

    def classify(self, values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
        """Class index (0 .. k-1) of each value; -1 where the value is NaN / missing."""
        v = _as_float(values)
        out = np.full(v.shape, -1, dtype=np.int64)
        ok = np.isfinite(v)
        # Rounding keeps values such as 0.1 + 0.2 in the class a reader expects (0.30 starts a class).
        rounded = np.round(v[ok], 12)
        idx = np.searchsorted(np.asarray(self.breaks), rounded, side="right") - 1
        out[ok] = np.clip(idx, 0, self.n_classes - 1)
        return out

    def count_out_of_range(self, values: Sequence[float] | np.ndarray | pd.Series) -> int:
        """Number of finite values clearly outside ``[b0, bk]`` (beyond rounding noise)."""
        v = _as_float(values)
        v = v[np.isfinite(v)]
        tol = 1e-9 * max(1.0, abs(self.breaks[-1] - self.breaks[0]))
        return int(np.sum((v < self.breaks[0] - tol) | (v > self.breaks[-1] + tol)))

    def colors(self) -> list[str]:
        """One hex colour per class, light to dark."""
        cmap = matplotlib.colormaps[self.cmap]
        k = self.n_classes
        positions = [0.5] if k == 1 else np.linspace(0.06, 0.94, k)
        return [to_hex(cmap(float(p))) for p in positions]

    def labels(self, decimal_mark: str = ".") -> list[str]:
        """Legend label of each class, e.g. ``"5–10%"`` or ``"0.30–0.45"``."""
        if self.percent:  # each number as short as possible: "0–0.5%", "0.5–2%"
            scaled = [b * 100.0 for b in self.breaks]
            numbers = [_format_number(x, _decimals_needed([x], 0), decimal_mark) for x in scaled]
        else:  # indices with the same number of decimals throughout: "0.15–0.30"
            decimals = _decimals_needed(self.breaks, minimum=2)
            numbers = [_format_number(x, decimals, decimal_mark) for x in self.breaks]
        dash = " \u2013 " if any(b < 0 for b in self.breaks) else "\u2013"
        suffix = ("\u00a0%" if decimal_mark == "," else "%") if self.percent else ""
        return [f"{lo}{dash}{hi}{suffix}" for lo, hi in zip(numbers, numbers[1:])]


def _as_float(values) -> np.ndarray:
    """Float array from numbers, nullable pandas columns (``pd.NA``) or text; invalid -> NaN."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _decimals_needed(values: Sequence[float], minimum: int, maximum: int = 4) -> int:
    """Smallest number of decimals (>= minimum) that prints every value exactly."""
    for d in range(minimum, maximum + 1):
        if all(abs(round(x, d) - x) < 1e-9 for x in values):
            return d
    return maximum


def _format_number(x: float, decimals: int, decimal_mark: str = ".") -> str:
    """Format a number with a typographic minus sign and the given decimal mark."""
    text = f"{abs(x):.{decimals}f}".replace(".", decimal_mark)
    negative = x < 0 and float(f"{abs(x):.{decimals}f}") != 0.0
    return ("\u2212" if negative else "") + text


def _format_count(n: int, decimal_mark: str = ".", thousands_sep: str | None = None) -> str:
    """Integer with thousands separators: ``thousands_sep`` when given (the report's locale: ``1.234`` in
    Spanish), else ``1,234`` (English) or ``1 234`` (comma decimal mark)."""
    text = f"{int(n):,}"
    if thousands_sep is not None:
        return text.replace(",", thousands_sep)
    return text.replace(",", "\u00a0") if decimal_mark == "," else text


_SHARE_BREAKS = (0.0, 0.01, 0.02, 0.05, 0.10, 0.20, 0.50, 1.0)
_DISSIMILARITY_BREAKS = (0.0, 0.15, 0.30, 0.45, 0.60, 0.75, 1.0)
_ISOLATION_BREAKS = (0.0, 0.05, 0.10, 0.20, 0.30, 0.50, 0.70, 1.0)
_SMALL_INDEX_BREAKS = (0.0, 0.05, 0.10, 0.20, 0.30, 0.50, 1.0)

#: Default class breaks per indicator column. Rationale:
#:
#: * shares of Roma pupils / residents (``group_share``, ``census_group_share``): Roma are a small
#:   minority almost everywhere (national shares of about 1–12 %), so the breaks follow a 1-2-5
#:   progression that resolves the low end (0–1, 1–2, 2–5, 5–10, 10–20 %) and keeps 50 % — majority Roma,
#:   the Bulgarian / Belgian threshold for a segregated school — as a break. School and census shares share
#:   the breaks so that residential and school maps compare directly.
#: * dissimilarity D (and its adjusted / bias-corrected versions): equal steps of 0.15 with the conventional
#:   Massey–Denton reading boundaries 0.30 (low / moderate) and 0.60 (moderate / high) as breaks, and
#:   0.75+ for the very high values that small municipalities often show. Adjusted D is negative only where D
#:   is below its random-allocation expectation; such municipalities are never distinguishable from random
#:   allocation and are drawn grey (``muted_column``), so the adjusted map uses the same classes as D.
#: * isolation xPx (the Roma share among a Roma pupil's schoolmates): it is never below the group share,
#:   so the classes are coarser at the low end than for shares; 0.50 stays a break (the average Roma pupil
#:   is in a majority-Roma school).
#: * normalised exposure V and Theil's H: typical values are much smaller than D, hence finer low classes.
#: * the change of adjusted D between two school years: a diverging palette (ColorBrewer RdBu, readable with
#:   colour-vision deficiencies) symmetric around 0, red where segregation grew and blue where it fell, with
#:   breaks at 0.05, 0.10 and 0.20 either way (a change of 0.10 in D is about one group pupil in ten changing
#:   school); changes within noise are drawn grey (``muted_column``), so the classes next to 0 are rarely used.
_CHANGE_BREAKS = (-1.0, -0.20, -0.10, -0.05, 0.0, 0.05, 0.10, 0.20, 1.0)

INDICATOR_CLASSES: dict[str, IndicatorClasses] = {
    "group_share": IndicatorClasses(_SHARE_BREAKS, percent=True, cmap="YlGnBu"),
    "census_group_share": IndicatorClasses(_SHARE_BREAKS, percent=True, cmap="YlGnBu"),
    "dissimilarity": IndicatorClasses(_DISSIMILARITY_BREAKS, percent=False, cmap="YlOrRd"),
    "dissimilarity_adjusted": IndicatorClasses(_DISSIMILARITY_BREAKS, percent=False, cmap="YlOrRd"),
    "dissimilarity_bias_corrected": IndicatorClasses(
        (-1.0, *_DISSIMILARITY_BREAKS), percent=False, cmap="YlOrRd"
    ),
    "isolation": IndicatorClasses(_ISOLATION_BREAKS, percent=False, cmap="YlOrRd"),
    "normalised_exposure": IndicatorClasses(_SMALL_INDEX_BREAKS, percent=False, cmap="YlOrRd"),
    "theil": IndicatorClasses(_SMALL_INDEX_BREAKS, percent=False, cmap="YlOrRd"),
    "dissimilarity_adjusted_change": IndicatorClasses(_CHANGE_BREAKS, percent=False, cmap="RdBu_r"),
}


# --------------------------------------------------------------------------------------------------
# Insets and the figure handle
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inset:
    """Municipalities drawn in a separate framed box.

    By default (``zoom=False``) the municipalities are far-away territories (e.g. the Canary Islands): they
    are drawn in the box *instead of* the main frame and left out of its extent. With ``zoom=True`` the box
    is a magnified window (e.g. on the capital): it shows everything around the municipalities (their
    extent grown by :data:`ZOOM_PAD`), which stay in the main frame, where a thin rectangle marks the window.
    """

    label: str
    codes: tuple[str, ...]
    zoom: bool = False

    def __post_init__(self) -> None:
        codes = (self.codes,) if isinstance(self.codes, str) else self.codes
        object.__setattr__(self, "codes", tuple(str(c) for c in codes))
        object.__setattr__(self, "zoom", bool(self.zoom))


@dataclass
class MapFigure:
    """A built, unsaved map: the figure plus handles that tests and callers may inspect."""

    figure: Figure
    main_ax: Axes
    inset_axes: list[Axes]
    legends: list[Legend]
    legend_placement: str  # "right", "below" or "inside <corner>"
    scalebar_placement: str  # "inside <corner>", "inside edge" or "below" (a strip under the map)
    class_counts: list[int] = field(default_factory=list)

    def legend_texts(self) -> list[str]:
        """Titles and entry labels of all legends, in drawing order."""
        texts: list[str] = []
        for legend in self.legends:
            title = legend.get_title().get_text()
            if title:
                texts.append(title)
            texts.extend(t.get_text() for t in legend.get_texts())
        return texts


# --------------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------------


def _geoms(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """Object array of the shapely geometries of a GeoDataFrame / GeoSeries."""
    series = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    return np.asarray(series.values, dtype=object)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
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
    geoms = _polygonal(np.asarray(geoms, dtype=object))
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


def _bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    """Total bounds of non-empty geometries."""
    b = shapely.total_bounds(geoms)
    if not np.all(np.isfinite(b)):
        raise ValueError("no non-empty geometry to draw")
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def _pad_extent(ext: tuple[float, float, float, float], fraction: float = 0.012) -> tuple[float, ...]:
    """Extent grown by a fraction of its larger side (so borders are not clipped); never degenerate."""
    x0, y0, x1, y1 = ext
    pad = max(x1 - x0, y1 - y0, 1.0) * fraction
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def _check_crs(areas: gpd.GeoDataFrame) -> None:
    """The maps need a projected CRS in metres (scale bar with dx=1, equal-area shapes)."""
    crs = areas.crs
    if crs is None:
        return  # assumed metres; synthetic data often has no CRS
    if crs.is_geographic:
        raise ValueError(f"maps need a projected equal-area CRS in metres (e.g. EPSG:3035), got {crs}")
    units = {a.unit_name.lower() for a in crs.axis_info[:2]}
    if not units <= {"metre", "meter", "m"}:
        raise ValueError(f"map CRS must use metres, got units {units} in {crs}")


def _to_crs(frame: gpd.GeoDataFrame | None, crs) -> gpd.GeoDataFrame | None:
    """Reproject a companion layer to the areas' CRS when both are known and differ."""
    if frame is None or crs is None or frame.crs is None or frame.crs == crs:
        return frame
    return frame.to_crs(crs)


# --------------------------------------------------------------------------------------------------
# Frames: main map and insets
# --------------------------------------------------------------------------------------------------


@dataclass
class _Frame:
    """The areas (and schools, outline parts) drawn in one map frame."""

    label: str | None
    areas: gpd.GeoDataFrame  # rows with a non-empty geometry
    extent: tuple[float, float, float, float]
    schools: gpd.GeoDataFrame | None = None
    outline: np.ndarray | None = None  # outline geometry parts
    zoom: bool = False  # a zoom window: ``extent`` is the window, ``areas`` everything around it

    @property
    def size(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.extent
        return x1 - x0, y1 - y0


def _split_frames(
    areas: gpd.GeoDataFrame,
    insets: Sequence[Inset],
    schools: gpd.GeoDataFrame | None,
    outline: gpd.GeoDataFrame | None,
) -> tuple[_Frame, list[_Frame]]:
    """Split areas, schools and outline parts into the main frame and one frame per inset.

    The areas of a zoom inset stay in the main frame; its frame holds copies of everything near its window.
    """
    geoms = _geoms(areas)
    drawable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    codes = (
        areas["municipality_code"].astype(str).to_numpy()
        if "municipality_code" in areas.columns
        else np.full(len(areas), "", dtype=object)
    )
    if insets and "municipality_code" not in areas.columns:
        raise KeyError("insets need a 'municipality_code' column in areas")

    frame_of = np.zeros(len(areas), dtype=np.int64)  # 0 = main, i+1 = inset i
    for i, inset in enumerate(insets):
        if not inset.zoom:
            frame_of[np.isin(codes, list(inset.codes)) & (frame_of == 0)] = i + 1

    def make(i: int, label: str | None) -> _Frame | None:
        rows = areas[(frame_of == i) & drawable]
        if rows.empty:
            return None
        return _Frame(label=label, areas=rows, extent=_bounds(_geoms(rows)))

    main = make(0, None)
    if main is None:
        raise ValueError("no area left for the main map frame (all areas empty or in insets)")
    frames: list[_Frame | None] = [main]
    for i, inset in enumerate(insets):
        frame = None if inset.zoom else make(i + 1, inset.label)
        if frame is None and not inset.zoom:
            warnings.warn(f"inset {inset.label!r}: none of its codes matches a drawable area; skipped")
        frames.append(frame)

    _assign_schools(frames, schools, insets, areas, frame_of, drawable)
    _assign_outline(frames, outline, areas, frame_of, drawable)
    for i, inset in enumerate(insets):
        if inset.zoom:
            frames[i + 1] = _zoom_frame(inset, areas, codes, drawable, schools, outline)
    return main, [f for f in frames[1:] if f is not None]


def _zoom_frame(
    inset: Inset,
    areas: gpd.GeoDataFrame,
    codes: np.ndarray,
    drawable: np.ndarray,
    schools: gpd.GeoDataFrame | None,
    outline: gpd.GeoDataFrame | None,
) -> _Frame | None:
    """The frame of a zoom inset: its window, and the areas, schools and outline parts near the window.

    The window is the extent of the inset's areas grown by ZOOM_PAD of its larger side. Everything within
    the window's larger side around it is kept (the box may be wider than the window, e.g. for a long
    label); the inset axes clip it to the box.
    """
    geoms = _geoms(areas)
    own = np.isin(codes, list(inset.codes)) & drawable
    if not own.any():
        warnings.warn(f"zoom inset {inset.label!r}: none of its codes matches a drawable area; skipped")
        return None
    x0, y0, x1, y1 = _bounds(geoms[own])
    pad = ZOOM_PAD * max(x1 - x0, y1 - y0, 1.0)
    window = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    reach = shapely.box(*_grow(window, max(window[2] - window[0], window[3] - window[1])))
    shapely.prepare(reach)
    near = drawable.copy()
    near[drawable] = shapely.intersects(reach, geoms[drawable])
    frame = _Frame(label=inset.label, areas=areas[near], extent=window, zoom=True)
    if schools is not None:
        pts = _geoms(schools)
        valid = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
        valid[valid] = shapely.intersects(reach, pts[valid])
        frame.schools = schools[valid]
    if outline is not None and not outline.empty:
        parts = shapely.get_parts(_polygonal(_geoms(outline)))
        parts = parts[~shapely.is_empty(parts)]
        frame.outline = parts[shapely.intersects(reach, parts)]
    return frame


def _frame_lookup(areas: gpd.GeoDataFrame, frame_of: np.ndarray, drawable: np.ndarray):
    """Spatial index of drawable areas, and the frame number of each indexed area."""
    tree = shapely.STRtree(_geoms(areas)[drawable])
    return tree, frame_of[drawable]


def _assign_schools(frames, schools, insets, areas, frame_of, drawable) -> None:
    """Schools go to the frame of their municipality code (by location when the code is missing)."""
    if schools is None:
        return
    pts = _geoms(schools)
    valid = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    where = np.zeros(len(schools), dtype=np.int64)
    if "municipality_code" in schools.columns:
        sc = schools["municipality_code"].astype(str).to_numpy()
        for i, inset in enumerate(insets):
            if not inset.zoom:  # zoom insets: their schools stay in the main frame
                where[np.isin(sc, list(inset.codes)) & (where == 0)] = i + 1
    elif insets and valid.any():
        tree, tree_frame = _frame_lookup(areas, frame_of, drawable)
        pt_idx, area_idx = tree.query(pts[valid], predicate="intersects")
        hits = np.zeros(valid.sum(), dtype=np.int64)
        hits[pt_idx[::-1]] = tree_frame[area_idx[::-1]]  # first hit wins
        where[np.flatnonzero(valid)] = hits
    for i, frame in enumerate(frames):
        if frame is not None:
            frame.schools = schools[(where == i) & valid]


def _assign_outline(frames, outline, areas, frame_of, drawable) -> None:
    """Outline polygons are split into parts; each part goes to the frame whose area holds it."""
    if outline is None or outline.empty:
        return
    parts = shapely.get_parts(_polygonal(_geoms(outline)))
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0:
        return
    tree, tree_frame = _frame_lookup(areas, frame_of, drawable)
    reps = shapely.point_on_surface(parts)
    part_idx, area_idx = tree.query(reps, predicate="intersects")
    owner = np.full(len(parts), -1, dtype=np.int64)
    owner[part_idx[::-1]] = tree_frame[area_idx[::-1]]
    # Parts that hold no area (slightly different boundary sources): the frame whose extent holds them.
    for j in np.flatnonzero(owner < 0):
        p = reps[j]
        for i, frame in enumerate(frames):
            if frame is not None:
                x0, y0, x1, y1 = frame.extent
                if x0 <= p.x <= x1 and y0 <= p.y <= y1:
                    owner[j] = i
                    break
    for i, frame in enumerate(frames):
        if frame is not None:
            frame.outline = parts[owner == i]


# --------------------------------------------------------------------------------------------------
# Layout: insets, legend area, scale bar
# --------------------------------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # x0, y0, x1, y1

# Legend areas (inches) reserved beside, below or inside the map. Their size is fixed — it depends neither on
# the legend's text nor on the map type — so that the layout (figure size, map scale and position, inset
# boxes, scale bar) follows from the geometry and the insets alone and is identical on every map of a report
# (the three choropleths and the school map of a country). The legend is arranged to fit its area. The sizes
# hold the longest legends of the reports: class legends in three columns with a two-line title or a
# two-line "undefined" entry (below), or stacked (beside / inside); the school legend with its size legend.
LEGEND_SIDE_WIDTH = 2.2  # column right of the map (as tall as the map)
LEGEND_BELOW_HEIGHT = 1.1  # strip under the map ...
LEGEND_BELOW_WIDTH = 5.6  # ... at least this wide (the map's width if wider; never wider than the figure)
LEGEND_INSIDE_SIZE = (2.25, 2.15)  # box in an empty corner of the map frame
LEGEND_KINDS = ("right", "below", "inside")  # in order of preference at (nearly) equal map scale

INSET_GAP_IN = 0.05  # inches between inset boxes, land and each other
INSET_MAX_DETOUR = 0.25  # an inset may cost this share of the map scale to sit on the side of its true position
INSET_SHRINK = (1.0, 0.85, 0.7)  # sizes an inset may take (relative) when that saves map scale


@dataclass
class _InsetSpec:
    """Size rules of one inset box (data units of its own frame, inches for text strips)."""

    frame: _Frame
    factor: float  # inset scale relative to the main scale
    label_w: float  # inches
    label_h: float  # inches
    pad: float = 0.05  # inches
    min_scale_size: float = 0.0  # smallest size (metres of the main frame) of the inset's larger side

    @property
    def scalebar(self) -> bool:
        """Own scale bar when drawn at another scale than the main map."""
        return abs(self.factor - 1) > 0.02

    def shrunk(self) -> list[_InsetSpec]:
        """This inset at its full size and at the smaller sizes it may take to fit its conventional place."""
        w, h = self.frame.size
        out = [self]
        for shrink in INSET_SHRINK[1:]:
            factor = self.factor * shrink
            if max(w, h) * factor >= self.min_scale_size:
                out.append(replace(self, factor=factor))
        return out

    def strip_below(self) -> float:
        """Height (inches) kept free at the bottom of the box for the inset's scale bar."""
        return 0.27 if self.scalebar else 0.0

    def box_inches(self, scale: float) -> tuple[float, float]:
        """Box width and height in inches at main scale ``scale`` (inches per metre)."""
        w, h = self.frame.size
        s = scale * self.factor
        bw = max(w * s + 2 * self.pad, self.label_w + 2 * self.pad + 0.04, 0.75 if self.scalebar else 0.0)
        bh = h * s + 2 * self.pad + self.label_h + self.strip_below()
        return bw, bh


@dataclass
class _Layout:
    """The solved page geometry (a function of the map geometry, the insets and the figure size only)."""

    kind: str  # legend area: "right", "below" or "inside"
    scale: float  # inches per metre in the main frame
    frame: Box  # main frame extent (data units)
    inset_boxes: list[Box]  # data units of the main frame
    insets: list[_InsetSpec]  # the insets at the size they are drawn
    legend_corner: str | None  # for "inside" legends
    legend_box: Box | None  # data units, for "inside" legends
    scalebar: str  # "inside <corner>", "inside edge" or "below"
    scalebar_box: Box | None = None  # data units, for "inside ..." placements
    strip: float = 0.0  # inches reserved under the map for the scale bar
    content: tuple[float, float] = (0.0, 0.0)  # inches: map, strip and legend area together

    @property
    def map_size(self) -> tuple[float, float]:
        """Width and height of the main frame in inches."""
        x0, y0, x1, y1 = self.frame
        return (x1 - x0) * self.scale, (y1 - y0) * self.scale

    @property
    def legend_area(self) -> tuple[float, float]:
        """Width and height (inches) of the space reserved for the legends."""
        if self.kind == "right":
            return LEGEND_SIDE_WIDTH, self.content[1]
        if self.kind == "below":
            return self.content[0], LEGEND_BELOW_HEIGHT
        return LEGEND_INSIDE_SIZE


class _Placer:
    """Finds empty places for boxes inside the main frame (no land, no other box)."""

    def __init__(self, land: np.ndarray):
        self.tree = shapely.STRtree(land)

    def free(self, box: Box, obstacles: Sequence[Box], gap: float) -> bool:
        """True when the box, grown by ``gap``, touches neither land nor an obstacle."""
        x0, y0, x1, y1 = box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap
        for o in obstacles:
            if x0 < o[2] and o[0] < x1 and y0 < o[3] and o[1] < y1:
                return False
        return self.tree.query(shapely.box(x0, y0, x1, y1), predicate="intersects").size == 0

    def free_boxes(self, boxes: Sequence[Box], obstacles: Sequence[Box], gap: float) -> list[Box]:
        """The boxes that are free (see :meth:`free`), in their order; one spatial query for all."""
        if not boxes:
            return []
        b = np.asarray(boxes, dtype=float) + np.array([-gap, -gap, gap, gap])
        ok = np.ones(len(b), dtype=bool)
        for o in obstacles:
            ok &= ~((b[:, 0] < o[2]) & (o[0] < b[:, 2]) & (b[:, 1] < o[3]) & (o[1] < b[:, 3]))
        hits, _ = self.tree.query(shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3]), predicate="intersects")
        ok[hits] = False
        return [box for box, keep in zip(boxes, ok) if keep]

    @staticmethod
    def corners(frame: Box, w: float, h: float, inset: float = 0.0) -> dict[str, Box]:
        """Boxes of size w x h in the four corners of the frame (pulled in by ``inset``)."""
        x0, y0, x1, y1 = frame
        return {
            "lower left": (x0 + inset, y0 + inset, x0 + inset + w, y0 + inset + h),
            "lower right": (x1 - inset - w, y0 + inset, x1 - inset, y0 + inset + h),
            "upper left": (x0 + inset, y1 - inset - h, x0 + inset + w, y1 - inset),
            "upper right": (x1 - inset - w, y1 - inset - h, x1 - inset, y1 - inset),
        }

    @staticmethod
    def edge_positions(frame: Box, w: float, h: float, steps: int = 24) -> list[Box]:
        """Boxes of size w x h touching the frame's edges, at ``steps + 1`` positions along each edge."""
        x0, y0, x1, y1 = frame
        if w > x1 - x0 or h > y1 - y0:
            return []
        xs = np.linspace(x0, x1 - w, steps + 1)
        ys = np.linspace(y0, y1 - h, steps + 1)
        boxes = {(float(x), y0) for x in xs} | {(float(x), y1 - h) for x in xs}
        boxes |= {(x0, float(y)) for y in ys} | {(x1 - w, float(y)) for y in ys}
        return [(x, y, x + w, y + h) for x, y in sorted(boxes)]


def _region_scale(region: tuple[float, float], frame: Box) -> float:
    """Largest scale (inches per metre) at which the frame fits the region."""
    fw, fh = frame[2] - frame[0], frame[3] - frame[1]
    return min(region[0] / fw, region[1] / fh)


def _grow(box: Box, d: float) -> Box:
    return (box[0] - d, box[1] - d, box[2] + d, box[3] + d)


@dataclass(frozen=True)
class _InsetTarget:
    """Where an inset belongs: against the edge(s) of the main frame towards its true position.

    ``anchor`` is the true centre pulled onto the original frame (the Canary Islands: its lower-left corner;
    Ceuta: the bottom edge below the Strait). A box is on the inset's side when it touches every edge of
    the frame beyond which the inset lies: the bottom edge for Ceuta and Melilla, the lower-left corner for
    the Canary Islands. Insets within the frame's span on an axis are not restricted on that axis.
    """

    anchor: tuple[float, float]
    beyond: tuple[int, int]  # -1: left of / below the frame, +1: right of / above it, 0: within its span

    @classmethod
    def of(cls, frame: Box, extent: Box) -> _InsetTarget:
        cx, cy = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
        anchor = (min(max(cx, frame[0]), frame[2]), min(max(cy, frame[1]), frame[3]))
        bx = -1 if cx < frame[0] else 1 if cx > frame[2] else 0
        by = -1 if cy < frame[1] else 1 if cy > frame[3] else 0
        return cls(anchor, (bx, by))

    def distance(self, box: Box) -> float:
        return math.hypot((box[0] + box[2]) / 2 - self.anchor[0], (box[1] + box[3]) / 2 - self.anchor[1])

    def on_side(self, box: Box, frame: Box) -> bool:
        eps = 1e-6 * max(frame[2] - frame[0], frame[3] - frame[1])
        bx, by = self.beyond
        return not (
            (bx < 0 and box[0] > frame[0] + eps)
            or (bx > 0 and box[2] < frame[2] - eps)
            or (by < 0 and box[1] > frame[1] + eps)
            or (by > 0 and box[3] < frame[3] - eps)
        )


def _place_insets(
    placer: _Placer,
    frame0: Box,
    specs: Sequence[_InsetSpec],
    scale: float,
    region: tuple[float, float],
) -> tuple[Box, list[Box], list[_InsetSpec]]:
    """Place inset boxes in empty space on the side of their true position; grow the frame when none is free.

    Each inset goes to the free position nearest its anchor (see :class:`_InsetTarget`) among those on the
    side of its true position — the Canary Islands lower left, Ceuta and Melilla at the bottom. When no such
    position is free, the frame is extended on that side by the smallest amount that frees one; the inset
    may then be drawn smaller (INSET_SHRINK) when that costs clearly less map scale. Only when even that
    costs more than INSET_MAX_DETOUR of the scale does the inset go to a free position elsewhere.
    When a later inset extends the frame, an earlier one may no longer touch its edges (the Canary Islands
    above a strip added below the mainland for Ceuta), or an earlier extension may have become needless:
    the insets are then placed again, starting from the original frame grown on each subset of the sides
    extended in the first pass. The result with the most insets against their edges wins, then the one with
    the largest map. Returns the frame, the boxes and the inset specs with the factor each is drawn at.
    """
    targets = [_InsetTarget.of(frame0, spec.frame.extent) for spec in specs]
    reference = _region_scale(region, frame0)

    def run(start: Box) -> tuple[tuple[int, float], tuple[Box, list[Box], list[_InsetSpec]]]:
        frame, boxes, placed = _place_insets_once(placer, frame0, start, specs, scale, region)
        on_side = sum(t.on_side(b, frame) for t, b in zip(targets, boxes))
        return (on_side, round(_region_scale(region, frame) / reference, 6)), (frame, boxes, placed)

    results = [run(frame0)]
    extended = results[0][1][0]
    grown = [i for i in range(4) if extended[i] != frame0[i]]
    for n in range(1, len(grown) + 1):
        for sides in itertools.combinations(grown, n):
            results.append(run(tuple(extended[i] if i in sides else frame0[i] for i in range(4))))
    return max(results, key=lambda r: r[0])[1]  # the first of equally good results


def _place_insets_once(
    placer: _Placer,
    frame0: Box,
    frame: Box,
    specs: Sequence[_InsetSpec],
    scale: float,
    region: tuple[float, float],
) -> tuple[Box, list[Box], list[_InsetSpec]]:
    """One pass of :func:`_place_insets`, starting from ``frame`` (``frame0``: the frame of the main areas).

    Far-away territories are placed first (their place is conventional), zoom insets after them, each
    group in the given order; the boxes and specs are returned in the given order.
    """
    boxes: list[Box] = []
    placed: list[_InsetSpec] = []
    order = sorted(range(len(specs)), key=lambda i: specs[i].frame.zoom)
    gap = INSET_GAP_IN / scale
    for spec in (specs[i] for i in order):
        target = _InsetTarget.of(frame0, spec.frame.extent)
        reference = _region_scale(region, frame)
        options = []  # (scale ratio, spec, frame, box) on the side of the true position
        for sized in spec.shrunk():
            bw, bh = (v / scale for v in sized.box_inches(scale))
            free = placer.free_boxes(placer.edge_positions(frame, bw, bh), boxes, gap)
            preferred = [b for b in free if target.on_side(b, frame)]
            if preferred:
                options.append((1.0, sized, frame, min(preferred, key=target.distance)))
                break  # free without extending the frame: no smaller size needed
            extended = _extend_for_box(placer, frame, bw, bh, boxes, gap, region, target, on_side=True)
            if extended is not None:
                options.append((_region_scale(region, extended[0]) / reference, sized, *extended))
        best = max((o[0] for o in options), default=0.0)
        if best >= 1 - INSET_MAX_DETOUR:
            # The largest size within 2 % of the best map scale.
            _, sized, frame, box = next(o for o in options if o[0] >= best - 0.02)
        else:
            sized = spec
            bw, bh = (v / scale for v in spec.box_inches(scale))
            free = placer.free_boxes(placer.edge_positions(frame, bw, bh), boxes, gap)
            if free:
                box = min(free, key=target.distance)
            elif options:
                _, sized, frame, box = max(options, key=lambda o: o[0])
            else:
                frame, box = _extend_for_box(placer, frame, bw, bh, boxes, gap, region, target, on_side=False)
        boxes.append(box)
        placed.append(sized)
    position = {i: k for k, i in enumerate(order)}
    return frame, [boxes[position[i]] for i in range(len(specs))], [placed[position[i]] for i in range(len(specs))]


def _extend_for_box(
    placer: _Placer,
    frame: Box,
    bw: float,
    bh: float,
    boxes: list[Box],
    gap: float,
    region: tuple[float, float],
    target: _InsetTarget,
    on_side: bool,
) -> tuple[Box, Box] | None:
    """Grow the frame on one side just enough for a free box of bw x bh: nearest the inset's anchor among
    the positions within 2 % of the best map scale.

    ``on_side``: only positions on the side of the inset's true position (None when there is none).
    """
    x0, y0, x1, y1 = frame
    found = []  # (scale ratio, distance to the anchor, frame, box)
    steps = 16
    reference = _region_scale(region, frame)

    def candidate(side: str, t: float, d: float) -> tuple[Box, Box]:
        if side == "bottom":
            f = (x0, y0 - d, max(x1, x0 + bw), y1)
            x = f[0] + t * (f[2] - f[0] - bw)
            return f, (x, f[1], x + bw, f[1] + bh)
        if side == "top":
            f = (x0, y0, max(x1, x0 + bw), y1 + d)
            x = f[0] + t * (f[2] - f[0] - bw)
            return f, (x, f[3] - bh, x + bw, f[3])
        if side == "left":
            f = (x0 - d, y0, x1, max(y1, y0 + bh))
            y = f[1] + t * (f[3] - f[1] - bh)
            return f, (f[0], y, f[0] + bw, y + bh)
        f = (x0, y0, x1 + d, max(y1, y0 + bh))
        y = f[1] + t * (f[3] - f[1] - bh)
        return f, (f[2] - bw, y, f[2], y + bh)

    # Positions (side, t) whose box is free with the full extension; then, for all of them at once, the
    # smallest extension that keeps the box free (bisection).
    positions = []
    for side in ("bottom", "left", "right", "top"):
        depth = (bh if side in ("bottom", "top") else bw) + gap
        for t in np.linspace(0.0, 1.0, steps + 1):
            f, b = candidate(side, float(t), depth)
            if not on_side or target.on_side(b, f):
                positions.append((side, float(t), depth, b))
    free = set(placer.free_boxes([b for *_, b in positions], boxes, gap))
    positions = [p for p in positions if p[3] in free]
    lo = np.zeros(len(positions))
    hi = np.array([depth for _, _, depth, _ in positions])
    for _ in range(10 if positions else 0):
        mid = (lo + hi) / 2
        trial = [candidate(side, t, float(m))[1] for (side, t, _, _), m in zip(positions, mid)]
        ok = set(placer.free_boxes(trial, boxes, gap))
        fits = np.array([b in ok for b in trial])
        hi = np.where(fits, mid, hi)
        lo = np.where(fits, lo, mid)
    for (side, t, _, _), d in zip(positions, hi):
        f, b = candidate(side, t, float(d))
        found.append((round(_region_scale(region, f) / reference, 6), round(target.distance(b), 3), f, b))
    if not found:
        if on_side:
            return None
        return candidate("bottom", 0.0, bh + gap)  # a box fully below the frame is always free
    best = max(c[0] for c in found)
    _, _, f, b = min((c for c in found if c[0] >= best - 0.02), key=lambda c: (c[1], -c[0]))
    return f, b


LEGEND_CORNERS = ("upper right", "lower right", "upper left", "lower left")
SCALEBAR_CORNERS = ("lower left", "lower right", "upper left", "upper right")
SCALEBAR_SIZE = (1.5, 0.27)  # inches: longest bar incl. label, and height incl. the distance label
SCALEBAR_STRIP = 0.31  # inches under the map when the scale bar finds no room inside the frame
SCALEBAR_INSET_CLEARANCE = 0.25  # inches between the main scale bar and inset boxes (not read as theirs)


def _solve_layout(
    placer: _Placer, frame0: Box, specs: Sequence[_InsetSpec], region: tuple[float, float]
) -> _Layout:
    """Choose the legend area, inset boxes and scale bar position that give the largest map.

    Only the geometry, the insets and the (fixed) legend areas enter, never the legend's text, so every map
    of the same areas gets the same layout. Among layouts within 3 % of the largest map scale, a legend
    beside the map is preferred to one below it, and both to one inside the frame; then the larger map,
    then the smaller figure.
    """
    candidates = [c for kind in LEGEND_KINDS if (c := _layout_for(placer, frame0, specs, kind, region))]
    if not candidates:
        raise ValueError("the map and its legend do not fit the figure; enlarge figsize")
    best = max(c.scale for c in candidates)
    return min(
        (c for c in candidates if c.scale >= 0.97 * best),
        key=lambda c: (LEGEND_KINDS.index(c.kind), -round(c.scale / best, 2), round(math.prod(c.content), 3)),
    )


def _layout_for(
    placer: _Placer, frame0: Box, specs: Sequence[_InsetSpec], kind: str, region: tuple[float, float]
) -> _Layout | None:
    """The layout with the legend area of one kind, or None when it does not fit.

    Inset boxes and text have sizes in inches while the map has a scale in inches per metre, and each
    depends on the other, so the layout is iterated to a fixed point (usually two or three rounds).
    """
    rw, rh = region
    for strip in (0.0, SCALEBAR_STRIP):
        if kind == "right":
            avail = (rw - GAP_IN - LEGEND_SIDE_WIDTH, rh - strip)
        elif kind == "below":
            avail = (rw, rh - strip - GAP_IN - LEGEND_BELOW_HEIGHT)
        else:
            avail = (rw, rh - strip)
        if min(avail) <= 0.5:
            return None
        scale = _region_scale(avail, frame0)
        for _ in range(8):
            frame, boxes, sized = _place_insets(placer, frame0, specs, scale, avail)
            new = _region_scale(avail, frame)
            converged = abs(new - scale) <= 1e-4 * scale
            scale = new
            if converged:
                break
        corner = legend_box = None
        if kind == "inside":
            w, h = LEGEND_INSIDE_SIZE[0] / scale, LEGEND_INSIDE_SIZE[1] / scale
            pad = 0.04 / scale
            for name in LEGEND_CORNERS:
                box = placer.corners(frame, w, h, pad)[name]
                if _inside(box, frame) and placer.free(box, boxes, pad):
                    corner, legend_box = name, box
                    break
            if corner is None:
                return None
        if strip:
            placement: tuple[str, Box | None] | None = ("below", None)
        else:
            placement = _place_scalebar(placer, frame, boxes, legend_box, scale)
            if placement is None:
                continue
        map_w, map_h = (frame[2] - frame[0]) * scale, (frame[3] - frame[1]) * scale
        if kind == "right":
            content = (map_w + GAP_IN + LEGEND_SIDE_WIDTH, map_h + strip)
        elif kind == "below":
            content = (max(map_w, min(rw, LEGEND_BELOW_WIDTH)), map_h + strip + GAP_IN + LEGEND_BELOW_HEIGHT)
        else:
            content = (map_w, map_h + strip)
        content = (round(content[0], 6), round(content[1], 6))
        return _Layout(kind, scale, frame, boxes, sized, corner, legend_box, *placement, strip, content)
    return None


def _inside(box: Box, frame: Box) -> bool:
    """True when the box lies within the frame."""
    return box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]


def _place_scalebar(
    placer: _Placer, frame: Box, inset_boxes: list[Box], legend_box: Box | None, scale: float
) -> tuple[str, Box] | None:
    """An empty corner of the frame for the scale bar, else an empty place along an edge; None: needs a
    strip under the map. The bar keeps clear of inset boxes so that it is not read as theirs."""
    map_w = (frame[2] - frame[0]) * scale
    sb_w, sb_h = min(SCALEBAR_SIZE[0], 0.3 * map_w), SCALEBAR_SIZE[1]
    w, h, pad = sb_w / scale, sb_h / scale, 0.03 / scale
    obstacles = [_grow(b, SCALEBAR_INSET_CLEARANCE / scale) for b in inset_boxes]
    if legend_box is not None:
        obstacles.append(legend_box)
    for name in SCALEBAR_CORNERS:
        box = placer.corners(frame, w, h, pad)[name]
        if placer.free(box, obstacles, pad):
            return f"inside {name}", box
    inner = (frame[0] + pad, frame[1] + pad, frame[2] - pad, frame[3] - pad)
    edge = placer.free_boxes(placer.edge_positions(inner, w, h), obstacles, pad)
    if edge:  # lowest first, then leftmost
        return "inside edge", min(edge, key=lambda b: (b[1], b[0]))
    return None


# --------------------------------------------------------------------------------------------------
# Text and legends
# --------------------------------------------------------------------------------------------------


def _renderer(fig: Figure):
    """The Agg renderer used to measure text (figures are created without pyplot)."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    return canvas.get_renderer()


@lru_cache(maxsize=1)
def _measuring_renderer():
    """An Agg renderer used only to measure text widths."""
    return FigureCanvasAgg(Figure(figsize=(1, 1), dpi=DPI)).get_renderer()


@lru_cache(maxsize=8192)
def _text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in inches of a single-line text in the map font."""
    prop = FontProperties(family=FONT_FAMILY, size=size, weight=weight)
    w, _, _ = _measuring_renderer().get_text_width_height_descent(text, prop, ismath=False)
    return w / DPI


def _wrap(text: str, max_width: float, size: float, weight: str = "normal") -> str:
    """Greedy word wrap to ``max_width`` inches, keeping explicit line breaks."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        line = words[0]
        for word in words[1:]:
            trial = f"{line} {word}"
            if _text_width(trial, size, weight) <= max_width:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return "\n".join(lines)


_LEGEND_KW = dict(
    frameon=False,
    fontsize=FONT_SIZE,
    alignment="left",
    loc="upper left",
    borderpad=0.0,
    borderaxespad=0.0,
    handletextpad=0.6,
    columnspacing=1.3,
)
_TITLE_PROPS = {"size": TITLE_SIZE, "weight": "bold"}


@dataclass
class _LegendSpec:
    """What one legend shows; it is built (and measured) at several widths / column counts."""

    title: str
    handles: list
    labels: list[str]
    extra: dict = field(default_factory=dict)  # extra Legend keyword arguments

    def texts(self, label_width: float, title_width: float) -> tuple[tuple[str, ...], str | None]:
        """Labels and title wrapped to the given widths (inches)."""
        labels = tuple(_wrap(lab, label_width, FONT_SIZE) for lab in self.labels)
        title = _wrap(self.title, title_width, TITLE_SIZE, "bold") if self.title else None
        return labels, title

    def build(self, fig: Figure, ncol: int, label_width: float, title_width: float) -> Legend:
        """Create the legend on the figure, wrapping labels and title to the given widths (inches)."""
        labels, title = self.texts(label_width, title_width)
        kw = {**_LEGEND_KW, **self.extra}
        leg = fig.legend(
            self.handles, labels, title=title, ncols=ncol, title_fontproperties=_TITLE_PROPS, **kw
        )
        leg.set_zorder(10)
        return leg


def _measure(fig: Figure, legend: Legend) -> tuple[float, float]:
    """Legend width and height in inches."""
    bb = legend.get_window_extent(_renderer(fig))
    return bb.width / fig.dpi, bb.height / fig.dpi


@dataclass(frozen=True)
class _Arrangement:
    """How the legends of a block are built: columns per legend, wrap widths, stacked or in a row."""

    horizontal: bool
    ncols: tuple[int, ...]
    label_width: float
    title_width: float


class _LegendBlock:
    """One or more legends laid out as a block: stacked (beside / inside the map) or side by side (below)."""

    SPACING = 0.18  # inches between the legends of a block
    LABEL_WIDTHS = (1.2, 1.45, 1.7, 1.95, 2.2, 2.4, 2.8, 3.4)  # label wrap widths tried (inches)
    ROW_TITLE_WIDTH = 2.8  # title wrap width of legends side by side (inches)

    def __init__(self, fig: Figure, specs: Sequence[_LegendSpec]):
        self.fig = fig
        self.specs = list(specs)
        self._sizes: dict[tuple, tuple[float, float]] = {}  # measured legends by wrapped text and columns

    def arrangements(self, horizontal: bool, width: float) -> list[_Arrangement]:
        """Candidate arrangements for a legend area ``width`` inches wide: stacked legends (beside / inside
        the map), widest labels first; or legends side by side, the first in 1–4 columns (below / inside)."""
        n = len(self.specs)
        if not horizontal:
            return [_Arrangement(False, (1,) * n, lw, width) for lw in sorted(self.LABEL_WIDTHS, reverse=True)]
        arrangements = []
        title_w = min(width, self.ROW_TITLE_WIDTH)
        for ncol in (1, 2, 3, 4):
            ncols = tuple(min(ncol, len(s.labels)) if i == 0 else 1 for i, s in enumerate(self.specs))
            arrangements += [_Arrangement(True, ncols, lw, max(title_w, lw)) for lw in self.LABEL_WIDTHS]
        return list(dict.fromkeys(arrangements))

    def fit(self, kind: str, width: float, height: float) -> tuple[_Arrangement, tuple[float, float], bool]:
        """The arrangement for an area of width x height inches (the area's kind: "right", "below", "inside").

        Stacked legends (beside or inside the map) with the widest labels that fit; else, below or inside the
        map, legends side by side: the lowest that fits, then the one with the fewest wrapped lines. When
        nothing fits, the arrangement that overflows least. Returns it, its size and whether it fits.
        """
        eps = 1e-6

        def fits(size: tuple[float, float]) -> bool:
            return size[0] <= width + eps and size[1] <= height + eps

        measured = []
        for horizontal in {"right": (False,), "below": (True,)}.get(kind, (False, True)):
            group = [(arr, self._measure(arr)) for arr in self.arrangements(horizontal, width)]
            fitting = [(a, size) for a, size in group if fits(size)]
            if fitting:
                arr, size = min(fitting, key=lambda m: (m[1][1], -m[0].label_width, m[1][0]))
                return arr, size, True
            measured += group
        arr, size = min(
            measured,
            key=lambda m: (round(max(m[1][0] - width, 0.0) + max(m[1][1] - height, 0.0), 4), m[1][1], m[1][0]),
        )
        return arr, size, False

    def _measure(self, arr: _Arrangement) -> tuple[float, float]:
        sizes = []
        for i, (spec, ncol) in enumerate(zip(self.specs, arr.ncols)):
            key = (i, ncol, spec.texts(arr.label_width, arr.title_width))
            if key not in self._sizes:
                leg = spec.build(self.fig, ncol, arr.label_width, arr.title_width)
                self._sizes[key] = _measure(self.fig, leg)
                leg.remove()
            sizes.append(self._sizes[key])
        gaps = self.SPACING * (len(sizes) - 1)
        if arr.horizontal:
            return round(sum(w for w, _ in sizes) + gaps, 4), round(max(h for _, h in sizes), 4)
        return round(max(w for w, _ in sizes), 4), round(sum(h for _, h in sizes) + gaps, 4)

    def place(self, arr: _Arrangement, x: float, y_top: float) -> list[Legend]:
        """Build the arrangement with its upper-left corner at (x, y_top) inches."""
        legends = []
        for spec, ncol in zip(self.specs, arr.ncols):
            leg = spec.build(self.fig, ncol, arr.label_width, arr.title_width)
            leg.set_bbox_to_anchor((x, y_top), transform=self.fig.dpi_scale_trans)
            w, h = _measure(self.fig, leg)
            if arr.horizontal:
                x += w + self.SPACING
            else:
                y_top -= h + self.SPACING
            legends.append(leg)
        return legends


# --------------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------------


def _border_width(areas: gpd.GeoDataFrame, scale: float) -> float:
    """Municipality border width (pt): ~2 % of the median municipality size on the page, within bounds."""
    size_pt = float(np.median(np.sqrt(np.maximum(shapely.area(_geoms(areas)), 0.0)))) * scale * 72
    lo, hi = BORDER_WIDTH_RANGE
    return float(np.clip(0.02 * size_pt, lo, hi))


def _add_polygons(
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


def _drop_specks(parts: np.ndarray, min_area: float) -> np.ndarray:
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


def _draw_outline(
    ax: Axes, frame: _Frame, scale: float, color: str | None = None, width: float | None = None
) -> None:
    """Region borders on top of the municipalities, no fill; specks below (1 pt)² are left out."""
    if frame.outline is None or not len(frame.outline):
        return
    point = 1 / 72 / scale  # one typographic point in metres at this scale
    parts = _drop_specks(frame.outline, point**2)
    _add_polygons(
        ax,
        parts,
        scale,
        3.0,
        facecolors="none",
        edgecolors=OUTLINE_COLOR if color is None else color,
        linewidths=OUTLINE_WIDTH if width is None else width,
    )


def _muted_mask(areas: gpd.GeoDataFrame, column: str | None) -> np.ndarray:
    """True where ``areas[column]`` is true (missing counts as false); all false without a column."""
    if column is None:
        return np.zeros(len(areas), dtype=bool)
    return areas[column].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _draw_choropleth_frame(
    ax: Axes, frame: _Frame, column: str, classes: IndicatorClasses, scale: float, border: float,
    muted_column: str | None = None,
) -> None:
    """Classed municipalities, grey muted ones, and hatched undefined ones."""
    idx = classes.classify(frame.areas[column])
    geoms = _geoms(frame.areas)
    palette = to_rgba_array(classes.colors())
    muted = _muted_mask(frame.areas, muted_column) & (idx >= 0)
    defined = (idx >= 0) & ~muted
    _add_polygons(ax, geoms[muted], scale, 1.0, facecolors=MUTED_FACE, edgecolors=BORDER_COLOR, linewidths=border)
    _add_polygons(
        ax, geoms[defined], scale, 1.0, facecolors=palette[idx[defined]], edgecolors=BORDER_COLOR, linewidths=border
    )
    undefined = _add_polygons(
        ax,
        geoms[idx < 0],
        scale,
        1.1,
        merge=True,
        facecolors=UNDEFINED_FACE,
        edgecolors=BORDER_COLOR,
        linewidths=border,
    )
    if undefined is not None:
        undefined.set_hatch(UNDEFINED_HATCH)
        _hatch_style(undefined)
    _draw_outline(ax, frame, scale)


def _hatch_style(artist) -> None:
    """Grey, thin hatching (older matplotlib takes both from the rcParams set by :func:`map_style`)."""
    if hasattr(artist, "set_hatchcolor"):
        artist.set_hatchcolor(HATCH_COLOR)
    if hasattr(artist, "set_hatch_linewidth"):
        artist.set_hatch_linewidth(HATCH_WIDTH)


def _nice_length(max_length: float) -> float:
    """Largest 1-2-5 length (metres) not above ``max_length``."""
    exponent = math.floor(math.log10(max(max_length, 1e-9)))
    for mantissa in (5, 2, 1):
        value = mantissa * 10.0**exponent
        if value <= max_length:
            return value
    return 10.0**exponent


def _scalebar(
    ax: Axes,
    fig: Figure,
    anchor_in: tuple[float, float],
    length_fraction: float,
    units: _Units,
    location: str = "lower left",
) -> ScaleBar:
    """A km scale bar whose ``location`` corner sits at ``anchor_in`` (figure inches).

    The bar takes the longest 1-2-5 length (…, 0.5, 1, 2, 5, 10, 20, 50, 100, 200 … km) not longer than
    ``length_fraction`` of the axes width.
    """
    x0, x1 = ax.get_xlim()
    length_km = _nice_length(abs(x1 - x0) * length_fraction) / 1000.0
    height_in = ax.get_position().height * fig.get_figheight()
    bar = ScaleBar(
        dx=1,
        units="m",
        fixed_value=length_km,
        fixed_units="km",
        width_fraction=(2.2 / 72) / max(height_in, 0.1),
        location=location,
        bbox_to_anchor=anchor_in,
        bbox_transform=fig.dpi_scale_trans,
        pad=0.0,
        border_pad=0.0,
        sep=2,
        frameon=False,
        color=TEXT_COLOR,
        scale_loc="top",
        font_properties={"size": SMALL_SIZE, "family": FONT_FAMILY},
        scale_formatter=lambda value, unit: units.distance_label(value),
    )
    ax.add_artist(bar)
    return bar


def _setup_axes(fig: Figure, box_in: Box, limits: Box, framed: bool) -> Axes:
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


# --------------------------------------------------------------------------------------------------
# Page assembly shared by both map types
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Units:
    """Locale bits of the map text: the distance unit after scale bar values and the decimal mark."""

    distance: str = "km"
    decimal_mark: str = "."

    def distance_label(self, value: float) -> str:
        """Scale bar text, e.g. ``"100 km"`` or ``"0,5 km"``."""
        return f"{value:g}".replace(".", self.decimal_mark) + f" {self.distance}"


@dataclass
class _Page:
    """Everything drawn on a figure once the layout is known."""

    fig: Figure
    main_ax: Axes
    inset_axes: list[tuple[Axes, _Frame, float]]  # (axes, frame, scale in inches per metre)
    legends: list[Legend]
    layout: _Layout
    zoom_content: list[tuple[Axes, Box]] = field(default_factory=list)  # where zoom insets show their map

    def clip_zoom_insets(self) -> None:
        """Clip the map of each zoom inset to its content rectangle (call once everything is drawn)."""
        for ax, content in self.zoom_content:
            _clip(ax, content)


def _inset_specs(fig: Figure, main: _Frame, frames: Sequence[_Frame]) -> list[_InsetSpec]:
    """Scale factor and label size of each inset relative to the main frame.

    A zoom inset whose window cannot be magnified at least ZOOM_FACTOR_RANGE[0] times is left out (with a
    warning).
    """
    mw, mh = main.size
    specs = []
    for frame in frames:
        w, h = (max(v, 1.0) for v in frame.size)
        if frame.zoom:
            factor = min(ZOOM_FACTOR_RANGE[1], ZOOM_FRACTION * mw / w, ZOOM_FRACTION * mh / h)
            if factor < ZOOM_FACTOR_RANGE[0]:
                warnings.warn(f"zoom inset {frame.label!r}: its window is too large to be magnified "
                              f"(x{factor:.2f}, at least x{ZOOM_FACTOR_RANGE[0]:g} needed); skipped")
                continue
            min_size = ZOOM_FACTOR_RANGE[0] * max(w, h)  # smaller sizes keep the magnification
        else:
            factor = min(1.0, INSET_MAX_FRACTION * mw / w, INSET_MAX_FRACTION * mh / h)
            min_size = INSET_MIN_FRACTION * min(mw, mh)
            if max(w, h) * factor < min_size:
                factor = min_size / max(w, h)
        label_w = _text_width(frame.label or "", SMALL_SIZE)
        specs.append(_InsetSpec(frame, factor, label_w, SMALL_SIZE * 1.45 / 72, min_scale_size=min_size))
    return specs


def _assemble(
    fig: Figure,
    main: _Frame,
    insets: Sequence[_Frame],
    legend_specs: Sequence[_LegendSpec],
    figsize: tuple[float, float],
    footnote: str | None,
    units: _Units,
) -> _Page:
    """Solve the layout, size the figure to its content and create axes, legends, scale bars, footnote.

    The layout (figure size, map scale and position, inset boxes, scale bar) depends on the geometry, the
    insets, ``figsize`` and the footnote only; the legends are fitted into the area reserved for them.
    """
    fig.set_size_inches(figsize)
    region = (figsize[0] - 2 * PAD_IN, figsize[1] - 2 * PAD_IN)
    foot_h = 0.0
    if footnote:
        wrapped = _wrap(footnote, region[0], SMALL_SIZE)
        foot_h = (wrapped.count("\n") + 1) * SMALL_SIZE * 1.3 / 72 + 0.06
        region = (region[0], region[1] - foot_h)

    specs = _inset_specs(fig, main, insets)
    frame0 = _pad_extent(main.extent)
    # Zoom windows are marked on the main map: no box, legend or scale bar may cover them either.
    windows = [shapely.box(*spec.frame.extent) for spec in specs if spec.frame.zoom]
    placer = _Placer(np.concatenate([_geoms(main.areas), np.asarray(windows, dtype=object)]))
    layout = _solve_layout(placer, frame0, specs, region)

    block = _LegendBlock(fig, legend_specs)
    area_w, area_h = layout.legend_area
    arrangement, (leg_w, leg_h), fits = block.fit(layout.kind, area_w, area_h)
    if not fits:
        warnings.warn(
            f"the legend ({leg_w:.2f} x {leg_h:.2f} in) is larger than the area reserved for it "
            f"({area_w:.2f} x {area_h:.2f} in): this map's layout differs from the other maps of the report"
        )

    s = layout.scale
    fx0, fy0, fx1, fy1 = layout.frame
    map_w, map_h = layout.map_size
    strip = layout.strip
    content_w, content_h = layout.content
    if not fits and layout.kind == "right":
        content_w, content_h = max(content_w, map_w + GAP_IN + leg_w), max(content_h, leg_h)
    elif not fits and layout.kind == "below":
        content_w, content_h = max(content_w, leg_w), content_h + max(leg_h - LEGEND_BELOW_HEIGHT, 0.0)
    if footnote:  # re-wrapped to the final content width (may add a line to a narrow figure)
        footnote = _wrap(footnote, content_w, SMALL_SIZE)
        foot_h = (footnote.count("\n") + 1) * SMALL_SIZE * 1.3 / 72 + 0.06
    W, H = content_w + 2 * PAD_IN, content_h + foot_h + 2 * PAD_IN
    fig.set_size_inches(W, H)

    # Main map: top-left of the content area.
    top = H - PAD_IN
    map_box = (PAD_IN, top - map_h, PAD_IN + map_w, top)
    main_ax = _setup_axes(fig, map_box, layout.frame, framed=False)
    for spec in layout.insets:
        if spec.frame.zoom:
            _mark_window(main_ax, spec.frame.extent)

    def to_inches(box: Box) -> Box:
        return (
            map_box[0] + (box[0] - fx0) * s,
            map_box[1] + (box[1] - fy0) * s,
            map_box[0] + (box[2] - fx0) * s,
            map_box[1] + (box[3] - fy0) * s,
        )

    # Legends: top-left of their area; inside the frame, in the area's corner.
    if layout.kind == "right":
        legends = block.place(arrangement, map_box[2] + GAP_IN, top)
    elif layout.kind == "below":
        legends = block.place(arrangement, PAD_IN, map_box[1] - strip - GAP_IN)
    else:
        bx0, by0, bx1, by1 = to_inches(layout.legend_box)
        corner = layout.legend_corner or "upper left"
        x = bx0 if "left" in corner else bx1 - leg_w
        y_top = by1 if "upper" in corner else by0 + leg_h
        legends = block.place(arrangement, x, y_top)

    _place_main_scalebar(fig, main_ax, layout, map_box, to_inches, units)

    # Insets.
    inset_axes, zoom_content = [], []
    for spec, box in zip(layout.insets, layout.inset_boxes):
        ax, inset_scale = _inset_axes(fig, spec, to_inches(box), s, units)
        inset_axes.append((ax, spec.frame, inset_scale))
        if spec.frame.zoom:
            zoom_content.append((ax, _zoom_content(ax, spec, inset_scale)))

    if footnote:
        fig.text(
            PAD_IN / W,
            PAD_IN / H,
            footnote,
            fontsize=SMALL_SIZE,
            color=MUTED_TEXT_COLOR,
            ha="left",
            va="bottom",
            linespacing=1.3,
        )
    return _Page(fig, main_ax, inset_axes, legends, layout, zoom_content)


def _place_main_scalebar(fig: Figure, ax: Axes, layout: _Layout, map_box: Box, to_inches, units: _Units) -> None:
    """Draw the main scale bar where the layout put it."""
    map_w = map_box[2] - map_box[0]
    if layout.scalebar_box is not None:
        sb = to_inches(layout.scalebar_box)
        fraction = min(0.22, 0.95 * (sb[2] - sb[0]) / map_w)
        _scalebar(ax, fig, (sb[0], sb[1]), fraction, units)
    else:
        fraction = min(0.22, (SCALEBAR_SIZE[0] - 0.2) / map_w)
        _scalebar(ax, fig, (map_box[0], map_box[1] - layout.strip + 0.02), fraction, units)


def _mark_window(ax: Axes, window: Box) -> Rectangle:
    """A thin rectangle around a zoom window on the main map (above areas and borders, below schools)."""
    x0, y0, x1, y1 = window
    rect = Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=ZOOM_MARK_COLOR,
                     linewidth=ZOOM_MARK_WIDTH, joinstyle="miter", zorder=3.5)
    rect.set_label("_zoom window")
    ax.add_patch(rect)
    return rect


def _inset_axes(fig: Figure, spec: _InsetSpec, box_in: Box, main_scale: float, units: _Units) -> tuple[Axes, float]:
    """Framed inset axes filling ``box_in`` (inches) with the inset's areas centred below its label."""
    s = main_scale * spec.factor
    bw, bh = box_in[2] - box_in[0], box_in[3] - box_in[1]
    cx0, cy0, cx1, cy1 = spec.frame.extent
    content_h = bh - spec.label_h - spec.strip_below()
    cx = (cx0 + cx1) / 2
    cy = (cy0 + cy1) / 2
    half_w = bw / 2 / s
    bottom = cy - content_h / 2 / s - spec.strip_below() / s
    limits = (cx - half_w, bottom, cx + half_w, bottom + bh / s)
    ax = _setup_axes(fig, box_in, limits, framed=True)
    ax.set_zorder(5)
    ax.annotate(
        spec.frame.label or "",
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(spec.pad * 72, -spec.pad * 72 + 1),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=SMALL_SIZE,
        color=TEXT_COLOR,
    )
    if spec.scalebar:
        length_fraction = min(0.6, max(0.25, 0.9 - 0.1 / bw))
        _scalebar(ax, fig, (box_in[0] + spec.pad, box_in[1] + spec.pad - 0.01), length_fraction, units)
    return ax, s


def _zoom_content(ax: Axes, spec: _InsetSpec, scale: float) -> Box:
    """Where a zoom inset shows its map (data units): the window's height, the box's width, within the
    box's padding; the label strip above and the scale bar strip below stay white."""
    x0, x1 = ax.get_xlim()
    pad = spec.pad / scale
    return (x0 + pad, spec.frame.extent[1], x1 - pad, spec.frame.extent[3])


def _clip(ax: Axes, content: Box) -> None:
    """Clip everything drawn in the axes (areas, borders, schools) to a rectangle in data units."""
    bbox = TransformedBbox(Bbox.from_extents(*content), ax.transData)
    for artist in ax.collections:
        artist.set_clip_box(bbox)


# --------------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------------


def save_figure(fig: Figure, out_path: str | os.PathLike) -> Path:
    """Write a figure to ``.png`` (200 dpi) or ``.svg`` deterministically and atomically."""
    out = Path(out_path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported map format {out.suffix!r}: use .png or .svg")
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=f".tmp.{fmt}")
    os.close(fd)
    try:
        fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _new_figure(figsize: tuple[float, float]) -> Figure:
    """A pyplot-free figure with an Agg canvas (garbage-collected, no global registry)."""
    fig = Figure(figsize=figsize, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _validate_common(areas: gpd.GeoDataFrame, figsize: tuple[float, float]) -> None:
    if not isinstance(areas, gpd.GeoDataFrame):
        raise TypeError("areas must be a GeoDataFrame")
    if areas.empty:
        raise ValueError("areas is empty: nothing to map")
    if min(figsize) < 2.0:
        raise ValueError(f"figsize too small for a map: {figsize}")
    _check_crs(areas)


# --------------------------------------------------------------------------------------------------
# Choropleth
# --------------------------------------------------------------------------------------------------


def build_choropleth_figure(
    areas: gpd.GeoDataFrame,
    column: str,
    classes: IndicatorClasses,
    *,
    legend_title: str,
    undefined_label: str,
    outline: gpd.GeoDataFrame | None = None,
    insets: Sequence[Inset] = (),
    footnote: str | None = None,
    figsize: tuple[float, float] = (7.0, 6.2),
    show_counts: bool = True,
    decimal_mark: str = ".",
    thousands_sep: str | None = None,
    distance_unit: str = "km",
    muted_column: str | None = None,
    muted_label: str | None = None,
) -> MapFigure:
    """Build (without saving) the choropleth figure of :func:`choropleth_map`.

    Call inside :func:`map_style` so that fonts and SVG settings match the saved output.
    """
    _validate_common(areas, figsize)
    if column not in areas.columns:
        raise KeyError(f"column {column!r} not in areas")
    values = _as_float(areas[column])
    outside = classes.count_out_of_range(values)
    if outside:
        warnings.warn(f"{outside} value(s) of {column!r} outside {classes.breaks[0]}..{classes.breaks[-1]}; "
                      "shown in the first / last class")
    idx = classes.classify(values)
    muted = _muted_mask(areas, muted_column) & (idx >= 0)
    counts = [int(np.sum((idx == k) & ~muted)) for k in range(classes.n_classes)]
    n_undefined = int(np.sum(idx < 0))

    labels = classes.labels(decimal_mark)
    extra_handles, extra_labels = [], []
    if muted_column is not None:
        extra_handles.append(Patch(facecolor=MUTED_FACE, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.35))
        extra_labels.append(muted_label or "Muted")
    if show_counts:
        labels = [f"{lab} ({_format_count(n, decimal_mark, thousands_sep)})" for lab, n in zip(labels, counts)]
        undefined_text = f"{undefined_label} ({_format_count(n_undefined, decimal_mark, thousands_sep)})"
        muted_count = _format_count(int(muted.sum()), decimal_mark, thousands_sep)
        extra_labels = [f"{lab} ({muted_count})" for lab in extra_labels]
    else:
        undefined_text = undefined_label
    handles = [Patch(facecolor=c, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.35) for c in classes.colors()]
    nan_handle = Patch(facecolor=UNDEFINED_FACE, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.35, hatch=UNDEFINED_HATCH)
    _hatch_style(nan_handle)
    spec = _LegendSpec(
        legend_title,
        [*handles, *extra_handles, nan_handle],
        [*labels, *extra_labels, undefined_text],
        extra=dict(handlelength=1.8, handleheight=1.2, labelspacing=0.4),
    )

    fig = _new_figure(figsize)
    main, inset_frames = _split_frames(areas, insets, None, _to_crs(outline, areas.crs))
    page = _assemble(fig, main, inset_frames, [spec], figsize, footnote, _Units(distance_unit, decimal_mark))
    s = page.layout.scale
    border = _border_width(main.areas, s)
    _draw_choropleth_frame(page.main_ax, main, column, classes, s, border, muted_column)
    for ax, frame, inset_scale in page.inset_axes:
        _draw_choropleth_frame(ax, frame, column, classes, inset_scale, _border_width(frame.areas, inset_scale),
                               muted_column)
    return _map_figure(page, counts)


def _map_figure(page: _Page, counts: list[int]) -> MapFigure:
    """The figure handle of a fully drawn page."""
    page.clip_zoom_insets()
    layout = page.layout
    placement = layout.kind if layout.kind != "inside" else f"inside {layout.legend_corner}"
    return MapFigure(
        page.fig, page.main_ax, [a for a, _, _ in page.inset_axes], page.legends, placement, layout.scalebar, counts
    )


def choropleth_map(
    areas: gpd.GeoDataFrame,
    column: str,
    classes: IndicatorClasses,
    out_path: str | os.PathLike,
    *,
    legend_title: str,
    undefined_label: str,
    outline: gpd.GeoDataFrame | None = None,
    insets: Sequence[Inset] = (),
    footnote: str | None = None,
    figsize: tuple[float, float] = (7.0, 6.2),
    show_counts: bool = True,
    decimal_mark: str = ".",
    thousands_sep: str | None = None,
    distance_unit: str = "km",
    muted_column: str | None = None,
    muted_label: str | None = None,
) -> Path:
    """Draw a choropleth of ``areas[column]`` classed by fixed ``classes`` and save it to ``out_path``.

    Parameters
    ----------
    areas
        Municipalities in a projected equal-area CRS in metres, with ``municipality_code`` and ``column``
        (floats; NaN where the index is undefined).
    column, classes
        Indicator to map and its fixed class breaks (see :data:`INDICATOR_CLASSES`).
    out_path
        ``.png`` (200 dpi) or ``.svg`` (rasterised map layers, text as text). Written atomically.
    legend_title, undefined_label
        Legend title and the label of the hatched "undefined" entry (already translated).
    outline
        Optional region polygons drawn as thicker borders on top.
    insets
        Municipalities drawn in framed boxes instead of the main frame (excluded from its extent); zoom
        insets (``Inset(..., zoom=True)``) show a magnified window around theirs, which stay in the main
        frame, where a thin rectangle marks the window.
    footnote
        Optional small text under the map (e.g. "Synthetic demonstration data").
    figsize
        Maximum figure size in inches; the saved figure is cropped to its content.
    show_counts
        Append the number of areas to each legend entry.
    decimal_mark
        ``"."`` or ``","``; with ``","`` counts use a no-break space as thousands separator and
        percentages a no-break space before ``%``.
    distance_unit
        Text after scale bar values (``"km"``; e.g. ``"км"`` for Bulgarian).
    muted_column, muted_label
        Optional boolean column: areas where it is true are drawn in plain grey with their own legend
        entry ``muted_label`` instead of their class colour (e.g. municipalities whose segregation cannot
        be told apart from random allocation).

    Returns
    -------
    Path
        ``out_path``.
    """
    with map_style():
        mf = build_choropleth_figure(
            areas,
            column,
            classes,
            legend_title=legend_title,
            undefined_label=undefined_label,
            outline=outline,
            insets=insets,
            footnote=footnote,
            figsize=figsize,
            show_counts=show_counts,
            decimal_mark=decimal_mark,
            thousands_sep=thousands_sep,
            distance_unit=distance_unit,
            muted_column=muted_column,
            muted_label=muted_label,
        )
        try:
            return save_figure(mf.figure, out_path)
        finally:
            mf.figure.clear()


# --------------------------------------------------------------------------------------------------
# School points
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointStyle:
    """How schools of one category are drawn. ``sized``: marker area proportional to pupils."""

    color: str
    edge: str
    sized: bool
    rank: int  # drawing order: higher on top


#: Category styles: red / orange for (severely) segregated schools, purple for high-share schools without
#: an alternative, small neutral-grey dots for the context categories. Lightness differs between every pair,
#: so the categories stay apart for colour-blind readers and in greyscale print.
CATEGORY_STYLES: dict[str, PointStyle] = {
    "severe": PointStyle("#b30000", "#3d0000", True, 5),
    "segregated": PointStyle("#fc8d59", "#7f3b08", True, 4),
    "no_alternative": PointStyle("#8073ac", "#2d004b", True, 3),
    "below_threshold": PointStyle("#9a9a9a", "#9a9a9a", False, 2),
    "no_pupils": PointStyle("#c2c2c2", "#c2c2c2", False, 1),
}
OTHER_STYLE = PointStyle("#c2c2c2", "#c2c2c2", False, 0)
MARKER_DIAMETER_1000 = 9.0  # pt, marker diameter of a school with 1,000 pupils (area proportional)
MARKER_MIN_DIAMETER = 2.6  # pt, smallest sized marker

# Context (non-sized) dots are faint background: the more crowded they are on the page, the smaller and
# more transparent they get, so that 19,000 schools do not turn the country into a grey haze while 2,000
# remain easy to see. Crowding = median, over context dots, of the number of context dots per 100 pt² in
# the CONTEXT_CELL x CONTEXT_CELL pt grid cell around them (the typical neighbourhood of a dot).
CONTEXT_DIAMETER = 2.2  # pt, largest size of context dots (sparse maps)
CONTEXT_MIN_DIAMETER = 0.9  # pt, smallest size (~2.5 px at 200 dpi: still a visible dot)
CONTEXT_ALPHA_RANGE = (0.55, 0.9)  # opacity on crowded ... sparse maps
CONTEXT_CROWDING_RANGE = (3.0, 20.0)  # dots per 100 pt² at which opacity starts / stops falling
CONTEXT_COVERAGE = 0.12  # share of a typical neighbourhood that context dots may cover
CONTEXT_CELL = 12.0  # pt
def _marker_diameter(pupils: np.ndarray) -> np.ndarray:
    """Marker diameter (pt) with area proportional to the number of pupils."""
    p = np.nan_to_num(np.asarray(pupils, dtype=float), nan=0.0).clip(min=0.0)
    return np.maximum(MARKER_DIAMETER_1000 * np.sqrt(p / 1000.0), MARKER_MIN_DIAMETER)


def _size_references(pupils: np.ndarray) -> list[int]:
    """Three round reference sizes for the size legend: n/10, n/2, n with n the largest 1-2-5 value <= max."""
    p = np.asarray(pupils, dtype=float)
    p = p[np.isfinite(p) & (p > 0)]
    if p.size == 0:
        return [100, 500, 1000]
    top = float(p.max())
    nice = max(
        (m * 10**e for e in range(0, 7) for m in (1, 2, 5) if m * 10**e <= top),
        default=10,
    )
    refs = sorted({max(1, round(nice / 10)), max(1, round(nice / 2)), int(nice)})
    return refs if len(refs) > 1 else [1, 5, 10]


def _draw_base(ax: Axes, frame: _Frame, scale: float) -> None:
    """Light municipality base with region outlines for the school map."""
    border = _border_width(frame.areas, scale)
    _add_polygons(ax, _geoms(frame.areas), scale, 1.0, facecolors=BASE_FACE, edgecolors="white", linewidths=border)
    _draw_outline(ax, frame, scale, color=BASE_OUTLINE_COLOR, width=0.45)


@dataclass(frozen=True)
class _ContextStyle:
    """Size (pt) and opacity of the context dots of one map (the same in the main frame and the insets)."""

    diameter: float = CONTEXT_DIAMETER
    alpha: float = CONTEXT_ALPHA_RANGE[1]

    def legend_props(self, style: PointStyle) -> dict:
        """Legend marker of a context category: the dot's colour as seen on the base, a little enlarged."""
        color = _blend(style.color, self.alpha, BASE_FACE)
        return dict(markersize=max(self.diameter + 0.8, 2.6), markerfacecolor=color, markeredgecolor=color,
                    markeredgewidth=0.0)


def _blend(color: str, alpha: float, background: str) -> str:
    """Opaque colour of ``color`` drawn with ``alpha`` over ``background``."""
    fg, bg = to_rgba_array([color, background])[:, :3]
    return to_hex(alpha * fg + (1.0 - alpha) * bg)


def _located_schools(
    schools: gpd.GeoDataFrame | None, styles: Mapping[str, PointStyle]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Position (x, y), category and pupils of the schools whose category has a style; None if none."""
    if schools is None or schools.empty:
        return None
    cats = schools["category"].astype(str).to_numpy()
    keep = np.isin(cats, list(styles))
    if not keep.any():
        return None
    xy = shapely.get_coordinates(shapely.centroid(_geoms(schools)[keep]))  # one position per school
    return xy, cats[keep], _as_float(schools["pupils_total"])[keep]


def _context_style(
    layers: Sequence[tuple[gpd.GeoDataFrame | None, float]], styles: Mapping[str, PointStyle]
) -> _ContextStyle:
    """Size and opacity of the context dots from how crowded they are on the page.

    ``layers``: the schools of each frame with its scale (inches per metre). The crowding is the median,
    over context dots, of the number of context dots per 100 pt² in their CONTEXT_CELL-pt grid cell. The
    diameter makes the dots cover about CONTEXT_COVERAGE of such a neighbourhood (within
    CONTEXT_MIN_DIAMETER .. CONTEXT_DIAMETER); the opacity falls log-linearly over CONTEXT_CROWDING_RANGE.
    """
    context = [c for c, st in styles.items() if not st.sized]
    per_dot = []
    for schools, scale in layers:
        located = _located_schools(schools, styles)
        if located is None:
            continue
        xy, cats, _ = located
        xy = xy[np.isin(cats, context)]
        if len(xy) == 0:
            continue
        cells = np.floor(xy * (scale * 72.0 / CONTEXT_CELL)).astype(np.int64)
        _, inverse, counts = np.unique(cells, axis=0, return_inverse=True, return_counts=True)
        per_dot.append(counts[np.ravel(inverse)])
    if not per_dot:
        return _ContextStyle()
    crowding = float(np.median(np.concatenate(per_dot))) * 100.0 / CONTEXT_CELL**2
    diameter = math.sqrt(4.0 * CONTEXT_COVERAGE * 100.0 / (math.pi * crowding))
    diameter = min(max(diameter, CONTEXT_MIN_DIAMETER), CONTEXT_DIAMETER)
    lo, hi = CONTEXT_CROWDING_RANGE
    t = min(max(math.log(crowding / lo) / math.log(hi / lo), 0.0), 1.0)
    a_min, a_max = CONTEXT_ALPHA_RANGE
    return _ContextStyle(round(diameter, 3), round(a_max - t * (a_max - a_min), 3))


def _draw_schools(
    ax: Axes, schools: gpd.GeoDataFrame | None, styles: Mapping[str, PointStyle], context: _ContextStyle
) -> None:
    """Schools as points: context categories as small faint dots below, highlighted ones sized on top."""
    located = _located_schools(schools, styles)
    if located is None:
        return
    xy, cats, pupils = located
    sized = np.array([styles[c].sized for c in cats])
    diam = np.where(sized, _marker_diameter(pupils), context.diameter)
    rank = np.array([styles[c].rank for c in cats])
    face = to_rgba_array([styles[c].color for c in cats])
    edge = to_rgba_array([styles[c].edge for c in cats])
    for is_sized, z in ((False, 4.0), (True, 5.0)):
        sel = np.flatnonzero(sized == is_sized)
        if sel.size == 0:
            continue
        # Big markers first so small ones stay visible; among equals the more severe category on top.
        order = sel[np.lexsort((rank[sel], -diam[sel]))]
        fc = face[order].copy()
        if not is_sized:
            fc[:, 3] = context.alpha
        ax.scatter(
            xy[order, 0],
            xy[order, 1],
            s=diam[order] ** 2,
            c=fc,
            edgecolors=edge[order] if is_sized else "none",
            linewidths=0.35 if is_sized else 0.0,
            zorder=z,
            rasterized=True,
        )


def build_school_points_figure(
    areas: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    *,
    legend_title: str,
    category_labels: Mapping[str, str],
    size_legend_title: str,
    outline: gpd.GeoDataFrame | None = None,
    insets: Sequence[Inset] = (),
    footnote: str | None = None,
    figsize: tuple[float, float] = (7.0, 6.2),
    other_label: str | None = None,
    decimal_mark: str = ".",
    thousands_sep: str | None = None,
    distance_unit: str = "km",
) -> MapFigure:
    """Build (without saving) the school map of :func:`school_points_map`. Use inside :func:`map_style`."""
    _validate_common(areas, figsize)
    if not category_labels:
        raise ValueError("category_labels is empty: nothing to highlight")
    schools = _to_crs(schools, areas.crs)
    if schools is None:
        schools = gpd.GeoDataFrame({"category": [], "pupils_total": []}, geometry=[], crs=areas.crs)
    missing = {"category", "pupils_total"} - set(schools.columns)
    if missing:
        raise KeyError(f"schools lacks column(s) {sorted(missing)}")

    styles: dict[str, PointStyle] = {}
    for cat in category_labels:
        styles[cat] = CATEGORY_STYLES.get(cat, PointStyle("#4d4d4d", "#000000", True, 3))
    if other_label:
        for cat in set(schools["category"].astype(str)) - set(styles):
            styles[cat] = OTHER_STYLE

    legend_entries = [(styles[c], label) for c, label in category_labels.items()]
    if other_label:
        legend_entries.append((OTHER_STYLE, other_label))
    # Ordered from most to least severe in the legend as given by the caller's dict order.
    cat_handles = [
        Line2D([], [], linestyle="", marker="o", markersize=7.0, markerfacecolor=st.color,
               markeredgecolor=st.edge, markeredgewidth=0.35)
        if st.sized
        else Line2D([], [], linestyle="", marker="o", **_ContextStyle().legend_props(st))
        for st, _ in legend_entries
    ]
    refs = _size_references(_as_float(schools["pupils_total"]))
    ref_diam = _marker_diameter(np.asarray(refs, dtype=float))
    size_handles = [
        Line2D([], [], linestyle="", marker="o", markersize=float(d), markerfacecolor="#f2f2f2",
               markeredgecolor="#4d4d4d", markeredgewidth=0.5)
        for d in ref_diam
    ]
    big = float(ref_diam.max()) / FONT_SIZE
    specs = [
        _LegendSpec(legend_title, cat_handles, [lab for _, lab in legend_entries],
                    extra=dict(handlelength=1.4, handleheight=1.1, labelspacing=0.45)),
        _LegendSpec(size_legend_title, size_handles, [_format_count(r, decimal_mark, thousands_sep) for r in refs],
                    extra=dict(handlelength=max(1.4, big), handleheight=max(1.1, big), labelspacing=0.25)),
    ]

    fig = _new_figure(figsize)
    main, inset_frames = _split_frames(areas, insets, schools, _to_crs(outline, areas.crs))
    page = _assemble(fig, main, inset_frames, specs, figsize, footnote, _Units(distance_unit, decimal_mark))
    s = page.layout.scale
    # Context dots: one size / opacity for the whole map, from their crowding at the final scale; the
    # legend markers (already measured: their size does not change the legend's) follow it.
    # Zoom insets repeat schools of the main frame, magnified: they do not count.
    context = _context_style(
        [(main.schools, s), *((f.schools, sc) for _, f, sc in page.inset_axes if not f.zoom)], styles
    )
    for handle, (st, _) in zip(page.legends[0].legend_handles, legend_entries):
        if not st.sized and handle is not None:
            handle.set(**context.legend_props(st))
    _draw_base(page.main_ax, main, s)
    _draw_schools(page.main_ax, main.schools, styles, context)
    for ax, frame, inset_scale in page.inset_axes:
        _draw_base(ax, frame, inset_scale)
        _draw_schools(ax, frame.schools, styles, context)
    return _map_figure(page, [])


def school_points_map(
    areas: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    out_path: str | os.PathLike,
    *,
    legend_title: str,
    category_labels: Mapping[str, str],
    size_legend_title: str,
    outline: gpd.GeoDataFrame | None = None,
    insets: Sequence[Inset] = (),
    footnote: str | None = None,
    figsize: tuple[float, float] = (7.0, 6.2),
    other_label: str | None = None,
    decimal_mark: str = ".",
    thousands_sep: str | None = None,
    distance_unit: str = "km",
) -> Path:
    """Draw schools as points over a light municipality base and save to ``out_path``.

    ``schools`` holds points (same CRS as ``areas``) with ``category`` (``severe``, ``segregated``,
    ``below_threshold``, ``no_alternative``, ``no_pupils``), ``pupils_total`` and, for insets,
    ``municipality_code`` (schools without it are assigned to insets by location).

    Only categories that are keys of ``category_labels`` are drawn, in the legend order of that dict.
    ``severe``, ``segregated`` and ``no_alternative`` schools are circles with area proportional to
    ``pupils_total`` (size legend titled ``size_legend_title``), drawn on top; ``below_threshold`` and
    ``no_pupils`` are small, faint grey dots underneath (smaller and more transparent the more crowded they
    are on the page: faint context on a map of 19,000 schools, still easy to see with 2,000), so segregated
    schools stand out.
    ``other_label``: when given, schools of categories missing from ``category_labels`` are drawn as grey
    context dots with that legend entry; otherwise they are not drawn. Other arguments as in
    :func:`choropleth_map`.
    """
    with map_style():
        mf = build_school_points_figure(
            areas,
            schools,
            legend_title=legend_title,
            category_labels=category_labels,
            size_legend_title=size_legend_title,
            outline=outline,
            insets=insets,
            footnote=footnote,
            figsize=figsize,
            other_label=other_label,
            decimal_mark=decimal_mark,
            thousands_sep=thousands_sep,
            distance_unit=distance_unit,
        )
        try:
            return save_figure(mf.figure, out_path)
        finally:
            mf.figure.clear()
