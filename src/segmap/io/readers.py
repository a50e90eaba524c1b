"""Read the partner's input files as they are and bring their columns to the canonical names.

Nothing here interprets values: tables are read as text (so codes keep their leading zeros) with the
row number a spreadsheet program would show as index, and :mod:`segmap.io.validate` then checks and
types them. Raw files are only ever opened for reading.

Delimited text: the separator is ``sep`` or, for ``.csv``/``.txt`` files, detected from the header
line; the encoding is ``encoding`` or detected (:func:`detect_encoding`: UTF-8 with BOM, UTF-8,
cp1251 or latin-1), logged and recorded in ``frame.attrs`` for the provenance record. ``header_row``
(1-based) skips title rows above the column names in text files and spreadsheets.

This module reads plain tables only and knows nothing of the country recipes: an input with a ``recipe``
is read by :func:`segmap.recipes.read_input`, which reads every table input (with its recipe, or with
:func:`read_table`). The recipes build on the public readers here (:func:`read_grid`, :func:`file_suffix`,
:func:`require_file`, :func:`finish_table`, ...), never the other way round.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from segmap.errors import InputError, Problem

log = logging.getLogger(__name__)

FIRST_DATA_ROW = 2  # the header is row 1 in a spreadsheet program
TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SNIFFED_SUFFIXES = {".csv", ".txt"}  # files whose separator is detected when ``sep`` is not given
SEPARATORS = [",", ";", "\t", "|"]  # candidates, in order of preference on a tie


def file_suffix(path: Path) -> str:
    """The suffix that tells a file's format, in lower case, looking through a compression suffix:
    ``s.CSV`` -> ``.csv``, ``s.csv.gz`` -> ``.csv``, ``s.zip`` -> ``.zip``; empty without a suffix."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in {".gz", ".bz2", ".xz", ".zip"} and len(suffixes) > 1:
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def require_file(path: Path, role: str) -> None:
    """Raise :class:`~segmap.errors.InputError` unless ``path`` is a file that is not empty; ``role`` names
    the input in the message (``schools``, ``census``, ...)."""
    if not path.is_file():
        raise InputError(Problem(str(path), f"the {role} file does not exist (check its path in the config)"))
    if path.stat().st_size == 0:
        raise InputError(Problem(str(path), f"the {role} file is empty"))


# --------------------------------------------------------------------------------------------------
# Encoding and separator
# --------------------------------------------------------------------------------------------------

# cp1251 letters А..я are the bytes 0xC0..0xFF, the same bytes as latin-1's accented letters À..ÿ.
# In Cyrillic text these bytes make whole words, so most of them stand in runs of three or more; in
# latin-1 text (Spanish, French, German) an accented letter mostly sits between ASCII letters
# ("Alegría", "Liège", "Mühlheim"), at most two together ("Peñíscola", "ção"). :func:`detect_encoding`
# uses that contrast.
CYRILLIC_RUN = 3
CYRILLIC_RUN_SHARE = 0.5


def detect_encoding(data: bytes) -> str:
    """The encoding of a text file's bytes: ``utf-8-sig``, ``utf-8``, ``cp1251``, ``cp1252`` or ``latin-1``.

    In order: a UTF-8 byte order mark gives ``utf-8-sig``; bytes that decode as UTF-8 (strictly,
    the whole file) give ``utf-8``. Otherwise the file is a one-byte encoding, and the choice between
    cp1251 (Bulgarian NSI files) and latin-1 (Spanish, Belgian files) is a heuristic: cp1251 when at
    least half of the bytes 0xC0-0xFF (Cyrillic letters in cp1251, accented letters in latin-1) stand
    in runs of three or more such bytes, as the letters of Cyrillic words do; latin-1 otherwise. A latin-1
    guess whose file holds bytes 0x80-0x9F (control characters in latin-1; euro sign, quotes and
    dashes in Windows-1252) is read as ``cp1252`` when that decodes.

    charset-normalizer was tried and not used: on short files (a header and a few rows) it took
    cp1251 for Shift JIS and latin-1 for cp1250.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    runs = [len(run) for run in re.findall(rb"[\xc0-\xff]+", data)]
    if runs and sum(n for n in runs if n >= CYRILLIC_RUN) / sum(runs) >= CYRILLIC_RUN_SHARE:
        return "cp1251"
    if any(0x80 <= byte <= 0x9F for byte in data):
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return "latin-1"


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError, ImportError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InputError(Problem(str(path), f"cannot be read as a Parquet file: {exc}")) from exc


def read_bytes(path: Path) -> bytes:
    """A file's bytes, decompressed when it ends in ``.gz``, ``.bz2``, ``.xz`` or ``.zip`` (one file inside)."""
    import bz2
    import gzip
    import lzma
    import zipfile

    last = path.suffix.lower()
    try:
        if last == ".zip":
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                data = archive.read(names[0]) if len(names) == 1 else None
            if data is None:
                raise InputError(Problem(str(path), f"the archive must hold exactly one file, not {len(names)}"))
            return data
        decompress = {".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress}.get(last)
        return decompress(path.read_bytes()) if decompress else path.read_bytes()
    except (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError) as exc:
        raise InputError(Problem(str(path), f"cannot be decompressed: {exc}")) from exc


def split_lines(text: str) -> list[str]:
    """Lines as a CSV reader counts them (``\\n``, ``\\r\\n`` or ``\\r``; not form feeds or U+2028)."""
    return re.split(r"\r\n|\r|\n", text)


def decode_file(path: Path, encoding: str | None) -> tuple[str, str, bool]:
    """The text of a file, the encoding used and whether it was detected (``encoding`` not given)."""
    data = read_bytes(path)
    detected = not encoding
    if detected:
        encoding = detect_encoding(data)
        log.info("read %s as %s (detected)", path, encoding)
    elif encoding.lower().replace("_", "-") in {"utf-8", "utf8"} and data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"  # a BOM is not part of the first column's name
    try:
        return data.decode(encoding), encoding, detected
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(
                str(path),
                f"cannot be read as {encoding} (byte {exc.start}); set 'encoding:' for this input in the "
                "config, for example cp1251 (Bulgarian) or latin-1, or leave it out to detect it",
            )
        ) from exc
    except LookupError as exc:
        raise InputError(Problem(str(path), f"unknown encoding {encoding!r} in the config")) from exc


def detect_sep(line: str) -> str:
    """The most frequent of ``,`` ``;`` tab ``|`` in a header line (``,`` when none or on a tie)."""
    counts = {sep: line.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: (counts[sep], -SEPARATORS.index(sep)))
    return best if counts[best] else ","


def _header_line_index(lines: list[str], header_row: int | None) -> int:
    """0-based index of the header line: ``header_row - 1``, or the first non-blank line."""
    if header_row:
        return header_row - 1
    return next((i for i, line in enumerate(lines) if line.strip()), 0)


def _separator(path: Path, spec: Mapping[str, Any], header_line: str) -> str:
    if spec.get("sep"):
        return spec["sep"]
    suffix = file_suffix(path)
    if suffix in {".tsv", ".tab"}:
        return "\t"
    if suffix in SNIFFED_SUFFIXES:
        sep = detect_sep(header_line)
        if sep != ",":
            log.info("read %s with sep %r (detected from the header line)", path, sep)
        return sep
    return ","


def _header_row(spec: Mapping[str, Any], path: Path) -> int | None:
    header_row = spec.get("header_row")
    if header_row is None:
        return None
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        raise InputError(Problem(str(path), f"header_row must be a row number from 1, not {header_row!r}"))
    return header_row


def _header_rows(spec: Mapping[str, Any], path: Path) -> int:
    header_rows = spec.get("header_rows")
    if header_rows is None:
        return 1
    if isinstance(header_rows, bool) or not isinstance(header_rows, int) or header_rows < 1:
        raise InputError(Problem(str(path), f"header_rows must be a number of rows from 1, not {header_rows!r}"))
    return header_rows


def join_header_rows(rows: list[list[Any]]) -> list[str]:
    """Column names from a header over several rows (``header_rows``), as ministry spreadsheets have them.

    A cell merged across columns is read as its text in the first column and empty cells after it; the text is
    carried right over those empty cells as long as a lower row names the column and no row above starts a new
    heading there (so ``Ученици`` over ``общо`` and ``роми`` gives ``Ученици общо``, ``Ученици роми``). A cell
    merged down over the rows (``Код`` with nothing below) is the name alone. The non-empty parts of a column are
    joined with one space, a part repeated from the row above given once.
    """
    cells = [[_cell(value) for value in row] for row in rows]
    width = max((len(row) for row in cells), default=0)
    cells = [row + [None] * (width - len(row)) for row in cells]
    filled = [list(row) for row in cells]
    for level in range(len(cells) - 1):
        carry = None
        for column in range(width):
            if cells[level][column] is not None:
                carry = cells[level][column]
                continue
            named_below = any(cells[lower][column] is not None for lower in range(level + 1, len(cells)))
            new_above = any(cells[upper][column] is not None for upper in range(level))
            if carry is not None and named_below and not new_above:
                filled[level][column] = carry
            else:
                carry = None
    names = []
    for column in range(width):
        parts: list[str] = []
        for level in range(len(cells)):
            part = filled[level][column]
            if part is not None and (not parts or parts[-1] != part):
                parts.append(part)
        names.append(" ".join(parts))
    return names


def _with_joined_header(frame: pd.DataFrame, header_rows: int, first_row: int, path: Path) -> pd.DataFrame:
    """A table read without header: its first ``header_rows`` rows become the column names (joined); the data
    rows are numbered from ``first_row`` (the spreadsheet row of the first one)."""
    if len(frame) < header_rows:
        raise InputError(Problem(str(path), f"has fewer than {header_rows} header rows (header_rows: {header_rows})"))
    names = join_header_rows(frame.iloc[:header_rows].values.tolist())
    names = [name or f"column {number}" for number, name in enumerate(names, start=1)]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError([Problem(str(path), f"column '{name}' appears more than once in the header (its "
                                             f"{header_rows} rows joined)", column=name) for name in repeated])
    data = frame.iloc[header_rows:].copy()
    data.columns = names
    data.index = pd.RangeIndex(first_row, first_row + len(data), name="row")
    log.info("%s: column names from %d header rows: %s", path, header_rows, names)
    return data


# --------------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------------

def _drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Leave out rows with no value at all (blank lines, ``;;;;`` rows); the others keep their numbers."""
    if frame.empty or not len(frame.columns):
        return frame
    blank = frame.isna().all(axis=1)
    return frame[~blank] if blank.any() else frame


def _read_delimited(path: Path, spec: Mapping[str, Any]) -> pd.DataFrame:
    text, encoding, detected = decode_file(path, spec.get("encoding"))
    lines = split_lines(text)
    header_row = _header_row(spec, path)
    header_index = _header_line_index(lines, header_row)
    if header_index >= len(lines):
        raise InputError(Problem(str(path), f"has no row {header_index + 1} to read the column names from "
                                            f"(header_row: {header_row}; the file has {len(lines)} lines)"))
    sep = _separator(path, spec, lines[header_index])
    header_rows = _header_rows(spec, path)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            skiprows=header_index,
            skip_blank_lines=False,
            **({"header": None} if header_rows > 1 else {}),
        )
    except pd.errors.EmptyDataError as exc:
        raise InputError(Problem(str(path), "has no header row")) from exc
    except pd.errors.ParserError as exc:
        raise InputError(Problem(str(path), f"is not a valid delimited file with sep={sep!r}: {exc}")) from exc
    # one data row per record after the header, numbered as a spreadsheet program shows them
    if header_rows > 1:
        frame = _with_joined_header(frame, header_rows, header_index + header_rows + 1, path)
    else:
        frame.index = pd.RangeIndex(header_index + 2, header_index + 2 + len(frame), name="row")
    frame = _drop_blank_rows(frame)
    frame.attrs.update({"encoding": encoding, "encoding_detected": detected, "sep": sep})
    return frame


def _excel_error(path: Path, exc: Exception) -> InputError:
    if isinstance(exc, ImportError):
        return InputError(Problem(str(path), f"reading spreadsheets needs an extra package: {exc}"))
    return InputError(Problem(str(path), f"cannot read the spreadsheet: {exc}"))


def _read_excel(path: Path, spec: Mapping[str, Any]) -> pd.DataFrame:
    header_row = _header_row(spec, path) or 1
    header_rows = _header_rows(spec, path)
    try:
        if header_rows > 1:
            frame = pd.read_excel(path, sheet_name=spec.get("sheet") or 0, dtype=str, header=None,
                                  skiprows=header_row - 1)
        else:
            frame = pd.read_excel(path, sheet_name=spec.get("sheet") or 0, dtype=str, header=header_row - 1)
    except (ImportError, ValueError) as exc:
        raise _excel_error(path, exc) from exc
    if header_rows > 1:
        return _drop_blank_rows(_with_joined_header(frame, header_rows, header_row + header_rows, path))
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame), name="row")
    return _drop_blank_rows(frame)


def read_grid(spec: Mapping[str, Any], role: str) -> pd.DataFrame:
    """Every cell of a delimited file or spreadsheet as text, without a header: for official layouts.

    Columns are numbered from 0; the index is the row number a spreadsheet program shows (from 1);
    empty cells are ``None`` and blank rows are kept. Used by :mod:`segmap.recipes`, which find the
    header rows themselves. Text files get the detected encoding and a separator detected from the
    first 50 lines when ``sep`` is not given; ``frame.attrs`` records both.
    """
    path = Path(spec["path"])
    require_file(path, role)
    suffix = file_suffix(path)
    if suffix in EXCEL_SUFFIXES:
        try:
            frame = pd.read_excel(path, sheet_name=spec.get("sheet") or 0, dtype=str, header=None)
        except (ImportError, ValueError) as exc:
            raise _excel_error(path, exc) from exc
        attrs: dict[str, Any] = {}
    elif suffix in PARQUET_SUFFIXES:
        table = _read_parquet(path).astype("string")
        header = pd.DataFrame([list(map(str, table.columns))], columns=table.columns)
        frame = pd.concat([header, table], ignore_index=True)
        attrs = {}
    else:
        text, encoding, detected = decode_file(path, spec.get("encoding"))
        sep = spec.get("sep")
        if not sep:
            sep = "\t" if suffix in {".tsv", ".tab"} else detect_sep("\n".join(split_lines(text)[:50]))
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=True))
        width = max((len(row) for row in rows), default=0)
        frame = pd.DataFrame([row + [None] * (width - len(row)) for row in rows], columns=range(width), dtype=object)
        attrs = {"encoding": encoding, "encoding_detected": detected, "sep": sep}
    frame.columns = range(len(frame.columns))
    frame = frame.astype(object).map(_cell)
    frame.index = pd.RangeIndex(1, 1 + len(frame), name="row")
    frame.attrs.update(attrs)
    return frame


def _cell(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def apply_column_mapping(frame: pd.DataFrame, columns: Mapping[str, str], file: str) -> pd.DataFrame:
    """Rename the file's columns to canonical names.

    ``columns`` maps canonical name -> source column. A source column that is not in the file is an
    error naming the file, the column and the columns that are there.
    """
    frame = frame.rename(columns=lambda c: str(c).strip().lstrip("\ufeff"))
    # pandas renames a repeated column name x to x.1, x.2: which one holds the data cannot be known
    names = [str(c) for c in frame.columns]
    repeated = sorted({re.sub(r"\.\d+$", "", n) for n in names
                       if re.search(r"\.\d+$", n) and re.sub(r"\.\d+$", "", n) in names})
    if repeated:
        raise InputError([Problem(file, f"column '{name}' appears more than once in the header", column=name)
                          for name in repeated])
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
    """Read a plain tabular input (delimited text, spreadsheet or Parquet) with canonical column names.

    Values stay text (Parquet keeps its own types); the index holds the row numbers a spreadsheet
    program shows (the first data row is ``header_row + 1``, row 2 by default), and rows with no value
    at all are left out.

    ``frame.attrs`` records how the file was read, for the provenance record: ``encoding`` and
    ``encoding_detected`` (text files), ``sep``, ``header_row``, ``thousands`` and ``decimal`` (passed
    through for parsing the numbers later; :func:`finish_table`).

    An input with a ``recipe`` is not read here: read it with :func:`segmap.recipes.read_input`, which
    runs its recipe (and reads plain inputs with this function). Given one, this raises ``ValueError``
    rather than read an official layout as a plain table.
    """
    path = Path(spec["path"])
    if spec.get("recipe"):
        raise ValueError(f"{path}: this input has a recipe ({spec['recipe']!r}); read it with "
                         "segmap.recipes.read_input(spec, role), not segmap.io.readers.read_table, which reads "
                         "plain tables only")
    require_file(path, role)
    suffix = file_suffix(path)
    if suffix in EXCEL_SUFFIXES:
        frame = _read_excel(path, spec)
    elif suffix in PARQUET_SUFFIXES:
        frame = _read_parquet(path)
        frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame), name="row")
    else:
        frame = _read_delimited(path, spec)
    attrs = dict(frame.attrs)
    frame = apply_column_mapping(frame, spec.get("columns") or {}, str(path))
    frame.attrs.update(attrs)
    return finish_table(frame, spec)


def finish_table(frame: pd.DataFrame, spec: Mapping[str, Any]) -> pd.DataFrame:
    """The last step of reading a table input, with or without a recipe: record the input's ``header_row``,
    ``thousands`` and ``decimal`` in ``frame.attrs`` (unless the reader already did), name the index
    ``row`` and log what was read. Returns ``frame`` (changed in place)."""
    for key in ("header_row", "header_rows", "thousands", "decimal"):
        if spec.get(key) is not None:
            frame.attrs.setdefault(key, spec[key])
    frame.index.name = "row"
    log.info("read %s: %d rows, columns %s", Path(spec["path"]), len(frame), list(frame.columns))
    return frame


def read_boundaries(spec: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """Read a polygon layer (GeoPackage, GeoJSON, Shapefile, zipped) with canonical field names."""
    path = Path(spec["path"])
    require_file(path, "boundaries")
    kwargs = {"engine": "pyogrio"}
    if spec.get("layer") is not None:
        kwargs["layer"] = spec["layer"]
    try:
        frame = gpd.read_file(path, **kwargs)
    except Exception as exc:  # pyogrio raises several error types for unreadable files
        raise InputError(Problem(str(path), f"cannot be read as a boundary layer: {exc}")) from exc
    if not isinstance(frame, gpd.GeoDataFrame):  # a table without geometry (a CSV, say)
        raise InputError(Problem(str(path), "has no geometry column: it is a table, not a boundary layer"))
    if spec.get("crs"):
        if frame.crs is None:
            try:
                frame = frame.set_crs(spec["crs"])
            except Exception as exc:  # pyproj's CRSError
                raise InputError(Problem(str(path), f"crs {spec['crs']!r} in the config is not a coordinate reference "
                                                    f"system segmap knows ({exc}); write it as EPSG:3035, say")) from exc
            log.info("%s: no CRS in the file; read as %s (crs in the config)", path, spec["crs"])
        elif frame.crs != spec["crs"]:
            log.warning("%s: the file has its own CRS (%s); the config's crs %s is for files without one and is "
                        "not used", path, frame.crs, spec["crs"])
    frame = apply_column_mapping(frame, spec.get("columns") or {}, str(path))
    frame.index = pd.RangeIndex(1, 1 + len(frame), name="feature")
    log.info("read %s: %d features, CRS %s", path, len(frame), frame.crs)
    return frame
