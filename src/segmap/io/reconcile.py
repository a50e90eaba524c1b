"""Make the codes of schools, census and boundaries meet: lost leading zeros, names for codes, editions.

Partners' files come from different offices and editions. This module repairs what can be repaired without
guessing and says what it did, in rows of a *fixes* table (:data:`FIX_COLUMNS`) that the ``code_check`` stage
(:mod:`segmap.stages.code_check`) lists in ``data/processed/{c}/code_check.csv`` and the report:

- **Lost leading zeros** (:func:`restore_code_widths`, :func:`restore_school_zeros`): a spreadsheet or a
  numeric field turns ``01001`` into ``1001``. When the codes of the census and of the boundaries are digits of
  one width on which they agree (or one of them is, and the other's codes are digits no wider), shorter codes
  of the others are padded with zeros to that width. Nothing is padded when the width is not agreed.
- **Names instead of codes** (:func:`match_school_names`): a school without a code but with a municipality
  name (``municipality_name``) gets the code of the census municipality of that name (:mod:`segmap.io.names`:
  case, accents, ``-``/blanks and Cyrillic/Latin spellings ignored), within its region when the schools file
  gives one (``region_code`` or ``region_name``: Spain has several "Villanueva"s). An unmatched or ambiguous
  name is a problem of its row, listing the closest candidates.
- **Hints** (:func:`code_hint`): a code that is not in the census but looks like a name, or like a census code
  that lost its zeros, says so in its error.
- **Editions** (:func:`compare_editions`): census municipalities without a polygon and polygons without a
  census row, kept and listed (``on_code_mismatch: keep``) or stopped (``error``).
"""

from __future__ import annotations

import difflib
import logging
import re
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from segmap.errors import InputError, Problem
from segmap.io import names

log = logging.getLogger(__name__)

#: One row per thing done to a code or a polygon.
FIX_COLUMNS = ["municipality_code", "input", "action", "detail", "area_before_km2", "area_after_km2"]
ZEROS_RESTORED = "zeros_restored"
MATCHED_BY_NAME = "matched_by_name"
POLYGON_REPAIRED = "polygon_repaired"
NOT_ON_MAP = "not_on_map"
NO_CENSUS_DATA = "no_census_data"
CODE_MISMATCH_POLICIES = ("keep", "error")
#: More census municipalities than this share without a polygon is a wrong code field, not another edition.
MAX_UNMAPPED_SHARE = 0.5

#: Columns of the schools table that may stand in for, or help, the municipality code while the inputs are
#: reconciled; dropped before the schools are written.
SCHOOL_NAME_COLUMNS = ("municipality_name", "region_code", "region_name")


def fix_table(rows: list[Mapping[str, Any]]) -> pd.DataFrame:
    """The fixes as a table with :data:`FIX_COLUMNS` (empty areas as NaN)."""
    table = pd.DataFrame([dict(row) for row in rows], columns=FIX_COLUMNS)
    for column in ("area_before_km2", "area_after_km2"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    return table


# --------------------------------------------------------------------------------------------------
# Leading zeros
# --------------------------------------------------------------------------------------------------

def fixed_width(codes: pd.Series) -> int | None:
    """The width of codes that are all digits of one length (``01001``, ``44001``: 5), else ``None``."""
    text = codes.dropna().astype(str)
    if text.empty or not text.str.fullmatch(r"\d+").all():
        return None
    widths = text.str.len().unique()
    return int(widths[0]) if len(widths) == 1 else None


def _digits_no_wider(codes: pd.Series, width: int) -> bool:
    text = codes.dropna().astype(str)
    return bool(len(text)) and bool(text.str.fullmatch(r"\d+").all()) and int(text.str.len().max()) <= width


def agreed_width(census_codes: pd.Series, boundary_codes: pd.Series) -> int | None:
    """The code width census and boundaries agree on, or ``None``.

    Both fixed at the same width agree. Otherwise the wider fixed width is agreed when both inputs' codes are
    digits no wider and padding them with zeros to it makes the two code lists meet: more codes in both than
    before, and at least half of the shorter list (``1001`` in a numeric boundary field and ``01001`` in the
    census).
    """
    census_width, boundary_width = fixed_width(census_codes), fixed_width(boundary_codes)
    if census_width and boundary_width and census_width == boundary_width:
        return census_width
    width = max((w for w in (census_width, boundary_width) if w), default=None)
    if width is None or not (_digits_no_wider(census_codes, width) and _digits_no_wider(boundary_codes, width)):
        return None
    census_set, boundary_set = set(census_codes.dropna().astype(str)), set(boundary_codes.dropna().astype(str))
    before = len(census_set & boundary_set)
    after = len({c.zfill(width) for c in census_set} & {c.zfill(width) for c in boundary_set})
    return width if after > before and after >= 0.5 * min(len(census_set), len(boundary_set)) else None


def _pad(codes: pd.Series, width: int) -> tuple[pd.Series, pd.Series]:
    """Codes padded with zeros to ``width`` where they are shorter digits; and where that happened."""
    text = codes.astype("string")
    short = (text.str.fullmatch(r"\d+") & (text.str.len() < width)).fillna(False).astype(bool)
    return text.where(~short, text.str.zfill(width)), short


def restore_code_widths(census: pd.DataFrame, boundaries: gpd.GeoDataFrame,
                        files: Mapping[str, str]) -> tuple[pd.DataFrame, gpd.GeoDataFrame, list[dict]]:
    """Pad the census and boundary codes that lost their leading zeros to the width both agree on.

    Returns the two tables and the fixes (one per code padded). A padded code that then repeats another
    code of its file stops the run (``1001`` and ``01001`` in one file are not the same thing by chance).
    """
    width = agreed_width(census["municipality_code"], boundaries["municipality_code"])
    fixes: list[dict] = []
    if width is None:
        return census, boundaries, fixes
    out = {}
    for role, table in (("census", census), ("boundaries", boundaries)):
        padded, short = _pad(table["municipality_code"], width)
        if short.any():
            repeated = padded[padded.duplicated(keep=False)]
            if len(repeated):
                raise InputError([Problem(files[role], f"code '{table['municipality_code'].loc[row]}' is "
                                          f"'{padded.loc[row]}' with its leading zeros, which the file also has",
                                          "municipality_code", int(row), str(padded.loc[row]))
                                  for row in repeated.index if short.loc[row]])
            table = table.copy()
            table["municipality_code"] = padded.astype(str).to_numpy()
            log.warning("%s: %d code(s) lost their leading zeros and were padded to %d digits (%s)", files[role],
                        int(short.sum()), width, ", ".join(padded[short].astype(str).head(5)))
            fixes += [{"municipality_code": code, "input": role, "action": ZEROS_RESTORED,
                       "detail": f"'{code.lstrip('0') or '0'}' read as '{code}' (codes have {width} digits)"}
                      for code in padded[short].astype(str)]
        out[role] = table
    return out["census"], out["boundaries"], fixes


def restore_school_zeros(schools: pd.DataFrame, census_codes: pd.Series, boundary_codes: pd.Series,
                         file: str) -> tuple[pd.DataFrame, list[dict]]:
    """Pad school municipality codes that lost leading zeros, when census and boundaries agree on the width
    and the padded code is a census municipality. One fix per code, with its number of schools."""
    width = agreed_width(census_codes, boundary_codes)
    if width is None:
        return schools, []
    known = set(census_codes.astype(str))
    padded, short = _pad(schools["municipality_code"], width)
    restore = short & padded.isin(known).fillna(False).astype(bool) & ~schools["municipality_code"].isin(known)
    if not restore.any():
        return schools, []
    schools = schools.copy()
    given = schools.loc[restore, "municipality_code"].astype(str)
    schools.loc[restore, "municipality_code"] = padded[restore]
    counts = pd.DataFrame({"given": given, "code": padded[restore].astype(str)}).value_counts(sort=False)
    fixes = [{"municipality_code": code, "input": "schools", "action": ZEROS_RESTORED,
              "detail": f"'{given_code}' read as '{code}' ({n} school{'s' if n != 1 else ''}; codes have {width} digits)"}
             for (given_code, code), n in sorted(counts.items())]
    log.warning("%s: %d school(s) had municipality codes without their leading zeros, read as %d-digit codes",
                file, int(restore.sum()), width)
    return schools, fixes


# --------------------------------------------------------------------------------------------------
# Names instead of codes
# --------------------------------------------------------------------------------------------------

class CensusNames:
    """The census's names indexed once for matching: municipality names and their variants by tier, region
    names by tier, each municipality's loosest key (for the closest candidates) and its description."""

    def __init__(self, census: pd.DataFrame):
        self.census = census
        codes = census["municipality_code"].astype(str)
        self.index = names.census_name_index(codes, census["municipality_name"])
        self.regions = names.census_name_index(census["region_code"].astype(str), census["region_name"])
        self.region_codes = set(census["region_code"].astype(str))
        self.codes_of_region = census.groupby(census["region_code"].astype(str))["municipality_code"].apply(
            lambda c: set(c.astype(str))).to_dict()
        self.loose = pd.Series([names.name_keys(str(n))["transliterated"] for n in census["municipality_name"]],
                               index=codes.to_numpy())
        self.described = {str(r.municipality_code): f"'{r.municipality_name}' ({r.municipality_code}, {r.region_name})"
                          for r in census.itertuples()}

    def describe(self, codes: set[str]) -> str:
        return ", ".join(self.described[code] for code in sorted(codes))

    def in_region(self, code: str | None, name: str | None) -> set[str] | None:
        """Codes of the municipalities of the school's region (by code, or by name in any spelling tier);
        ``None`` without one."""
        if code:
            return set(self.codes_of_region.get(str(code).strip(), set()))
        if name:
            keys = names.name_keys(name)
            for tier in names.TIERS:
                regions = self.regions[tier].get(keys[tier])
                if regions:
                    return set().union(*(self.codes_of_region[r] for r in regions))
            return set()
        return None

    def closest(self, name: str, among: set[str] | None = None, n: int = 3) -> list[str]:
        """The census municipalities whose names are closest to ``name`` (by their loosest keys)."""
        loose = self.loose if among is None else self.loose[self.loose.index.isin(among)]
        first_code = {key: code for code, key in reversed(list(loose.items()))}
        found = difflib.get_close_matches(names.name_keys(name)["transliterated"], list(first_code), n=n, cutoff=0.6)
        return [self.described[first_code[key]] for key in found]


def match_school_names(schools: pd.DataFrame, census: pd.DataFrame,
                       default_file: str) -> tuple[pd.DataFrame, list[dict], list[Problem]]:
    """Give schools without a municipality code the code of the census municipality named in their
    ``municipality_name`` (within their ``region_code``/``region_name`` when given).

    Returns the schools, one fix per matched name (with its number of schools and how the name was written
    where it differs from the census) and one problem per school whose name matches no census municipality,
    or several (listing them, or the closest names).
    """
    if "municipality_name" not in schools:
        return schools, [], []
    wanted = (schools["municipality_code"].isna() | (schools["municipality_code"].astype("string") == "")) \
        & schools["municipality_name"].notna()
    wanted = wanted.fillna(False).astype(bool)
    if not wanted.any():
        return schools, [], []
    lookup = CensusNames(census)
    region_code = schools["region_code"] if "region_code" in schools else pd.Series(None, index=schools.index)
    region_name = schools["region_name"] if "region_name" in schools else pd.Series(None, index=schools.index)
    found: dict[tuple, tuple[set[str], str]] = {}
    schools = schools.copy()
    problems: list[Problem] = []
    matched: dict[tuple[str, str], int] = {}
    for row in schools.index[wanted]:
        name = str(schools.at[row, "municipality_name"]).strip()
        code_hint_value = None if pd.isna(region_code.loc[row]) else str(region_code.loc[row])
        name_hint = None if pd.isna(region_name.loc[row]) else str(region_name.loc[row])
        key = (name, code_hint_value, name_hint)
        if key not in found:
            found[key] = _match_one(name, code_hint_value, name_hint, lookup)
        codes, message = found[key]
        file, line = source_of(schools, row, default_file)
        if len(codes) == 1:
            code = next(iter(codes))
            schools.at[row, "municipality_code"] = code
            matched[(code, name)] = matched.get((code, name), 0) + 1
        else:
            problems.append(Problem(file, message, "municipality_name", line, str(schools.at[row, "school_id"])))
    census_names = census.set_index("municipality_code")["municipality_name"].astype(str)
    fixes = []
    for (code, given), n in sorted(matched.items()):
        written = "" if given == census_names.get(code) else f", written '{given}'"
        fixes.append({"municipality_code": code, "input": "schools", "action": MATCHED_BY_NAME,
                      "detail": f"schools give the name '{census_names.get(code)}'{written} "
                                f"({n} school{'s' if n != 1 else ''})"})
    if matched:
        log.info("%s: %d school(s) placed in their municipality by its name (%d names)", default_file,
                 sum(matched.values()), len(matched))
    return schools, fixes, problems


def _match_one(name: str, region_code: str | None, region_name: str | None,
               lookup: CensusNames) -> tuple[set[str], str]:
    """The census codes the name matches (in the strictest tier with a match) and, unless exactly one, why."""
    keys = names.name_keys(name)
    in_region = lookup.in_region(region_code, region_name)
    where = region_code or region_name
    for tier in names.TIERS:
        codes = set(lookup.index[tier].get(keys[tier], set()))
        if not codes:
            continue
        if in_region is not None:
            outside = codes - in_region
            codes &= in_region
            if not codes:
                return set(), (f"municipality name '{name}' is not a municipality of region '{where}' in the census "
                               f"(the census has it in another region: {lookup.describe(outside)})")
        if len(codes) > 1:
            hint = ("" if in_region is not None else ": map a region or province column of the schools file to "
                    "region_code or region_name to tell them apart")
            return codes, (f"municipality name '{name}' matches {len(codes)} census municipalities "
                           f"({lookup.describe(codes)}){hint}")
        return codes, ""
    candidates = lookup.closest(name, in_region)
    closest = f"; closest: {', '.join(candidates)}" if candidates else "; no census name is close"
    return set(), f"municipality name '{name}' is not in the census{closest}"


def source_of(schools: pd.DataFrame, index: Any, default_file: str) -> tuple[str, int]:
    """(file, row) of a school for messages: from its ``source_file``/``source_row`` columns (kept while the
    inputs are checked, :data:`segmap.io.validate.SOURCE_COLUMNS`), else the index is the row."""
    if "source_file" in schools:
        return str(schools.at[index, "source_file"]), int(schools.at[index, "source_row"])
    return default_file, int(index)


# --------------------------------------------------------------------------------------------------
# Hints for codes that are not in the census
# --------------------------------------------------------------------------------------------------

def code_hint(code: str, census: pd.DataFrame, lookup: CensusNames | None = None) -> str:
    """Why an unknown municipality code may be unknown, in words ('' when nothing suggests a cause).
    ``lookup`` (:class:`CensusNames` of ``census``) saves indexing the census names again for every code."""
    text = str(code).strip()
    if names.looks_like_name(text):
        lookup = lookup or CensusNames(census)
        keys = names.name_keys(text)
        hits = next((lookup.index[tier][keys[tier]] for tier in names.TIERS if keys[tier] in lookup.index[tier]),
                    set())
        named = f" (the name of {lookup.describe(set(hits))})" if hits else ""
        return (f"; it looks like a municipality name{named}: map this column to municipality_name instead of "
                "municipality_code, and segmap matches names to the census")
    codes = census["municipality_code"].astype(str)
    if re.fullmatch(r"\d+", text):
        widths = sorted(set(codes.str.len()))
        padded = [text.zfill(w) for w in widths if w > len(text) and text.zfill(w) in set(codes)]
        if padded:
            return (f"; it looks like census code '{padded[0]}' without its leading zeros (write codes as text, or "
                    "give the boundaries codes of the same width so that segmap can restore them)")
    return ""


# --------------------------------------------------------------------------------------------------
# Editions: census against boundaries
# --------------------------------------------------------------------------------------------------

def code_shape(code: str) -> str:
    """The shape of a code: digits as ``9``, letters as ``A`` (``SOF46`` -> ``AAA99``, ``01001`` -> ``99999``)."""
    return re.sub(r"[^\W\d_]", "A", re.sub(r"\d", "9", str(code)))


def in_scope(boundaries: gpd.GeoDataFrame, census: pd.DataFrame) -> pd.Series:
    """Which polygons belong to the census's country: those of a census municipality, and the others when
    their country (a ``country_code`` or ``CNTR_CODE`` field) is the country of the census polygons or,
    without such a field, their code has the shape of the census codes. Polygons of other countries (a
    European LAU file) are out of scope and left out without a listing."""
    known = boundaries["municipality_code"].isin(set(census["municipality_code"]))
    country_field = next((c for c in ("country_code", "CNTR_CODE") if c in boundaries), None)
    if country_field is not None and known.any():
        countries = set(boundaries.loc[known, country_field].dropna().astype(str))
        return known | boundaries[country_field].astype(str).isin(countries)
    shapes = set(census["municipality_code"].astype(str).map(code_shape))
    return known | boundaries["municipality_code"].astype(str).map(code_shape).isin(shapes)


def compare_editions(census: pd.DataFrame, boundaries: gpd.GeoDataFrame, files: Mapping[str, str],
                     on_code_mismatch: str = "keep") -> tuple[gpd.GeoDataFrame, list[dict]]:
    """The map layer and the mismatches of census and boundaries.

    Returns the polygons to draw — census municipalities in census order, then polygons without a census row
    (``in_census`` false; drawn as "no census data") — and one fix per mismatch: ``not_on_map`` for a census
    municipality without a polygon (kept in every table), ``no_census_data`` for a polygon without a census
    row. With ``on_code_mismatch="error"`` any mismatch stops the run instead, naming every code. More than
    :data:`MAX_UNMAPPED_SHARE` of the census without a polygon always stops it: the code field is wrong.
    """
    if on_code_mismatch not in CODE_MISMATCH_POLICIES:
        raise ValueError(f"on_code_mismatch must be one of {CODE_MISMATCH_POLICIES}, not {on_code_mismatch!r}")
    known = set(census["municipality_code"])
    mapped = set(boundaries["municipality_code"])
    missing = census[~census["municipality_code"].isin(mapped)]
    extra = boundaries[~boundaries["municipality_code"].isin(known)]
    if len(missing) > MAX_UNMAPPED_SHARE * len(census):
        examples = ", ".join(f"'{c}'" for c in boundaries["municipality_code"].astype(str).head(3))
        census_examples = ", ".join(f"'{c}'" for c in census["municipality_code"].astype(str).head(3))
        raise InputError(Problem(files["boundaries"], f"{len(missing):,} of the {len(census):,} census municipalities "
                                 f"have no polygon: this is not an edition that differs by a few codes. Check that "
                                 f"the boundaries' code field is mapped to municipality_code and holds the census's "
                                 f"codes (the boundaries have {examples}; the census {census_examples})",
                                 "municipality_code"))
    if on_code_mismatch == "error" and (len(missing) or len(extra)):
        # (the canonical copies compared here no longer hold the files' row numbers: the code is the id)
        problems = [Problem(files["census"], f"municipality '{m.municipality_code}' has no polygon in the boundaries "
                            f"file {files['boundaries']}", "municipality_code", None, str(m.municipality_code))
                    for m in missing.itertuples()]
        problems += [Problem(files["boundaries"], f"polygon of '{code}' has no row in the census file "
                             f"{files['census']}", "municipality_code", None, str(code))
                     for code in extra["municipality_code"]]
        problems.append(Problem(files["boundaries"], "the census and the boundaries are of different editions "
                                "(on_code_mismatch: error); with on_code_mismatch: keep (the default) the census "
                                "municipalities without a polygon stay in every table and the polygons without a "
                                "census row are drawn as 'no census data', both listed in code_check.csv"))
        raise InputError(problems)
    fixes = [{"municipality_code": m.municipality_code, "input": "census", "action": NOT_ON_MAP,
              "detail": f"'{m.municipality_name}' has no polygon in {files['boundaries']}: kept in every table, "
                        "not on the maps"} for m in missing.itertuples()]
    name_of = extra["municipality_name"] if "municipality_name" in extra else pd.Series(None, index=extra.index)
    fixes += [{"municipality_code": code, "input": "boundaries", "action": NO_CENSUS_DATA,
               "detail": (f"'{name_of.loc[row]}': " if pd.notna(name_of.loc[row]) else "")
               + f"polygon without a row in {files['census']}: drawn as 'no census data'"}
              for row, code in extra["municipality_code"].items()]
    if len(missing):
        log.warning("%s: %d census municipalities have no polygon in %s: kept in every table, not on the maps "
                    "(%s)", files["census"], len(missing), files["boundaries"],
                    ", ".join(missing["municipality_code"].astype(str).head(10)))
    if len(extra):
        log.warning("%s: %d polygons have no census row: drawn as 'no census data' (%s)", files["boundaries"],
                    len(extra), ", ".join(extra["municipality_code"].astype(str).head(10)))
    order = pd.Series(np.arange(len(census)), index=census["municipality_code"].to_numpy())
    kept = boundaries[boundaries["municipality_code"].isin(known)].copy()
    kept = kept.iloc[np.argsort(order.loc[kept["municipality_code"]].to_numpy(), kind="stable")]
    extra = extra.sort_values("municipality_code", kind="stable")
    layer = pd.concat([kept.assign(in_census=True), extra.assign(in_census=False)], ignore_index=True)
    layer = gpd.GeoDataFrame(layer[["municipality_code", "in_census", "geometry"]], geometry="geometry",
                             crs=boundaries.crs)
    return layer, fixes
