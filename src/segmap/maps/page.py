"""Assembly of a national map page, shared by the choropleths and the school map.

:func:`assemble` solves the layout (:mod:`segmap.maps.layout`), sizes the figure to its content and
creates the main axes, the inset axes (labelled, with their own scale bar when drawn at another scale),
the zoom window marks, the legends (:mod:`segmap.maps.legend`), the main scale bar and the footnote; the
map types of :mod:`segmap.maps.national` then draw their layers into the returned :class:`Page`, and
:func:`map_figure` turns it into the :class:`MapFigure` handle that callers and tests inspect.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, TransformedBbox

from segmap.maps.draw import Box, geometries, pad_extent, setup_axes
from segmap.maps.frames import Frame
from segmap.maps.layout import LEGEND_BELOW_HEIGHT, SCALEBAR_SIZE, InsetSpec, Layout, Placer, solve_layout
from segmap.maps.legend import LegendBlock, LegendSpec, Units, add_scalebar, text_width, wrap_text
from segmap.maps.style import (
    GAP_IN,
    INSET_MAX_FRACTION,
    INSET_MIN_FRACTION,
    MUTED_TEXT_COLOR,
    PAD_IN,
    SMALL_SIZE,
    TEXT_COLOR,
    ZOOM_FACTOR_RANGE,
    ZOOM_FRACTION,
    ZOOM_MARK_COLOR,
    ZOOM_MARK_WIDTH,
)


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


@dataclass
class Page:
    """Everything drawn on a figure once the layout is known."""

    fig: Figure
    main_ax: Axes
    inset_axes: list[tuple[Axes, Frame, float]]  # (axes, frame, scale in inches per metre)
    legends: list[Legend]
    layout: Layout
    zoom_content: list[tuple[Axes, Box]] = field(default_factory=list)  # where zoom insets show their map

    def clip_zoom_insets(self) -> None:
        """Clip the map of each zoom inset to its content rectangle (call once everything is drawn)."""
        for ax, content in self.zoom_content:
            _clip(ax, content)


def _inset_specs(fig: Figure, main: Frame, frames: Sequence[Frame]) -> list[InsetSpec]:
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
        label_w = text_width(frame.label or "", SMALL_SIZE)
        specs.append(InsetSpec(frame, factor, label_w, SMALL_SIZE * 1.45 / 72, min_scale_size=min_size))
    return specs


def assemble(
    fig: Figure,
    main: Frame,
    insets: Sequence[Frame],
    legend_specs: Sequence[LegendSpec],
    figsize: tuple[float, float],
    footnote: str | None,
    units: Units,
) -> Page:
    """Solve the layout, size the figure to its content and create axes, legends, scale bars, footnote.

    The layout (figure size, map scale and position, inset boxes, scale bar) depends on the geometry, the
    insets, ``figsize`` and the footnote only; the legends are fitted into the area reserved for them.
    """
    fig.set_size_inches(figsize)
    region = (figsize[0] - 2 * PAD_IN, figsize[1] - 2 * PAD_IN)
    foot_h = 0.0
    if footnote:
        wrapped = wrap_text(footnote, region[0], SMALL_SIZE)
        foot_h = (wrapped.count("\n") + 1) * SMALL_SIZE * 1.3 / 72 + 0.06
        region = (region[0], region[1] - foot_h)

    specs = _inset_specs(fig, main, insets)
    frame0 = pad_extent(main.extent)
    # Zoom windows are marked on the main map: no box, legend or scale bar may cover them either.
    windows = [shapely.box(*spec.frame.extent) for spec in specs if spec.frame.zoom]
    placer = Placer(np.concatenate([geometries(main.areas), np.asarray(windows, dtype=object)]))
    layout = solve_layout(placer, frame0, specs, region)

    block = LegendBlock(fig, legend_specs)
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
        footnote = wrap_text(footnote, content_w, SMALL_SIZE)
        foot_h = (footnote.count("\n") + 1) * SMALL_SIZE * 1.3 / 72 + 0.06
    W, H = content_w + 2 * PAD_IN, content_h + foot_h + 2 * PAD_IN
    fig.set_size_inches(W, H)

    # Main map: top-left of the content area.
    top = H - PAD_IN
    map_box = (PAD_IN, top - map_h, PAD_IN + map_w, top)
    main_ax = setup_axes(fig, map_box, layout.frame, framed=False)
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
    return Page(fig, main_ax, inset_axes, legends, layout, zoom_content)


def _place_main_scalebar(fig: Figure, ax: Axes, layout: Layout, map_box: Box, to_inches, units: Units) -> None:
    """Draw the main scale bar where the layout put it."""
    map_w = map_box[2] - map_box[0]
    if layout.scalebar_box is not None:
        sb = to_inches(layout.scalebar_box)
        fraction = min(0.22, 0.95 * (sb[2] - sb[0]) / map_w)
        add_scalebar(ax, fig, (sb[0], sb[1]), fraction, units)
    else:
        fraction = min(0.22, (SCALEBAR_SIZE[0] - 0.2) / map_w)
        add_scalebar(ax, fig, (map_box[0], map_box[1] - layout.strip + 0.02), fraction, units)


def _mark_window(ax: Axes, window: Box) -> Rectangle:
    """A thin rectangle around a zoom window on the main map (above areas and borders, below schools)."""
    x0, y0, x1, y1 = window
    rect = Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=ZOOM_MARK_COLOR,
                     linewidth=ZOOM_MARK_WIDTH, joinstyle="miter", zorder=3.5)
    rect.set_label("_zoom window")
    ax.add_patch(rect)
    return rect


def _inset_axes(fig: Figure, spec: InsetSpec, box_in: Box, main_scale: float, units: Units) -> tuple[Axes, float]:
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
    ax = setup_axes(fig, box_in, limits, framed=True)
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
        add_scalebar(ax, fig, (box_in[0] + spec.pad, box_in[1] + spec.pad - 0.01), length_fraction, units)
    return ax, s


def _zoom_content(ax: Axes, spec: InsetSpec, scale: float) -> Box:
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


def map_figure(page: Page, counts: list[int]) -> MapFigure:
    """The figure handle of a fully drawn page."""
    page.clip_zoom_insets()
    layout = page.layout
    placement = layout.kind if layout.kind != "inside" else f"inside {layout.legend_corner}"
    return MapFigure(
        page.fig, page.main_ax, [a for a, _, _ in page.inset_axes], page.legends, placement, layout.scalebar, counts
    )
