"""Municipal and regional boundaries from Eurostat GISCO (``boundaries: gisco``).

Source
    Eurostat GISCO distribution API (version 2), in EPSG:4326 as GeoJSON at scale 1:1 million:

    * municipalities: *Local Administrative Units* (LAU) 2021,
      ``https://gisco-services.ec.europa.eu/distribution/v2/lau/geojson/LAU_RG_01M_2021_4326.geojson``;
    * regions: NUTS 2021 level 3,
      ``https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/NUTS_RG_01M_2021_4326_LEVL_3.geojson``.

    Each file covers all of Europe (the LAU file is several hundred megabytes); the features of one
    country are selected by their ``CNTR_CODE`` while the file is read, so only that country is kept
    in memory. GISCO country codes are ISO 3166 alpha-2 except ``EL`` for Greece and ``UK`` for the
    United Kingdom; the configuration key of a country (``bg``, ``es``, ``gr``) is used when
    ``country_code`` is not given.

Licence
    Eurostat's copyright notice for GISCO data allows reuse with acknowledgement; for the
    administrative boundaries the acknowledgement GISCO asks for is :data:`ATTRIBUTION`
    ("© EuroGeographics for the administrative boundaries"). The report prints it next to the maps.

Cache and integrity
    The files are kept in the cache folder given as ``path`` (``data/raw/gisco`` by default). A file
    that is there and verifies is used without touching the network. A download streams to a
    temporary file in the same folder that is renamed only once complete and verified, so no partial
    file is ever left behind. Files are verified against a SHA-256 pin: the configuration's
    ``sha256: {lau: ..., nuts: ...}`` first, then a pin built into :data:`FILES` (none yet: the
    official files could not be hashed when this module was written), then the ``SHA256SUMS`` file in
    the cache folder. When no pin is known the file is pinned on first use: its hash is written to
    ``SHA256SUMS`` (``sha256sum`` format, so ``sha256sum -c SHA256SUMS`` checks the cache by hand) and
    a warning asks to copy it into the configuration. A file that does not match its pin stops the run.

Offline use
    Without network (or with ``fetch=False``) the run stops with a message giving the exact address to
    download and the exact path to save the file as; a file saved there by hand is then used (and
    pinned) like a downloaded one.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from segmap.errors import InputError, Problem
from segmap.files import atomic_path

log = logging.getLogger(__name__)

#: The acknowledgement GISCO asks for when its administrative boundaries are shown.
ATTRIBUTION = "© EuroGeographics for the administrative boundaries"
#: Where the boundaries come from, for the report's data sources.
SOURCE = "Eurostat GISCO: LAU 2021 (municipalities) and NUTS 2021 level 3 (regions), 1:1 million, EPSG:4326"

#: Prefix of the official download addresses; ``base_url`` in the config replaces it (mirrors, tests).
OFFICIAL_BASE_URL = "https://gisco-services.ec.europa.eu/distribution/v2"
DEFAULT_CACHE = "data/raw/gisco"
SUMS_FILE = "SHA256SUMS"
LOCK_FILE = ".segmap-gisco.lock"
USER_AGENT = "segmap"
DOWNLOAD_TIMEOUT = 60  # seconds without data before a download is given up
CHUNK = 1 << 20

#: The GISCO files used, by name (the names are the keys of ``sha256:`` in the config).
#: ``sha256`` is a pin built into segmap; ``None`` means "pin on first use" (see the module docstring).
FILES: dict[str, dict[str, Any]] = {
    "lau": {
        "title": "Eurostat GISCO LAU 2021, 1:1 million, EPSG:4326",
        "file": "LAU_RG_01M_2021_4326.geojson",
        "url": f"{OFFICIAL_BASE_URL}/lau/geojson/LAU_RG_01M_2021_4326.geojson",
        "sha256": None,
    },
    "nuts": {
        "title": "Eurostat GISCO NUTS 2021 level 3, 1:1 million, EPSG:4326",
        "file": "NUTS_RG_01M_2021_4326_LEVL_3.geojson",
        "url": f"{OFFICIAL_BASE_URL}/nuts/geojson/NUTS_RG_01M_2021_4326_LEVL_3.geojson",
        "sha256": None,
    },
}

#: ISO 3166 codes that GISCO writes differently.
COUNTRY_ALIASES = {"GR": "EL", "GB": "UK"}

#: Fields read from each file (others are skipped), and the ones without which a file is not usable.
LAU_FIELDS = ["GISCO_ID", "CNTR_CODE", "LAU_ID", "LAU_NAME"]
LAU_REQUIRED = ["CNTR_CODE", "LAU_ID"]
NUTS_FIELDS = ["NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NAME_LATN", "NUTS_NAME"]
NUTS_REQUIRED = ["CNTR_CODE", "NUTS_ID"]
MUNICIPALITY_COLUMNS = ["municipality_code", "municipality_name", "region_code", "geometry"]
REGION_COLUMNS = ["region_code", "region_name", "region_name_latin", "geometry"]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_hash_memo: dict[tuple[str, int, int], str] = {}


class _IncompleteDownload(OSError):
    """The server closed the connection early or sent something that is not GeoJSON."""


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------

def gisco_country_code(spec: Mapping[str, Any], country: str) -> str:
    """The GISCO country code: ``spec["country_code"]`` or the config key upper-cased; GR -> EL, GB -> UK."""
    raw = spec.get("country_code") or country
    code = str(raw).strip().upper()
    code = COUNTRY_ALIASES.get(code, code)
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise InputError(Problem(
            _cache_folder(spec).as_posix(),
            f"'{raw}' is not a GISCO country code (two letters such as BG, ES, BE; EL for Greece); "
            "set 'country_code:' under boundaries in the config",
        ))
    return code


def gisco_files(spec: Mapping[str, Any], country: str) -> list[dict[str, Any]]:
    """The GISCO files a country needs, without touching the network.

    One dict per file: ``name`` (``lau``/``nuts``), ``title``, ``url`` (after ``base_url``), ``path``
    (in the cache folder), ``sha256`` (the pin it will be checked against, or ``None``), ``pinned_by``
    (``config``, ``segmap``, ``SHA256SUMS`` or ``None``), ``cached`` (the file is there) and
    ``country_code``.
    """
    code = gisco_country_code(spec, country)
    folder = _cache_folder(spec)
    config_pins = _config_pins(spec, folder)
    sums = _read_sums(folder)
    entries = []
    for name, entry in FILES.items():
        path = folder / entry["file"]
        pin, pinned_by = _pin(name, config_pins, sums)
        entries.append({
            "name": name,
            "title": entry["title"],
            "url": _url(spec, entry["url"]),
            "path": path.as_posix(),
            "sha256": pin,
            "pinned_by": pinned_by,
            "cached": path.is_file(),
            "country_code": code,
        })
    return entries


def fetch_gisco_files(spec: Mapping[str, Any], country: str, *, fetch: bool = True) -> list[dict[str, Any]]:
    """Make sure the GISCO files are in the cache and match their pins; download what is missing.

    Returns :func:`gisco_files` entries with ``sha256`` set to the verified hash of each file.
    Raises :class:`InputError` when a file cannot be downloaded (``fetch=False``: is not cached),
    does not match its pin, or is not what a download from GISCO should give.
    """
    entries = gisco_files(spec, country)
    folder = _cache_folder(spec)
    with _cache_lock(folder, create=fetch):
        sums = _read_sums(folder)  # again, under the lock: another job may have pinned a file meanwhile
        config_pins = _config_pins(spec, folder)
        for entry in entries:
            entry["sha256"], entry["pinned_by"] = _pin(entry["name"], config_pins, sums)
            entry.update(_ensure(entry, fetch))
            entry["cached"] = True
    return entries


def gisco_boundaries(spec: Mapping[str, Any], country: str, *,
                     fetch: bool = True) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Municipalities (LAU 2021) and NUTS-3 regions (NUTS 2021) of one country from GISCO.

    ``spec`` is the boundaries input specification (``source: gisco``, ``path`` = cache folder,
    optional ``country_code``, ``base_url``, ``sha256``); ``country`` the config key (``bg``).
    Files are downloaded when missing unless ``fetch=False``.

    Returns ``(municipalities, regions)``, both in EPSG:4326 with index 1..n named ``feature``:

    * municipalities: ``municipality_code`` (``LAU_ID`` as text, leading zeros kept),
      ``municipality_name`` (``LAU_NAME``), ``region_code`` (the NUTS-3 region the municipality lies
      in, by a point inside it; GISCO's LAU file has no NUTS code), ``geometry``;
    * regions: ``region_code`` (``NUTS_ID``), ``region_name`` (``NUTS_NAME``, national language),
      ``region_name_latin`` (``NAME_LATN``), ``geometry``.
    """
    entries = {entry["name"]: entry for entry in fetch_gisco_files(spec, country, fetch=fetch)}
    code = entries["lau"]["country_code"]
    lau = _read_country(Path(entries["lau"]["path"]), code, LAU_FIELDS, LAU_REQUIRED, "LAU")
    nuts = _read_country(Path(entries["nuts"]["path"]), code, NUTS_FIELDS, NUTS_REQUIRED, "NUTS")
    if "LEVL_CODE" in nuts:
        nuts = nuts[pd.to_numeric(nuts["LEVL_CODE"], errors="coerce") == 3]
    region_codes = _text(nuts["NUTS_ID"])
    regions = gpd.GeoDataFrame(
        {
            "region_code": region_codes.values,
            "region_name": _first_of(nuts, ["NUTS_NAME", "NAME_LATN"], region_codes).values,
            "region_name_latin": _first_of(nuts, ["NAME_LATN", "NUTS_NAME"], region_codes).values,
        },
        geometry=nuts.geometry.values, crs="EPSG:4326",
    )
    regions.index = pd.RangeIndex(1, 1 + len(regions), name="feature")
    lau_codes = _lau_codes(lau)
    municipalities = gpd.GeoDataFrame(
        {"municipality_code": lau_codes.values, "municipality_name": _first_of(lau, ["LAU_NAME"], lau_codes).values},
        geometry=lau.geometry.values, crs="EPSG:4326",
    )
    municipalities.index = pd.RangeIndex(1, 1 + len(municipalities), name="feature")
    municipalities["region_code"] = _region_of(municipalities, regions)
    log.info("GISCO %s: %d municipalities (LAU 2021), %d NUTS-3 regions", code, len(municipalities), len(regions))
    return municipalities[MUNICIPALITY_COLUMNS], regions[REGION_COLUMNS]


def provenance(spec: Mapping[str, Any], country: str) -> list[dict[str, Any]]:
    """The GISCO files actually used, for the provenance record: one dict per file with ``name``,
    ``title``, ``url``, ``path``, ``sha256`` (of the cached file), ``pinned_by``, ``country_code``,
    ``source`` and ``attribution``. Never downloads (call after :func:`gisco_boundaries`)."""
    entries = fetch_gisco_files(spec, country, fetch=False)
    return [
        {key: entry[key] for key in ("name", "title", "url", "path", "sha256", "pinned_by", "country_code")}
        | {"source": "Eurostat GISCO", "attribution": ATTRIBUTION}
        for entry in entries
    ]


#: Alias with the module prefix, for ``from segmap.io.gisco import gisco_provenance``.
gisco_provenance = provenance


# --------------------------------------------------------------------------------------------------
# Pins and cache
# --------------------------------------------------------------------------------------------------

def _cache_folder(spec: Mapping[str, Any]) -> Path:
    return Path(spec.get("path") or DEFAULT_CACHE)


def _url(spec: Mapping[str, Any], official: str) -> str:
    base = spec.get("base_url")
    if not base:
        return official
    return str(base).rstrip("/") + official[len(OFFICIAL_BASE_URL):]


def _config_pins(spec: Mapping[str, Any], folder: Path) -> dict[str, str]:
    pins = {}
    problems = []
    for name, value in (spec.get("sha256") or {}).items():
        if name not in FILES:
            problems.append(Problem(folder.as_posix(), f"sha256 pin for unknown GISCO file '{name}' in the "
                                    f"config (known: {', '.join(FILES)})"))
            continue
        text = str(value).strip().lower()
        if not _HEX64.match(text):
            problems.append(Problem(folder.as_posix(), f"sha256 pin for '{name}' in the config is not 64 "
                                    f"hexadecimal digits: {value!r}"))
            continue
        pins[name] = text
    if problems:
        raise InputError(problems)
    return pins


def _pin(name: str, config_pins: Mapping[str, str], sums: Mapping[str, str]) -> tuple[str | None, str | None]:
    if name in config_pins:
        return config_pins[name], "config"
    if FILES[name]["sha256"]:
        return FILES[name]["sha256"], "segmap"
    if FILES[name]["file"] in sums:
        return sums[FILES[name]["file"]], SUMS_FILE
    return None, None


def _read_sums(folder: Path) -> dict[str, str]:
    """``SHA256SUMS`` as file name -> hash (lines ``<hash>  <name>``, ``*`` for binary mode allowed)."""
    path = folder / SUMS_FILE
    if not path.is_file():
        return {}
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2 and _HEX64.match(parts[0].lower()):
            sums[parts[1].lstrip("*").strip()] = parts[0].lower()
    return sums


def _write_sum(folder: Path, file_name: str, digest: str) -> None:
    sums = _read_sums(folder)
    sums[file_name] = digest
    with atomic_path(folder / SUMS_FILE) as temporary:
        temporary.write_text("".join(f"{h}  {n}\n" for n, h in sorted(sums.items())), encoding="utf-8")


@contextmanager
def _cache_lock(folder: Path, create: bool) -> Iterator[None]:
    """Serialise downloads and ``SHA256SUMS`` updates of parallel jobs (POSIX; a no-op elsewhere)."""
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(Problem(folder.as_posix(), f"cannot create the GISCO cache folder: {exc}")) from exc
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None
    if fcntl is None or not folder.is_dir():
        yield
        return
    lock = folder / LOCK_FILE
    try:
        lock.touch(exist_ok=True)
    except OSError:  # read-only cache: nothing will be written to it either
        yield
        return
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, remembered by path, size and modification time (the LAU file is large)."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _hash_memo:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
        _hash_memo[key] = digest.hexdigest()
    return _hash_memo[key]


def _where(path: Path) -> str:
    """The path as configured, and absolute when it is relative (the run's working folder may differ)."""
    return path.as_posix() if path.is_absolute() else f"{path.as_posix()} (that is, {path.resolve().as_posix()})"


def _ensure(entry: Mapping[str, Any], fetch: bool) -> dict[str, Any]:
    """Verify the cached file or download it; returns the updated ``sha256``/``pinned_by``."""
    path, url, pin = Path(entry["path"]), entry["url"], entry["sha256"]
    if path.is_file():
        actual = file_sha256(path)
        if pin is not None and actual != pin:
            raise InputError(Problem(path.as_posix(), _mismatch(path, url, pin, actual, entry["pinned_by"], True)))
        log.info("GISCO %s: using cached %s (sha256 %s)", entry["name"], path, actual)
    elif not fetch:
        raise InputError(Problem(path.as_posix(), f"is not in the GISCO cache. Download {url} by hand and save "
                                 f"it as {_where(path)}, then run again."))
    else:
        actual = _download(url, path, pin, entry["pinned_by"])
    return _record_pin(entry, path, actual)


def _record_pin(entry: Mapping[str, Any], path: Path, actual: str) -> dict[str, Any]:
    folder = path.parent
    if _read_sums(folder).get(path.name) == actual:
        return {"sha256": actual, "pinned_by": entry["pinned_by"] or SUMS_FILE}
    try:
        _write_sum(folder, path.name, actual)
    except OSError as exc:
        log.warning("cannot write %s: %s", folder / SUMS_FILE, exc)
    if entry["pinned_by"] is None:
        log.warning("GISCO %s: %s had no sha256 pin; pinned it as %s in %s. Copy the pin into the config "
                    "(boundaries: {source: gisco, sha256: {%s: %s}}) so that other machines check the same file.",
                    entry["name"], path, actual, folder / SUMS_FILE, entry["name"], actual)
        return {"sha256": actual, "pinned_by": SUMS_FILE}
    return {"sha256": actual, "pinned_by": entry["pinned_by"]}


def _mismatch(path: Path, url: str, expected: str, actual: str, pinned_by: str | None, cached: bool) -> str:
    where = {"config": "the config (boundaries: sha256:)", "segmap": "segmap's built-in pin",
             SUMS_FILE: f"{path.parent.as_posix()}/{SUMS_FILE}"}.get(pinned_by or "", "its pin")
    if cached:
        return (f"the cached file does not match its sha256 pin: expected {expected} (from {where}), got {actual}. "
                f"It is damaged or a different version: delete {path.as_posix()} and run again to download it "
                f"again from {url} (if GISCO has replaced the file on purpose, update the pin in {where}).")
    return (f"the file downloaded from {url} does not match its sha256 pin: expected {expected} (from {where}), "
            f"got {actual}. It was not kept; run again to download it again (if GISCO has replaced the file on "
            f"purpose, update the pin in {where}).")


# --------------------------------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------------------------------

def _download(url: str, path: Path, pin: str | None, pinned_by: str | None) -> str:
    """Stream ``url`` to a temporary file next to ``path``, verify, rename; returns the sha256."""
    log.info("GISCO: downloading %s to %s", url, path)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with atomic_path(path) as temporary:
            digest = hashlib.sha256()
            size = 0
            with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response, \
                    open(temporary, "wb") as out:
                length = response.headers.get("Content-Length")
                expected_size = int(length) if length and length.isdigit() else None
                first = True
                while block := response.read(CHUNK):
                    if first:
                        _check_geojson_start(block)
                        first = False
                    digest.update(block)
                    out.write(block)
                    size += len(block)
                    if size // (50 * CHUNK) != (size - len(block)) // (50 * CHUNK):
                        log.info("GISCO: %d MB of %s", size // CHUNK, path.name)
            if size == 0:
                raise _IncompleteDownload("the server sent an empty file")
            if expected_size is not None and size != expected_size:
                raise _IncompleteDownload(f"the connection closed after {size} of {expected_size} bytes")
            actual = digest.hexdigest()
            if pin is not None and actual != pin:
                raise InputError(Problem(path.as_posix(), _mismatch(path, url, pin, actual, pinned_by, False)))
    except InputError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise InputError(Problem(path.as_posix(), f"cannot download {url} ({_reason(exc)}). Download it by hand "
                                 f"and save it as {_where(path)}, then run again.")) from exc
    _hash_memo[(str(path.resolve()), path.stat().st_size, path.stat().st_mtime_ns)] = actual
    log.info("GISCO: downloaded %s (%d bytes, sha256 %s)", path, size, actual)
    return actual


def _check_geojson_start(block: bytes) -> None:
    start = block.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start != b"{":
        preview = block[:60].decode("utf-8", "replace").strip()
        raise _IncompleteDownload(f"the server did not send GeoJSON; it starts with {preview!r}")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return f"no answer within {DOWNLOAD_TIMEOUT} s"
        return str(reason)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no data for {DOWNLOAD_TIMEOUT} s"
    return str(exc) or type(exc).__name__


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------

def _read_country(path: Path, code: str, fields: list[str], required: list[str], label: str) -> gpd.GeoDataFrame:
    """The features of one country, filtered by ``CNTR_CODE`` while reading (OGR SQL ``where``).

    ``code`` has been checked to be two capital letters, so it is safe inside the SQL expression.
    """
    try:
        frame = pyogrio.read_dataframe(path, where=f"CNTR_CODE = '{code}'", columns=fields)
    except Exception as where_error:  # noqa: BLE001 - pyogrio raises several types; diagnosed below
        _require_fields(path, _fields(path), required, label, where_error)
        log.warning("%s: filtering while reading failed (%s); reading the whole file", path, where_error)
        try:
            frame = pyogrio.read_dataframe(path, columns=fields)
        except Exception as exc:
            raise InputError(Problem(path.as_posix(), f"cannot be read as GeoJSON: {exc}. Delete it and run "
                                     "again to download it again.")) from exc
        frame = frame[frame["CNTR_CODE"] == code]
    _require_fields(path, list(frame.columns), required, label)
    if frame.empty:
        codes = _country_codes(path)
        raise InputError(Problem(path.as_posix(), f"has no {label} features with CNTR_CODE '{code}'; "
                                 f"set 'country_code:' under boundaries in the config to one of "
                                 f"{_listing(codes)} (GISCO uses EL for Greece and UK for the United Kingdom)"))
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    elif not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


def _require_fields(path: Path, present: list[str], required: list[str], label: str,
                    cause: BaseException | None = None) -> None:
    missing = [field for field in required if field not in present]
    if missing:
        shown = ", ".join(field for field in present if field != "geometry") or "none"
        raise InputError(Problem(path.as_posix(), f"is not a GISCO {label} file: field(s) {', '.join(missing)} "
                                 f"missing (fields found: {shown}). Delete it and run again to download it "
                                 "again.")) from cause


def _fields(path: Path) -> list[str]:
    try:
        return [str(field) for field in pyogrio.read_info(path)["fields"]]
    except Exception as exc:
        raise InputError(Problem(path.as_posix(), f"cannot be read as GeoJSON ({exc}). Delete it and run again "
                                 "to download it again.")) from exc


def _country_codes(path: Path) -> list[str]:
    values = pyogrio.read_dataframe(path, columns=["CNTR_CODE"], read_geometry=False)["CNTR_CODE"]
    return sorted(set(values.dropna().astype(str)))


def _listing(codes: list[str], limit: int = 40) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f", ... ({len(codes)} in all)" if len(codes) > limit else "") if codes else "(none)"


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().astype(object).where(values.notna(), None)


def _first_of(frame: pd.DataFrame, columns: list[str], default: pd.Series) -> pd.Series:
    """Text of the first of ``columns`` in ``frame``, gaps filled from the next ones and then ``default``."""
    out = pd.Series(None, index=frame.index, dtype=object)
    for column in columns:
        if column in frame:
            out = out.where(out.notna(), _text(frame[column]))
    return out.where(out.notna(), default)


def _lau_codes(lau: pd.DataFrame) -> pd.Series:
    """``LAU_ID`` as text; when a reader typed it as a number, the part of ``GISCO_ID`` after the country."""
    codes = lau["LAU_ID"]
    if pd.api.types.is_numeric_dtype(codes) and "GISCO_ID" in lau:
        return _text(lau["GISCO_ID"].astype("string").str.split("_", n=1).str[1])
    return _text(codes)


def _region_of(municipalities: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> pd.Series:
    """NUTS-3 code of the region that holds a point inside each municipality (nearest region otherwise)."""
    out = pd.Series(None, index=municipalities.index, dtype=object)
    if municipalities.empty or regions.empty:
        return out
    points = gpd.GeoDataFrame(geometry=municipalities.geometry.representative_point(), crs=municipalities.crs)
    inside = gpd.sjoin(points, regions[["region_code", "geometry"]], how="left", predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]
    out.loc[inside.index] = inside["region_code"].where(inside["region_code"].notna(), None)
    unplaced = out.isna()
    if unplaced.any():
        # generalised outlines do not always nest: take the nearest region, measured in metres (LAEA)
        nearest = gpd.sjoin_nearest(points[unplaced].to_crs("EPSG:3035"),
                                    regions[["region_code", "geometry"]].to_crs("EPSG:3035"), how="left")
        nearest = nearest[~nearest.index.duplicated(keep="first")]
        out.loc[nearest.index] = nearest["region_code"]
    return out

