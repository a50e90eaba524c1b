"""Geometry for the maps: equal-area projection, simplification, regions, school points, insets.

Done once per country (the ``prepare_geometry`` rule) and shared by every map and language.
"""

from __future__ import annotations

import logging
from typing import Iterable, Mapping, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

log = logging.getLogger(__name__)

# Simplify to 1/4000 of the larger side of the country: about 150-250 m for a country 600-1,000 km
# across, well under a printed pixel of an A4 map at 200 dpi.
SIMPLIFY_FRACTION = 1 / 4000


def project(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """Reproject to the (equal-area) map CRS; refuse a geographic target CRS."""
    projected = frame.to_crs(crs)
    if projected.crs.is_geographic:
        raise ValueError(f"map_crs {crs} is geographic (degrees); choose a projected equal-area CRS "
                         "such as EPSG:3035")
    return projected


def simplify_coverage(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Simplify polygons that tile a country while keeping shared borders shared.

    Uses ``shapely.coverage_simplify`` (neighbours stay gap-free) and falls back to per-polygon
    topology-preserving simplification when the input is not a clean coverage.
    """
    xmin, ymin, xmax, ymax = geometry.total_bounds
    tolerance = max(xmax - xmin, ymax - ymin) * SIMPLIFY_FRACTION
    values = geometry.values
    try:
        simplified = shapely.coverage_simplify(np.asarray(values), tolerance)
        ok = shapely.is_valid(simplified) & ~shapely.is_empty(simplified)
        if not ok.all():
            raise ValueError("coverage simplification produced invalid polygons")
    except Exception as exc:  # not a clean coverage (overlaps, slivers)
        log.info("coverage simplification not possible (%s); simplifying polygon by polygon", exc)
        simplified = shapely.simplify(np.asarray(values), tolerance, preserve_topology=True)
    log.info("simplified %d polygons with tolerance %.0f m", len(values), tolerance)
    return gpd.GeoSeries(simplified, index=geometry.index, crs=geometry.crs)


def municipality_map_layer(boundaries: gpd.GeoDataFrame, census: pd.DataFrame, crs: str) -> gpd.GeoDataFrame:
    """Municipalities in the map CRS, simplified, with their region and whether the census has them:
    ``municipality_code, region_code, in_census`` (polygons without a census row, kept by the ``code_check``
    stage, have no region and are drawn as "no census data")."""
    projected = project(boundaries[["municipality_code", "geometry"]], crs)
    projected = projected.set_geometry(simplify_coverage(projected.geometry))
    regions = census.set_index("municipality_code")["region_code"]
    projected["region_code"] = regions.reindex(projected["municipality_code"]).to_numpy()
    projected["in_census"] = projected["municipality_code"].isin(set(census["municipality_code"])).to_numpy()
    return projected[["municipality_code", "region_code", "in_census", "geometry"]].reset_index(drop=True)


def region_map_layer(municipalities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Regions as the dissolve of their municipalities: ``region_code`` + geometry, sorted by code."""
    try:
        regions = municipalities.dissolve(by="region_code", method="coverage", sort=True)
        if not regions.geometry.is_valid.all():
            raise ValueError("invalid coverage union")
    except Exception as exc:
        log.info("coverage union not possible (%s); using a full union", exc)
        regions = municipalities.dissolve(by="region_code", sort=True)
    return regions.reset_index()[["region_code", "geometry"]]


def school_points(schools: pd.DataFrame, crs: str) -> gpd.GeoDataFrame:
    """Schools with coordinates as points in the map CRS (schools without lon/lat are left out)."""
    located = schools[schools["lon"].notna() & schools["lat"].notna()]
    points = gpd.GeoDataFrame(
        located.copy(),
        geometry=gpd.points_from_xy(located["lon"], located["lat"]),
        crs="EPSG:4326",
    )
    return points.to_crs(crs)


class InsetCodes(NamedTuple):
    """One configured inset: its label (as configured), the municipality codes it shows, whether it is a
    zoom window (the municipalities stay on the main map) rather than far-away territory."""

    label: str
    codes: tuple[str, ...]
    zoom: bool = False


def inset_codes(census: pd.DataFrame, insets: Iterable[Mapping]) -> list[InsetCodes]:
    """For each configured inset ``{label, regions, zoom}``, the municipality codes it shows."""
    result = []
    for inset in insets:
        wanted = set(map(str, inset["regions"]))
        codes = tuple(census.loc[census["region_code"].isin(wanted), "municipality_code"].astype(str))
        if codes:
            result.append(InsetCodes(inset["label"], codes, bool(inset.get("zoom", False))))
        else:
            log.warning("inset %r: none of the regions %s is in the census; inset skipped",
                        inset["label"], sorted(wanted))
    return result
