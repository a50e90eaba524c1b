"""`boundaries: gisco` through Snakemake: the tiny country's municipalities served as a GISCO LAU file."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box

from conftest import TINY_MUNICIPALITIES, tiny_boundaries
from test_gisco import FixtureServer, lau_feature, nuts_feature, write_fixture
from test_workflow import run_snakemake, write_config

pytestmark = pytest.mark.slow


@pytest.fixture
def gisco_server(tmp_path):
    root = tmp_path / "site" / "distribution" / "v2"
    lau = [lau_feature("ES", row["code"], row["name"], row["geometry"]) for _, row in tiny_boundaries().iterrows()]
    lau.append(lau_feature("PT", "010101", "Elsewhere", box(-8.0, 40.0, -7.9, 40.1)))
    nuts = [nuts_feature("ES", "ES211", "Araba/Álava", "Araba/Álava", box(-4.1, 39.7, -3.6, 40.2))]
    write_fixture(root, lau, nuts)
    server = FixtureServer(tmp_path / "site")
    yield server
    server.stop()


def test_gisco_boundaries_end_to_end(tmp_path, tiny_inputs, gisco_server):
    workdir = tmp_path / "work"
    workdir.mkdir()
    cache = workdir / "data" / "raw" / "gisco"
    entries = {"schools": str(tiny_inputs["schools"]), "census": str(tiny_inputs["census"]),
               "boundaries": {"source": "gisco", "country_code": "ES", "base_url": gisco_server.url}}
    write_config(workdir, entries)
    run_snakemake(workdir, "outputs/xx/municipality_indices.csv")
    assert (cache / "LAU_RG_01M_2021_4326.geojson").is_file() and (cache / "SHA256SUMS").is_file()
    provenance = json.loads((workdir / "data/processed/xx/inputs.json").read_text(encoding="utf-8"))
    assert [source["url"].rsplit("/", 1)[-1] for source in provenance["boundary_sources"]] == [
        "LAU_RG_01M_2021_4326.geojson", "NUTS_RG_01M_2021_4326_LEVL_3.geojson"]
    assert all(len(source["sha256"]) == 64 for source in provenance["boundary_sources"])
    assert len(TINY_MUNICIPALITIES) == 6


def test_gisco_without_network_says_what_to_download(tmp_path, tiny_inputs):
    workdir = tmp_path / "work"
    workdir.mkdir()
    entries = {"schools": str(tiny_inputs["schools"]), "census": str(tiny_inputs["census"]),
               "boundaries": {"source": "gisco", "country_code": "ES", "base_url": "http://127.0.0.1:9/distribution/v2"}}
    write_config(workdir, entries)
    result = run_snakemake(workdir, "outputs/xx/municipality_indices.csv", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr + "".join(
        path.read_text(encoding="utf-8") for path in (workdir / "logs").rglob("*.log"))
    assert "http://127.0.0.1:9/distribution/v2/lau/geojson/LAU_RG_01M_2021_4326.geojson" in output
    assert "data/raw/gisco/LAU_RG_01M_2021_4326.geojson" in output
    assert not (workdir / "data" / "processed" / "xx" / "schools.csv").exists()
