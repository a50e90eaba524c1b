"""GISCO boundaries (segmap.io.gisco) against a local HTTP server that mirrors the distribution/v2 layout.

No test touches the real network: ``base_url`` points at a ``ThreadingHTTPServer`` on 127.0.0.1 that
serves small hand-made LAU and NUTS files (two countries plus one more, a LAU code with a leading zero).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import pytest
from conftest import SHARED_REFERENCE
from shapely.geometry import box, mapping

from segmap.io import gisco
from segmap.errors import InputError
from segmap.io.validate import validate_boundaries

LAU_PATH = "lau/geojson/LAU_RG_01M_2021_4326.geojson"
NUTS_PATH = "nuts/geojson/NUTS_RG_01M_2021_4326_LEVL_3.geojson"

# LAU 2021 features: country, LAU_ID, name, cell (x0, y0) of a 0.1 degree square
LAU = [
    ("ES", "01001", "Alegría-Dulantzi", (-2.6, 42.8)),
    ("ES", "01002", "Amurrio", (-2.5, 42.8)),
    ("ES", "28079", "Madrid", (-3.7, 40.4)),
    ("BG", "SOF46", "Столична", (23.3, 42.6)),
    ("BG", "VAR06", "Варна", (27.9, 43.2)),
    ("BE", "21004", "Bruxelles / Brussel", (4.3, 50.8)),
]
# NUTS 2021 level 3: country, NUTS_ID, national name, Latin name, bounds
NUTS = [
    ("ES", "ES211", "Araba/Álava", "Araba/Álava", (-2.7, 42.7, -2.3, 43.0)),
    ("ES", "ES300", "Madrid", "Madrid", (-3.9, 40.2, -3.5, 40.6)),
    ("BG", "BG411", "София (столица)", "Sofia (stolitsa)", (23.2, 42.5, 23.5, 42.8)),
    ("BG", "BG331", "Варна", "Varna", (27.8, 43.1, 28.1, 43.4)),
    ("BE", "BE100", "Arr. de Bruxelles-Capitale", "Arr. de Bruxelles-Capitale", (4.2, 50.7, 4.5, 51.0)),
]


def feature_collection(features: list[dict], name: str) -> str:
    return json.dumps({
        "type": "FeatureCollection", "name": name,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }, ensure_ascii=False)


def lau_feature(country: str, code, name: str, geometry, gisco_id: str | None = None) -> dict:
    return {"type": "Feature", "geometry": mapping(geometry), "properties": {
        "GISCO_ID": gisco_id or f"{country}_{code}", "CNTR_CODE": country, "LAU_ID": code, "LAU_NAME": name,
        "POP_2021": 1000, "POP_DENS_2021": 10.0, "AREA_KM2": 100.0, "YEAR": 2021, "FID": gisco_id or f"{country}_{code}",
    }}


def nuts_feature(country: str, code: str, name: str, latin: str, geometry) -> dict:
    return {"type": "Feature", "geometry": mapping(geometry), "properties": {
        "NUTS_ID": code, "LEVL_CODE": 3, "CNTR_CODE": country, "NAME_LATN": latin, "NUTS_NAME": name,
        "MOUNT_TYPE": 0, "URBN_TYPE": 1, "COAST_TYPE": 3, "FID": code,
    }}


def write_fixture(root: Path, lau: list[dict] | None = None, nuts: list[dict] | None = None) -> Path:
    """The two GISCO files under ``root`` in the distribution/v2 layout; returns ``root``."""
    if lau is None:
        lau = [lau_feature(c, code, name, box(x, y, x + 0.1, y + 0.1)) for c, code, name, (x, y) in LAU]
    if nuts is None:
        nuts = [nuts_feature(c, code, name, latin, box(*bounds)) for c, code, name, latin, bounds in NUTS]
    for relative, features, name in ((LAU_PATH, lau, "LAU_RG_01M_2021_4326"),
                                     (NUTS_PATH, nuts, "NUTS_RG_01M_2021_4326_LEVL_3")):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(feature_collection(features, name), encoding="utf-8")
    return root


class FixtureHandler(SimpleHTTPRequestHandler):
    """Serves the fixture folder; paths listed in ``behaviour`` misbehave (``drop`` or ``html``)."""

    behaviour: ClassVar[dict[str, str]] = {}
    requests: ClassVar[list[str]] = []

    def do_GET(self):  # the name http.server calls
        self.requests.append(self.path)
        action = self.behaviour.get(self.path.split("/distribution/v2/", 1)[-1])
        if action == "drop":  # promise 100 kB, send the start of a GeoJSON file, hang up
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b'{"type": "FeatureCollection", "features": [' + b" " * 500)
            self.wfile.flush()
            self.close_connection = True
            return
        if action == "html":  # a captive portal or error page with status 200
            body = b"<html><body>Please log in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format, *args):  # keep the test output quiet
        pass


class FixtureServer:
    """A ThreadingHTTPServer on 127.0.0.1 (free port) in a background thread."""

    def __init__(self, root: Path):
        handler = type("Handler", (FixtureHandler,), {"behaviour": {}, "requests": []})
        self.handler = handler
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/distribution/v2"
        self.root = root
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()
        self.running = True

    @property
    def requests(self) -> list[str]:
        return self.handler.requests

    def misbehave(self, relative: str, action: str) -> None:
        self.handler.behaviour[relative] = action

    def stop(self) -> None:
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=5)
            self.running = False


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "site"
    write_fixture(root / "distribution" / "v2")
    served = FixtureServer(root)
    yield served
    served.stop()


@pytest.fixture
def spec(tmp_path, server):
    return {"source": "gisco", "path": str(tmp_path / "cache"), "base_url": server.url}


def cache_listing(spec) -> list[str]:
    folder = Path(spec["path"])
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------------
# Reading and filtering
# --------------------------------------------------------------------------------------------------

def test_municipalities_and_regions_of_one_country(spec):
    municipalities, regions = gisco.gisco_boundaries(spec, "es")
    assert list(municipalities.columns) == ["municipality_code", "municipality_name", "region_code", "geometry"]
    assert list(municipalities["municipality_code"]) == ["01001", "01002", "28079"]
    assert all(isinstance(code, str) for code in municipalities["municipality_code"])
    assert list(municipalities["municipality_name"]) == ["Alegría-Dulantzi", "Amurrio", "Madrid"]
    assert list(municipalities["region_code"]) == ["ES211", "ES211", "ES300"]
    assert municipalities.index.name == "feature" and list(municipalities.index) == [1, 2, 3]
    assert municipalities.crs.to_epsg() == 4326
    assert list(regions.columns) == ["region_code", "region_name", "region_name_latin", "geometry"]
    assert list(regions["region_code"]) == ["ES211", "ES300"]
    assert regions.index.name == "feature" and regions.crs.to_epsg() == 4326
    # the municipalities pass the boundary checks of the data contract
    checked = validate_boundaries(municipalities, spec["path"])
    assert list(checked["municipality_code"]) == ["01001", "01002", "28079"]


def test_other_country_from_the_same_cache(spec):
    municipalities, regions = gisco.gisco_boundaries(spec, "bg")
    assert list(municipalities["municipality_code"]) == ["SOF46", "VAR06"]
    assert list(municipalities["municipality_name"]) == ["Столична", "Варна"]
    assert list(municipalities["region_code"]) == ["BG411", "BG331"]
    assert list(regions["region_name"]) == ["София (столица)", "Варна"]
    assert list(regions["region_name_latin"]) == ["Sofia (stolitsa)", "Varna"]


@pytest.mark.parametrize(("key", "country_code", "expected"), [
    ("bg", None, "BG"), ("gr", None, "EL"), ("uk", None, "UK"), ("gb", None, "UK"),
    ("spain", "es", "ES"), ("xx", " be ", "BE"), ("greece", "GR", "EL"),
])
def test_country_code(key, country_code, expected):
    spec = {"source": "gisco", **({"country_code": country_code} if country_code else {})}
    assert gisco.gisco_country_code(spec, key) == expected


@pytest.mark.parametrize("bad", ["spain", "E", "E1", "ES'; DROP"])
def test_malformed_country_code(bad):
    with pytest.raises(InputError, match="not a GISCO country code"):
        gisco.gisco_country_code({"country_code": bad}, "es")


def test_unknown_country_lists_the_codes_present(spec):
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries(spec, "fr")
    message = str(raised.value)
    assert "CNTR_CODE 'FR'" in message and "BE, BG, ES" in message and "country_code" in message


def test_numeric_lau_id_falls_back_to_gisco_id(tmp_path):
    root = tmp_path / "site"
    lau = [lau_feature("ES", 1001, "Alegría-Dulantzi", box(-2.6, 42.8, -2.5, 42.9), gisco_id="ES_01001")]
    write_fixture(root, lau=lau)
    cache = tmp_path / "cache"
    cache.mkdir()
    for relative in (LAU_PATH, NUTS_PATH):
        (cache / Path(relative).name).write_bytes((root / relative).read_bytes())
    municipalities, _ = gisco.gisco_boundaries({"path": str(cache)}, "es", fetch=False)
    assert list(municipalities["municipality_code"]) == ["01001"]


def test_a_file_that_is_not_from_gisco(tmp_path):
    cache = tmp_path / "cache"
    write_fixture(tmp_path / "site")
    cache.mkdir()
    (cache / Path(LAU_PATH).name).write_text(feature_collection(
        [{"type": "Feature", "geometry": mapping(box(0, 0, 1, 1)), "properties": {"code": "X"}}], "other"))
    (cache / Path(NUTS_PATH).name).write_bytes((tmp_path / "site" / NUTS_PATH).read_bytes())
    with pytest.raises(InputError, match="is not a GISCO LAU file: field.*CNTR_CODE"):
        gisco.gisco_boundaries({"path": str(cache)}, "es", fetch=False)


# --------------------------------------------------------------------------------------------------
# Cache and pins
# --------------------------------------------------------------------------------------------------

def test_files_are_cached_and_used_without_network(spec, server):
    gisco.gisco_boundaries(spec, "es")
    assert len(server.requests) == 2
    assert cache_listing(spec) == sorted([".segmap-gisco.lock", "LAU_RG_01M_2021_4326.geojson",
                                          "NUTS_RG_01M_2021_4326_LEVL_3.geojson", "SHA256SUMS"])
    server.stop()
    municipalities, regions = gisco.gisco_boundaries(spec, "bg")
    assert list(municipalities["municipality_code"]) == ["SOF46", "VAR06"] and len(regions) == 2
    municipalities, _ = gisco.gisco_boundaries(spec, "es", fetch=False)
    assert len(municipalities) == 3
    assert len(server.requests) == 2


def test_sha256sums_written_on_first_download(spec, caplog):
    with caplog.at_level(logging.WARNING, logger="segmap.io.gisco"):
        gisco.gisco_boundaries(spec, "es")
    folder = Path(spec["path"])
    lau, nuts = folder / "LAU_RG_01M_2021_4326.geojson", folder / "NUTS_RG_01M_2021_4326_LEVL_3.geojson"
    assert (folder / "SHA256SUMS").read_text() == (f"{sha(lau)}  {lau.name}\n{sha(nuts)}  {nuts.name}\n")
    pinned = [r.getMessage() for r in caplog.records if "had no sha256 pin" in r.getMessage()]
    assert len(pinned) == 2 and f"lau: {sha(lau)}" in pinned[0] and "config" in pinned[0]
    files = {entry["name"]: entry for entry in gisco.gisco_files(spec, "es")}
    assert files["lau"]["sha256"] == sha(lau) and files["lau"]["pinned_by"] == "SHA256SUMS"
    # a second run verifies against SHA256SUMS and warns no more
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="segmap.io.gisco"):
        gisco.gisco_boundaries(spec, "es")
    assert not [r for r in caplog.records if "had no sha256 pin" in r.getMessage()]


def test_matching_config_pin(spec, server):
    pins = {"lau": sha(server.root / "distribution/v2" / LAU_PATH).upper(),
            "nuts": sha(server.root / "distribution/v2" / NUTS_PATH)}
    municipalities, _ = gisco.gisco_boundaries({**spec, "sha256": pins}, "es")
    assert len(municipalities) == 3
    record = gisco.provenance({**spec, "sha256": pins}, "es")
    assert [r["pinned_by"] for r in record] == ["config", "config"]
    assert record[0]["sha256"] == pins["lau"].lower()


def test_config_pin_mismatch_on_download(spec):
    wrong = "0" * 64
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries({**spec, "sha256": {"lau": wrong}}, "es")
    message = str(raised.value)
    actual = sha(Path(spec["path"]).parent / "site/distribution/v2" / LAU_PATH)
    assert wrong in message and actual in message and "the config" in message and "not kept" in message
    assert cache_listing(spec) == [".segmap-gisco.lock"]  # nothing downloaded is kept


def test_config_pin_mismatch_on_cached_file(spec):
    gisco.gisco_boundaries(spec, "es")
    lau = Path(spec["path"]) / "LAU_RG_01M_2021_4326.geojson"
    wrong = "ab" * 32
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries({**spec, "sha256": {"lau": wrong}}, "es")
    message = str(raised.value)
    assert wrong in message and sha(lau) in message and f"delete {lau.as_posix()}" in message


def test_config_pin_takes_precedence_over_sha256sums(spec, server):
    gisco.gisco_boundaries(spec, "es")
    folder = Path(spec["path"])
    stale = "cd" * 32
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    (folder / "SHA256SUMS").write_text(f"{stale}  LAU_RG_01M_2021_4326.geojson\n{sums[1]}\n")
    pin = sha(folder / "LAU_RG_01M_2021_4326.geojson")
    gisco.gisco_boundaries({**spec, "sha256": {"lau": pin}}, "es")
    assert (folder / "SHA256SUMS").read_text().splitlines()[0] == f"{pin}  LAU_RG_01M_2021_4326.geojson"


def test_corrupted_cached_file(spec):
    gisco.gisco_boundaries(spec, "es")
    lau = Path(spec["path"]) / "LAU_RG_01M_2021_4326.geojson"
    pinned = sha(lau)
    with open(lau, "ab") as handle:
        handle.write(b"\n ")
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries(spec, "es")
    message = str(raised.value)
    assert pinned in message and sha(lau) in message and "SHA256SUMS" in message
    assert "delete" in message and "download it again" in message


@pytest.mark.parametrize("pins", [{"lau": "123"}, {"lua": "0" * 64}])
def test_malformed_config_pins(spec, pins):
    with pytest.raises(InputError, match="sha256 pin"):
        gisco.gisco_files({**spec, "sha256": pins}, "es")


def test_file_saved_by_hand_is_used_and_pinned(tmp_path, spec, server):
    server.stop()
    folder = Path(spec["path"])
    folder.mkdir()
    for relative in (LAU_PATH, NUTS_PATH):
        (folder / Path(relative).name).write_bytes((server.root / "distribution/v2" / relative).read_bytes())
    municipalities, _ = gisco.gisco_boundaries(spec, "es")
    assert len(municipalities) == 3
    assert "LAU_RG_01M_2021_4326.geojson" in (folder / "SHA256SUMS").read_text()


# --------------------------------------------------------------------------------------------------
# Failures while downloading
# --------------------------------------------------------------------------------------------------

def assert_manual_download_message(message: str, spec, relative: str = LAU_PATH) -> None:
    path = Path(spec["path"]) / Path(relative).name
    assert f"{spec['base_url']}/{relative}" in message
    assert f"save it as {path.as_posix()}" in message and "then run again" in message


def test_404_leaves_no_partial_file(spec):
    spec = {**spec, "base_url": spec["base_url"] + "/missing"}
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries(spec, "es")
    message = str(raised.value)
    assert "HTTP 404" in message
    assert_manual_download_message(message, spec)
    assert cache_listing(spec) == [".segmap-gisco.lock"]


def test_dropped_connection_leaves_no_partial_file(spec, server):
    server.misbehave(NUTS_PATH, "drop")
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries(spec, "es")
    message = str(raised.value)
    assert "closed after" in message and "of 100000 bytes" in message
    assert_manual_download_message(message, spec, NUTS_PATH)
    # the LAU file came complete and stays; nothing of the NUTS file is left
    assert cache_listing(spec) == sorted([".segmap-gisco.lock", "LAU_RG_01M_2021_4326.geojson", "SHA256SUMS"])


def test_html_instead_of_geojson_is_not_kept(spec, server):
    server.misbehave(LAU_PATH, "html")
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries(spec, "es")
    message = str(raised.value)
    assert "did not send GeoJSON" in message and "<html>" in message
    assert_manual_download_message(message, spec)
    assert cache_listing(spec) == [".segmap-gisco.lock"]


def test_offline_server_stopped_before_first_download(spec, server):
    server.stop()
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries(spec, "es")
    assert_manual_download_message(str(raised.value), spec)
    assert cache_listing(spec) == [".segmap-gisco.lock"]


def test_offline_closed_port(tmp_path):
    spec = {"source": "gisco", "path": str(tmp_path / "cache"), "base_url": "http://127.0.0.1:9/distribution/v2"}
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries(spec, "bg")
    message = str(raised.value)
    assert "cannot download http://127.0.0.1:9/distribution/v2/lau/geojson/LAU_RG_01M_2021_4326.geojson (" in message
    assert_manual_download_message(message, spec)


def test_relative_cache_path_is_also_given_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = {"source": "gisco", "path": "data/raw/gisco"}
    with pytest.raises(InputError) as raised:
        gisco.gisco_boundaries(spec, "bg", fetch=False)
    message = str(raised.value)
    assert f"Download {gisco.FILES['lau']['url']} by hand" in message
    assert "save it as data/raw/gisco/LAU_RG_01M_2021_4326.geojson (that is, " in message
    assert (tmp_path / "data/raw/gisco/LAU_RG_01M_2021_4326.geojson").as_posix() in message
    assert not (tmp_path / "data").exists()  # fetch=False creates nothing


def test_official_addresses(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no SHA256SUMS from a real cache in the working folder
    files = {entry["name"]: entry for entry in gisco.gisco_files({"source": "gisco"}, "bg")}
    assert files["lau"]["url"] == ("https://gisco-services.ec.europa.eu/distribution/v2/lau/geojson/"
                                   "LAU_RG_01M_2021_4326.geojson")
    assert files["nuts"]["url"] == ("https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
                                    "NUTS_RG_01M_2021_4326_LEVL_3.geojson")
    assert files["lau"]["path"] == "data/raw/gisco/LAU_RG_01M_2021_4326.geojson"
    assert files["lau"]["country_code"] == "BG" and files["lau"]["sha256"] is None


def test_provenance(spec):
    gisco.gisco_boundaries(spec, "es")
    record = gisco.provenance(spec, "es")
    folder = Path(spec["path"])
    assert [r["name"] for r in record] == ["lau", "nuts"]
    assert record[0]["url"] == f"{spec['base_url']}/{LAU_PATH}"
    assert record[0]["sha256"] == sha(folder / "LAU_RG_01M_2021_4326.geojson")
    assert record[1]["path"] == (folder / "NUTS_RG_01M_2021_4326_LEVL_3.geojson").as_posix()
    assert all(r["attribution"] == gisco.ATTRIBUTION == "© EuroGeographics for the administrative boundaries"
               for r in record)
    assert gisco.gisco_provenance is gisco.provenance


# --------------------------------------------------------------------------------------------------
# Real shapes (skipped when ../shared/reference is absent)
# --------------------------------------------------------------------------------------------------

REFERENCE_BG = SHARED_REFERENCE / "bg"


@pytest.mark.skipif(not (REFERENCE_BG / "municipalities.geojson").is_file(), reason="../shared/reference absent")
def test_regions_of_real_bulgarian_municipalities(tmp_path):
    """The 265 real municipalities, dressed as GISCO LAU features, fall in their own NUTS-3 provinces."""
    municipalities = gpd.read_file(REFERENCE_BG / "municipalities.geojson")
    provinces = gpd.read_file(REFERENCE_BG / "provinces.geojson")
    root = tmp_path / "site"
    write_fixture(
        root,
        lau=[lau_feature("BG", row.LAU_CODE, row.NAME_BG, row.geometry) for row in municipalities.itertuples()],
        nuts=[nuts_feature("BG", row.NUTS_3_CODE, row.NAME_BG, row.NAME_EN, row.geometry)
              for row in provinces.itertuples()],
    )
    cache = tmp_path / "cache"
    cache.mkdir()
    for relative in (LAU_PATH, NUTS_PATH):
        (cache / Path(relative).name).write_bytes((root / relative).read_bytes())
    result, regions = gisco.gisco_boundaries({"path": str(cache)}, "bg", fetch=False)
    assert len(result) == 265 and len(regions) == 28
    expected = dict(zip(municipalities["LAU_CODE"], municipalities["NUTS_3_CODE"]))
    assert (result["region_code"] == result["municipality_code"].map(expected)).all()
