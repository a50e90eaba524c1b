"""The report's alphabetical index of municipalities: every municipality with schools, in the alphabet order of
the report's language, with its region, group pupils, dissimilarity beyond chance (with its 95% interval) or why
it has none, and a link to the page of its regional map.

Alphabet order is ICU collation (PyICU, the Unicode CLDR rules of the locale): Bulgarian Cyrillic in Bulgarian
order, Spanish ``ñ`` as a letter after ``n``, accents as secondary differences (``Ávila`` with ``Avila``).
Dutch has no CLDR tailoring for ``ij`` (Dutch dictionaries sort it as ``i`` + ``j``, and so does this index).
Letter headings come from ICU's alphabetic index of the same locale (``Ñ`` in Spanish, ``А`` … ``Я`` in
Bulgarian); names in another script fall under the locale's overflow heading.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

import icu
import numpy as np
import pandas as pd

from segmap.report import i18n
from segmap.stats.indices import STATUS_OK

#: Collation locale per report language (the number locale of :mod:`segmap.report.i18n`).
COLLATION_LOCALES = dict(i18n.LOCALES)


@lru_cache(maxsize=None)
def collator(language: str) -> "icu.Collator":
    """The ICU collator of the report language's locale."""
    return icu.Collator.createInstance(icu.Locale(COLLATION_LOCALES.get(language, "en_GB")))


def sort_key(language: str):
    """A key function sorting texts in the alphabet order of ``language``."""
    collate = collator(language)
    return lambda text: collate.getSortKey(str(text))


def collation_order(names: pd.Series, language: str, tie_breaker: pd.Series | None = None) -> np.ndarray:
    """Positions that sort ``names`` alphabetically in ``language``; equal names by ``tie_breaker``."""
    key = sort_key(language)
    ties = [""] * len(names) if tie_breaker is None else [str(v) for v in tie_breaker]
    order = sorted(range(len(names)), key=lambda i: (key(names.iloc[i]), ties[i]))
    return np.asarray(order, dtype=int)


def index_headings(names: list[str], language: str) -> list[str]:
    """The letter heading of each name in ICU's alphabetic index of the language's locale."""
    locale = icu.Locale(COLLATION_LOCALES.get(language, "en_GB"))
    alphabet = icu.AlphabeticIndex(locale)
    if language != "en":
        alphabet.addLabels(icu.Locale("en_GB"))  # Latin names in a Cyrillic report get their letter too
    labels = alphabet.buildImmutableIndex()
    return [labels.getBucket(labels.getBucketIndex(name))[0] for name in names]


def municipality_index(municipalities: pd.DataFrame, region_anchors: Mapping[str, str],
                       language: str) -> list[dict[str, Any]]:
    """Every municipality with at least one school, alphabetically in ``language``: a dict per municipality
    with its table row's values, ``anchor`` (the id of its region's page, for the page number) and
    ``heading`` (its letter; set on the first municipality of each letter only, else ``None``)."""
    with_schools = municipalities[municipalities["n_schools"] > 0].reset_index(drop=True)
    if with_schools.empty:
        return []
    order = collation_order(with_schools["municipality_name"].astype(str), language,
                            with_schools["municipality_code"])
    rows = with_schools.iloc[order].reset_index(drop=True)
    distinguishable = rows["distinguishable_from_random"].astype("boolean").fillna(False).astype(bool)
    headings = index_headings([str(n) for n in rows["municipality_name"]], language)
    records = []
    previous = None
    for i, row in enumerate(rows.astype(object).where(rows.notna(), None).to_dict("records")):
        row["defined"] = row["status"] == STATUS_OK
        row["distinguishable"] = bool(distinguishable.iloc[i])
        row["anchor"] = region_anchors.get(str(row["region_code"]))
        row["heading"] = headings[i] if headings[i] != previous else None
        previous = headings[i]
        records.append(row)
    return records
