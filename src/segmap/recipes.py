"""Country recipes: readers for official file layouts, selected with ``recipe:`` on an input.

A recipe reads the raw file itself (title rows, multi-row headers, labels that hold a code and a name,
thousands separators) and returns the canonical columns of the data contract as text, indexed by the
row number a spreadsheet program shows, so that :mod:`segmap.validate` checks the result and points
at the right row of the partner's file.

``recipe`` is a name, or a mapping with ``name`` and the recipe's options (``recipe_options`` on the
input is read as well)::

    census: {path: data/raw/bg/census2021.xlsx,
             recipe: {name: bg_nsi_2021, codes: data/raw/bg/municipalities.gpkg, total: answered}}

==============  ================  ============================================================
recipe          roles             layout
==============  ================  ============================================================
``bg_nsi_2011`` census            NSI census 2011, population by ethnic group, districts and
                                  municipalities (cp1251 CSV or spreadsheet, Cyrillic headers)
``bg_nsi_2021`` census            NSI census 2021, the same with the 2021 answer categories
``es_ine``      census, schools   INE conventions: ``;``, ``.`` thousands, ``44001-Ababuj`` labels
``be_nis``      census, schools   NIS/INS municipality codes (Statbel files and partner tables)
==============  ================  ============================================================

The README section "Country recipes" (``docs/recipes.md``) documents the options and the choices.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from segmap import ingest
from segmap.errors import InputError, Problem

log = logging.getLogger(__name__)

CENSUS_OUTPUT = ["municipality_code", "municipality_name", "region_code", "region_name", "population_total",
                 "population_group"]
COUNT_COLUMNS = ["population_total", "population_group", "pupils_total", "pupils_group"]

Recipe = Callable[[Mapping[str, Any], str, dict[str, Any]], pd.DataFrame]
RECIPES: dict[str, Recipe] = {}
RECIPE_ROLES: dict[str, tuple[str, ...]] = {}


def _recipe(name: str, roles: tuple[str, ...]) -> Callable[[Recipe], Recipe]:
    def register(function: Recipe) -> Recipe:
        RECIPES[name] = function
        RECIPE_ROLES[name] = roles
        return function
    return register


# ==================================================================================================
# Selecting and running a recipe
# ==================================================================================================

def recipe_options(spec: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The recipe's name and options from an input specification.

    ``recipe`` is a name (``bg_nsi_2021``) or a mapping ``{name: bg_nsi_2021, <option>: <value>}``;
    ``recipe_options`` (a mapping) adds options.
    """
    value = spec.get("recipe")
    if isinstance(value, Mapping):
        options = dict(value)
        name = options.pop("name", None)
    else:
        name, options = value, {}
    options.update(spec.get("recipe_options") or {})
    return str(name) if name is not None else "", options


def read_with_recipe(spec: Mapping[str, Any], role: str) -> pd.DataFrame:
    """Read an input with its recipe; the result has canonical columns (text) and spreadsheet row numbers."""
    name, options = recipe_options(spec)
    path = str(spec["path"])
    if name not in RECIPES:
        raise InputError(Problem(path, f"unknown recipe {name!r} in the config (known recipes: "
                                       f"{', '.join(sorted(RECIPES))})"))
    if role not in RECIPE_ROLES[name]:
        raise InputError(Problem(path, f"recipe {name!r} reads {' and '.join(RECIPE_ROLES[name])} files, "
                                       f"not the {role} file"))
    frame = RECIPES[name](spec, role, options)
    frame.index.name = "row"
    frame.attrs["recipe"] = name
    log.info("read %s with recipe %s: %d rows", path, name, len(frame))
    return frame


def extra_input_paths(spec: Mapping[str, Any]) -> list[str]:
    """Files a recipe reads besides the input itself (the ``codes`` lookup), for Snakemake ``input:``."""
    if not spec.get("recipe"):
        return []
    _name, options = recipe_options(spec)
    codes = options.get("codes")
    if isinstance(codes, Mapping):
        codes = codes.get("path")
    return [str(codes)] if codes else []


# ==================================================================================================
# Shared helpers
# ==================================================================================================

def strip_thousands(values: pd.Series, separators: Iterable[str]) -> pd.Series:
    """Remove thousands separators from numbers written with them (``1.234.567`` -> ``1234567``).

    Only values that are exactly groups of three digits joined by one of ``separators`` change, so a
    decimal such as ``12.5`` or ``12,5`` stays as it is (and is reported by the validation, since
    counts are whole numbers).
    """
    text = values.astype("string")
    for sep in separators:
        pattern = rf"^-?\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+$"
        grouped = text.str.fullmatch(pattern).fillna(False).astype(bool)
        text = text.where(~grouped, text.str.replace(sep, "", regex=False))
    return text


def _to_int(value: Any) -> int | None:
    """A whole number written as plain text, or ``None``."""
    text = _label(value)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.0+", text):
        return int(float(text))
    return None


def _label(value: Any) -> str:
    """A cell as stripped text with single blanks; empty for missing values."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _lower(value: Any) -> str:
    return _label(value).lower().replace("ё", "е")


def _headed_table(grid: pd.DataFrame, header_row: int) -> pd.DataFrame:
    """The rows of a grid below ``header_row``, with that row's cells as column names."""
    names, seen = [], {}
    for position, cell in enumerate(grid.loc[header_row]):
        name = _label(cell) or f"column {position + 1}"
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
    wanted = {_lower(name) for name in known}
    top = grid.loc[grid.index <= grid.index.min() + 29] if len(grid) else grid
    for row, cells in top.iterrows():
        if any(_lower(cell) in wanted for cell in cells if cell is not None):
            return int(row)
    for row, cells in top.iterrows():
        if cells.notna().sum() >= 2:
            return int(row)
    raise InputError(Problem(str(spec["path"]), f"no header row found in the {what} file; set header_row "
                                                "in the config"))


def _auto_columns(table: pd.DataFrame, candidates: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Canonical name -> file column, for canonical columns the file does not already have."""
    lookup = {_lower(column): column for column in table.columns}
    found = {}
    for canonical, names in candidates.items():
        if canonical in table.columns:
            continue
        for name in names:
            if _lower(name) in lookup and lookup[_lower(name)] not in found.values():
                found[canonical] = lookup[_lower(name)]
                break
    return found


def _rename_auto(table: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    if mapping:
        log.info("recipe columns: %s", ", ".join(f"{k} <- '{v}'" for k, v in mapping.items()))
    return table.rename(columns={source: canonical for canonical, source in mapping.items()})


def _finish(table: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    table.attrs.update({k: v for k, v in grid.attrs.items() if k in ("encoding", "encoding_detected", "sep")})
    return table


def _read_code_table(path: str | Path, options: Mapping[str, Any]) -> pd.DataFrame:
    """A lookup file as text columns: a GIS layer (attributes only), a spreadsheet or delimited text."""
    path = Path(path)
    if ingest._suffix(path) in {".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb", ".gml", ".kml"}:
        import pyogrio

        try:
            frame = pyogrio.read_dataframe(path, read_geometry=False, layer=options.get("layer"))
        except Exception as exc:  # pyogrio raises several error types
            raise InputError(Problem(str(path), f"cannot read the codes file: {exc}")) from exc
        frame = frame.astype("string")
        frame.index = pd.RangeIndex(1, 1 + len(frame), name="feature")
        return frame
    spec = {"path": str(path), **{k: options[k] for k in ("sep", "encoding", "sheet", "header_row") if k in options}}
    return ingest.read_table(spec, "codes").astype("string")


# ==================================================================================================
# Bulgaria
# ==================================================================================================

@dataclass(frozen=True)
class BgDistrict:
    """A Bulgarian district (област): its 3-letter code (the prefix of its municipalities' LAU codes),
    NUTS 3 code and names."""

    code: str
    nuts3: str
    name_bg: str
    name_en: str


# The 28 districts. Source: NSI, EKATTE register (district and municipality codes), and Eurostat's NUTS
# 2021 classification for Bulgaria (NUTS 3 = district); both public. LAU codes of municipalities are the
# district code and two digits (SOF46 = Stolichna, BLG03 = Blagoevgrad), as in the EKATTE register and
# Eurostat's LAU lists.
BG_DISTRICTS = [
    BgDistrict("VID", "BG311", "Видин", "Vidin"),
    BgDistrict("MON", "BG312", "Монтана", "Montana"),
    BgDistrict("VRC", "BG313", "Враца", "Vratsa"),
    BgDistrict("PVN", "BG314", "Плевен", "Pleven"),
    BgDistrict("LOV", "BG315", "Ловеч", "Lovech"),
    BgDistrict("VTR", "BG321", "Велико Търново", "Veliko Tarnovo"),
    BgDistrict("GAB", "BG322", "Габрово", "Gabrovo"),
    BgDistrict("RSE", "BG323", "Русе", "Ruse"),
    BgDistrict("RAZ", "BG324", "Разград", "Razgrad"),
    BgDistrict("SLS", "BG325", "Силистра", "Silistra"),
    BgDistrict("VAR", "BG331", "Варна", "Varna"),
    BgDistrict("DOB", "BG332", "Добрич", "Dobrich"),
    BgDistrict("SHU", "BG333", "Шумен", "Shumen"),
    BgDistrict("TGV", "BG334", "Търговище", "Targovishte"),
    BgDistrict("BGS", "BG341", "Бургас", "Burgas"),
    BgDistrict("SLV", "BG342", "Сливен", "Sliven"),
    BgDistrict("JAM", "BG343", "Ямбол", "Yambol"),
    BgDistrict("SZR", "BG344", "Стара Загора", "Stara Zagora"),
    BgDistrict("SOF", "BG411", "София (столица)", "Sofia (capital)"),
    BgDistrict("SFO", "BG412", "София", "Sofia (province)"),
    BgDistrict("BLG", "BG413", "Благоевград", "Blagoevgrad"),
    BgDistrict("PER", "BG414", "Перник", "Pernik"),
    BgDistrict("KNL", "BG415", "Кюстендил", "Kyustendil"),
    BgDistrict("PDV", "BG421", "Пловдив", "Plovdiv"),
    BgDistrict("HKV", "BG422", "Хасково", "Haskovo"),
    BgDistrict("PAZ", "BG423", "Пазарджик", "Pazardzhik"),
    BgDistrict("SML", "BG424", "Смолян", "Smolyan"),
    BgDistrict("KRZ", "BG425", "Кърджали", "Kardzhali"),
]
BG_DISTRICT_BY_CODE = {d.code: d for d in BG_DISTRICTS}
BG_DISTRICT_BY_NUTS3 = {d.nuts3: d for d in BG_DISTRICTS}
# Other spellings of district names seen in NSI and other tables.
BG_DISTRICT_ALIASES = {
    "SOF": ["София-град", "София град", "София - град", "Столица", "София столица", "София-столица",
            "Sofia city", "Sofia-grad", "Sofia grad", "Sofiya (stolitsa)", "Sofia capital", "Sofia (stolitsa)"],
    "SFO": ["София (област)", "София-област", "София област", "Софийска", "Sofia", "Sofiya", "Sofia region",
            "Sofia province", "Sofia oblast"],
    "JAM": ["Yambol", "Jambol"],
    "HKV": ["Haskovo", "Khaskovo"],
    "TGV": ["Targovishte", "Tărgovište"],
    "KRZ": ["Kardzhali", "Kurdzhali", "Kardjali"],
    "PAZ": ["Pazardzhik", "Pazardjik"],
}
# Rows above district level in NSI tables: the country, NUTS 1 and NUTS 2 regions.
BG_ABOVE_DISTRICT = [
    "Общо за страната", "Общо", "Всичко", "България", "Република България", "Страна", "Общо за България",
    "Total", "Bulgaria", "Северна и Югоизточна България", "Югозападна и Южна централна България",
    "Северозападен", "Северен централен", "Североизточен", "Югоизточен", "Югозападен", "Южен централен",
    "Северозападен район", "Северен централен район", "Североизточен район", "Югоизточен район",
    "Югозападен район", "Южен централен район",
]

# Bulgarian transliteration (Transliteration Act 2009, the system of Bulgarian official documents), used
# only to match names written in Cyrillic against names written in Latin letters.
_BG_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
    "ы": "y", "э": "e", "ё": "e",
}
# Cyrillic letters that look like Latin ones, as typed in codes (ВLG03 with a Cyrillic В).
_HOMOGLYPHS = str.maketrans("АВЕКМНОРСТХУ", "ABEKMHOPCTXY")
_NAME_PREFIX = re.compile(r"^(?:община|общ\.|област|обл\.|obshtina|oblast|municipality of|municipality|"
                          r"district of|district)\s+", re.IGNORECASE)
_SETTLEMENT_PREFIX = re.compile(r"^(?:гр\.|с\.|к\.|м\.|гр |с )\s*", re.IGNORECASE)
LAU_PATTERN = re.compile(r"([A-Z]{3})(\d{2})")


def name_key(name: Any) -> str:
    """A key for matching place names: no prefix such as 'община', Latin letters, lower case, letters
    and digits only; 'Община Добрич-селска' and 'Dobrich - Selska' give the same key."""
    text = _NAME_PREFIX.sub("", _label(name))
    text = "".join(_BG_LATIN.get(ch, ch) for ch in text.lower())
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


_DISTRICT_KEYS: dict[str, str] = {}
for _district in BG_DISTRICTS:
    for _name in [_district.name_bg, _district.name_en, *BG_DISTRICT_ALIASES.get(_district.code, [])]:
        _DISTRICT_KEYS.setdefault(name_key(_name), _district.code)
_ABOVE_KEYS = {name_key(name) for name in BG_ABOVE_DISTRICT}


def normalise_lau_code(value: Any) -> str:
    """A Bulgarian LAU (municipality) code in canonical form: ``' sof 46 '`` -> ``SOF46``.

    Blanks, hyphens and underscores are dropped, letters upper-cased (Cyrillic look-alikes become
    Latin: ВLG03 typed with a Cyrillic В), and a ``BG``/``BG_`` country prefix (GISCO_ID) removed.
    Raises ``ValueError`` when the result is not a district code from :data:`BG_DISTRICTS` followed by
    two digits.
    """
    text = re.sub(r"[\s\-_.]", "", _label(value).upper().translate(_HOMOGLYPHS))
    if len(text) == 7 and text.startswith("BG") and LAU_PATTERN.fullmatch(text[2:]):
        text = text[2:]
    match = LAU_PATTERN.fullmatch(text)
    if not match or match.group(1) not in BG_DISTRICT_BY_CODE:
        raise ValueError(f"{_label(value)!r} is not a Bulgarian LAU code (the district's three letters and "
                         "two digits, e.g. SOF46)")
    return text


def is_lau_code(value: Any) -> bool:
    """Whether a value is a Bulgarian LAU municipality code (``SOF46``, ``sof46``, ``BG_SOF46``)."""
    try:
        normalise_lau_code(value)
        return True
    except ValueError:
        return False


def is_ekatte(value: Any) -> bool:
    """Whether a value is an EKATTE settlement code: five digits (leading zeros kept, ``00151``).

    EKATTE numbers settlements (towns and villages); a municipality is identified by its LAU code.
    """
    return bool(re.fullmatch(r"\d{5}", _label(value)))


def bg_district(code: Any) -> BgDistrict:
    """The district of a LAU code (``BLG03``), a district code (``BLG``) or a NUTS 3 code (``BG413``).

    ``bg_district("SOF46").nuts3 == "BG411"``; raises ``ValueError`` for anything else.
    """
    text = re.sub(r"[\s\-_.]", "", _label(code).upper().translate(_HOMOGLYPHS))
    if text in BG_DISTRICT_BY_CODE:
        return BG_DISTRICT_BY_CODE[text]
    if text in BG_DISTRICT_BY_NUTS3:
        return BG_DISTRICT_BY_NUTS3[text]
    return BG_DISTRICT_BY_CODE[normalise_lau_code(code)[:3]]


def bg_district_by_name(name: Any) -> BgDistrict | None:
    """The district a name denotes ('Благоевград', 'Област Благоевград', 'София-град'), or ``None``."""
    code = _DISTRICT_KEYS.get(name_key(name))
    return BG_DISTRICT_BY_CODE[code] if code else None


# ---- NSI census tables -----------------------------------------------------------------------------

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
    leaf, parent = _lower(leaf), _lower(parent)
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
            if cells.notna().sum() >= 3 and any(re.search(_NSI_KINDS[0][1], _lower(cell)) for cell in cells):
                leaf_row = int(row)
                break
        if leaf_row is None:
            raise InputError(Problem(str(spec["path"]), "no header row with a 'Ромска' (Roma) column in the "
                                                        "first 40 rows; set header_row in the config"))
    leaves = [_label(cell) for cell in grid.loc[leaf_row]]
    parents = [""] * len(leaves)
    row = leaf_row - 1
    while row in grid.index and grid.loc[row].notna().sum() >= 2 and row >= leaf_row - 3:
        upper = [_label(cell) for cell in grid.loc[row]]
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
        values = [_to_int(cell) for i, cell in enumerate(cells) if i != name_column and _label(cell)]
        if len(values) >= 3 and None not in values and values == list(range(values[0], values[0] + len(values))) \
                and len(_label(cells.iloc[name_column])) <= 2:
            found.append(row)
    return found


def _nsi_count(value: Any) -> str | None:
    """NSI count cells as plain text: '-' (no case) is 0, thousands blanks are dropped."""
    text = _label(value)
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
    table = _read_code_table(path, settings)
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
        lambda values: values.map(lambda v: bool(re.search(r"[^\W\d_]{3}", _label(v)))).mean(),
        exclude={code_column})
    if name_column is None or name_column not in table.columns:
        raise InputError(Problem(path, "no column of municipality names found; name it with "
                                       f"codes: {{path: ..., name: <column>}} (columns: {', '.join(table.columns)})"))
    valid = table[code_column].map(is_lau_code)
    table = table[valid.astype(bool)]
    codes = table[code_column].map(normalise_lau_code)
    lookup = pd.DataFrame({"code": codes.values, "name": table[name_column].map(_label).values})
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


def _bg_nsi(spec: Mapping[str, Any], role: str, options: dict[str, Any], edition: int) -> pd.DataFrame:
    file = str(spec["path"])
    total_choice = str(options.get("total", "answered")).lower()
    if total_choice not in ("answered", "all"):
        raise InputError(Problem(file, f"recipe option total must be 'answered' or 'all', not {total_choice!r}"))
    region_names = str(options.get("region_names", "bg")).lower()
    grid = ingest.read_grid(spec, role)
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

    data = grid.loc[grid.index > leaf_row]
    data = data.drop(index=_column_number_rows(data, name_column))
    rows: list[_NsiRow] = []
    skipped_settlements = 0
    for row, cells in data.iterrows():
        name = _label(cells.iloc[name_column]) if name_column < len(cells) else ""
        numbers = [cells.iloc[i] for i in (total, roma)]
        if not name or not any(_label(v) for v in numbers):
            continue  # blank rows, notes and sub-headings
        code_value = _label(cells.iloc[code_column]) if code_column is not None else ""
        record = _NsiRow(int(row), name, "municipality")
        if district_column is not None:
            district_name = _label(cells.iloc[district_column])
            if district_name and not _label(cells.iloc[name_column]):
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
            if name_key(name) in _ABOVE_KEYS or _lower(name).startswith(("статистически район", "общо")):
                record.kind = "above"
            elif _SETTLEMENT_PREFIX.match(name):
                record.kind = "settlement"
        if record.kind == "settlement":
            skipped_settlements += 1
            continue
        rows.append(record)
    if skipped_settlements:
        log.info("%s: %d settlement rows left out (the map works by municipality)", file, skipped_settlements)

    if district_column is None and not any(r.kind == "district" for r in rows):
        _mark_bg_districts(rows, data, total, file)
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
                                       f"{leaf_row}; is this an NSI table by district and municipality?"))

    lookup = _read_bg_codes(options, file)
    codes_file = options.get("codes")
    codes_file = codes_file.get("path") if isinstance(codes_file, Mapping) else codes_file
    problems = []
    name_label = labels[name_column] or "name"
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

    out = []
    for record in municipalities:
        cells = grid.loc[record.row]
        all_people = _nsi_count(cells.iloc[total])
        population = all_people
        if total_choice == "answered":
            population = _answered(cells, all_people, answered, not_shown)
        district_name = record.district.name_bg if region_names == "bg" else record.district.name_en
        out.append({"row": record.row, "municipality_code": record.code,
                    "municipality_name": _NAME_PREFIX.sub("", record.name),
                    "region_code": record.district.nuts3, "region_name": district_name,
                    "population_total": population, "population_group": _nsi_count(cells.iloc[roma])})
        _check_categories(cells, all_people, categories, not_shown, file, record)
    frame = pd.DataFrame(out).set_index("row")[CENSUS_OUTPUT]
    frame.attrs["census_total"] = total_choice
    log.info("%s: NSI census %d, %d municipalities; population_total = %s", file, edition, len(frame),
             "persons who answered the ethnic question" if total_choice == "answered" else "all persons")
    return _finish(frame, grid)


def _answered(cells: pd.Series, all_people: str | None, answered: int | None, not_shown: list[int]) -> str | None:
    """Persons who answered the ethnic question: the table's column, or total less 'not shown'."""
    if answered is not None:
        return _nsi_count(cells.iloc[answered])
    if not not_shown:
        return all_people
    total = _to_int(all_people)
    missing = [_to_int(_nsi_count(cells.iloc[i])) for i in not_shown]
    if total is None or any(m is None for m in missing):
        return all_people  # left for the validation to report
    return str(total - sum(missing))


def _check_categories(cells: pd.Series, all_people: str | None, categories: dict[str, int], not_shown: list[int],
                      file: str, record: _NsiRow) -> None:
    """Warn when the answer categories do not add up to the total (a table cut or misread)."""
    if len(categories) < 4:
        return
    parts = [_to_int(_nsi_count(cells.iloc[i])) for i in [*categories.values(), *not_shown]]
    total = _to_int(all_people)
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
    totals = [_to_int(_nsi_count(data.loc[r.row].iloc[total])) for r in rows]
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


@_recipe("bg_nsi_2011", ("census",))
def bg_nsi_2011(spec: Mapping[str, Any], role: str, options: dict[str, Any]) -> pd.DataFrame:
    """NSI census 2011: population by ethnic group, by district and municipality.

    Columns (Cyrillic): the name column ('Области / Общини'), 'Общо' (everyone), optionally the persons
    who answered the voluntary ethnic question, 'Българска', 'Турска', 'Ромска', 'Друга',
    'Не се самоопределям' and the persons who did not answer ('Неотговорили' / 'Непоказан').
    Options: ``codes`` (lookup of LAU codes by name), ``total`` (``answered``, default, or ``all``),
    ``region_names`` (``bg``, default, or ``en``).
    """
    return _bg_nsi(spec, role, options, 2011)


@_recipe("bg_nsi_2021", ("census",))
def bg_nsi_2021(spec: Mapping[str, Any], role: str, options: dict[str, Any]) -> pd.DataFrame:
    """NSI census 2021: population by ethnic group, by statistical region, district and municipality.

    Columns: 'Общо', 'Българска', 'Турска', 'Ромска', 'Друга', 'Не мога да определя',
    'Не желая да отговоря', 'Непоказан'. Options as for :func:`bg_nsi_2011`.
    """
    return _bg_nsi(spec, role, options, 2021)


# ==================================================================================================
# Spain
# ==================================================================================================

# INE province codes (the first two digits of a municipality code). Source: INE, "Relación de
# provincias" (Códigos de provincias), public; names as INE writes them.
ES_PROVINCES = {
    "01": "Araba/Álava", "02": "Albacete", "03": "Alicante/Alacant", "04": "Almería", "05": "Ávila",
    "06": "Badajoz", "07": "Balears, Illes", "08": "Barcelona", "09": "Burgos", "10": "Cáceres",
    "11": "Cádiz", "12": "Castellón/Castelló", "13": "Ciudad Real", "14": "Córdoba", "15": "Coruña, A",
    "16": "Cuenca", "17": "Girona", "18": "Granada", "19": "Guadalajara", "20": "Gipuzkoa", "21": "Huelva",
    "22": "Huesca", "23": "Jaén", "24": "León", "25": "Lleida", "26": "Rioja, La", "27": "Lugo",
    "28": "Madrid", "29": "Málaga", "30": "Murcia", "31": "Navarra", "32": "Ourense", "33": "Asturias",
    "34": "Palencia", "35": "Palmas, Las", "36": "Pontevedra", "37": "Salamanca",
    "38": "Santa Cruz de Tenerife", "39": "Cantabria", "40": "Segovia", "41": "Sevilla", "42": "Soria",
    "43": "Tarragona", "44": "Teruel", "45": "Toledo", "46": "Valencia/València", "47": "Valladolid",
    "48": "Bizkaia", "49": "Zamora", "50": "Zaragoza", "51": "Ceuta", "52": "Melilla",
}
_INE_LABEL = re.compile(r"(\d{4,5})(?:\.0)?(?:(?:\s*[-–—:]\s*|\s+)(.*))?")
_INE_AGGREGATE = re.compile(r"^(?:total\b|\d{1,2}(?:\s*[-–—:]\s*|\s+)\D)", re.IGNORECASE)
_INE_MUNICIPALITY_COLUMNS = ["Municipios", "Municipio", "Código INE", "Codigo INE", "Código municipio",
                             "Codigo municipio", "cod_ine", "codigo_ine", "CODIGOINE", "INE", "municipio_ine"]
_INE_DIMENSIONS = ["Sexo", "Nacionalidad", "Edad", "Edad (grupos quinquenales)", "Lugar de nacimiento",
                   "País de nacimiento", "Españoles/Extranjeros"]


def split_ine_label(value: Any) -> tuple[str, str | None]:
    """Code and name of an INE municipality label: ``44001-Ababuj`` / ``44001 Ababuj`` -> ``("44001", "Ababuj")``.

    A bare code comes back with ``None`` as name; four-digit codes (a spreadsheet dropped the zero)
    get it back: ``1001`` -> ``01001``. Raises ``ValueError`` when there is no 4- or 5-digit code.
    """
    text = _label(value)
    match = _INE_LABEL.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not an INE municipality code (5 digits, e.g. 44001 or 44001-Ababuj)")
    return match.group(1).zfill(5), (_label(match.group(2)) or None)


def normalise_ine_code(value: Any) -> str:
    """A 5-digit INE municipality code: ``1001`` -> ``01001``, ``'44001.0'`` -> ``44001``; checks the province."""
    code, _name = split_ine_label(value)
    if code[:2] not in ES_PROVINCES:
        raise ValueError(f"{code!r} is not an INE municipality code: {code[:2]} is not a province code (01-52)")
    return code


def ine_province(code: Any) -> tuple[str, str]:
    """Province code and INE name of a municipality code: ``44001`` -> ``("44", "Teruel")``."""
    code = normalise_ine_code(code)
    return code[:2], ES_PROVINCES[code[:2]]


def _filter_ine_dimensions(table: pd.DataFrame, options: Mapping[str, Any], file: str) -> pd.DataFrame:
    """INE tables in long form (one row per municipality, sex, period, ...): keep the totals and one period."""
    for column in table.columns:
        if _lower(column) in {_lower(d) for d in _INE_DIMENSIONS}:
            values = table[column].map(_lower)
            keep = values.str.match(r"^(total|ambos sexos|todas las edades)").fillna(False).astype(bool)
            if keep.any() and not keep.all():
                log.info("%s: kept the rows with '%s' = total", file, column)
                table = table[keep]
    period = next((c for c in table.columns if _lower(c) in ("periodo", "período", "año", "ano")), None)
    if period is not None and table[period].nunique() > 1:
        wanted = str(options["year"]) if options.get("year") else max(table[period].dropna().map(_label))
        kept = table[table[period].map(_label) == wanted]
        if kept.empty:
            raise InputError(Problem(file, f"no rows for the period {wanted!r} (periods found: "
                                           f"{', '.join(sorted(table[period].dropna().unique()))})", period))
        log.info("%s: kept the period %s ('year:' recipe option to choose another)", file, wanted)
        table = kept
    return table


def _numbers(table: pd.DataFrame, separators: Iterable[str]) -> pd.DataFrame:
    for column in COUNT_COLUMNS:
        if column in table.columns:
            table[column] = strip_thousands(table[column], separators)
    return table


def _headed_input(spec: Mapping[str, Any], role: str, known: list[str], default_sep: str) -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """Grid and header table of a file with one header row (after optional title rows)."""
    grid_spec = dict(spec)
    path = Path(spec["path"])
    if not spec.get("sep") and path.is_file() and ingest._suffix(path) in ingest.SNIFFED_SUFFIXES:
        data = ingest.read_bytes(path)[:20000]
        head = data.decode(spec.get("encoding") or ingest.detect_encoding(data), errors="replace")
        head = "\n".join(ingest.split_lines(head)[:50])
        counts = {sep: head.count(sep) for sep in ingest.SEPARATORS}
        best = max(counts.values())
        grid_spec["sep"] = default_sep if counts[default_sep] == best else max(counts, key=counts.get)
        if grid_spec["sep"] != default_sep:
            log.info("read %s with sep %r (detected)", path, grid_spec["sep"])
    grid = ingest.read_grid(grid_spec, role)
    known = [*known, *(spec.get("columns") or {}).values()]
    header_row = _find_header_row(grid, spec, known, role)
    table = _headed_table(grid, header_row)
    table = ingest.apply_column_mapping(table, spec.get("columns") or {}, str(spec["path"]))
    return grid, table


@_recipe("es_ine", ("census", "schools"))
def es_ine(spec: Mapping[str, Any], role: str, options: dict[str, Any]) -> pd.DataFrame:
    """Files with INE conventions: ``;`` separators, ``.`` thousands, municipality labels ``44001-Ababuj``.

    The municipality column (mapped with ``columns``, or one called 'Municipios', 'Código INE', ...,
    or the pair CPRO + CMUN of INE's code list) may hold a code or a label ``44001-Ababuj`` /
    ``44001 Ababuj``: it is split into a 5-digit code (zero-padded: ``1001`` -> ``01001``) and, when the
    file has no name column, ``municipality_name``. Rows of totals ('Total Nacional', '44 Teruel') are
    left out. INE tables in long form are reduced to the totals ('Sexo' = 'Total'...) of one period
    (the latest, or the ``year`` option). For the census, ``region_code`` is the province (the
    first two digits) and ``region_name`` INE's province name; the data column 'Total' is the
    default ``population_total``. Counts lose their ``.`` thousands separators (``thousands``
    option to change it); decimal commas are left to the validation.
    """
    file = str(spec["path"])
    grid, table = _headed_input(spec, role, [*_INE_MUNICIPALITY_COLUMNS, "CPRO", "CMUN", "Total", "Nombre"], ";")
    table = _filter_ine_dimensions(table, options, file)
    auto = _auto_columns(table, {"municipality_code": _INE_MUNICIPALITY_COLUMNS,
                                 "municipality_name": ["Nombre", "NOMBRE", "Municipio nombre", "nombre_municipio"],
                                 **({"population_total": ["Total"]} if role == "census" else {})})
    table = _rename_auto(table, auto)
    if "municipality_code" not in table.columns and {"CPRO", "CMUN"} <= set(table.columns):
        table["municipality_code"] = (table["CPRO"].map(_label).str.zfill(2)
                                      + table["CMUN"].map(_label).str.zfill(3))
        log.info("%s: municipality codes from CPRO + CMUN", file)
    if "municipality_code" not in table.columns:
        return _finish(_numbers(table, [options.get("thousands", spec.get("thousands") or ".")]), grid)
    problems, codes, names, dropped = [], {}, {}, []
    for row, value in table["municipality_code"].items():
        text = _label(value)
        if not text:
            continue  # left for the validation ("municipality code is empty")
        try:
            code, name = split_ine_label(text)
            code = normalise_ine_code(code)
        except ValueError as exc:
            if _INE_AGGREGATE.match(text) and role == "census":
                dropped.append(text)
                continue
            problems.append(Problem(file, str(exc), auto.get("municipality_code") or
                                    (spec.get("columns") or {}).get("municipality_code", "municipality_code"),
                                    int(row)))
            continue
        codes[row], names[row] = code, name
    if problems:
        raise InputError(problems)
    if dropped:
        log.info("%s: %d rows of totals left out (%s)", file, len(dropped), ", ".join(dropped[:5]))
        table = table[~table["municipality_code"].map(_label).isin(dropped)]
    table["municipality_code"] = pd.Series([codes.get(row) for row in table.index], index=table.index, dtype="object")
    if "municipality_name" not in table.columns and any(names.values()):
        table["municipality_name"] = pd.Series([names.get(row) for row in table.index], index=table.index,
                                               dtype="object")
    if role == "census":
        province = table["municipality_code"].map(lambda c: c[:2] if isinstance(c, str) else None)
        if "region_code" not in table.columns:
            table["region_code"] = province
        if "region_name" not in table.columns:
            table["region_name"] = province.map(lambda p: ES_PROVINCES.get(p) if p else None)
    thousands = options.get("thousands", spec.get("thousands") or ".")
    return _finish(_numbers(table, [thousands] if thousands else []), grid)


# ==================================================================================================
# Belgium
# ==================================================================================================

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
    text = _label(value)
    text = re.sub(r"\.0+$", "", text)
    if not re.fullmatch(r"[1-9]\d{4}", text):
        raise ValueError(f"{_label(value)!r} is not a NIS municipality code (5 digits, e.g. 11002)")
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
    found = {normalise_nis_code(c) for c in codes if c is not None and _label(c)}
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
    codes = {normalise_nis_code(c) for c in codes if c is not None and _label(c)}
    boundary_codes = {_label(c) for c in boundary_codes if c is not None and re.fullmatch(r"[1-9]\d{4}", _label(c))}
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
    text = _label(code)
    if text[:2] in ("23", "24") or text[:1] in ("1", "3", "4", "7"):
        return "nl"
    if text[:2] == "21":
        return "fr/nl"
    return "fr"


@_recipe("be_nis", ("census", "schools"))
def be_nis(spec: Mapping[str, Any], role: str, options: dict[str, Any]) -> pd.DataFrame:
    """Files with Belgian NIS/INS municipality codes: Statbel open data (``|``-separated, CD_REFNIS,
    TX_DESCR_NL/FR, MS_POPULATION) or a partner's table.

    The code column is mapped with ``columns`` or found by name (CD_REFNIS, NIS, Code INS, ...);
    codes must be 5 digits. Statbel files in long form (one row per municipality, sex, age, ...) are
    summed per municipality. Names: the Dutch name in Flanders, the French one in Wallonia, both in
    Brussels (``language: nl`` or ``fr`` to choose). For the census ``region_code`` is the
    arrondissement (``11000``; NUTS 3) or, with ``region: province``, the province; MS_POPULATION is the
    default ``population_total``. Count thousands separators ``.`` are removed. The code list's edition
    (1977–2018, 2019–2024, 2025) is recorded in ``frame.attrs["nis_code_list"]``; compare it with
    the boundaries through :func:`check_nis_year`.
    """
    file = str(spec["path"])
    level = str(options.get("region", "arrondissement")).lower()
    if level not in ("arrondissement", "province"):
        raise InputError(Problem(file, f"recipe option region must be 'arrondissement' or 'province', not {level!r}"))
    grid, table = _headed_input(spec, role, [*_NIS_CODE_COLUMNS, "MS_POPULATION"], "|")
    auto = _auto_columns(table, {"municipality_code": _NIS_CODE_COLUMNS,
                                 **({"population_total": ["MS_POPULATION", "population", "bevolking"]}
                                    if role == "census" else {})})
    table = _rename_auto(table, auto)
    code_column = auto.get("municipality_code") or (spec.get("columns") or {}).get("municipality_code",
                                                                                   "municipality_code")
    if "municipality_code" in table.columns:
        problems, codes = [], {}
        for row, value in table["municipality_code"].items():
            if not _label(value):
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
    thousands = options.get("thousands", spec.get("thousands") or ".")
    table = _numbers(table, [thousands] if thousands else [])
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
    return _finish(table, grid)


def _nis_names(table: pd.DataFrame, language: str) -> pd.Series | None:
    columns = {lang: next((c for c in (f"TX_DESCR_{lang.upper()}", f"TX_MUNTY_DESCR_{lang.upper()}")
                           if c in table.columns), None) for lang in ("nl", "fr", "de")}
    if not any(columns.values()):
        return None
    names = []
    for row, code in table["municipality_code"].items():
        wanted = language or _default_language(code)
        parts = [table.at[row, columns[lang]] for lang in wanted.split("/") if columns.get(lang)]
        parts = [p for p in dict.fromkeys(_label(p) for p in parts) if p]
        if not parts:
            parts = [_label(table.at[row, c]) for c in columns.values() if c and _label(table.at[row, c])][:1]
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
            if _to_int(value) is None:
                problems.append(Problem(file, f"count is not a whole number ({_label(value)[:40]!r})", column, int(row),
                                        _label(codes.loc[row]) or None))
    if problems:
        raise InputError(problems)
    first = table[~codes.duplicated()].copy()
    for column in counts:
        sums = table[column].map(_to_int).groupby(codes).sum()
        first[column] = first["municipality_code"].map(sums).map(lambda v: str(int(v)))
    log.info("%s: %d rows summed to %d municipalities (Statbel long form)", file, len(table), len(first))
    return first
