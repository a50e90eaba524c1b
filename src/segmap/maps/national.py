"""The national maps of the segmap reports: indicator choropleths (and their change) and the school map.

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

The parts shared with the regional maps live in the other modules of :mod:`segmap.maps` (style, classes,
frames, layout, legend, page, draw); this module holds the two national map types and re-exports the
names of its public API (``__all__``) from their homes. It is longer than 600 lines because it keeps
both national map types, each with the private helpers only it uses, side by side.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgba_array
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from segmap.maps.classes import INDICATOR_CLASSES, IndicatorClasses, as_float, format_count
from segmap.maps.draw import (
    add_polygons,
    border_width,
    drop_specks,
    geometries,
    marker_diameter,
    new_figure,
    save_figure,
)
from segmap.maps.frames import Frame, Inset, split_frames
from segmap.maps.legend import LegendSpec, Units, size_references
from segmap.maps.page import MapFigure, assemble, map_figure
from segmap.maps.style import (
    BASE_FACE,
    BASE_OUTLINE_COLOR,
    BORDER_COLOR,
    FONT_SIZE,
    HATCH_COLOR,
    HATCH_WIDTH,
    LEGEND_EDGE_COLOR,
    MUTED_FACE,
    NO_DATA_FACE,
    OUTLINE_COLOR,
    OUTLINE_WIDTH,
    UNDEFINED_FACE,
    UNDEFINED_HATCH,
    map_style,
)

#: The largest national map figure (inches): the A4 text width, and as tall as a page leaves under its title
#: with the caption and the facts below (the figure is then cropped to its content, see ``assemble``).
NATIONAL_FIGSIZE = (7.0, 6.6)

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
# Input checks
# --------------------------------------------------------------------------------------------------


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


def _muted_mask(areas: gpd.GeoDataFrame, column: str | None) -> np.ndarray:
    """True where ``areas[column]`` is true (missing counts as false); all false without a column."""
    if column is None:
        return np.zeros(len(areas), dtype=bool)
    return areas[column].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _hatch_style(artist) -> None:
    """Grey, thin hatching (older matplotlib takes both from the rcParams set by :func:`map_style`)."""
    if hasattr(artist, "set_hatchcolor"):
        artist.set_hatchcolor(HATCH_COLOR)
    if hasattr(artist, "set_hatch_linewidth"):
        artist.set_hatch_linewidth(HATCH_WIDTH)


def _draw_outline(
    ax: Axes, frame: Frame, scale: float, color: str | None = None, width: float | None = None
) -> None:
    """Region borders on top of the municipalities, no fill; specks below (1 pt)² are left out."""
    if frame.outline is None or not len(frame.outline):
        return
    point = 1 / 72 / scale  # one typographic point in metres at this scale
    parts = drop_specks(frame.outline, point**2)
    add_polygons(
        ax,
        parts,
        scale,
        3.0,
        facecolors="none",
        edgecolors=OUTLINE_COLOR if color is None else color,
        linewidths=OUTLINE_WIDTH if width is None else width,
    )


def _draw_choropleth_frame(
    ax: Axes, frame: Frame, column: str, classes: IndicatorClasses, scale: float, border: float,
    muted_column: str | None = None, no_data_column: str | None = None,
) -> None:
    """Classed municipalities, grey muted ones, hatched undefined ones, white ones without census data."""
    idx = classes.classify(frame.areas[column])
    geoms = geometries(frame.areas)
    palette = to_rgba_array(classes.colors())
    no_data = _muted_mask(frame.areas, no_data_column)
    idx = np.where(no_data, -2, idx)
    muted = _muted_mask(frame.areas, muted_column) & (idx >= 0)
    defined = (idx >= 0) & ~muted
    add_polygons(ax, geoms[no_data], scale, 1.0, facecolors=NO_DATA_FACE, edgecolors=BORDER_COLOR,
                 linewidths=border)
    add_polygons(ax, geoms[muted], scale, 1.0, facecolors=MUTED_FACE, edgecolors=BORDER_COLOR, linewidths=border)
    add_polygons(
        ax, geoms[defined], scale, 1.0, facecolors=palette[idx[defined]], edgecolors=BORDER_COLOR, linewidths=border
    )
    undefined = add_polygons(
        ax,
        geoms[idx == -1],
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
    figsize: tuple[float, float] = NATIONAL_FIGSIZE,
    show_counts: bool = True,
    decimal_mark: str = ".",
    thousands_sep: str | None = None,
    distance_unit: str = "km",
    muted_column: str | None = None,
    muted_label: str | None = None,
    no_data_column: str | None = None,
    no_data_label: str | None = None,
) -> MapFigure:
    """Build (without saving) the choropleth figure of :func:`choropleth_map`.

    Call inside :func:`map_style` so that fonts and SVG settings match the saved output.
    """
    _validate_common(areas, figsize)
    if column not in areas.columns:
        raise KeyError(f"column {column!r} not in areas")
    values = as_float(areas[column])
    outside = classes.count_out_of_range(values)
    if outside:
        warnings.warn(f"{outside} value(s) of {column!r} outside {classes.breaks[0]}..{classes.breaks[-1]}; "
                      "shown in the first / last class")
    no_data = _muted_mask(areas, no_data_column)
    idx = np.where(no_data, -2, classes.classify(values))
    muted = _muted_mask(areas, muted_column) & (idx >= 0)
    counts = [int(np.sum((idx == k) & ~muted)) for k in range(classes.n_classes)]
    n_undefined = int(np.sum(idx == -1))

    labels = classes.labels(decimal_mark)
    extra_handles, extra_labels = [], []
    if muted_column is not None:
        extra_handles.append(Patch(facecolor=MUTED_FACE, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.35))
        extra_labels.append(muted_label or "Muted")
    if show_counts:
        labels = [f"{lab} ({format_count(n, decimal_mark, thousands_sep)})" for lab, n in zip(labels, counts)]
        undefined_text = f"{undefined_label} ({format_count(n_undefined, decimal_mark, thousands_sep)})"
        muted_count = format_count(int(muted.sum()), decimal_mark, thousands_sep)
        extra_labels = [f"{lab} ({muted_count})" for lab in extra_labels]
    else:
        undefined_text = undefined_label
    handles = [Patch(facecolor=c, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.35) for c in classes.colors()]
    nan_handle = Patch(facecolor=UNDEFINED_FACE, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.35, hatch=UNDEFINED_HATCH)
    _hatch_style(nan_handle)
    tail_handles, tail_labels = [nan_handle], [undefined_text]
    if no_data.any():  # only where the boundaries hold polygons without a census row
        tail_handles.append(Patch(facecolor=NO_DATA_FACE, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.35))
        n_no_data = format_count(int(no_data.sum()), decimal_mark, thousands_sep)
        tail_labels.append(f"{no_data_label or 'No census data'}" + (f" ({n_no_data})" if show_counts else ""))
    spec = LegendSpec(
        legend_title,
        [*handles, *extra_handles, *tail_handles],
        [*labels, *extra_labels, *tail_labels],
        extra=dict(handlelength=1.8, handleheight=1.2, labelspacing=0.4),
    )

    fig = new_figure(figsize)
    main, inset_frames = split_frames(areas, insets, None, _to_crs(outline, areas.crs))
    page = assemble(fig, main, inset_frames, [spec], figsize, footnote, Units(distance_unit, decimal_mark))
    s = page.layout.scale
    border = border_width(main.areas, s)
    _draw_choropleth_frame(page.main_ax, main, column, classes, s, border, muted_column, no_data_column)
    for ax, frame, inset_scale in page.inset_axes:
        _draw_choropleth_frame(ax, frame, column, classes, inset_scale, border_width(frame.areas, inset_scale),
                               muted_column, no_data_column)
    return map_figure(page, counts)


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
    figsize: tuple[float, float] = NATIONAL_FIGSIZE,
    show_counts: bool = True,
    decimal_mark: str = ".",
    thousands_sep: str | None = None,
    distance_unit: str = "km",
    muted_column: str | None = None,
    muted_label: str | None = None,
    no_data_column: str | None = None,
    no_data_label: str | None = None,
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
    no_data_column, no_data_label
        Optional boolean column: areas where it is true (polygons of the boundaries without a census row)
        are drawn white with their own legend entry ``no_data_label``, which appears only when there are any.

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
            no_data_column=no_data_column,
            no_data_label=no_data_label,
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


def _draw_base(ax: Axes, frame: Frame, scale: float) -> None:
    """Light municipality base with region outlines for the school map."""
    border = border_width(frame.areas, scale)
    add_polygons(ax, geometries(frame.areas), scale, 1.0, facecolors=BASE_FACE, edgecolors="white", linewidths=border)
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
    xy = shapely.get_coordinates(shapely.centroid(geometries(schools)[keep]))  # one position per school
    return xy, cats[keep], as_float(schools["pupils_total"])[keep]


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
    diam = np.where(sized, marker_diameter(pupils), context.diameter)
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
    figsize: tuple[float, float] = NATIONAL_FIGSIZE,
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
    refs = size_references(as_float(schools["pupils_total"]))
    ref_diam = marker_diameter(np.asarray(refs, dtype=float))
    size_handles = [
        Line2D([], [], linestyle="", marker="o", markersize=float(d), markerfacecolor="#f2f2f2",
               markeredgecolor="#4d4d4d", markeredgewidth=0.5)
        for d in ref_diam
    ]
    big = float(ref_diam.max()) / FONT_SIZE
    specs = [
        LegendSpec(legend_title, cat_handles, [lab for _, lab in legend_entries],
                   extra=dict(handlelength=1.4, handleheight=1.1, labelspacing=0.45)),
        LegendSpec(size_legend_title, size_handles, [format_count(r, decimal_mark, thousands_sep) for r in refs],
                   extra=dict(handlelength=max(1.4, big), handleheight=max(1.1, big), labelspacing=0.25)),
    ]

    fig = new_figure(figsize)
    main, inset_frames = split_frames(areas, insets, schools, _to_crs(outline, areas.crs))
    page = assemble(fig, main, inset_frames, specs, figsize, footnote, Units(distance_unit, decimal_mark))
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
    return map_figure(page, [])


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
    figsize: tuple[float, float] = NATIONAL_FIGSIZE,
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
