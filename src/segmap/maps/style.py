"""Map style: fonts, colours, line widths, sizes and spacing shared by every map, and :func:`map_style`.

Only constants and the matplotlib rcParams of the maps live here (no drawing). The cartographic choices
behind them are explained next to each value and in :mod:`segmap.maps.national`. Sizes are in points
(pt) or inches (``_IN``) on the page unless a comment says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib

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
NO_DATA_FACE = "#ffffff"  # a polygon of the boundaries without a census row (see ``no_data_column``)
HATCH_COLOR = "#808080"
HATCH_WIDTH = 0.4  # pt

BASE_FACE = "#ebebe8"  # municipality base under school points
BASE_OUTLINE_COLOR = "#8c8c8c"

# Schools sized by pupils (the national school map and the regional maps).
MARKER_DIAMETER_1000 = 9.0  # pt, marker diameter of a school with 1,000 pupils (area proportional)
MARKER_MIN_DIAMETER = 2.6  # pt, smallest sized marker

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
