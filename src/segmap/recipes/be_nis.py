"""Belgium: the ``be_nis`` recipe (NIS/INS municipality codes) and the editions of the NIS code list.

Owns the arrondissements and provinces (:data:`BE_ARRONDISSEMENTS`, :data:`BE_PROVINCES`), the codes gone
and new in the mergers of 2019 and 2025 and their successors (``NIS_GONE_2019`` ... ``NIS_SUCCESSORS_2025``),
the editions of the code list (:data:`NIS_CODE_LISTS`, :func:`nis_code_list`, :func:`check_nis_year`),
recoding school years across the mergers (:func:`nis_successor`, :func:`recode_nis_years`) and the reader
:func:`be_nis` for Statbel open data and partners' tables.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from segmap.errors import InputError, Problem
from segmap.recipes.common import (
    auto_columns,
    cell_text,
    keep_read_attrs,
    read_headed_input,
    rename_auto,
    strip_count_thousands,
    whole_number,
)

log = logging.getLogger(__name__)


# Arrondissements (the first two digits of a NIS code + 000; NUTS 3 in Belgium). Names in the
# language of their region, Brussels in both. Source: Statbel, REFNIS code list (public). Since 2019 the
# arrondissement of Mouscron (54) is part of Tournai-Mouscron (57) and La Louvière (58) is new.
BE_ARRONDISSEMENTS = {
    "11": "Antwerpen", "12": "Mechelen", "13": "Turnhout", "21": "Bruxelles-Capitale / Brussel-Hoofdstad",
    "23": "Halle-Vilvoorde", "24": "Leuven", "25": "Nivelles", "31": "Brugge", "32": "Diksmuide", "33": "Ieper",
    "34": "Kortrijk", "35": "Oostende", "36": "Roeselare", "37": "Tielt", "38": "Veurne", "41": "Aalst",
    "42": "Dendermonde", "43": "Eeklo", "44": "Gent", "45": "Oudenaarde", "46": "Sint-Niklaas", "51": "Ath",
    "52": "Charleroi", "53": "Mons", "54": "Mouscron", "55": "Soignies", "56": "Thuin", "57": "Tournai-Mouscron",
    "58": "La Louvière", "61": "Huy", "62": "Liège", "63": "Verviers", "64": "Waremme", "71": "Hasselt",
    "72": "Maaseik", "73": "Tongeren", "81": "Arlon", "82": "Bastogne", "83": "Marche-en-Famenne",
    "84": "Neufchâteau", "85": "Virton", "91": "Dinant", "92": "Namur", "93": "Philippeville",
}

# Provinces (and the Brussels-Capital Region, which has none) by NIS code.
BE_PROVINCES = {
    "10000": "Antwerpen", "20001": "Vlaams-Brabant", "20002": "Brabant wallon", "30000": "West-Vlaanderen",
    "40000": "Oost-Vlaanderen", "50000": "Hainaut", "60000": "Liège", "70000": "Limburg", "80000": "Luxembourg",
    "90000": "Namur", "04000": "Région de Bruxelles-Capitale / Brussels Hoofdstedelijk Gewest",
}

# The NIS code lists: 589 municipalities from 1977 to 2018, 581 from 2019 (Flemish mergers), 565 from 2025
# (Flemish mergers and Bastogne + Bertogne). Codes that exist in one list only, from Statbel's
# announcements of the mergers of 1 January 2019 and 1 January 2025 (old code: name):
NIS_GONE_2019 = {
    "12030": "Puurs", "12034": "Sint-Amands", "44011": "Deinze", "44049": "Nevele", "44001": "Aalter",
    "44029": "Knesselare", "44036": "Lovendegem", "44072": "Waarschoot", "44080": "Zomergem",
    "45017": "Kruishoutem", "45057": "Zingem", "71047": "Opglabbeek", "72040": "Meeuwen-Gruitrode",
    "72025": "Neerpelt", "72029": "Overpelt",
}

NIS_NEW_2019 = {
    "12041": "Puurs-Sint-Amands", "44083": "Deinze", "44084": "Aalter", "44085": "Lievegem", "45068": "Kruisem",
    "72042": "Oudsbergen", "72043": "Pelt",
}

NIS_GONE_2025 = {
    "11007": "Borsbeek", "23023": "Galmaarden", "23024": "Gooik", "23032": "Herne", "37012": "Ruiselede",
    "37018": "Wingene", "37007": "Meulebeke", "37015": "Tielt", "44012": "De Pinte", "44048": "Nazareth",
    "44034": "Lochristi", "44073": "Wachtebeke", "46014": "Lokeren", "44045": "Moerbeke", "44040": "Melle",
    "44043": "Merelbeke", "46003": "Beveren", "46013": "Kruibeke", "11056": "Zwijndrecht", "73006": "Bilzen",
    "73032": "Hoeselt", "73009": "Borgloon", "73083": "Tongeren", "71069": "Ham", "71057": "Tessenderlo",
    "71022": "Hasselt", "73040": "Kortessem", "82003": "Bastogne", "82005": "Bertogne",
}

NIS_NEW_2025 = {
    "23106": "Pajottegem", "37021": "Wingene", "37022": "Tielt", "44086": "Nazareth-De Pinte",
    "44087": "Lochristi", "46029": "Lokeren", "44088": "Merelbeke-Melle", "46030": "Beveren-Kruibeke-Zwijndrecht",
    "73110": "Bilzen-Hoeselt", "73111": "Tongeren-Borgloon", "71071": "Tessenderlo-Ham", "71072": "Hasselt",
    "82039": "Bastogne",
}

#: The municipality each code of a merged municipality went to (Statbel, mergers of 1 January 2019 and 2025):
#: old code -> code of the merged municipality. Borsbeek joined Antwerpen (11002), whose code stayed.
NIS_SUCCESSORS_2019 = {
    "12030": "12041", "12034": "12041", "44011": "44083", "44049": "44083", "44001": "44084", "44029": "44084",
    "44036": "44085", "44072": "44085", "44080": "44085", "45017": "45068", "45057": "45068", "71047": "72042",
    "72040": "72042", "72025": "72043", "72029": "72043",
}

NIS_SUCCESSORS_2025 = {
    "11007": "11002", "23023": "23106", "23024": "23106", "23032": "23106", "37012": "37021", "37018": "37021",
    "37007": "37022", "37015": "37022", "44012": "44086", "44048": "44086", "44034": "44087", "44073": "44087",
    "46014": "46029", "44045": "46029", "44040": "44088", "44043": "44088", "46003": "46030", "46013": "46030",
    "11056": "46030", "73006": "73110", "73032": "73110", "73009": "73111", "73083": "73111", "71069": "71071",
    "71057": "71071", "71022": "71072", "73040": "71072", "82003": "82039", "82005": "82039",
}


@dataclass(frozen=True)
class NisCodeList:
    """One edition of the Belgian municipality code list."""

    label: str
    count: int
    not_in: frozenset[str]  # codes that cannot appear in this edition


NIS_CODE_LISTS = [
    NisCodeList("1977–2018", 589, frozenset(NIS_NEW_2019) | frozenset(NIS_NEW_2025)),
    NisCodeList("2019–2024", 581, frozenset(NIS_GONE_2019) | frozenset(NIS_NEW_2025)),
    NisCodeList("2025", 565, frozenset(NIS_GONE_2019) | frozenset(NIS_GONE_2025)),
]

_NIS_NAMES = {**NIS_GONE_2019, **NIS_NEW_2019, **NIS_GONE_2025, **NIS_NEW_2025}

_NIS_CODE_COLUMNS = ["CD_REFNIS", "CD_MUNTY_REFNIS", "NIS", "NIS-code", "NIS code", "NIS_code", "niscode", "nis_code",
                     "Code INS", "INS", "code_ins", "REFNIS", "NIS5", "CNIS5", "municipality_nis"]

_STATBEL_DIMENSIONS = {"CD_SEX", "CD_AGE", "CD_NATLTY", "CD_CIV_STS", "CD_YEAR", "TX_SEX_DESCR_NL"}


def normalise_nis_code(value: Any) -> str:
    """A 5-digit NIS/INS municipality code: ``' 11002 '`` / ``11002.0`` -> ``11002``.

    Raises ``ValueError`` for anything but five digits starting with 1-9 (the province digit).
    """
    text = cell_text(value)
    text = re.sub(r"\.0+$", "", text)
    if not re.fullmatch(r"[1-9]\d{4}", text):
        raise ValueError(f"{cell_text(value)!r} is not a NIS municipality code (5 digits, e.g. 11002)")
    return text


def nis_region(code: Any, level: str = "arrondissement") -> tuple[str, str]:
    """Region code and name of a NIS code: its arrondissement (default; NUTS 3) or its province.

    ``nis_region("11002") == ("11000", "Antwerpen")``; with ``level="province"`` Brussels municipalities
    get the Brussels-Capital Region (``04000``), Flemish Brabant ``20001``, Walloon Brabant ``20002``.
    """
    code = normalise_nis_code(code)
    if level == "province":
        if code[:2] == "21":
            province = "04000"
        elif code[:2] in ("23", "24"):
            province = "20001"
        elif code[:2] == "25":
            province = "20002"
        else:
            province = code[0] + "0000"
        return province, BE_PROVINCES[province]
    return code[:2] + "000", BE_ARRONDISSEMENTS.get(code[:2], code[:2] + "000")


def nis_code_list(codes: Iterable[Any]) -> NisCodeList | None:
    """Which edition of the NIS code list a set of codes belongs to, or ``None`` when it cannot be told.

    A complete list is recognised by its size (589, 581, 565) when no code contradicts it; a partial
    one by the codes of the 2019 and 2025 mergers it holds (codes that exist in one edition only).
    Raises ``ValueError`` when the codes mix editions (a code gone in 2025 beside a code new in 2025).
    """
    found = {normalise_nis_code(c) for c in codes if c is not None and cell_text(c)}
    possible = [edition for edition in NIS_CODE_LISTS if not (found & edition.not_in)]
    if not possible:
        gone = sorted(found & (set(NIS_GONE_2019) | set(NIS_GONE_2025)))
        new = sorted(found & (set(NIS_NEW_2019) | set(NIS_NEW_2025)))
        raise ValueError("the codes mix editions of the NIS code list: old codes "
                         f"{_named(gone)} beside new codes {_named(new)}")
    by_count = [edition for edition in possible if edition.count == len(found)]
    if len(by_count) == 1:
        return by_count[0]
    return possible[0] if len(possible) == 1 else None


def _named(codes: Iterable[str], limit: int = 6) -> str:
    codes = list(codes)
    text = ", ".join(f"{c} {_NIS_NAMES[c]}" if c in _NIS_NAMES else c for c in codes[:limit])
    return text + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


def check_nis_year(codes: Iterable[Any], boundary_codes: Iterable[Any], *, file: str = "census",
                   boundary_file: str = "boundaries", what: str = "census") -> str | None:
    """Check that a table and the boundaries use the same edition of the NIS code list.

    Belgium had 589 municipalities until 2018, 581 from 2019 to 2024 and 565 from 2025: counts from
    one year cannot be mapped on boundaries of another. Each side is recognised by
    :func:`nis_code_list`; when both are and differ, or when one is and the other holds codes that
    cannot exist in it, raises :class:`~segmap.errors.InputError` ("the census uses the NIS codes of
    2019–2024 (581 municipalities) but the boundaries those of 2025 (565 municipalities)"). Returns the
    edition's label (``"2019–2024"``) or ``None`` when neither side can be recognised. Pass Belgian
    codes only (a European LAU layer must be cut to ``CNTR_CODE == "BE"`` first).
    """
    codes = {normalise_nis_code(c) for c in codes if c is not None and cell_text(c)}
    boundary_codes = {cell_text(c) for c in boundary_codes if c is not None and re.fullmatch(r"[1-9]\d{4}", cell_text(c))}
    try:
        table_list = nis_code_list(codes)
    except ValueError as exc:
        raise InputError(Problem(file, f"the {what} {exc}", "municipality_code")) from None
    try:
        boundary_list = nis_code_list(boundary_codes)
    except ValueError as exc:
        raise InputError(Problem(boundary_file, f"the boundaries {exc}", "municipality_code")) from None
    if table_list and boundary_list and table_list != boundary_list:
        raise InputError(Problem(file, f"the {what} uses the NIS codes of {table_list.label} ({table_list.count} "
                                       f"municipalities) but the boundaries {boundary_file} those of "
                                       f"{boundary_list.label} ({boundary_list.count} municipalities); use "
                                       "boundaries and counts of the same year", "municipality_code"))
    if boundary_list and not table_list and codes & boundary_list.not_in:
        wrong = sorted(codes & boundary_list.not_in)
        raise InputError(Problem(file, f"the {what} has NIS codes that do not exist in the code list of "
                                       f"{boundary_list.label} ({boundary_list.count} municipalities) used by the "
                                       f"boundaries {boundary_file}: {_named(wrong)}", "municipality_code"))
    if table_list and not boundary_list and boundary_codes & table_list.not_in:
        wrong = sorted(boundary_codes & table_list.not_in)
        raise InputError(Problem(file, f"the {what} uses the NIS codes of {table_list.label} "
                                       f"({table_list.count} municipalities) but the boundaries {boundary_file} "
                                       f"have codes that do not exist then: {_named(wrong)}", "municipality_code"))
    edition = table_list or boundary_list
    return edition.label if edition else None


def nis_successor(code: str, edition: str) -> str:
    """The code a municipality has in the code list ``edition`` (``"2019–2024"`` or ``"2025"``) after the mergers:
    ``nis_successor("11007", "2025") == "11002"`` (Borsbeek joined Antwerpen); ``"44011"`` (Deinze until 2018)
    becomes ``"44083"`` from 2019. A code that no merger touched is returned as it is."""
    labels = [e.label for e in NIS_CODE_LISTS]
    if edition not in labels:
        raise ValueError(f"unknown NIS code list {edition!r}; known: {', '.join(labels)}")
    if labels.index(edition) >= 1:
        code = NIS_SUCCESSORS_2019.get(code, code)
    if labels.index(edition) >= 2:
        code = NIS_SUCCESSORS_2025.get(code, code)
    return code


def recode_nis_years(schools: pd.DataFrame, edition: str | None, file: str = "schools") -> tuple[pd.DataFrame, list[dict]]:
    """Bring every school year's NIS codes to the code list ``edition`` of the census and the boundaries.

    Years coded before a merger get the code of the merged municipality (:func:`nis_successor`), so that
    years compare across the mergers of 2019 and 2025. Returns the schools and one record per recoded
    year: ``year``, the year's ``edition`` (when it can be told), ``target`` and ``codes`` (old -> new,
    with the number of schools). A year whose codes mix editions is an error. A code newer than
    ``edition`` cannot be split back and is left for the census check to report.
    """
    records: list[dict] = []
    if edition is None or schools.empty:
        return schools, records
    schools = schools.copy()
    for year, rows in schools.groupby(schools["year"].astype("string").fillna(""), sort=True).groups.items():
        codes = schools.loc[rows, "municipality_code"]
        valid = codes[codes.astype("string").str.fullmatch(r"[1-9]\d{4}").fillna(False).astype(bool)]
        try:
            year_list = nis_code_list(valid)
        except ValueError as exc:
            where = f" of school year {year}" if year else ""
            raise InputError(Problem(file, f"the schools{where} {exc}", "municipality_code")) from None
        recoded = valid.map(lambda code: nis_successor(str(code), edition))
        changed = recoded[recoded != valid]
        if changed.empty:
            continue
        schools.loc[changed.index, "municipality_code"] = changed
        pairs = pd.DataFrame({"old": valid[changed.index], "new": changed})
        records.append({
            "year": year or None,
            "edition": year_list.label if year_list else None,
            "target": edition,
            "codes": [{"old": old, "old_name": _NIS_NAMES.get(old, ""), "new": new, "new_name": _NIS_NAMES.get(new, ""),
                       "schools": int(n)} for (old, new), n in pairs.value_counts().sort_index().items()],
        })
        log.info("%s: school year %s coded with the NIS codes of %s: %d schools in %d merged municipalities "
                 "recoded to the code list of %s (%s)", file, year or "(not stated)",
                 year_list.label if year_list else "an earlier list", len(changed), pairs["old"].nunique(), edition,
                 _named(sorted(pairs["old"].unique()), 4))
    return schools, records


def _default_language(code: Any) -> str:
    text = cell_text(code)
    if text[:2] in ("23", "24") or text[:1] in ("1", "3", "4", "7"):
        return "nl"
    if text[:2] == "21":
        return "fr/nl"
    return "fr"


def be_nis(spec: Mapping[str, Any], role: str, options: dict[str, Any]) -> pd.DataFrame:
    """Files with Belgian NIS/INS municipality codes: Statbel open data (``|``-separated, CD_REFNIS,
    TX_DESCR_NL/FR, MS_POPULATION) or a partner's table.

    The code column is mapped with ``columns`` or found by name (CD_REFNIS, NIS, Code INS, ...);
    codes must be 5 digits. Statbel files in long form (one row per municipality, sex, age, ...) are
    summed per municipality. Names: the Dutch name in Flanders, the French one in Wallonia, both in
    Brussels (``language: nl`` or ``fr`` to choose). For the census ``region_code`` is the
    arrondissement (``11000``; NUTS 3) or, with ``region: province``, the province; MS_POPULATION is the
    default ``population_total``. Count thousands separators ``.`` and spaces (any kind: no-break, narrow
    no-break, thin) are removed. The code list's edition (1977–2018, 2019–2024, 2025) is recorded in
    ``frame.attrs["nis_code_list"]``; compare it with the boundaries through :func:`check_nis_year`.
    """
    file = str(spec["path"])
    level = str(options.get("region", "arrondissement")).lower()
    if level not in ("arrondissement", "province"):
        raise InputError(Problem(file, f"recipe option region must be 'arrondissement' or 'province', not {level!r}"))
    grid, table = read_headed_input(spec, role, [*_NIS_CODE_COLUMNS, "MS_POPULATION"], "|")
    auto = auto_columns(table, {"municipality_code": _NIS_CODE_COLUMNS,
                                 **({"population_total": ["MS_POPULATION", "population", "bevolking"]}
                                    if role == "census" else {})})
    table = rename_auto(table, auto)
    code_column = auto.get("municipality_code") or (spec.get("columns") or {}).get("municipality_code",
                                                                                   "municipality_code")
    if "municipality_code" in table.columns:
        problems, codes = [], {}
        for row, value in table["municipality_code"].items():
            if not cell_text(value):
                continue
            try:
                codes[row] = normalise_nis_code(value)
            except ValueError as exc:
                problems.append(Problem(file, str(exc), code_column, int(row)))
        if problems:
            raise InputError(problems)
        table["municipality_code"] = pd.Series([codes.get(row) for row in table.index], index=table.index,
                                               dtype="object")
        names = None if "municipality_name" in table.columns else _nis_names(
            table, str(options.get("language", "")).lower())
        if names is not None:
            table["municipality_name"] = names
    # Belgian files write 1.234 (Dutch) or 1 234 with a (narrow) no-break space (French): both by default
    thousands = options.get("thousands", spec.get("thousands"))
    table = strip_count_thousands(table, [thousands] if thousands else [".", " "] if thousands is None else [])
    if role == "census" and "municipality_code" in table.columns:
        table = _sum_long_form(table, file)
        regions = table["municipality_code"].map(lambda c: nis_region(c, level) if isinstance(c, str) else (None, None))
        if "region_code" not in table.columns:
            table["region_code"] = regions.map(lambda r: r[0])
        if "region_name" not in table.columns:
            table["region_name"] = regions.map(lambda r: r[1])
    if "municipality_code" in table.columns:
        try:
            edition = nis_code_list(table["municipality_code"].dropna())
        except ValueError as exc:
            raise InputError(Problem(file, f"the {role} file {exc}", code_column)) from None
        table.attrs["nis_code_list"] = edition.label if edition else None
        log.info("%s: NIS codes of %s", file, edition.label if edition else "an edition that cannot be told "
                 "from these codes")
    return keep_read_attrs(table, grid)


def _nis_names(table: pd.DataFrame, language: str) -> pd.Series | None:
    columns = {lang: next((c for c in (f"TX_DESCR_{lang.upper()}", f"TX_MUNTY_DESCR_{lang.upper()}")
                           if c in table.columns), None) for lang in ("nl", "fr", "de")}
    if not any(columns.values()):
        return None
    names = []
    for row, code in table["municipality_code"].items():
        wanted = language or _default_language(code)
        parts = [table.at[row, columns[lang]] for lang in wanted.split("/") if columns.get(lang)]
        parts = [p for p in dict.fromkeys(cell_text(p) for p in parts) if p]
        if not parts:
            parts = [cell_text(table.at[row, c]) for c in columns.values() if c and cell_text(table.at[row, c])][:1]
        names.append(" / ".join(parts) or None)
    return pd.Series(names, index=table.index, dtype="object")


def _sum_long_form(table: pd.DataFrame, file: str) -> pd.DataFrame:
    """Sum Statbel's long files (one row per municipality and sex, age, ...) to one row per municipality."""
    codes = table["municipality_code"]
    if not codes.duplicated().any() or not (_STATBEL_DIMENSIONS & set(table.columns)):
        return table
    counts = [c for c in ("population_total", "population_group") if c in table.columns]
    problems = []
    for column in counts:
        for row, value in table[column].items():
            if whole_number(value) is None:
                problems.append(Problem(file, f"count is not a whole number ({cell_text(value)[:40]!r})", column, int(row),
                                        cell_text(codes.loc[row]) or None))
    if problems:
        raise InputError(problems)
    first = table[~codes.duplicated()].copy()
    for column in counts:
        sums = table[column].map(whole_number).groupby(codes).sum()
        first[column] = first["municipality_code"].map(sums).map(lambda v: str(int(v)))
    log.info("%s: %d rows summed to %d municipalities (Statbel long form)", file, len(table), len(first))
    return first
