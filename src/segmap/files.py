"""Writing outputs atomically and reading the pipeline's own intermediate files back.

Every output is first written to a temporary file in its target folder and then renamed, so a run that
fails leaves either the previous complete file or nothing — never a half-written one. A full disk (or quota)
becomes a :class:`~segmap.errors.DiskFullError` that names the file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import geopandas as gpd
import pandas as pd

from segmap.errors import DISK_FULL_ERRNOS, DiskFullError

# Columns that hold codes or labels: always read as text so that ``01001`` stays ``01001``.
TEXT_COLUMNS = [
    "school_id", "school_name", "municipality_code", "municipality_name", "region_code", "region_name",
    "settlement", "year", "status", "category", "country_code", "country_name",
    "year_from", "year_to", "status_from", "status_to", "change_status", "not_comparable_reason",
    "input", "action", "detail", "upper_code", "upper_name",
]


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it to ``path``, else delete it."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
        os.close(handle)
    except OSError as exc:
        raise _disk_full(exc, target) from exc
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual permissions
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _disk_full(exc, target) from exc
        raise


def _disk_full(error: OSError, target: Path) -> Exception:
    """A :class:`~segmap.errors.DiskFullError` naming ``target`` when ``error`` says the disk is full (the
    writers of pandas, pyarrow, matplotlib and WeasyPrint all end in an ``OSError`` with its errno), else
    ``error`` itself."""
    if error.errno in DISK_FULL_ERRNOS or "No space left on device" in str(error):
        return DiskFullError(str(target), "no space left on the disk" if error.errno != errno.EDQUOT
                             else "the disk quota is exceeded")
    return error


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: A text cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with an apostrophe.

    ``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``, shown as text by Excel and LibreOffice. A text
    that already starts with an apostrophe followed by a trigger gets one more, so that
    :func:`restore_formulas` gives back the original exactly. Numbers (``-3``) are not text and stay.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_TRIGGERS) | (
            text.str.startswith(FORMULA_GUARD) & text.str[1:].str.startswith(FORMULA_TRIGGERS + (FORMULA_GUARD,)))
        risky = risky.fillna(False).astype(bool)
        if risky.any():
            out[column] = values.astype(object).where(~risky, FORMULA_GUARD + text.astype(object))
    return out


def restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise_formulas` on text columns (one leading apostrophe before a trigger)."""
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_string_dtype(values) and not pd.api.types.is_object_dtype(values):
            continue
        text = values.astype("string")
        guarded = (text.str.startswith(FORMULA_GUARD)
                   & text.str[1:].str.startswith(FORMULA_TRIGGERS + (FORMULA_GUARD,))).fillna(False).astype(bool)
        if guarded.any():
            frame[column] = values.where(~guarded, text.str[1:])
    return frame


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table as UTF-8 CSV with ``\\n`` line ends, no index, full float precision, and text cells
    that a spreadsheet would run as formulas neutralised (:func:`neutralise_formulas`)."""
    with atomic_path(path) as temporary:
        neutralise_formulas(frame).to_csv(temporary, index=False, lineterminator="\n", encoding="utf-8")


#: Flags that may be missing (nullable booleans).
BOOLEAN_COLUMNS = ["distinguishable_from_random", "in_schools", "in_census", "in_boundaries"]


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a table written by :func:`write_csv`, codes and labels as text, flags as nullable booleans."""
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {column: "string" for column in TEXT_COLUMNS if column in header}
    dtypes.update({column: "boolean" for column in BOOLEAN_COLUMNS if column in header})
    return restore_formulas(pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""]))


def write_geoparquet(frame: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write a GeoDataFrame as GeoParquet, atomically."""
    with atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)


def read_geoparquet(path: str | Path) -> gpd.GeoDataFrame:
    """Read a GeoParquet file written by :func:`write_geoparquet`."""
    return gpd.read_parquet(path)


def sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(data: Any, path: str | Path) -> None:
    """Write JSON with sorted keys (stable bytes), atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                             encoding="utf-8")
