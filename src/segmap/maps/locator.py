"""Locator maps: a small outline of the country with one region filled, printed beside the region's page heading
so that a reader sees where the region lies.

The country is drawn from the region outlines, simplified to the locator's size. Regions of the country's
far-away insets (``insets:`` without ``zoom``, such as the Canary Islands) are moved, at the same scale, into a
framed box in the lower left corner, as on the national maps. A region too small to see at this scale
(Ceuta, Melilla, a capital city) is marked by a dot as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.patches import Circle, Rectangle

from segmap.maps.draw import Box, add_polygons, bounds, geometries, new_figure, setup_axes

WIDTH_IN = 1.05  # inches: the locator's width on paper (its height follows the country's shape)
MAX_HEIGHT_IN = 1.15
FILL = "#143d59"  # the region
OTHER = "#dfe4e8"  # the rest of the country
EDGE = "#ffffff"
DOT_RADIUS_IN = 0.035
SMALL_IN = 0.05  # a region narrower than this on paper also gets a dot


def _far_away(region_codes: np.ndarray, insets: Sequence[Mapping]) -> list[np.ndarray]:
    """One boolean mask per far-away inset (not ``zoom``) over ``region_codes``."""
    masks = []
    for inset in insets or []:
        if inset.get("zoom"):
            continue
        mask = np.isin(region_codes, [str(r) for r in inset["regions"]])
        if mask.any():
            masks.append(mask)
    return masks


def locator_geometries(regions: gpd.GeoDataFrame, insets: Sequence[Mapping] = ()) -> tuple[np.ndarray, list[Box]]:
    """The region outlines with the far-away insets moved next to the main territory's lower left corner, and
    the boxes (metres) framing the moved groups."""
    codes = regions["region_code"].astype(str).to_numpy()
    geoms = geometries(regions).copy()
    masks = _far_away(codes, insets)
    far = np.zeros(len(codes), dtype=bool)
    for mask in masks:
        far |= mask
    if not (~far).any():
        return geoms, []
    main = bounds(geoms[~far])
    pad = 0.02 * max(main[2] - main[0], main[3] - main[1])
    x = main[0]
    frames = []
    for mask in masks:
        gx0, gy0, gx1, gy1 = bounds(geoms[mask])
        dx, dy = x + pad - gx0, main[1] + pad - gy0
        geoms[mask] = shapely.transform(geoms[mask], lambda xy, dx=dx, dy=dy: xy + np.array([dx, dy]))
        frames.append((x, main[1], x + (gx1 - gx0) + 2 * pad, main[1] + (gy1 - gy0) + 2 * pad))
        x += (gx1 - gx0) + 3 * pad
    return geoms, frames


def build_locator(region_code: str, geoms: np.ndarray, codes: np.ndarray, frames: Sequence[Box]):
    """The locator figure of one region (its own polygons filled) from :func:`locator_geometries`."""
    extent = bounds(geoms)
    for frame in frames:
        extent = (min(extent[0], frame[0]), min(extent[1], frame[1]), max(extent[2], frame[2]),
                  max(extent[3], frame[3]))
    width_m, height_m = extent[2] - extent[0], extent[3] - extent[1]
    scale = min(WIDTH_IN / width_m, MAX_HEIGHT_IN / height_m)
    width, height = width_m * scale, height_m * scale
    fig = new_figure((width, height))
    ax = setup_axes(fig, (0.0, 0.0, width, height), extent, framed=False)
    own = codes == str(region_code)
    add_polygons(ax, geoms[~own], scale, 1.0, merge=True, facecolors=OTHER, edgecolors=EDGE, linewidths=0.2)
    add_polygons(ax, geoms[own], scale, 2.0, merge=True, facecolors=FILL, edgecolors=FILL, linewidths=0.3)
    for frame in frames:
        ax.add_patch(Rectangle((frame[0], frame[1]), frame[2] - frame[0], frame[3] - frame[1], fill=False,
                               edgecolor="#9a9a9a", linewidth=0.4, zorder=3.0))
    if own.any():
        x0, y0, x1, y1 = bounds(geoms[own])
        if max(x1 - x0, y1 - y0) * scale < SMALL_IN:
            centre = ((x0 + x1) / 2, (y0 + y1) / 2)
            ax.add_patch(Circle(centre, DOT_RADIUS_IN / scale, facecolor="none", edgecolor=FILL, linewidth=0.8,
                                zorder=4.0))
    for layer in ax.collections:
        layer.set_rasterized(False)
    return fig


def simplified(regions: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Region outlines simplified for a locator (shared borders may part by up to ``tolerance_m``; at the
    locator's scale that is far below a hairline)."""
    return regions.assign(geometry=shapely.simplify(geometries(regions), tolerance_m, preserve_topology=True))
