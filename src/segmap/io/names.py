"""Municipality names as keys that survive the ways registries write them.

A school registry may give the municipality by name ("Alcalá de Henares", "Дряново") where the census gives
codes. :func:`name_keys` turns a name into keys of three tiers, from strict to loose, and
:func:`census_name_index` indexes the census names under them; matching (:mod:`segmap.io.reconcile`) uses the
strictest tier that finds a candidate, so two municipalities whose names differ only in a loose tier are still
told apart by an exact name.

- tier ``exact``: case and surrounding or repeated blanks ignored;
- tier ``letters``: also accents, punctuation, ``-`` and blanks ignored ("Alcala-de-Henares");
- tier ``transliterated``: also Cyrillic written in Latin letters and its common spelling variants
  ("Dryanovo", "Drjanovo", "Drianovo" for "Дряново"; "Sofia" for "София").

Census names get variants: each part of a bilingual name written with ``/`` ("Alicante/Alacant",
"Donostia/San Sebastián") and the article put back in front of a name that the INE writes after it
("Rozas de Madrid, Las" is also "Las Rozas de Madrid").
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

TIERS = ("exact", "letters", "transliterated")

# Bulgarian Cyrillic to Latin (the streamlined system of the Bulgarian Transliteration Act, 2009), with the
# letters of other Cyrillic alphabets that registries may use.
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
    "ё": "e", "ы": "y", "э": "e", "і": "i", "ї": "i", "є": "e", "ґ": "g", "ј": "j", "љ": "lj", "њ": "nj",
    "ђ": "dj", "ћ": "c", "џ": "dz", "ѝ": "i",
}

# Spelling variants of Latin transliterations folded together in the loosest tier (applied in order).
TRANSLITERATION_VARIANTS = (
    ("kh", "h"), ("shch", "sht"), ("tz", "ts"), ("j", "y"), ("w", "v"), ("y", "i"), ("x", "ks"),
)

# Articles that the INE writes after the name ("Rozas de Madrid, Las"; "Alqueria de la Comtessa, l'").
POSTPOSED_ARTICLES = {"el", "la", "los", "las", "l'", "lo", "els", "les", "o", "a", "os", "as", "es", "sa",
                      "ses", "s'", "le", "die", "der", "das", "de", "het", "t'"}


def _fold_blanks(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def strip_accents(text: str) -> str:
    """``Alcalá`` -> ``Alcala``; Cyrillic letters keep their identity (``й`` stays ``й``, ``ё`` becomes ``е``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", kept.replace("и\u0306", "й"))


def transliterate(text: str) -> str:
    """Cyrillic letters in Latin (Bulgarian streamlined system); other characters unchanged; lower case."""
    return "".join(CYRILLIC_TO_LATIN.get(char, char) for char in text.casefold())


def name_keys(name: str) -> dict[str, str]:
    """The key of ``name`` in each tier (:data:`TIERS`); empty keys for an empty name."""
    exact = _fold_blanks(str(name)).casefold()
    letters = re.sub(r"[\W_]+", "", strip_accents(exact))
    loose = re.sub(r"[\W_]+", "", strip_accents(transliterate(strip_accents(exact))))
    for variant, replacement in TRANSLITERATION_VARIANTS:
        loose = loose.replace(variant, replacement)
    loose = re.sub(r"i+", "i", loose)  # "Sofiya" (я as ya), "Sofiia" and "Sofia" agree
    return {"exact": exact, "letters": letters, "transliterated": loose}


def name_variants(name: str) -> list[str]:
    """The ways a census name may be written by others: the name, each ``/`` part, the article in front."""
    name = _fold_blanks(str(name))
    variants = [name]
    parts = [part.strip() for part in re.split(r"\s*/\s*", name) if part.strip()]
    variants += parts if len(parts) > 1 else []
    for text in list(variants):
        match = re.fullmatch(r"(.+),\s*([^,]+)", text)
        if match and match.group(2).casefold() in POSTPOSED_ARTICLES:
            article = match.group(2)
            joiner = "" if article.endswith("'") else " "
            variants.append(f"{article}{joiner}{match.group(1)}")
    return list(dict.fromkeys(variants))


def census_name_index(codes: Iterable[str], names: Iterable[str]) -> dict[str, dict[str, set[str]]]:
    """``{tier: {key: {codes}}}`` of census names and their variants."""
    index: dict[str, dict[str, set[str]]] = {tier: {} for tier in TIERS}
    for code, name in zip(codes, names):
        if name is None or (isinstance(name, float) and name != name) or not str(name).strip():
            continue
        for variant in name_variants(str(name)):
            for tier, key in name_keys(variant).items():
                if key:
                    index[tier].setdefault(key, set()).add(str(code))
    return index


def looks_like_name(value: str) -> bool:
    """True for a value that reads as a place name rather than a code: three letters or more in a row and
    not a code shape such as ``SOF46`` or ``ES_01001`` (letters and digits without blanks)."""
    text = _fold_blanks(str(value))
    if not re.search(r"[^\W\d_]{3,}", text):
        return False
    return bool(re.search(r"\s", text)) or not re.search(r"\d", text)
