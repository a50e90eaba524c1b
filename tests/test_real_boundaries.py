"""The pipeline on real Bulgarian municipal boundaries (skipped when ../shared/reference is absent).

The reference layer has multipolygons, a few invalid polygons, Cyrillic names and real LAU codes such
as SOF46; its field names are not canonical, so it also exercises the column mapping.
"""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO, SHARED_REFERENCE

MUNICIPALITIES = SHARED_REFERENCE / "bg" / "municipalities.geojson"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not MUNICIPALITIES.is_file(), reason="../shared/reference not available"),
]


def synthetic_tables(boundaries: gpd.GeoDataFrame, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Census (in NSI-like column names) and schools located inside the real polygons."""
    rng = np.random.default_rng(seed)
    census = pd.DataFrame({
        "obshtina": boundaries["LAU_CODE"],
        "ime": boundaries["NAME_BG"],
        "oblast": boundaries["NUTS_3_CODE"],
        "naselenie": rng.integers(2_000, 300_000, len(boundaries)),
    })
    census["romi"] = (census["naselenie"] * rng.beta(0.7, 12, len(census))).astype(int)
    rows = []
    points = boundaries.to_crs(3035).sample_points(size=3, rng=seed).to_crs(4326)
    for code, multipoint in zip(boundaries["LAU_CODE"], points):
        for k, point in enumerate(multipoint.geoms):
            total = int(rng.integers(50, 900))
            rows.append({"kod_neispuo": f"{code}{k}", "obshtina": code, "uchenitsi": total,
                         "romi": int(rng.binomial(total, rng.beta(0.4, 4))), "lon": point.x, "lat": point.y})
    return census, pd.DataFrame(rows)


def test_report_on_real_bulgarian_boundaries(tmp_path):
    boundaries = gpd.read_file(MUNICIPALITIES)
    census, schools = synthetic_tables(boundaries)
    census.to_csv(tmp_path / "census.csv", index=False, encoding="cp1251")
    schools.to_csv(tmp_path / "schools.csv", index=False)
    config = {"countries": {"bgref": {
        "name": "Bulgaria (real boundaries, synthetic counts)",
        "deliverable": "D.2.1",
        "synthetic": True,
        "schools": {"path": str(tmp_path / "schools.csv"),
                    "columns": {"school_id": "kod_neispuo", "municipality_code": "obshtina",
                                "pupils_total": "uchenitsi", "pupils_group": "romi"}},
        "census": {"path": str(tmp_path / "census.csv"), "encoding": "cp1251",
                   "columns": {"municipality_code": "obshtina", "municipality_name": "ime",
                               "region_code": "oblast", "population_total": "naselenie",
                               "population_group": "romi"}},
        "boundaries": {"path": str(MUNICIPALITIES), "columns": {"municipality_code": "LAU_CODE"}},
    }}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(tmp_path),
         "--configfile", str(tmp_path / "config.yaml"), "--cores", "2"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(tmp_path / "outputs/bgref/municipality_indices.csv", dtype={"municipality_code": str})
    assert len(table) == 265 and "SOF46" in set(table["municipality_code"])
    assert table.loc[table["status"] == "ok", "dissimilarity"].between(0, 1).all()
    regions = gpd.read_parquet(tmp_path / "data/processed/bgref/regions_map.parquet")
    assert len(regions) == 28 and regions.geometry.is_valid.all()
    assert (tmp_path / "outputs/bgref/D.2.1_school_segregation_maps_bgref_en.pdf").stat().st_size > 50_000
