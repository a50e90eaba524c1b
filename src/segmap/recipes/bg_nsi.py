"""Bulgaria: the NSI census recipes ``bg_nsi_2011`` and ``bg_nsi_2021``.

Owns the reader of NSI census tables "population by ethnic group" by district and municipality: header
labels (Cyrillic, over several rows), which rows are districts, municipalities, settlements or totals above
district level, LAU codes from the table or from a ``codes`` lookup file (matched by name within the
district), and the choice of total (``total: answered`` or ``all``). The districts and code helpers are in
:mod:`segmap.recipes.bg_codes`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from segmap.errors import InputError, Problem
from segmap.io import readers
from segmap.recipes.bg_codes import (
    BgDistrict,
    bg_district,
    bg_district_by_name,
    is_ekatte,
    is_lau_code,
    name_key,
    normalise_lau_code,
    strip_name_prefix,
)
from segmap.recipes.common import CENSUS_OUTPUT, cell_text, keep_read_attrs, lower_text, read_code_table, whole_number

log = logging.getLogger(__name__)


# Rows above district level in NSI tables: the country, NUTS 1 and NUTS 2 regions.
BG_ABOVE_DISTRICT = [
    "Общо за страната", "Общо", "Всичко", "България", "Република България", "Страна", "Общо за България",
    "Total", "Bulgaria", "Северна и Югоизточна България", "Югозападна и Южна централна България",
    "Северозападен", "Северен централен", "Североизточен", "Югоизточен", "Югозападен", "Южен централен",
    "Северозападен район", "Северен централен район", "Североизточен район", "Югоизточен район",
    "Югозападен район", "Южен централен район",
]

_SETTLEMENT_PREFIX = re.compile(r"^(?:гр\.|с\.|к\.|м\.|гр |с )\s*", re.IGNORECASE)

_ABOVE_KEYS = {name_key(name) for name in BG_ABOVE_DISTRICT}


# Column kinds, recognised from the header labels of NSI tables (lower case, Cyrillic).
_NSI_KINDS = [
    ("roma", r"ромск|\bроми\b|^roma"),
    ("bulgarian", r"българск|^bulgarian"),
    ("turkish", r"турск|^turkish"),
    ("undetermined", r"самоопредел|не мога да определя|не може да определи|не могат да определят|^cannot"),
    ("refused", r"не желая|не желае|не желаят|^refus|do not wish"),
    ("not_shown", (r"непоказан|непосочен|не е посочен|неотговорил|не отговорил|не са отговорили|"
                   r"не е отговорил|^not (stated|shown|answered)")),
    ("other", r"^друг|^other"),
    ("code", r"^код|\bкод\b|^code$|екатте|ekatte|^lau|^nuts"),
    ("district", r"^(област|области|district|districts)$"),
    ("municipality", r"^(община|общини|municipality|municipalities)$"),
    ("name", r"област|община|район|наименование|населено място|^name|^territor|^територ"),
    ("answered", r"отговорил|answered"),
    ("total", r"^общо|^всичко|^total"),
]

_CATEGORY_KINDS = ["bulgarian", "turkish", "roma", "other", "undetermined", "refused"]


def _nsi_kind(leaf: str, parent: str) -> str | None:
    leaf, parent = lower_text(leaf), lower_text(parent)
    if not leaf and not parent:
        return None
    for kind, pattern in _NSI_KINDS:
        if leaf and re.search(pattern, leaf):
            if kind == "total" and re.search(r"(?<!не)(?<!не )отговорил", parent):
                return "answered"
            return kind
    if not leaf:  # a merged header cell over a single column ("Общо" spanning two header rows)
        return _nsi_kind(parent, "")
    return None


def _nsi_header(grid: pd.DataFrame, spec: Mapping[str, Any]) -> tuple[int, list[str], list[str]]:
    """The header's last row and, per column, its label and the label above (merged cells filled)."""
    if spec.get("header_row"):
        leaf_row = int(spec["header_row"])
    else:
        leaf_row = None
        for row, cells in grid.head(40).iterrows():
            if cells.notna().sum() >= 3 and any(re.search(_NSI_KINDS[0][1], lower_text(cell)) for cell in cells):
                leaf_row = int(row)
                break
        if leaf_row is None:
            raise InputError(Problem(str(spec["path"]), "no header row with a 'Ромска' (Roma) column in the "
                                                        "first 40 rows; set header_row in the config"))
    leaves = [cell_text(cell) for cell in grid.loc[leaf_row]]
    parents = [""] * len(leaves)
    row = leaf_row - 1
    while row in grid.index and grid.loc[row].notna().sum() >= 2 and row >= leaf_row - 3:
        upper = [cell_text(cell) for cell in grid.loc[row]]
        filled, last = [], ""
        for cell in upper:  # a merged cell holds its text in its first column only
            last = cell or last
            filled.append(last)
        parents = [f"{above} / {p}".strip(" /") if above and above != p else p or above
                   for above, p in zip(filled, parents)]
        row -= 1
    return leaf_row, leaves, parents


def _column_number_rows(data: pd.DataFrame, name_column: int) -> list[int]:
    """Rows under an NSI header that number the columns ('А', 1, 2, 3, ...): not data."""
    found = []
    for row, cells in data.head(3).iterrows():
        values = [whole_number(cell) for i, cell in enumerate(cells) if i != name_column and cell_text(cell)]
        if len(values) >= 3 and None not in values and values == list(range(values[0], values[0] + len(values))) \
                and len(cell_text(cells.iloc[name_column])) <= 2:
            found.append(row)
    return found


def _nsi_count(value: Any) -> str | None:
    """NSI count cells as plain text: '-' (no case) is 0, thousands blanks are dropped."""
    text = cell_text(value)
    if text in {"-", "–", "—"}:
        return "0"
    if re.fullmatch(r"\d{1,3}(?: \d{3})+", text):
        return text.replace(" ", "")
    if re.fullmatch(r"\d+\.0+", text):
        return text.split(".")[0]
    return text or None


@dataclass
class _NsiRow:
    row: int
    name: str
    kind: str  # municipality, district, above, settlement
    code: str | None = None
    district: BgDistrict | None = None


def _read_bg_codes(options: Mapping[str, Any], census_file: str) -> pd.DataFrame | None:
    """The ``codes`` lookup: LAU code, name, district code and name key of every municipality."""
    value = options.get("codes")
    if not value:
        return None
    settings = dict(value) if isinstance(value, Mapping) else {"path": value}
    path = str(settings["path"])
    if not Path(path).is_file():
        raise InputError(Problem(census_file, f"the recipe's codes file {path} does not exist (check 'codes:' "
                                              "in the config)"))
    table = read_code_table(path, settings)
    if "CNTR_CODE" in table.columns:  # a European LAU file: Bulgaria only
        table = table[table["CNTR_CODE"] == "BG"]
    code_column = settings.get("code") or _best_column(
        table, ["LAU_ID", "LAU_CODE", "lau_code", "municipality_code", "code", "код", "GISCO_ID", "NATCODE"],
        lambda values: values.map(is_lau_code).mean())
    if code_column is None or code_column not in table.columns:
        raise InputError(Problem(path, "no column of Bulgarian LAU codes (such as SOF46) found; name it with "
                                       f"codes: {{path: ..., code: <column>}} (columns: {', '.join(table.columns)})"))
    name_column = settings.get("name") or _best_column(
        table, ["LAU_NAME", "municipality_name", "name", "NAME_LATN", "NAME", "име", "община", "наименование"],
        lambda values: values.map(lambda v: bool(re.search(r"[^\W\d_]{3}", cell_text(v)))).mean(),
        exclude={code_column})
    if name_column is None or name_column not in table.columns:
        raise InputError(Problem(path, "no column of municipality names found; name it with "
                                       f"codes: {{path: ..., name: <column>}} (columns: {', '.join(table.columns)})"))
    valid = table[code_column].map(is_lau_code)
    table = table[valid.astype(bool)]
    codes = table[code_column].map(normalise_lau_code)
    lookup = pd.DataFrame({"code": codes.values, "name": table[name_column].map(cell_text).values})
    lookup["district"] = lookup["code"].str[:3]
    lookup["key"] = lookup["name"].map(name_key)
    log.info("codes for %s: %d Bulgarian municipalities from %s (columns '%s', '%s')", census_file, len(lookup),
             path, code_column, name_column)
    return lookup


def _best_column(table: pd.DataFrame, preferred: list[str], score: Callable[[pd.Series], float],
                 exclude: set[str] | None = None) -> str | None:
    exclude = exclude or set()
    by_lower = {str(c).lower(): c for c in table.columns if c not in exclude}
    for name in preferred:
        column = by_lower.get(name.lower())
        if column is not None:
            values = table[column].dropna()
            if len(values) and score(values) >= 0.8:
                return column
    scores = {c: score(table[c].dropna()) for c in table.columns if c not in exclude and table[c].notna().any()}
    best = max(scores, key=scores.get, default=None)
    return best if best is not None and scores[best] >= 0.8 else None


def bg_nsi_2011(spec: Mapping[str, Any], role: str, options: dict[str, Any]) -> pd.DataFrame:
    """NSI census 2011: population by ethnic group, by district and municipality.

    Columns (Cyrillic): the name column ('Области / Общини'), 'Общо' (everyone), optionally the persons
    who answered the voluntary ethnic question, 'Българска', 'Турска', 'Ромска', 'Друга',
    'Не се самоопределям' and the persons who did not answer ('Неотговорили' / 'Непоказан').
    Options: ``codes`` (lookup of LAU codes by name), ``total`` (``answered``, default, or ``all``),
    ``region_names`` (``bg``, default, or ``en``).
    """
    return _bg_nsi(spec, role, options, 2011)


def bg_nsi_2021(spec: Mapping[str, Any], role: str, options: dict[str, Any]) -> pd.DataFrame:
    """NSI census 2021: population by ethnic group, by statistical region, district and municipality.

    Columns: 'Общо', 'Българска', 'Турска', 'Ромска', 'Друга', 'Не мога да определя',
    'Не желая да отговоря', 'Непоказан'. Options as for :func:`bg_nsi_2011`.
    """
    return _bg_nsi(spec, role, options, 2021)


@dataclass(frozen=True)
class _NsiColumns:
    """Where an NSI table's columns are (positions in the grid), recognised from its header labels."""

    leaf_row: int  # the header's last row
    labels: list[str]  # per column: the label above and the header label, "parent / leaf"
    roma: int
    total: int
    answered: int | None  # persons who answered the ethnic question, when the table has the column
    code: int | None
    district: int | None  # None: one name column, where districts are rows of their own
    name: int
    not_shown: list[int]
    categories: dict[str, int]  # answer category -> column


def _bg_nsi(spec: Mapping[str, Any], role: str, options: dict[str, Any], edition: int) -> pd.DataFrame:
    """Read an NSI census table (either edition): find its columns, sort its rows into districts and
    municipalities, give every municipality its LAU code and district, and return the census columns."""
    file = str(spec["path"])
    total_choice, region_names = _nsi_options(options, file)
    grid = readers.read_grid(spec, role)
    columns = _nsi_columns(grid, spec, file)
    data = grid.loc[grid.index > columns.leaf_row]
    data = data.drop(index=_column_number_rows(data, columns.name))
    municipalities = _nsi_municipalities(_nsi_rows(data, columns, file), data, columns, file)
    _code_nsi_municipalities(municipalities, options, columns, file, edition)
    frame = _nsi_census(grid, municipalities, columns, total_choice, region_names, file)
    frame.attrs["census_total"] = total_choice
    log.info("%s: NSI census %d, %d municipalities; population_total = %s", file, edition, len(frame),
             "persons who answered the ethnic question" if total_choice == "answered" else "all persons")
    return keep_read_attrs(frame, grid)


def _nsi_options(options: Mapping[str, Any], file: str) -> tuple[str, str]:
    """The recipe options ``total`` (``answered``, default, or ``all``) and ``region_names`` (``bg`` or ``en``)."""
    total_choice = str(options.get("total", "answered")).lower()
    if total_choice not in ("answered", "all"):
        raise InputError(Problem(file, f"recipe option total must be 'answered' or 'all', not {total_choice!r}"))
    region_names = str(options.get("region_names", "bg")).lower()
    return total_choice, region_names


def _nsi_columns(grid: pd.DataFrame, spec: Mapping[str, Any], file: str) -> _NsiColumns:
    """Find the header and the columns of an NSI table; ``columns`` in the config may name some of them."""
    leaf_row, leaves, parents = _nsi_header(grid, spec)
    kinds = [_nsi_kind(leaf, parent) for leaf, parent in zip(leaves, parents)]
    labels = [" / ".join(p for p in (parent, leaf) if p) for leaf, parent in zip(leaves, parents)]

    def column_of(kind: str, canonical: str | None = None) -> int | None:
        mapped = (spec.get("columns") or {}).get(canonical) if canonical else None
        if mapped:
            for position, (leaf, label) in enumerate(zip(leaves, labels)):
                if mapped in (leaf, label):
                    return position
            raise InputError(Problem(file, f"the config maps {canonical} to '{mapped}', which is not a column "
                                           f"of the table (columns: {', '.join(label for label in labels if label)})",
                                     column=mapped))
        return next((i for i, k in enumerate(kinds) if k == kind), None)

    roma = column_of("roma", "population_group")
    total = column_of("total")
    if (spec.get("columns") or {}).get("population_total"):
        total = column_of("total", "population_total")
    answered = column_of("answered")
    code_column = column_of("code", "municipality_code")
    district_column = column_of("district", "region_name")
    municipality_column = column_of("municipality", "municipality_name")
    name_column = column_of("name")
    if municipality_column is None or district_column is None:
        name_column = municipality_column if municipality_column is not None else name_column
        if name_column is None:
            name_column = next((i for i, k in enumerate(kinds) if k is None and leaves[i]), 0)
        district_column = None  # one name column: districts are rows of their own
    else:
        name_column = municipality_column
    not_shown = [i for i, k in enumerate(kinds) if k == "not_shown"]
    categories = {k: i for i, k in reversed(list(enumerate(kinds))) if k in _CATEGORY_KINDS}
    if roma is None or total is None:
        missing = [name for name, column in (("'Ромска' (Roma)", roma), ("'Общо' (total)", total)) if column is None]
        raise InputError(Problem(file, f"the NSI table has no {' and no '.join(missing)} column in header row "
                                       f"{leaf_row} (columns: {', '.join(label for label in labels if label)})"))
    return _NsiColumns(leaf_row, labels, roma, total, answered, code_column, district_column, name_column, not_shown,
                       categories)


def _nsi_rows(data: pd.DataFrame, columns: _NsiColumns, file: str) -> list[_NsiRow]:
    """The data rows with a name and a count, each told apart as a municipality, district or row above district
    level by its code or name; settlement rows (EKATTE codes, 'гр.'/'с.' names) are left out."""
    name_column, code_column, district_column = columns.name, columns.code, columns.district
    rows: list[_NsiRow] = []
    skipped_settlements = 0
    for row, cells in data.iterrows():
        name = cell_text(cells.iloc[name_column]) if name_column < len(cells) else ""
        numbers = [cells.iloc[i] for i in (columns.total, columns.roma)]
        if not name or not any(cell_text(v) for v in numbers):
            continue  # blank rows, notes and sub-headings
        code_value = cell_text(cells.iloc[code_column]) if code_column is not None else ""
        record = _NsiRow(int(row), name, "municipality")
        if district_column is not None:
            district_name = cell_text(cells.iloc[district_column])
            if district_name and not cell_text(cells.iloc[name_column]):
                continue
            record.district = bg_district_by_name(district_name)
        if code_value:
            if is_lau_code(code_value):
                record.code = normalise_lau_code(code_value)
                record.district = bg_district(record.code)
            elif is_ekatte(code_value):
                record.kind = "settlement"
            else:
                try:
                    record.district = bg_district(code_value)
                    record.kind = "district"
                except ValueError:
                    record.kind = "above" if re.fullmatch(r"BG\d{0,2}", code_value.upper()) else "municipality"
        if record.kind == "municipality" and record.code is None:
            if name_key(name) in _ABOVE_KEYS or lower_text(name).startswith(("статистически район", "общо")):
                record.kind = "above"
            elif _SETTLEMENT_PREFIX.match(name):
                record.kind = "settlement"
        if record.kind == "settlement":
            skipped_settlements += 1
            continue
        rows.append(record)
    if skipped_settlements:
        log.info("%s: %d settlement rows left out (the map works by municipality)", file, skipped_settlements)
    return rows


def _nsi_municipalities(rows: list[_NsiRow], data: pd.DataFrame, columns: _NsiColumns, file: str) -> list[_NsiRow]:
    """The municipality rows, each with its district: its own, or the district row above it."""
    if columns.district is None and not any(r.kind == "district" for r in rows):
        _mark_bg_districts(rows, data, columns.total, file)
    district = None
    municipalities = []
    for record in rows:
        if record.kind == "district":
            district = record.district
        elif record.kind == "above":
            district = None
        elif record.kind == "municipality":
            if record.district is None:
                record.district = district
            municipalities.append(record)
    if not municipalities:
        raise InputError(Problem(file, "no municipality rows found below the header row "
                                       f"{columns.leaf_row}; is this an NSI table by district and municipality?"))
    return municipalities


def _code_nsi_municipalities(municipalities: list[_NsiRow], options: Mapping[str, Any], columns: _NsiColumns,
                             file: str, edition: int) -> None:
    """Give each municipality without a code in the table its LAU code from the ``codes`` lookup, matched by
    name within its district; the district then follows from the code. Every failure is reported at once."""
    lookup = _read_bg_codes(options, file)
    codes_file = options.get("codes")
    codes_file = codes_file.get("path") if isinstance(codes_file, Mapping) else codes_file
    problems = []
    name_label = columns.labels[columns.name] or "name"
    for record in municipalities:
        if record.code is not None:
            continue
        if lookup is None:
            problems.append(Problem(file, f"municipality '{record.name}' has no code: NSI tables name municipalities, "
                                          "so give the recipe a codes file (recipe: {name: bg_nsi_"
                                          f"{edition}, codes: <file with LAU codes and names>}}) or add a "
                                          "column with LAU codes such as SOF46", name_label, record.row))
            continue
        key = name_key(record.name)
        match = lookup[lookup["key"] == key]
        if record.district is not None:
            in_district = match[match["district"] == record.district.code]
            match = in_district if len(in_district) or len(match) > 1 else match
        if len(match) == 1:
            record.code = match["code"].iloc[0]
            if record.district is not None and record.district.code != record.code[:3]:
                problems.append(Problem(file, f"municipality '{record.name}' is listed under district "
                                              f"{record.district.name_bg} but its code {record.code} is of "
                                              f"{bg_district(record.code).name_bg}", name_label, record.row))
            record.district = bg_district(record.code)
        else:
            where = f" (district {record.district.name_bg})" if record.district else ""
            why = "is not in" if match.empty else "matches more than one municipality of"
            problems.append(Problem(file, f"municipality '{record.name}'{where} {why} the codes file {codes_file}",
                                    name_label, record.row))
    if problems:
        raise InputError(problems)


def _nsi_census(grid: pd.DataFrame, municipalities: list[_NsiRow], columns: _NsiColumns, total_choice: str,
                region_names: str, file: str) -> pd.DataFrame:
    """The census columns of the municipality rows, as text; warns when a row's categories do not add up."""
    out = []
    for record in municipalities:
        cells = grid.loc[record.row]
        all_people = _nsi_count(cells.iloc[columns.total])
        population = all_people
        if total_choice == "answered":
            population = _answered(cells, all_people, columns.answered, columns.not_shown)
        district_name = record.district.name_bg if region_names == "bg" else record.district.name_en
        out.append({"row": record.row, "municipality_code": record.code,
                    "municipality_name": strip_name_prefix(record.name),
                    "region_code": record.district.nuts3, "region_name": district_name,
                    "population_total": population, "population_group": _nsi_count(cells.iloc[columns.roma])})
        _check_categories(cells, all_people, columns.categories, columns.not_shown, file, record)
    return pd.DataFrame(out).set_index("row")[CENSUS_OUTPUT]


def _answered(cells: pd.Series, all_people: str | None, answered: int | None, not_shown: list[int]) -> str | None:
    """Persons who answered the ethnic question: the table's column, or total less 'not shown'."""
    if answered is not None:
        return _nsi_count(cells.iloc[answered])
    if not not_shown:
        return all_people
    total = whole_number(all_people)
    missing = [whole_number(_nsi_count(cells.iloc[i])) for i in not_shown]
    if total is None or any(m is None for m in missing):
        return all_people  # left for the validation to report
    return str(total - sum(missing))


def _check_categories(cells: pd.Series, all_people: str | None, categories: dict[str, int], not_shown: list[int],
                      file: str, record: _NsiRow) -> None:
    """Warn when the answer categories do not add up to the total (a table cut or misread)."""
    if len(categories) < 4:
        return
    parts = [whole_number(_nsi_count(cells.iloc[i])) for i in [*categories.values(), *not_shown]]
    total = whole_number(all_people)
    if total is not None and all(p is not None for p in parts) and sum(parts) != total:
        log.warning("%s row %d (%s): the ethnic groups add up to %d, the total is %d", file, record.row,
                    record.name, sum(parts), total)


def _mark_bg_districts(rows: list[_NsiRow], data: pd.DataFrame, total: int, file: str) -> None:
    """Tell district rows from municipality rows in a table with one name column.

    First by their look: 'Област Благоевград' or a district name in capitals ('БЛАГОЕВГРАД'). When no
    row looks like that, by the numbers: a row named like a district whose total equals the sum of the
    rows below it up to the next such row is that district (the municipality Благоевград, inside the
    district Благоевград, does not add up so).
    """
    marked = False
    named = [r for r in rows if r.kind == "municipality" and r.code is None]
    capitals_mark = any(r.name.upper() != r.name for r in named)  # unless every name is in capitals
    for record in named:
        district = bg_district_by_name(record.name)
        looks = re.match(r"^(област|обл\.)\s", record.name, re.IGNORECASE) or (
            capitals_mark and record.name.upper() == record.name and re.search(r"[А-Я]", record.name))
        if district is not None and looks:
            record.kind, record.district, marked = "district", district, True
    if marked:
        return
    totals = [whole_number(_nsi_count(data.loc[r.row].iloc[total])) for r in rows]
    candidates = [i for i, r in enumerate(rows)
                  if r.kind == "municipality" and r.code is None and bg_district_by_name(r.name)]
    k = 0
    while k < len(candidates):
        start = candidates[k]
        ends = [c for c in candidates[k + 1:]] + [len(rows)]
        for end in ends:
            block = [totals[i] for i in range(start + 1, end) if rows[i].kind == "municipality"]
            if block and totals[start] is not None and None not in block and sum(block) == totals[start]:
                rows[start].kind = "district"
                rows[start].district = bg_district_by_name(rows[start].name)
                k = candidates.index(end) if end in candidates else len(candidates)
                break
        else:
            k += 1
    if not any(r.kind == "district" for r in rows):
        log.warning("%s: no district rows recognised; districts are taken from the municipalities' codes", file)
