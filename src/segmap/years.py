"""School years: one label per year, which years a table holds, and which years a report compares.

Partners write a school year in many ways: ``2023``, ``2023/24``, ``2023-2024``, ``2023-24``,
``2023/2024``, ``2023–24`` (en dash). segmap turns each into one label, ``2023/24`` (the year the school
year starts, a slash, the last two digits of the year it ends), which sorts in time order as text.
A plain year (``2023``) is taken as the year the school year *starts* (``2023/24``): Bulgarian
(2023/2024) and Spanish (curso 2023-2024) practice name the autumn year first. Registries that name the
year a school year ends (``2024`` for 2023/24, as the US NCES and the Stanford Segregation Explorer do)
set ``plain_years: end`` in the country's config.

A school file with several years is never summed across them: every index is computed for one year's
schools at a time (:mod:`segmap.stats.tables`), and the change between two years comes from
:mod:`segmap.stats.change`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import pandas as pd

#: How a plain year (``2023``) is read: the year the school year starts (default) or ends.
PLAIN_YEAR_STARTS = "start"
PLAIN_YEAR_ENDS = "end"
PLAIN_YEARS = (PLAIN_YEAR_STARTS, PLAIN_YEAR_ENDS)
#: School years segmap accepts (a value outside is a typing error, not a school year).
FIRST_YEAR, LAST_YEAR = 1950, 2100

_PLAIN = re.compile(r"(\d{4})(?:\.0+)?")
_RANGE = re.compile(r"(\d{4})\s*[/\-–—_]\s*(\d{2}|\d{4})")
_LABEL = re.compile(r"\d{4}/\d{2}")


def school_year(value: Any, plain_years: str = PLAIN_YEAR_STARTS) -> str:
    """The school-year label of ``value``: ``2023``, ``"2023/24"``, ``"2023-2024"``, ``"2023-24"`` -> ``"2023/24"``.

    A plain year is the year the school year starts (``plain_years="end"``: the year it ends, so
    ``2024`` -> ``"2023/24"``). A number read by a spreadsheet (``2023.0``) is a plain year. Raises
    ``ValueError`` for anything else, for a range whose second year does not follow the first
    (``2023/25``) and for years outside 1950–2100.
    """
    if plain_years not in PLAIN_YEARS:
        raise ValueError(f"plain_years must be one of {PLAIN_YEARS}, not {plain_years!r}")
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a school year")
    text = str(value).strip()
    plain = _PLAIN.fullmatch(text)
    if plain:
        start = int(plain.group(1)) - (1 if plain_years == PLAIN_YEAR_ENDS else 0)
    else:
        ranged = _RANGE.fullmatch(text)
        if not ranged:
            raise ValueError(f"{text[:40]!r} is not a school year (write 2023, 2023/24 or 2023-2024)")
        start, end = int(ranged.group(1)), ranged.group(2)
        follows = (int(end) == start + 1) if len(end) == 4 else (int(end) == (start + 1) % 100)
        if not follows:
            raise ValueError(f"{text!r} is not a school year: the second year must follow the first "
                             f"({start}/{(start + 1) % 100:02d})")
    if not FIRST_YEAR <= start <= LAST_YEAR:
        raise ValueError(f"{text!r} is not a school year between {FIRST_YEAR} and {LAST_YEAR}")
    return f"{start}/{(start + 1) % 100:02d}"


def is_label(value: Any) -> bool:
    """True for a normalised label (``2023/24``)."""
    return isinstance(value, str) and bool(_LABEL.fullmatch(value))


def start_year(label: str) -> int:
    """The calendar year a school year starts: ``"2023/24"`` -> 2023 (for seeds and sorting)."""
    return int(label[:4])


def parse_years(values: pd.Series, plain_years: str = PLAIN_YEAR_STARTS) -> tuple[pd.Series, pd.Series]:
    """Labels of a column of school years, and a mask of the non-empty values that are not school years.

    Empty cells stay missing (``pd.NA``) and are not in the mask.
    """
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    labels = pd.Series(pd.NA, index=values.index, dtype="string")
    bad = pd.Series(False, index=values.index)
    cache: dict[str, str | None] = {}
    for row, value in text.dropna().items():
        if value not in cache:
            try:
                cache[value] = school_year(value, plain_years)
            except ValueError:
                cache[value] = None
        if cache[value] is None:
            bad.loc[row] = True
        else:
            labels.loc[row] = cache[value]
    return labels, bad


def sorted_years(labels: Iterable[Any]) -> list[str]:
    """The distinct labels in time order (missing values left out)."""
    return sorted({str(v) for v in labels if v is not None and not pd.isna(v) and str(v)})


# --------------------------------------------------------------------------------------------------
# A year column the config does not map
# --------------------------------------------------------------------------------------------------

#: Column names (lower case, without accents, blanks and punctuation as "_") that hold a school year
#: in partners' files: English, Spanish, Bulgarian (Cyrillic and Latin), French, Dutch, German.
YEAR_COLUMN_NAMES = {
    "year", "school_year", "schoolyear", "academic_year", "yr",
    "curso", "curso_escolar", "ano", "ano_escolar", "anio", "periodo", "period",
    "godina", "uchebna_godina", "година", "учебна_година", "уч_година",
    "annee", "annee_scolaire", "jaar", "schooljaar", "jahr", "schuljahr",
}


def _plain_name(name: Any) -> str:
    """``"Année scolaire"`` -> ``"annee_scolaire"``, ``"Учебна година"`` -> ``"учебна_година"``."""
    text = "".join(c for c in unicodedata.normalize("NFKD", str(name)) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "_", text.strip().lower()).strip("_")


def looks_like_year_column(name: Any, values: pd.Series, plain_years: str = PLAIN_YEAR_STARTS) -> list[str] | None:
    """The school years a column holds when it looks like a year column, else ``None``.

    A column qualifies when every non-empty value is a school year and either its name is one of
    :data:`YEAR_COLUMN_NAMES` (``curso``, ``учебна година``, ``schooljaar``, ...) or its values are
    written as ranges (``2023/24``, ``2023-2024``), which hardly mean anything else. Plain four-digit
    numbers in a column of another name (a postcode, a year of construction) do not count.
    """
    text = values.astype("string").str.strip()
    text = text[text.notna() & (text != "")]
    if text.empty:
        return None
    distinct = text.unique()
    if len(distinct) > 60:
        return None
    named = _plain_name(name) in YEAR_COLUMN_NAMES
    ranged = all(_RANGE.fullmatch(str(v)) for v in distinct)
    if not (named or ranged):
        return None
    try:
        return sorted_years(school_year(v, plain_years) for v in distinct)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------
# Which years a report shows and compares
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class YearSelection:
    """The school years of one country's report.

    ``available``: every year in the schools data, in time order (empty when the data carry no year).
    ``report``: the report year (``None`` when the data carry no year). ``compared``: the years of the
    ``*_by_year`` tables, in time order, the report year among them. ``first``: the first compared
    year, the start of the ``*_change`` tables; the change exists when ``first != report``.
    """

    available: tuple[str, ...]
    report: str | None
    compared: tuple[str | None, ...]

    @property
    def first(self) -> str | None:
        return self.compared[0]

    @property
    def has_change(self) -> bool:
        return self.report is not None and len(self.compared) > 1 and self.first != self.report

    def describe(self) -> str:
        """One line for the logs."""
        if self.report is None:
            return "the school data state no school year"
        text = f"school years in the data: {', '.join(self.available)}; report year {self.report}"
        if self.has_change:
            text += f"; compared: {', '.join(y for y in self.compared if y)} (change {self.first} to {self.report})"
        return text


def select_years(available: Sequence[str], year: str | None = None, years: Sequence[str] | None = None, *,
                 source: str = "the schools data") -> YearSelection:
    """Choose the report year and the compared years.

    ``year``: the report year (default: the latest year present). ``years``: the years to compare
    (default: every year present up to the report year); the report year is always one of them. A
    configured year that is not in the data is an error naming the years that are. Without any year in
    the data, ``year`` and ``years`` must be unset.
    """
    available = tuple(sorted_years(available))
    wanted = [y for y in [year, *(years or [])] if y is not None]
    missing = [y for y in dict.fromkeys(wanted) if y not in available]
    if missing:
        have = ", ".join(available) if available else "none: they have no year column (map one with columns: " \
                                                      "{year: ...} or give each file's year as schools: [{path: " \
                                                      "..., year: ...}])"
        raise ValueError(f"the configured school year{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                         f"{'are' if len(missing) > 1 else 'is'} not in {source} (school years present: {have})")
    if not available:
        return YearSelection((), None, (None,))
    report = year or available[-1]
    if years:
        compared = sorted_years([*years, report])
    else:
        compared = [y for y in available if y <= report]
    return YearSelection(available, report, tuple(compared))
