"""The report's account of how the inputs' codes were reconciled (section "Codes of the inputs").

Built from ``data/processed/{c}/code_check.csv`` (:mod:`segmap.stages.code_check`) and the ingest record: census
municipalities that are not on the map, polygons without census data, repaired polygons with their areas,
restored leading zeros, names matched to codes, and a boundary file read as WGS84 for want of a CRS.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from segmap.io import reconcile

#: At most this many codes are listed in the report; the rest are in code_check.csv.
LISTED_CODES = 120
LISTED_ACTIONS = (reconcile.NOT_ON_MAP, reconcile.NO_CENSUS_DATA, reconcile.POLYGON_REPAIRED)


def code_check_context(table: pd.DataFrame | None, provenance: Mapping[str, Any],
                       file: str = "code_check.csv") -> dict[str, Any]:
    """What the report says about the codes: counts per action, the listed codes (census municipalities not
    on the map, polygons without census data, repaired polygons), and whether anything is worth a section.
    ``file`` is the code check table's path as the report names it."""
    boundaries = next((item for item in provenance.get("inputs", []) if item.get("role") == "boundaries"), {})
    crs_assumed = boundaries.get("crs_assumed")
    if table is None:
        table = pd.DataFrame(columns=["municipality_code", "municipality_name", "input", "action", "area_before_km2",
                                      "area_after_km2", "in_census", "in_boundaries", "in_schools"])
    actions = table["action"].astype(str)
    restored = table[actions == reconcile.ZEROS_RESTORED]
    zeros = {str(role): int(n) for role, n in restored["input"].value_counts().sort_index().items()}
    listed = table[actions.isin(LISTED_ACTIONS)].copy()
    order = {action: i for i, action in enumerate(LISTED_ACTIONS)}
    listed["order"] = listed["action"].map(order)
    listed = listed.sort_values(["order", "municipality_code"], kind="stable")
    repaired = table[actions == reconcile.POLYGON_REPAIRED]
    changes = ((repaired["area_after_km2"] - repaired["area_before_km2"]).abs()
               / repaired["area_before_km2"].where(repaired["area_before_km2"] > 0))
    rows = [{"code": str(r.municipality_code),
             "name": "" if pd.isna(r.municipality_name) else str(r.municipality_name),
             "action": str(r.action),
             "area_before": None if pd.isna(r.area_before_km2) else float(r.area_before_km2),
             "area_after": None if pd.isna(r.area_after_km2) else float(r.area_after_km2)}
            for r in listed.head(LISTED_CODES).itertuples()]
    counts = {action: int((actions == action).sum()) for action in
              (*LISTED_ACTIONS, reconcile.ZEROS_RESTORED, reconcile.MATCHED_BY_NAME)}
    return {
        "crs_assumed": crs_assumed,
        "counts": counts,
        "zeros_restored": zeros,
        "largest_area_change": float(changes.max()) if len(changes.dropna()) else None,
        "rows": rows,
        "unlisted": max(0, len(listed) - LISTED_CODES),
        "any": bool(crs_assumed) or any(counts.values()),
        "file": str(file),
    }
