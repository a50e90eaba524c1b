"""Bulgaria's districts and codes: LAU municipality codes, EKATTE settlement codes, place-name keys.

Owns the 28 districts (:data:`BG_DISTRICTS`, :class:`BgDistrict`, by code and NUTS 3 code, with other
spellings of their names), LAU municipality codes (:func:`normalise_lau_code`, :func:`is_lau_code`,
:func:`bg_district`), EKATTE settlement codes (:func:`is_ekatte`) and matching place names across scripts
and spellings (:func:`name_key`, :func:`strip_name_prefix`, :func:`bg_district_by_name`). Used by the NSI
recipes (:mod:`segmap.recipes.bg_nsi`); nothing here reads a file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from segmap.recipes.common import cell_text


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

LAU_PATTERN = re.compile(r"([A-Z]{3})(\d{2})")


def name_key(name: Any) -> str:
    """A key for matching place names: no prefix such as 'община', Latin letters, lower case, letters
    and digits only; 'Община Добрич-селска' and 'Dobrich - Selska' give the same key."""
    text = _NAME_PREFIX.sub("", cell_text(name))
    text = "".join(_BG_LATIN.get(ch, ch) for ch in text.lower())
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def strip_name_prefix(name: str) -> str:
    """A place name without a leading 'община', 'област', 'municipality of' ...: 'Община Банско' -> 'Банско'."""
    return _NAME_PREFIX.sub("", name)


_DISTRICT_KEYS: dict[str, str] = {}
for _district in BG_DISTRICTS:
    for _name in [_district.name_bg, _district.name_en, *BG_DISTRICT_ALIASES.get(_district.code, [])]:
        _DISTRICT_KEYS.setdefault(name_key(_name), _district.code)


def normalise_lau_code(value: Any) -> str:
    """A Bulgarian LAU (municipality) code in canonical form: ``' sof 46 '`` -> ``SOF46``.

    Blanks, hyphens and underscores are dropped, letters upper-cased (Cyrillic look-alikes become
    Latin: ВLG03 typed with a Cyrillic В), and a ``BG``/``BG_`` country prefix (GISCO_ID) removed.
    Raises ``ValueError`` when the result is not a district code from :data:`BG_DISTRICTS` followed by
    two digits.
    """
    text = re.sub(r"[\s\-_.]", "", cell_text(value).upper().translate(_HOMOGLYPHS))
    if len(text) == 7 and text.startswith("BG") and LAU_PATTERN.fullmatch(text[2:]):
        text = text[2:]
    match = LAU_PATTERN.fullmatch(text)
    if not match or match.group(1) not in BG_DISTRICT_BY_CODE:
        raise ValueError(f"{cell_text(value)!r} is not a Bulgarian LAU code (the district's three letters and "
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
    return bool(re.fullmatch(r"\d{5}", cell_text(value)))


def bg_district(code: Any) -> BgDistrict:
    """The district of a LAU code (``BLG03``), a district code (``BLG``) or a NUTS 3 code (``BG413``).

    ``bg_district("SOF46").nuts3 == "BG411"``; raises ``ValueError`` for anything else.
    """
    text = re.sub(r"[\s\-_.]", "", cell_text(code).upper().translate(_HOMOGLYPHS))
    if text in BG_DISTRICT_BY_CODE:
        return BG_DISTRICT_BY_CODE[text]
    if text in BG_DISTRICT_BY_NUTS3:
        return BG_DISTRICT_BY_NUTS3[text]
    return BG_DISTRICT_BY_CODE[normalise_lau_code(code)[:3]]


def bg_district_by_name(name: Any) -> BgDistrict | None:
    """The district a name denotes ('Благоевград', 'Област Благоевград', 'София-град'), or ``None``."""
    code = _DISTRICT_KEYS.get(name_key(name))
    return BG_DISTRICT_BY_CODE[code] if code else None
