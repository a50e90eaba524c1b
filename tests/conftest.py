"""Shared fixtures: a tiny hand-made country (6 municipalities in 2 regions) written in any layout."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

REPO = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = REPO.parent / "shared" / "reference"

# 6 municipalities on a 3 x 2 grid of 10 km squares near Madrid (lon/lat), codes with leading zeros.
TINY_MUNICIPALITIES = [
    # code, name, region, region name, population, group population
    ("01001", "Alegría", "01", "Álava", 12000, 300),
    ("01002", "Amurrio", "01", "Álava", 8000, 40),
    ("01003", "Aramaio", "01", "Álava", 2000, 0),
    ("02001", "Abengibre", "02", "Albacete", 5000, 600),
    ("02002", "Alatoz", "02", "Albacete", 3000, 10),
    ("02003", "Alcadozo", "02", "Albacete", 900, 0),
]

TINY_SCHOOLS = [
    # id, name, municipality, total, group, lon, lat
    ("0001", "CEIP Uno", "01001", 400, 120, -3.95, 40.05),
    ("0002", "CEIP Dos", "01001", 300, 6, -3.92, 40.02),
    ("0003", "CEIP Tres", "01001", 250, 2, -3.97, 40.07),
    ("0004", "CEIP Cuatro", "01002", 200, 8, -3.85, 40.05),   # single school
    ("0005", "CEIP Cinco", "01003", 120, 0, -3.75, 40.05),
    ("0006", "CEIP Seis", "01003", 90, 0, -3.72, 40.02),       # no group pupils
    ("0007", "CEIP Siete", "02001", 350, 300, -3.95, 39.95),  # near all-group school
    ("0008", "CEIP Ocho", "02001", 300, 30, -3.92, 39.92),
    ("0009", "CEIP Nueve", "02002", 60, 60, -3.85, 39.95),
    ("0010", "CEIP Diez", "02002", 40, 40, -3.82, 39.92),      # only group pupils
    # 02003 has no school
]


def tiny_boundaries() -> gpd.GeoDataFrame:
    cells = []
    for index, (code, name, *_rest) in enumerate(TINY_MUNICIPALITIES):
        column, row = index % 3, index // 3
        x0, y0 = -4.0 + 0.1 * column, 40.0 - 0.1 * row
        cells.append({"code": code, "name": name, "geometry": box(x0, y0, x0 + 0.1, y0 + 0.1)})
    return gpd.GeoDataFrame(cells, crs="EPSG:4326")


def tiny_census() -> pd.DataFrame:
    return pd.DataFrame(TINY_MUNICIPALITIES, columns=["municipality_code", "municipality_name", "region_code",
                                                      "region_name", "population_total", "population_group"])


def tiny_schools() -> pd.DataFrame:
    return pd.DataFrame(TINY_SCHOOLS, columns=["school_id", "school_name", "municipality_code", "pupils_total",
                                               "pupils_group", "lon", "lat"])


@pytest.fixture
def tiny_inputs(tmp_path) -> dict[str, Path]:
    """The tiny country in canonical layout: schools.csv, census.csv, municipalities.geojson."""
    folder = tmp_path / "raw"
    folder.mkdir()
    tiny_schools().to_csv(folder / "schools.csv", index=False)
    tiny_census().to_csv(folder / "census.csv", index=False)
    boundaries = tiny_boundaries().rename(columns={"code": "municipality_code"})
    boundaries.to_file(folder / "municipalities.geojson", driver="GeoJSON")
    return {"schools": folder / "schools.csv", "census": folder / "census.csv",
            "boundaries": folder / "municipalities.geojson"}


@pytest.fixture
def tiny_inputs_partner_layout(tmp_path) -> tuple[dict[str, Path], dict]:
    """The tiny country as a partner might send it: ';' separators, own column names.

    Returns the paths and the config entries mapping them to the canonical names.
    """
    folder = tmp_path / "partner"
    folder.mkdir()
    schools = tiny_schools().rename(columns={"school_id": "codigo_centro", "school_name": "denominacion",
                                             "municipality_code": "cod_ine", "pupils_total": "alumnado",
                                             "pupils_group": "alumnado_gitano", "lon": "x", "lat": "y"})
    schools.to_csv(folder / "centros.csv", index=False, sep=";")
    census = tiny_census().rename(columns={"municipality_code": "cod_municipio", "municipality_name": "municipio",
                                           "region_code": "cod_provincia", "region_name": "provincia",
                                           "population_total": "poblacion", "population_group": "poblacion_gitana"})
    census.to_csv(folder / "padron.csv", index=False, sep=";")
    tiny_boundaries().rename(columns={"code": "NATCODE"}).to_file(folder / "limites.gpkg", driver="GPKG")
    paths = {"schools": folder / "centros.csv", "census": folder / "padron.csv", "boundaries": folder / "limites.gpkg"}
    entries = {
        "schools": {"path": str(paths["schools"]), "sep": ";",
                    "columns": {"school_id": "codigo_centro", "school_name": "denominacion",
                                "municipality_code": "cod_ine", "pupils_total": "alumnado",
                                "pupils_group": "alumnado_gitano", "lon": "x", "lat": "y"}},
        "census": {"path": str(paths["census"]), "sep": ";",
                   "columns": {"municipality_code": "cod_municipio", "municipality_name": "municipio",
                               "region_code": "cod_provincia", "region_name": "provincia",
                               "population_total": "poblacion", "population_group": "poblacion_gitana"}},
        "boundaries": {"path": str(paths["boundaries"]), "columns": {"municipality_code": "NATCODE"}},
    }
    return paths, entries


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's chromium and chromium-driver, driven by Selenium) with the network off, for
    the atlas's browser tests (:mod:`segmap.atlas.browser`). Where Chromium is missing the tests are skipped
    with the reason, except in CI (``CI=true``), where `.ci/run` installs it and a missing browser fails."""
    import os

    from segmap.atlas.browser import chromium, missing_browser

    missing = missing_browser()
    if missing:
        message = f"Chromium not installed ({', '.join(missing)} missing; apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": .ci/run installs it, so CI must not skip the browser tests")
        pytest.skip(message)
    with chromium() as session:
        yield session
