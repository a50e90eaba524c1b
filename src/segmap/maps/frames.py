"""Map frames: which areas, schools and region outline parts each frame of a national map shows.

An :class:`Inset` names municipalities drawn in a framed box of their own: far-away territories (the
Canary Islands, Ceuta, Melilla ...), drawn there *instead of* the main frame, or a zoom window (a capital
such as Sofia or Brussels), which stays in the main frame too. :func:`split_frames` splits the areas,
schools and outline into the main :class:`Frame` and one frame per inset; where each frame is placed on
the page is decided by :mod:`segmap.maps.layout`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from segmap.maps.draw import bounds, geometries, grow_box, polygonal
from segmap.maps.style import ZOOM_PAD


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
class Frame:
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


def split_frames(
    areas: gpd.GeoDataFrame,
    insets: Sequence[Inset],
    schools: gpd.GeoDataFrame | None,
    outline: gpd.GeoDataFrame | None,
) -> tuple[Frame, list[Frame]]:
    """Split areas, schools and outline parts into the main frame and one frame per inset.

    The areas of a zoom inset stay in the main frame; its frame holds copies of everything near its window.
    """
    geoms = geometries(areas)
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

    def make(i: int, label: str | None) -> Frame | None:
        rows = areas[(frame_of == i) & drawable]
        if rows.empty:
            return None
        return Frame(label=label, areas=rows, extent=bounds(geometries(rows)))

    main = make(0, None)
    if main is None:
        raise ValueError("no area left for the main map frame (all areas empty or in insets)")
    frames: list[Frame | None] = [main]
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
) -> Frame | None:
    """The frame of a zoom inset: its window, and the areas, schools and outline parts near the window.

    The window is the extent of the inset's areas grown by ZOOM_PAD of its larger side. Everything within
    the window's larger side around it is kept (the box may be wider than the window, e.g. for a long
    label); the inset axes clip it to the box.
    """
    geoms = geometries(areas)
    own = np.isin(codes, list(inset.codes)) & drawable
    if not own.any():
        warnings.warn(f"zoom inset {inset.label!r}: none of its codes matches a drawable area; skipped")
        return None
    x0, y0, x1, y1 = bounds(geoms[own])
    pad = ZOOM_PAD * max(x1 - x0, y1 - y0, 1.0)
    window = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    reach = shapely.box(*grow_box(window, max(window[2] - window[0], window[3] - window[1])))
    shapely.prepare(reach)
    near = drawable.copy()
    near[drawable] = shapely.intersects(reach, geoms[drawable])
    frame = Frame(label=inset.label, areas=areas[near], extent=window, zoom=True)
    if schools is not None:
        pts = geometries(schools)
        valid = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
        valid[valid] = shapely.intersects(reach, pts[valid])
        frame.schools = schools[valid]
    if outline is not None and not outline.empty:
        parts = shapely.get_parts(polygonal(geometries(outline)))
        parts = parts[~shapely.is_empty(parts)]
        frame.outline = parts[shapely.intersects(reach, parts)]
    return frame


def _frame_lookup(areas: gpd.GeoDataFrame, frame_of: np.ndarray, drawable: np.ndarray):
    """Spatial index of drawable areas, and the frame number of each indexed area."""
    tree = shapely.STRtree(geometries(areas)[drawable])
    return tree, frame_of[drawable]


def _assign_schools(frames, schools, insets, areas, frame_of, drawable) -> None:
    """Schools go to the frame of their municipality code (by location when the code is missing)."""
    if schools is None:
        return
    pts = geometries(schools)
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
    parts = shapely.get_parts(polygonal(geometries(outline)))
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
