"""Writing outputs atomically and reading the pipeline's own intermediate files back.

Every output is first written to a temporary file in its target folder and then renamed, so a run that
fails leaves either the previous complete file or nothing — never a half-written one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import geopandas as gpd
import pandas as pd

# Columns that hold codes or labels: always read as text so that ``01001`` stays ``01001``.
TEXT_COLUMNS = [
    "school_id", "school_name", "municipality_code", "municipality_name", "region_code", "region_name",
    "settlement", "year", "status", "category", "country_code", "country_name",
]


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it to ``path``, else delete it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual permissions
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table as UTF-8 CSV with ``\\n`` line ends, no index, full float precision."""
    with atomic_path(path) as temporary:
        frame.to_csv(temporary, index=False, lineterminator="\n", encoding="utf-8")


#: Flags that may be missing (nullable booleans).
BOOLEAN_COLUMNS = ["distinguishable_from_random"]


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a table written by :func:`write_csv`, codes and labels as text, flags as nullable booleans."""
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {column: "string" for column in TEXT_COLUMNS if column in header}
    dtypes.update({column: "boolean" for column in BOOLEAN_COLUMNS if column in header})
    return pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""])


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
