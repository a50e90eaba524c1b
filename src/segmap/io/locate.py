"""Place schools in municipalities by their coordinates (point in polygon).

Partners' school lists often carry coordinates but a missing, outdated or mistyped municipality code.
Where a school has ``lon``/``lat`` (WGS84), :func:`locate_schools` finds the municipality polygon that
contains it and

- fills the code when it is missing (``assigned``) or not a municipality of the census
  (``replaced_unknown_code``);
- keeps the given code but reports the school when the location is in another municipality
  (``disagrees``) — a wrong coordinate is as likely as a wrong code;
- reports schools whose point falls outside every municipality of the census (``outside``).

The result is one row per school (and school year) with coordinates in a checks table written next to the processed
inputs, so a partner can review every case.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

CHECK_COLUMNS = ["school_id", "year", "given_code", "located_code", "status", "lon", "lat"]
ASSIGNED = "assigned"
REPLACED = "replaced_unknown_code"
DISAGREES = "disagrees"
OUTSIDE = "outside"
AGREES = "agrees"


def locate_schools(schools: pd.DataFrame, boundaries: gpd.GeoDataFrame,
                   census_codes: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(schools, checks)``: schools with codes filled from their location where needed, and
    one row per school with coordinates (:data:`CHECK_COLUMNS`).

    ``boundaries`` has ``municipality_code`` and polygons in any CRS; only municipalities in
    ``census_codes`` are used. A point on the border of two municipalities goes to the smaller code.
    """
    has_point = (schools["lon"].notna() & schools["lat"].notna()).to_numpy()
    if not has_point.any():
        return schools, pd.DataFrame(columns=CHECK_COLUMNS)
    known = set(census_codes)
    polygons = boundaries.loc[boundaries["municipality_code"].isin(known), ["municipality_code", "geometry"]]
    with_points = schools[has_point]
    points = gpd.GeoDataFrame(
        {"row": with_points.index},
        geometry=gpd.points_from_xy(with_points["lon"], with_points["lat"]), crs="EPSG:4326",
    ).to_crs(polygons.crs)
    joined = gpd.sjoin(points, polygons.reset_index(drop=True), how="left", predicate="intersects")
    located = joined.groupby("row")["municipality_code"].min().reindex(with_points.index)

    given = with_points["municipality_code"].astype("string")
    located = located.astype("string")

    def flag(condition: pd.Series) -> np.ndarray:
        return condition.fillna(False).to_numpy(dtype=bool)

    status = np.select(
        [flag(located.isna()), flag(given.isna() | (given == "")), flag(~given.isin(known)), flag(located == given)],
        [OUTSIDE, ASSIGNED, REPLACED, AGREES],
        default=DISAGREES,
    )
    checks = pd.DataFrame({
        "school_id": with_points["school_id"].to_numpy(),
        "year": (with_points["year"] if "year" in with_points else pd.Series(pd.NA, index=with_points.index)).to_numpy(),
        "given_code": given.to_numpy(),
        "located_code": located.to_numpy(),
        "status": status,
        "lon": with_points["lon"].to_numpy(),
        "lat": with_points["lat"].to_numpy(),
    }, index=with_points.index)
    fill = checks["status"].isin([ASSIGNED, REPLACED])
    schools = schools.copy()
    schools.loc[checks.index[fill], "municipality_code"] = checks.loc[fill, "located_code"]
    counts = checks["status"].value_counts()
    log.info("located %d schools by coordinates: %s", len(checks),
             ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for label, kind in ((DISAGREES, "lie in another municipality than their code says"),
                        (OUTSIDE, "lie outside every municipality of the census")):
        cases = checks[checks["status"] == label]
        if len(cases):
            log.warning("%d school(s) %s (first: %s); see the location checks table", len(cases), kind,
                        ", ".join(cases["school_id"].astype(str).head(5)))
    return schools, checks.reset_index(drop=True)
