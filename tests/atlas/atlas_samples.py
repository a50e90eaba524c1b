"""A tiny country for atlas tests: 6 square municipalities in 2 regions (EPSG:3035) with published-style
tables, one municipality with a hostile name and one with a Cyrillic name."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

HOSTILE = "<img src=x onerror=alert(1)>"
ROWS = [
    # code, name, region, pupils_total, pupils_group, group_share, D, D adj, low, high, distinguishable, xPx, status
    ("01001", "Alegría-Dulantzi", "01", "1200", "300", 0.25, 0.61, 0.52, 0.40, 0.63, "True", 0.55, "ok"),
    ("01002", HOSTILE, "01", "800", "40", 0.05, 0.30, 0.05, -0.10, 0.20, "False", 0.07, "ok"),
    ("01003", "Брезана", "01", "210", "0", 0.0, None, None, None, None, "", None, "no_group_pupils"),
    ("02001", "Ñoño", "02", "650", "330", 0.5077, 0.45, 0.33, 0.20, 0.47, "True", 0.62, "ok"),
    ("02002", "Alatoz", "02", "100", "<5", None, None, None, None, None, "", None, "ok"),
    ("02003", "Alcadozo", "02", "0", "0", None, None, None, None, None, "", None, "no_schools"),
]
REGIONS = [("01", "Álava <b>bold</b>"), ("02", "Albacete")]


def layer() -> gpd.GeoDataFrame:
    cells = []
    for index, row in enumerate(ROWS):
        column, line = index % 3, index // 3
        x0, y0 = 3_400_000 + 10_000 * column, 2_000_000 - 10_000 * line
        cells.append({"municipality_code": row[0], "region_code": row[2], "in_census": True,
                      "geometry": box(x0, y0, x0 + 10_000, y0 + 10_000)})
    return gpd.GeoDataFrame(cells, crs="EPSG:3035")


def regions_layer() -> gpd.GeoDataFrame:
    return layer().dissolve("region_code", as_index=False)[["region_code", "geometry"]]


def municipalities() -> pd.DataFrame:
    names = dict(REGIONS)
    frame = pd.DataFrame([{
        "municipality_code": r[0], "year": "2024/25", "municipality_name": r[1], "region_code": r[2],
        "region_name": names[r[2]], "population_total": "5000", "population_group": "400",
        "census_group_share": 0.08, "n_schools": "3" if r[3] != "0" else "0", "pupils_total": r[3],
        "pupils_group": r[4], "group_share": r[5], "dissimilarity": r[6], "dissimilarity_adjusted": r[7],
        "dissimilarity_adjusted_ci_low": r[8], "dissimilarity_adjusted_ci_high": r[9],
        "distinguishable_from_random": r[10], "isolation": r[11], "isolation_ci_low": None if r[11] is None else r[11] - 0.05,
        "isolation_ci_high": None if r[11] is None else r[11] + 0.05, "segregated_schools": "1", "status": r[12]}
        for r in ROWS])
    return frame.astype(object).where(frame.notna(), None)


def regions() -> pd.DataFrame:
    return pd.DataFrame([{"region_code": code, "year": "2024/25", "region_name": name, "pupils_total": "2000",
                          "pupils_group": "340", "group_share": 0.17, "dissimilarity": 0.5,
                          "dissimilarity_adjusted": 0.4, "dissimilarity_adjusted_ci_low": 0.3,
                          "dissimilarity_adjusted_ci_high": 0.5, "distinguishable_from_random": "True",
                          "isolation": 0.4, "n_schools": "6", "segregated_schools": "1"} for code, name in REGIONS])


def settings(**extra) -> dict:
    base = {"name": "Spain", "group_label": "Roma pupils", "synthetic": True, "min_cell": 5, "insets": [],
            "thresholds": {"segregated": 0.3, "severe": 0.5, "comparison": "above", "source": "test"},
            "publish_school_names": False}
    return {**base, **extra}
