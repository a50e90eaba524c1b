"""Helpers shared by the country recipes: reading a grid with a header row, cell text, counts, lookups.

Owns the canonical census columns (``CENSUS_OUTPUT``), the count columns (``COUNT_COLUMNS``), cell
helpers (:func:`cell_text`, :func:`lower_text`, :func:`whole_number`), thousands separators
(:func:`strip_thousands`, :func:`strip_count_thousands`), finding the header row of a file with title rows
(:func:`read_headed_input`), naming columns the recipe recognises (:func:`auto_columns`,
:func:`rename_auto`), lookup files (:func:`read_code_table`) and :func:`keep_read_attrs`. Files are read
with :mod:`segmap.io.readers`.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from segmap.errors import InputError, Problem
from segmap.io import readers
from segmap.io.validate import THOUSANDS_SPACES, strip_space_thousands

log = logging.getLogger(__name__)

CENSUS_OUTPUT = ["municipality_code", "municipality_name", "region_code", "region_name", "population_total",
                 "population_group"]

COUNT_COLUMNS = ["population_total", "population_group", "pupils_total", "pupils_group"]


def strip_thousands(values: pd.Series, separators: Iterable[str]) -> pd.Series:
    """Remove thousands separators from numbers written with them (``1.234.567`` -> ``1234567``).

    A space separator stands for every kind of space (:data:`segmap.io.validate.THOUSANDS_SPACES`). Only values
    that are exactly groups of three digits joined by one of ``separators`` change, so a
    decimal such as ``12.5`` or ``12,5`` stays as it is (and is reported by the validation, since
    counts are whole numbers).
    """
    text = values.astype("string")
    for sep in separators:
        if sep in THOUSANDS_SPACES:  # any kind of space: 1 234, 1\u00a0234, 1\u202f234
            text = strip_space_thousands(text.str.strip(THOUSANDS_SPACES))
            continue
        pattern = rf"^-?\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+$"
        grouped = text.str.fullmatch(pattern).fillna(False).astype(bool)
        text = text.where(~grouped, text.str.replace(sep, "", regex=False))
    return text


def strip_count_thousands(table: pd.DataFrame, separators: Iterable[str]) -> pd.DataFrame:
    """:func:`strip_thousands` on the count columns (``COUNT_COLUMNS``) the table has, in place."""
    for column in COUNT_COLUMNS:
        if column in table.columns:
            table[column] = strip_thousands(table[column], separators)
    return table


def whole_number(value: Any) -> int | None:
    """A whole number written as plain text, or ``None``."""
    text = cell_text(value)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.0+", text):
        return int(float(text))
    return None


def cell_text(value: Any) -> str:
    """A cell as stripped text with single blanks; empty for missing values."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def lower_text(value: Any) -> str:
    """:func:`cell_text` in lower case with ``ё`` as ``е``, for comparing labels."""
    return cell_text(value).lower().replace("ё", "е")


def _headed_table(grid: pd.DataFrame, header_row: int) -> pd.DataFrame:
    """The rows of a grid below ``header_row``, with that row's cells as column names."""
    names, seen = [], {}
    for position, cell in enumerate(grid.loc[header_row]):
        name = cell_text(cell) or f"column {position + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    table = grid.loc[grid.index > header_row].copy()
    table.columns = names
    return table[~table.isna().all(axis=1)]


def _find_header_row(grid: pd.DataFrame, spec: Mapping[str, Any], known: Iterable[str],
                     what: str) -> int:
    """The header row: ``header_row`` from the config, else the first of the first 30 rows holding a
    known column name, else the first row with two or more cells."""
    if spec.get("header_row"):
        row = int(spec["header_row"])
        if row not in grid.index:
            raise InputError(Problem(str(spec["path"]), f"has no row {row} (header_row in the config)"))
        return row
    wanted = {lower_text(name) for name in known}
    top = grid.loc[grid.index <= grid.index.min() + 29] if len(grid) else grid
    for row, cells in top.iterrows():
        if any(lower_text(cell) in wanted for cell in cells if cell is not None):
            return int(row)
    for row, cells in top.iterrows():
        if cells.notna().sum() >= 2:
            return int(row)
    raise InputError(Problem(str(spec["path"]), f"no header row found in the {what} file; set header_row "
                                                "in the config"))


def read_headed_input(spec: Mapping[str, Any], role: str, known: list[str], default_sep: str) -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """Grid and header table of a file with one header row (after optional title rows).

    The separator, unless ``sep`` is given, is ``default_sep`` or, when another is more frequent in the
    first lines, that one; the header row is ``header_row`` or the first row holding one of the ``known``
    column names (or a column the config maps); ``columns`` from the config is applied to the table.
    """
    grid_spec = dict(spec)
    path = Path(spec["path"])
    if not spec.get("sep") and path.is_file() and readers.file_suffix(path) in readers.SNIFFED_SUFFIXES:
        data = readers.read_bytes(path)[:20000]
        head = data.decode(spec.get("encoding") or readers.detect_encoding(data), errors="replace")
        head = "\n".join(readers.split_lines(head)[:50])
        counts = {sep: head.count(sep) for sep in readers.SEPARATORS}
        best = max(counts.values())
        grid_spec["sep"] = default_sep if counts[default_sep] == best else max(counts, key=counts.get)
        if grid_spec["sep"] != default_sep:
            log.info("read %s with sep %r (detected)", path, grid_spec["sep"])
    grid = readers.read_grid(grid_spec, role)
    known = [*known, *(spec.get("columns") or {}).values()]
    header_row = _find_header_row(grid, spec, known, role)
    table = _headed_table(grid, header_row)
    table = readers.apply_column_mapping(table, spec.get("columns") or {}, str(spec["path"]))
    return grid, table


def auto_columns(table: pd.DataFrame, candidates: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Canonical name -> file column, for canonical columns the file does not already have."""
    lookup = {lower_text(column): column for column in table.columns}
    found = {}
    for canonical, names in candidates.items():
        if canonical in table.columns:
            continue
        for name in names:
            if lower_text(name) in lookup and lookup[lower_text(name)] not in found.values():
                found[canonical] = lookup[lower_text(name)]
                break
    return found


def rename_auto(table: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """Rename the columns :func:`auto_columns` found (canonical name -> file column), and log them."""
    if mapping:
        log.info("recipe columns: %s", ", ".join(f"{k} <- '{v}'" for k, v in mapping.items()))
    return table.rename(columns={source: canonical for canonical, source in mapping.items()})


def keep_read_attrs(table: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Copy how the file was read (``encoding``, ``encoding_detected``, ``sep``) from the grid to the table."""
    table.attrs.update({k: v for k, v in grid.attrs.items() if k in ("encoding", "encoding_detected", "sep")})
    return table


def read_code_table(path: str | Path, options: Mapping[str, Any]) -> pd.DataFrame:
    """A lookup file as text columns: a GIS layer (attributes only), a spreadsheet or delimited text."""
    path = Path(path)
    if readers.file_suffix(path) in {".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb", ".gml", ".kml"}:
        import pyogrio

        try:
            frame = pyogrio.read_dataframe(path, read_geometry=False, layer=options.get("layer"))
        except Exception as exc:  # pyogrio raises several error types
            raise InputError(Problem(str(path), f"cannot read the codes file: {exc}")) from exc
        frame = frame.astype("string")
        frame.index = pd.RangeIndex(1, 1 + len(frame), name="feature")
        return frame
    spec = {"path": str(path), **{k: options[k] for k in ("sep", "encoding", "sheet", "header_row") if k in options}}
    return readers.read_table(spec, "codes").astype("string")
