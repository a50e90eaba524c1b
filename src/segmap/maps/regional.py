"""Regional maps: for each region, its municipalities with their schools as points.

One figure per region, drawn once per country and shared by every language of its reports: the
figures hold no translated text (only municipality names, which are data). Their legend and scale bar
are printed by the report in its language, from :func:`legend_entries` and the scale bar columns of
the index that :func:`draw_region_maps` writes.

What a regional map shows:

* the region's municipalities on a light base with thin white borders and their names, placed without
  overlap (largest school populations first; a name that would collide with one already placed, or
  leave the frame, is left out);
* neighbouring municipalities in a lighter grey, for orientation, and region borders;
* every school of the region with coordinates as a circle whose **area is proportional to its pupils**
  (the same sizes as on the national school map: ``MARKER_DIAMETER_1000`` pt for 1,000 pupils, see
  :mod:`segmap.maps.style`) and whose colour is the **class of its group share**, with the class breaks
  and colours of the national group-share map (``INDICATOR_CLASSES["group_share"]``, see
  :mod:`segmap.maps.classes`), so every map of a report reads the same. Large schools are drawn first so
  small ones stay visible. Schools without pupils are left out.

Unlike the national maps (thousands of polygons, rasterised at 200 dpi), a regional map is all vector:
the region's few hundred polygons are one compound path per layer and the schools a few compound paths
(:func:`_draw_circles`), which in the Spanish demo takes less room in the PDF than rasters would (5 MB for
52 maps against 15 MB) and renders faster.

The figure's size follows from the region's shape: the region (padded by ``FRAME_PAD``) fills the
largest box of ``MAX_SIZE`` inches at a constant aspect ratio. The report prints the figures at their
natural size, so marker sizes and the scale bar are exact on paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import PathCollection
from matplotlib.path import Path as MplPath

from segmap.files import atomic_path, write_csv
from segmap.maps.classes import INDICATOR_CLASSES, as_float
from segmap.maps.draw import (
    Box,
    add_polygons,
    border_width,
    bounds,
    drop_specks,
    geometries,
    marker_diameter,
    new_figure,
    polygonal,
    save_figure,
    setup_axes,
)
from segmap.maps import locator as locators
from segmap.maps.legend import nice_length, size_references, text_width
from segmap.maps.style import BASE_FACE, BASE_OUTLINE_COLOR, OUTLINE_COLOR, map_style

__all__ = [
    "MAX_SIZE",
    "RegionMap",
    "build_region_map",
    "draw_region_maps",
    "legend_entries",
    "place_labels",
    "region_municipalities",
]

MAX_SIZE = (6.9, 3.5)  # inches: at most the A4 text width, and room for the table under the map
FRAME_PAD = 0.03  # share of the region's larger side added around it
NEIGHBOUR_FACE = "#f1f1ef"  # municipalities of other regions
REGION_OUTLINE_WIDTH = 0.9  # pt, the region's own border
OTHER_OUTLINE_WIDTH = 0.45  # pt, borders of neighbouring regions
LABEL_SIZE = 6.3  # pt
LABEL_COLOR = "#262626"
LABEL_BACKGROUND = {"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.72}
MAX_LABEL_CANDIDATES = 150  # the largest places tried for a label (a map holds far fewer names)
LABEL_GAP = 0.07  # inches kept free around every label
MAX_LABELS = 24  # names on one map at most, so the schools stay readable
SCALEBAR_FRACTION = 0.25  # the scale bar is at most this share of the map's width
INDEX_NAME = "index.csv"
MARKER_EDGE = "#3a3a3a"
MARKER_EDGE_WIDTH = 0.3  # pt
SIZE_TIERS = 4  # school circles are drawn in this many size tiers, largest first


@dataclass(frozen=True)
class RegionMap:
    """One drawn regional map: its file (inside the output folder) and what the report prints with it."""

    region_code: str
    file: str
    width_in: float
    height_in: float
    scalebar_km: float  # length of the scale bar the report draws under the map
    scalebar_in: float  # its length on paper
    schools_drawn: int
    schools_in_region: int
    labels_drawn: int
    municipalities: int
    locator: str = ""  # the locator map's file (the country with this region filled)


def place_labels(boxes: Sequence[Box], frame: Box, gap: float = LABEL_GAP) -> list[int]:
    """Greedy label placement: the indices of the boxes kept, in priority order (the order given).

    A box is kept when it lies inside ``frame`` and, grown by ``gap`` on every side, overlaps no box
    kept before it. All boxes are in the same units (inches on the figure).
    """
    kept: list[int] = []
    placed: list[Box] = []
    fx0, fy0, fx1, fy1 = frame
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        if x0 < fx0 or y0 < fy0 or x1 > fx1 or y1 > fy1:
            continue
        g0, h0, g1, h1 = x0 - gap, y0 - gap, x1 + gap, y1 + gap
        if any(g0 < b[2] and b[0] < g1 and h0 < b[3] and b[1] < h1 for b in placed):
            continue
        kept.append(i)
        placed.append((x0, y0, x1, y1))
    return kept


def _frame_and_scale(extent: Box, max_size: tuple[float, float]) -> tuple[Box, float]:
    """The padded frame (metres) and the scale (inches per metre) that fits it into ``max_size``."""
    x0, y0, x1, y1 = extent
    pad = max(x1 - x0, y1 - y0, 1.0) * FRAME_PAD
    frame = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    scale = min(max_size[0] / (frame[2] - frame[0]), max_size[1] / (frame[3] - frame[1]))
    return frame, scale


def scalebar_length(map_width_m: float, fraction: float = SCALEBAR_FRACTION) -> float:
    """The scale bar's length in metres: the largest 1-2-5 value within ``fraction`` of the map width."""
    return nice_length(map_width_m * fraction)


def build_region_map(
    region_code: str,
    municipalities: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    max_size: tuple[float, float] = MAX_SIZE,
):
    """Build (without saving) the map of one region; returns ``(figure, RegionMap)`` (file left empty).

    ``municipalities``: the country's map layer (projected, metres) with ``municipality_code``,
    ``region_code``, ``municipality_name`` and ``pupils_total`` (for the label priority);
    ``regions``: region outlines with ``region_code``; ``schools``: points in the same CRS with
    ``region_code``, ``pupils_total`` and ``group_share``. Use inside :func:`segmap.maps.style.map_style`.
    """
    own = municipalities[municipalities["region_code"].astype(str) == str(region_code)]
    geoms = geometries(own)
    drawable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not drawable.any():
        raise ValueError(f"region {region_code!r} has no municipality with a geometry to draw")
    own, geoms = own[drawable], geoms[drawable]
    frame, scale = _frame_and_scale(bounds(geoms), max_size)
    width, height = (frame[2] - frame[0]) * scale, (frame[3] - frame[1]) * scale

    fig = new_figure((width, height))
    ax = setup_axes(fig, (0.0, 0.0, width, height), frame, framed=False)
    window = shapely.box(*frame)

    all_geoms = geometries(municipalities)
    others = ~(municipalities["region_code"].astype(str) == str(region_code)).to_numpy()
    nearby = np.zeros(len(municipalities), dtype=bool)
    nearby[shapely.STRtree(all_geoms).query(window, predicate="intersects")] = True
    border = border_width(own, scale)
    layers = [
        add_polygons(ax, all_geoms[others & nearby], scale, 0.5, merge=True, facecolors=NEIGHBOUR_FACE,
                     edgecolors="white", linewidths=border),
        add_polygons(ax, geoms, scale, 1.0, merge=True, facecolors=BASE_FACE, edgecolors="white",
                     linewidths=border),
    ]

    outlines = regions[regions.intersects(window)]
    point = 1 / 72 / scale
    is_own = (outlines["region_code"].astype(str) == str(region_code)).to_numpy()
    for mask, color, lw, z in ((~is_own, BASE_OUTLINE_COLOR, OTHER_OUTLINE_WIDTH, 2.9),
                               (is_own, OUTLINE_COLOR, REGION_OUTLINE_WIDTH, 3.0)):
        parts = shapely.get_parts(polygonal(geometries(outlines[mask])))
        parts = drop_specks(parts[~shapely.is_empty(parts)], point**2)
        layers.append(add_polygons(ax, parts, scale, z, merge=True, facecolors="none", edgecolors=color,
                                   linewidths=lw))
    for layer in layers:  # one compound path per layer: small and sharp as vectors
        if layer is not None:
            layer.set_rasterized(False)

    in_region = schools[schools["region_code"].astype(str) == str(region_code)]
    pupils = as_float(in_region["pupils_total"])
    classes = INDICATOR_CLASSES["group_share"]
    share_class = classes.classify(in_region["group_share"])
    drawn = (pupils > 0) & (share_class >= 0)
    circles = np.empty((0, 3))
    if drawn.any():
        xy = shapely.get_coordinates(shapely.centroid(geometries(in_region)[drawn]))
        diameter = marker_diameter(pupils[drawn])
        _draw_circles(ax, xy, diameter, scale, share_class[drawn], classes.colors())
        circles = np.column_stack([(xy[:, 0] - frame[0]) * scale, (xy[:, 1] - frame[1]) * scale,
                                   diameter / 72.0 / 2])

    labels = _draw_labels(ax, own, frame, scale, (width, height), circles)
    bar_m = scalebar_length(frame[2] - frame[0])
    info = RegionMap(
        region_code=str(region_code), file="", width_in=round(width, 4), height_in=round(height, 4),
        scalebar_km=bar_m / 1000.0, scalebar_in=round(bar_m * scale, 4),
        schools_drawn=int(drawn.sum()), schools_in_region=len(in_region), labels_drawn=labels,
        municipalities=len(own),
    )
    return fig, info


@lru_cache(maxsize=64)
def _unit_polygon(sides: int) -> MplPath:
    """A unit circle as a regular polygon: straight segments are far cheaper than curves for matplotlib
    (extents) and for PDF renderers."""
    angles = np.linspace(0.0, 2.0 * np.pi, sides, endpoint=False)
    vertices = np.column_stack([np.cos(angles), np.sin(angles)])
    vertices = np.vstack([vertices, vertices[:1]])
    codes = np.full(sides + 1, MplPath.LINETO, dtype=MplPath.code_type)
    codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
    return MplPath(vertices, codes, readonly=True)


def size_tiers(diameters: np.ndarray, n: int = SIZE_TIERS) -> np.ndarray:
    """Tier of each marker, 0 for the largest: ``n`` tiers of (nearly) equal count by decreasing size."""
    order = np.lexsort((np.arange(len(diameters)), -diameters))
    tiers = np.empty(len(diameters), dtype=np.int64)
    tiers[order] = np.arange(len(diameters)) * n // max(len(diameters), 1)
    return tiers


def _draw_circles(ax, xy: np.ndarray, diameters_pt: np.ndarray, scale: float, classes: np.ndarray,
                  colors: Sequence[str]) -> None:
    """Schools as circles of ``diameters_pt`` points, as vectors with few drawing objects.

    PDF renderers pay per drawn object and per vertex, so the circles of one size tier and colour class
    form one compound path of regular polygons with just enough sides to look round at their size
    (:func:`circle_sides`); larger tiers are drawn first, so small schools stay visible on top.
    """
    tiers = size_tiers(diameters_pt)
    radii = diameters_pt / 72.0 / scale / 2  # metres
    for tier in range(tiers.max() + 1):
        in_tier = tiers == tier
        unit = _unit_polygon(circle_sides(float(diameters_pt[in_tier].max())))
        for k in np.unique(classes[in_tier]):
            sel = np.flatnonzero(in_tier & (classes == k))
            sel = sel[np.lexsort((xy[sel, 1], xy[sel, 0], -diameters_pt[sel]))]
            vertices = (unit.vertices[None, :, :] * radii[sel, None, None] + xy[sel, None, :]).reshape(-1, 2)
            codes = np.tile(unit.codes, len(sel))
            ax.add_collection(
                PathCollection([MplPath(vertices, codes)], facecolors=colors[int(k)], edgecolors=MARKER_EDGE,
                               linewidths=MARKER_EDGE_WIDTH, zorder=4.0 + tier / 100),
                autolim=False,
            )


def circle_sides(diameter_pt: float, tolerance_pt: float = 0.1) -> int:
    """Sides of a regular polygon that stays within ``tolerance_pt`` of a circle of that diameter
    (r (1 - cos(pi / n)) <= tolerance), between 8 and 32."""
    r = diameter_pt / 2
    if r <= tolerance_pt:
        return 8
    return int(np.clip(np.ceil(np.pi / np.arccos(1 - tolerance_pt / r)), 8, 32))


def _draw_labels(ax, own: gpd.GeoDataFrame, frame: Box, scale: float, size: tuple[float, float],
                 circles: np.ndarray | None = None) -> int:
    """Municipality names near a point inside each municipality, without overlap, moved off the school
    circles where a nearby position is free (see :func:`place_labels_around`)."""
    if "municipality_name" not in own.columns or own.empty:
        return 0
    names = own["municipality_name"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
    priority = as_float(own["pupils_total"]) if "pupils_total" in own.columns else np.zeros(len(own))
    if "pupils_group" in own.columns and "status" in own.columns:
        # the municipalities of the page's table (defined indices, most group pupils) are named first
        in_table = (own["status"] == "ok").to_numpy(bool)
        priority = np.where(in_table, 1e12 + np.nan_to_num(as_float(own["pupils_group"])), priority)
    anchors = shapely.get_coordinates(shapely.point_on_surface(geometries(own)))
    codes = own["municipality_code"].astype(str).to_numpy()
    order = np.lexsort((codes, -np.nan_to_num(priority, nan=-1.0)))
    order = [i for i in order if names[i]][:MAX_LABEL_CANDIDATES]
    height = LABEL_SIZE * 1.25 / 72
    boxes = []
    for i in order:
        w = text_width(str(names[i]), LABEL_SIZE)
        x = (anchors[i, 0] - frame[0]) * scale
        y = (anchors[i, 1] - frame[1]) * scale
        boxes.append((x - w / 2, y - height / 2, x + w / 2, y + height / 2))
    placed = place_labels_around(boxes, (0.02, 0.02, size[0] - 0.02, size[1] - 0.02),
                                 np.empty((0, 3)) if circles is None else circles)[:MAX_LABELS]
    for k, (dx, dy) in placed:
        i = order[k]
        ax.text(anchors[i, 0] + dx / scale, anchors[i, 1] + dy / scale, str(names[i]), fontsize=LABEL_SIZE,
                color=LABEL_COLOR, ha="center", va="center", zorder=6.0, parse_math=False, bbox=LABEL_BACKGROUND)
    return len(placed)


def _covers_circle(box: Box, circles: np.ndarray) -> bool:
    """Whether ``box`` overlaps any circle (x, y, r) (all in inches)."""
    if not len(circles):
        return False
    nearest_x = np.clip(circles[:, 0], box[0], box[2])
    nearest_y = np.clip(circles[:, 1], box[1], box[3])
    return bool((((nearest_x - circles[:, 0]) ** 2 + (nearest_y - circles[:, 1]) ** 2) < circles[:, 2] ** 2).any())


def place_labels_around(boxes: Sequence[Box], frame: Box, circles: np.ndarray,
                        gap: float = LABEL_GAP) -> list[tuple[int, tuple[float, float]]]:
    """Greedy label placement that keeps names off the school circles: ``(index, (dx, dy))`` of each label
    kept, in priority order, with its shift in inches.

    Each label tries its own position, then the positions just above, below, right and left of it; the first
    that lies inside ``frame``, overlaps no label kept before (grown by ``gap``) and no circle (x, y, r) is
    taken. When every position touches a circle, the first free of labels is taken: the label's white halo
    keeps it readable over the circle.
    """
    kept: list[tuple[int, tuple[float, float]]] = []
    placed: list[Box] = []
    fx0, fy0, fx1, fy1 = frame

    def free(box: Box) -> bool:
        x0, y0, x1, y1 = box
        if x0 < fx0 or y0 < fy0 or x1 > fx1 or y1 > fy1:
            return False
        g0, h0, g1, h1 = x0 - gap, y0 - gap, x1 + gap, y1 + gap
        return not any(g0 < b[2] and b[0] < g1 and h0 < b[3] and b[1] < h1 for b in placed)

    for i, (x0, y0, x1, y1) in enumerate(boxes):
        w, h = x1 - x0, y1 - y0
        shifts = [(0.0, 0.0), (0.0, h * 1.1), (0.0, -h * 1.1), (w * 0.6, 0.0), (-w * 0.6, 0.0)]
        candidates = [((dx, dy), (x0 + dx, y0 + dy, x1 + dx, y1 + dy)) for dx, dy in shifts]
        choice = next(((shift, box) for shift, box in candidates if free(box) and not _covers_circle(box, circles)),
                      None)
        if choice is None:
            choice = next(((shift, box) for shift, box in candidates[:1] if free(box)), None)
        if choice is None:
            continue
        kept.append((i, choice[0]))
        placed.append(choice[1])
    return kept


def region_municipalities(layer: gpd.GeoDataFrame, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """The map layer with each municipality's name, pupils, group pupils and status from the municipality table."""
    columns = [c for c in ("municipality_code", "municipality_name", "pupils_total", "pupils_group", "status")
               if c in table.columns]
    return layer.merge(table[columns], on="municipality_code", how="left", validate="one_to_one")


def draw_region_maps(
    municipality_layer: gpd.GeoDataFrame,
    region_layer: gpd.GeoDataFrame,
    municipalities: pd.DataFrame,
    schools: gpd.GeoDataFrame,
    out_dir: str | Path,
    max_size: tuple[float, float] = MAX_SIZE,
    insets: Sequence[dict] = (),
) -> pd.DataFrame:
    """Draw every region's map into ``out_dir`` and write its index; returns the index.

    The files are named by the region's position in code order (``region_001.svg`` ...), never by the
    code itself, which is data. The index (``index.csv``) has one row per region: ``region_code``,
    ``file``, ``width_in``, ``height_in``, ``scalebar_km``, ``scalebar_in``, ``schools_drawn``,
    ``schools_in_region``, ``labels_drawn``, ``municipalities``, ``locator`` (the region's locator map,
    ``locator_001.svg`` ...: see :mod:`segmap.maps.locator`; ``insets`` as in the settings).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    layer = region_municipalities(municipality_layer, municipalities)
    codes = sorted(set(layer["region_code"].dropna().astype(str)))
    rows = []
    outlines = region_layer[region_layer["region_code"].notna()]
    extent = bounds(geometries(outlines))
    outlines = locators.simplified(outlines, max(extent[2] - extent[0], extent[3] - extent[1]) / 300)
    locator_geoms, locator_frames = locators.locator_geometries(outlines, insets)
    locator_codes = outlines["region_code"].astype(str).to_numpy()
    with map_style():
        for number, code in enumerate(codes, start=1):
            fig, info = build_region_map(code, layer, region_layer, schools, max_size)
            name = f"region_{number:03d}.svg"
            try:
                save_figure(fig, out / name)
            finally:
                fig.clear()
            locator_name = f"locator_{number:03d}.svg"
            fig = locators.build_locator(code, locator_geoms, locator_codes, locator_frames)
            try:
                save_figure(fig, out / locator_name)
            finally:
                fig.clear()
            rows.append({**info.__dict__, "file": name, "locator": locator_name})
    index = pd.DataFrame(rows, columns=list(RegionMap.__dataclass_fields__))
    with atomic_path(out / INDEX_NAME) as temporary:
        write_csv(index, temporary)
    return index


def legend_entries(schools: pd.DataFrame, decimal_mark: str = ".") -> dict:
    """What the report's legend of the regional maps shows, in the maps' sizes and colours.

    ``classes``: (colour, label) per group-share class, as on the national group-share map;
    ``sizes``: (diameter in pt, pupils) for three round numbers of pupils (sizes from all schools of the
    country, so every regional page has the same legend).
    """
    classes = INDICATOR_CLASSES["group_share"]
    refs = size_references(as_float(schools["pupils_total"]))
    diameters = marker_diameter(np.asarray(refs, dtype=float))
    return {
        "classes": list(zip(classes.colors(), classes.labels(decimal_mark))),
        "sizes": [(round(float(d), 2), int(r)) for d, r in zip(diameters, refs)],
        "edge": MARKER_EDGE,
    }

