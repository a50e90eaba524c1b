"""Read the partner's input files as they are and bring their columns to the canonical names.

Nothing here interprets values: tables are read as text (so codes keep their leading zeros) with the
row number a spreadsheet program would show as index, and :mod:`segmap.validate` then checks and
types them. Raw files are only ever opened for reading.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import pandas as pd

from segmap.errors import InputError, Problem

log = logging.getLogger(__name__)

FIRST_DATA_ROW = 2  # the header is row 1 in a spreadsheet program
TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in {".gz", ".bz2", ".xz", ".zip"} and len(suffixes) > 1:
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def _require_file(path: Path, role: str) -> None:
    if not path.is_file():
        raise InputError(Problem(str(path), f"the {role} file does not exist (check its path in the config)"))
    if path.stat().st_size == 0:
        raise InputError(Problem(str(path), f"the {role} file is empty"))


def _read_delimited(path: Path, spec: Mapping[str, Any]) -> pd.DataFrame:
    sep = spec.get("sep") or ("\t" if _suffix(path) in {".tsv", ".tab"} else ",")
    encoding = spec.get("encoding") or "utf-8-sig"
    try:
        return pd.read_csv(
            path,
            sep=sep,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
        )
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(
                str(path),
                f"cannot be read as {encoding} (byte {exc.start}); set 'encoding:' for this input in the "
                "config, for example cp1251 (Bulgarian) or latin-1",
            )
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(Problem(str(path), "has no header row")) from exc
    except pd.errors.ParserError as exc:
        raise InputError(Problem(str(path), f"is not a valid delimited file with sep={sep!r}: {exc}")) from exc


def _read_excel(path: Path, spec: Mapping[str, Any]) -> pd.DataFrame:
    try:
        return pd.read_excel(path, sheet_name=spec.get("sheet") or 0, dtype=str)
    except ImportError as exc:
        raise InputError(Problem(str(path), f"reading spreadsheets needs an extra package: {exc}")) from exc
    except ValueError as exc:
        raise InputError(Problem(str(path), f"cannot read the spreadsheet: {exc}")) from exc


def apply_column_mapping(frame: pd.DataFrame, columns: Mapping[str, str], file: str) -> pd.DataFrame:
    """Rename the file's columns to canonical names.

    ``columns`` maps canonical name -> source column. A source column that is not in the file is an
    error naming the file, the column and the columns that are there.
    """
    frame = frame.rename(columns=lambda c: str(c).strip().lstrip("\ufeff"))
    missing = [source for source in columns.values() if source not in frame.columns]
    if missing:
        raise InputError(
            [
                Problem(file, f"the config maps a column to '{source}', which is not in the file "
                        f"(columns found: {', '.join(map(str, frame.columns))})", column=source)
                for source in missing
            ]
        )
    renamed = {source: canonical for canonical, source in columns.items()}
    # A column already called by a canonical name that another column is mapped to gives way.
    shadowed = [c for c in frame.columns if c in columns and c not in renamed]
    frame = frame.drop(columns=shadowed).rename(columns=renamed)
    return frame


def read_table(spec: Mapping[str, Any], role: str) -> pd.DataFrame:
    """Read a tabular input (delimited text, spreadsheet or Parquet) with canonical column names.

    Values stay text (Parquet keeps its own types); the index holds spreadsheet row numbers.
    """
    path = Path(spec["path"])
    _require_file(path, role)
    suffix = _suffix(path)
    if suffix in EXCEL_SUFFIXES:
        frame = _read_excel(path, spec)
    elif suffix in PARQUET_SUFFIXES:
        frame = pd.read_parquet(path)
    else:
        frame = _read_delimited(path, spec)
    frame = apply_column_mapping(frame, spec.get("columns") or {}, str(path))
    frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame), name="row")
    log.info("read %s: %d rows, columns %s", path, len(frame), list(frame.columns))
    return frame


def read_boundaries(spec: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """Read a polygon layer (GeoPackage, GeoJSON, Shapefile, zipped) with canonical field names."""
    path = Path(spec["path"])
    _require_file(path, "boundaries")
    kwargs = {"engine": "pyogrio"}
    if spec.get("layer") is not None:
        kwargs["layer"] = spec["layer"]
    try:
        frame = gpd.read_file(path, **kwargs)
    except Exception as exc:  # pyogrio raises several error types for unreadable files
        raise InputError(Problem(str(path), f"cannot be read as a boundary layer: {exc}")) from exc
    frame = apply_column_mapping(frame, spec.get("columns") or {}, str(path))
    frame.index = pd.RangeIndex(1, 1 + len(frame), name="feature")
    log.info("read %s: %d features, CRS %s", path, len(frame), frame.crs)
    return frame
