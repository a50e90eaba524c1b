"""Geometry of the atlas: simplified to a size budget, far-away territory moved next to the mainland.

* :func:`simplify_to_budget` simplifies the municipality coverage with ``shapely.coverage_simplify``
  (GEOS), which simplifies each shared border once, so neighbours stay gap-free and overlap-free, with a
  tolerance raised step by step until the number of vertices is within the budget.
* :func:`move_far_insets` moves the configured insets whose territory lies far from the mainland (the
  Canary Islands) into a box in the emptiest corner of the mainland's extent, at the same scale, as on the
  report's maps; zoom insets (a capital) and near territory stay where they are (the atlas can zoom).
* :func:`polygon_arrays` and :func:`line_arrays` give coordinates in the form of Bokeh's ``patches`` and
  ``multi_line`` glyphs (float32: a tenth of a metre is enough on screen).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely import affinity

log = logging.getLogger(__name__)

#: Vertices of the municipality layer that the atlas keeps at most (about 8 bytes each once compressed).
MAX_VERTICES = 250_000
#: First tolerance tried, as a share of the layer's larger side; raised by TOLERANCE_STEP until in budget.
FIRST_TOLERANCE = 0.0002
TOLERANCE_STEP = 1.6
#: An inset's territory is far when its box lies farther than this share of the mainland's larger side.
FAR_FRACTION = 0.15
INSET_GAP = 0.03  # share of the mainland's larger side between the inset box and the mainland's extent


def vertex_count(geometry: Iterable) -> int:
    """Number of coordinates of all geometries."""
    return int(shapely.get_num_coordinates(np.asarray(list(geometry), dtype=object)).sum())


def simplify_to_budget(layer: gpd.GeoDataFrame, max_vertices: int = MAX_VERTICES) -> gpd.GeoDataFrame:
    """The layer with its coverage simplified until it holds at most ``max_vertices`` coordinates.

    Tolerance ``t_k = FIRST_TOLERANCE * max(width, height) * TOLERANCE_STEP**k`` for k = 0, 1, ... (the layer
    unchanged when already in budget). Polygons that a tolerance would collapse keep their previous shape.
    """
    geoms = np.asarray(layer.geometry.values, dtype=object)
    if vertex_count(geoms) <= max_vertices:
        return layer
    xmin, ymin, xmax, ymax = layer.total_bounds
    tolerance = FIRST_TOLERANCE * max(xmax - xmin, ymax - ymin)
    current = geoms
    for _ in range(40):
        try:
            simplified = shapely.coverage_simplify(geoms, tolerance)
        except shapely.errors.GEOSException as exc:  # not a clean coverage: polygon by polygon
            log.info("coverage simplification not possible (%s); simplifying polygon by polygon", exc)
            simplified = shapely.simplify(geoms, tolerance, preserve_topology=True)
        broken = shapely.is_empty(simplified) | ~shapely.is_valid(simplified)
        current = np.where(broken, geoms, simplified)
        if vertex_count(current) <= max_vertices:
            break
        tolerance *= TOLERANCE_STEP
    log.info("atlas geometry: %d vertices (tolerance %.0f m)", vertex_count(current), tolerance)
    return layer.set_geometry(gpd.GeoSeries(current, index=layer.index, crs=layer.crs))


@dataclass(frozen=True)
class InsetBox:
    """A moved territory's frame on the atlas map (map units) and its label."""

    label: str
    box: tuple[float, float, float, float]


def _far(box: Sequence[float], main: Sequence[float]) -> bool:
    size = max(main[2] - main[0], main[3] - main[1])
    dx = max(main[0] - box[2], box[0] - main[2], 0.0)
    dy = max(main[1] - box[3], box[1] - main[3], 0.0)
    return max(dx, dy) > FAR_FRACTION * size


def _corner_offset(box, main, land) -> tuple[float, float]:
    """Translation that puts ``box`` where it covers the least land: a corner inside the mainland's extent
    when one is free, else beside the extent (below it on the left first, the usual place of the Canary
    Islands on maps of Spain)."""
    width, height = box[2] - box[0], box[3] - box[1]
    gap = INSET_GAP * max(main[2] - main[0], main[3] - main[1])
    candidates = [
        (main[0] + gap, main[1] + gap),  # inside: lower left, lower right, upper left, upper right
        (main[2] - gap - width, main[1] + gap),
        (main[0] + gap, main[3] - gap - height),
        (main[2] - gap - width, main[3] - gap - height),
        (main[0], main[1] - gap - height),  # outside: below left, below right, left, right
        (main[2] - width, main[1] - gap - height),
        (main[0] - gap - width, main[1]),
        (main[2] + gap, main[1]),
    ]

    def covered(corner):
        return land.intersection(shapely.box(corner[0], corner[1], corner[0] + width, corner[1] + height)).area

    x0, y0 = min(candidates, key=lambda corner: (round(covered(corner) / (width * height), 3),
                                                 candidates.index(corner)))
    return x0 - box[0], y0 - box[1]


def move_far_insets(municipalities: gpd.GeoDataFrame, regions: gpd.GeoDataFrame,
                    insets: Sequence[Mapping]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, list[InsetBox]]:
    """Municipalities and regions with far-away inset territory moved into a corner box of the mainland.

    ``insets`` are the country's configured insets (``label``, ``regions``, ``zoom``); ``region_code`` of
    both layers says which polygons belong to an inset. Returns the moved layers and the boxes to frame.
    """
    region_codes = municipalities["region_code"].astype(str)
    far_insets = [inset for inset in insets if not inset.get("zoom")]
    in_inset = np.zeros(len(municipalities), dtype=bool)
    for inset in far_insets:
        in_inset |= region_codes.isin([str(code) for code in inset["regions"]]).to_numpy()
    if not in_inset.any() or in_inset.all():
        return municipalities, regions, []
    mainland = municipalities.geometry.values[~in_inset]
    main_box = tuple(shapely.total_bounds(mainland))
    land = shapely.union_all(shapely.make_valid(mainland))
    moved_municipalities = municipalities.geometry.copy()
    moved_regions = regions.geometry.copy()
    boxes: list[InsetBox] = []
    for inset in far_insets:
        codes = [str(code) for code in inset["regions"]]
        rows = region_codes.isin(codes).to_numpy()
        if not rows.any():
            continue
        box = tuple(shapely.total_bounds(municipalities.geometry.values[rows]))
        if not _far(box, main_box):
            continue
        pad = 0.02 * max(box[2] - box[0], box[3] - box[1])
        framed = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
        dx, dy = _corner_offset(framed, main_box, land)
        moved_municipalities[rows] = [affinity.translate(g, dx, dy) for g in moved_municipalities[rows]]
        region_rows = regions["region_code"].astype(str).isin(codes).to_numpy()
        moved_regions[region_rows] = [affinity.translate(g, dx, dy) for g in moved_regions[region_rows]]
        land = land.union(shapely.box(framed[0] + dx, framed[1] + dy, framed[2] + dx, framed[3] + dy))
        boxes.append(InsetBox(str(inset["label"]),
                              (framed[0] + dx, framed[1] + dy, framed[2] + dx, framed[3] + dy)))
    return (municipalities.set_geometry(moved_municipalities), regions.set_geometry(moved_regions), boxes)


def polygon_arrays(geometry: Iterable) -> tuple[list, list]:
    """``xs, ys`` for Bokeh's ``patches``: per geometry one array of its rings' coordinates, rings separated
    by NaN (exterior rings counter-clockwise, holes clockwise, so that holes stay open under the non-zero
    fill rule). One flat array per area is much faster for BokehJS to load than ``multi_polygons``'
    nested lists (0.4 s against 4 s for the 8,131 Spanish municipalities in Chromium)."""
    xs, ys = [], []
    for geom in geometry:
        if geom is None or geom.is_empty:
            xs.append(np.zeros(0, np.float32))
            ys.append(np.zeros(0, np.float32))
            continue
        geom = shapely.orient_polygons(geom)
        chunks = []
        for part in getattr(geom, "geoms", [geom]):
            if part.geom_type != "Polygon":
                continue
            for ring in (part.exterior, *part.interiors):
                chunks.append(np.asarray(ring.coords, dtype=np.float64)[:-1])
                chunks.append(np.full((1, 2), np.nan))
        coords = np.concatenate(chunks[:-1]) if chunks else np.zeros((0, 2))
        xs.append(coords[:, 0].astype(np.float32))
        ys.append(coords[:, 1].astype(np.float32))
    return xs, ys


def line_arrays(geometry: Iterable) -> tuple[list, list]:
    """``xs, ys`` for Bokeh's ``multi_line``: one line per polygon, its rings' boundaries separated by NaN
    (an empty line for an empty geometry), so that row k is the outline of polygon k."""
    xs, ys = [], []
    for geom in geometry:
        chunks = []
        if geom is not None and not geom.is_empty:
            boundary = geom.boundary
            for line in getattr(boundary, "geoms", [boundary]):
                chunks += [np.asarray(line.coords, dtype=np.float64), np.full((1, 2), np.nan)]
        coords = np.concatenate(chunks[:-1]) if chunks else np.zeros((0, 2))
        xs.append(coords[:, 0].astype(np.float32))
        ys.append(coords[:, 1].astype(np.float32))
    return xs, ys
