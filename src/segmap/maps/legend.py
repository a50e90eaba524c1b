"""Legends and scale bars of the maps, and measuring and wrapping text in the map font.

* text: :func:`text_width` and :func:`wrap_text` (inches on the page; also used for inset labels,
  footnotes and the regional maps' municipality names);
* legends: a :class:`LegendSpec` says what one legend shows; a :class:`LegendBlock` arranges one or more
  of them (stacked or side by side, labels wrapped) to fit the legend area that
  :mod:`segmap.maps.layout` reserved; :func:`size_references` picks the round pupil numbers of a size
  legend;
* scale bars in km: :func:`add_scalebar`, :func:`nice_length` (1-2-5 lengths) and :class:`Units` (the
  distance unit and decimal mark of the report's language).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib_scalebar.scalebar import ScaleBar

from segmap.maps.style import DPI, FONT_FAMILY, FONT_SIZE, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE


# --------------------------------------------------------------------------------------------------
# Text
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
def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in inches of a single-line text in the map font."""
    prop = FontProperties(family=FONT_FAMILY, size=size, weight=weight)
    w, _, _ = _measuring_renderer().get_text_width_height_descent(text, prop, ismath=False)
    return w / DPI


def wrap_text(text: str, max_width: float, size: float, weight: str = "normal") -> str:
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
            if text_width(trial, size, weight) <= max_width:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Legends
# --------------------------------------------------------------------------------------------------


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
class LegendSpec:
    """What one legend shows; it is built (and measured) at several widths / column counts."""

    title: str
    handles: list
    labels: list[str]
    extra: dict = field(default_factory=dict)  # extra Legend keyword arguments

    def texts(self, label_width: float, title_width: float) -> tuple[tuple[str, ...], str | None]:
        """Labels and title wrapped to the given widths (inches)."""
        labels = tuple(wrap_text(lab, label_width, FONT_SIZE) for lab in self.labels)
        title = wrap_text(self.title, title_width, TITLE_SIZE, "bold") if self.title else None
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


class LegendBlock:
    """One or more legends laid out as a block: stacked (beside / inside the map) or side by side (below)."""

    SPACING = 0.18  # inches between the legends of a block
    LABEL_WIDTHS = (1.2, 1.45, 1.7, 1.95, 2.2, 2.4, 2.8, 3.4)  # label wrap widths tried (inches)
    ROW_TITLE_WIDTH = 2.8  # title wrap width of legends side by side (inches)

    def __init__(self, fig: Figure, specs: Sequence[LegendSpec]):
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


def size_references(pupils: np.ndarray) -> list[int]:
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


# --------------------------------------------------------------------------------------------------
# Scale bars
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Units:
    """Locale bits of the map text: the distance unit after scale bar values and the decimal mark."""

    distance: str = "km"
    decimal_mark: str = "."

    def distance_label(self, value: float) -> str:
        """Scale bar text, e.g. ``"100 km"`` or ``"0,5 km"``."""
        return f"{value:g}".replace(".", self.decimal_mark) + f" {self.distance}"


def nice_length(max_length: float) -> float:
    """Largest 1-2-5 length (metres) not above ``max_length``."""
    exponent = math.floor(math.log10(max(max_length, 1e-9)))
    for mantissa in (5, 2, 1):
        value = mantissa * 10.0**exponent
        if value <= max_length:
            return value
    return 10.0**exponent


def add_scalebar(
    ax: Axes,
    fig: Figure,
    anchor_in: tuple[float, float],
    length_fraction: float,
    units: Units,
    location: str = "lower left",
) -> ScaleBar:
    """A km scale bar whose ``location`` corner sits at ``anchor_in`` (figure inches).

    The bar takes the longest 1-2-5 length (…, 0.5, 1, 2, 5, 10, 20, 50, 100, 200 … km) not longer than
    ``length_fraction`` of the axes width.
    """
    x0, x1 = ax.get_xlim()
    length_km = nice_length(abs(x1 - x0) * length_fraction) / 1000.0
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
