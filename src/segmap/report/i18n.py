"""Languages of the report: message catalogs (gettext, read with Babel) and locale-aware numbers.

The catalogs are plain ``.po`` files in ``locales/{lang}/LC_MESSAGES/segmap.po`` beside this module (package
data; ``reports/locales`` in the checkout points there), made from the template ``locales/segmap.pot``. They are read at run time with Babel and compiled in memory
(no ``.mo`` files, no compile step, the same bytes on every run). English is the source language: its
texts are the message ids themselves.

Numbers, percentages and indices are formatted with :mod:`babel.numbers` for the report's locale
(``bg_BG``, ``es_ES``, ``fr_BE``, ``nl_BE``, ``en_GB``): decimal mark, grouping and the place of the
percent sign follow the locale.

Update the template and the catalogs after changing a text (keeps existing translations, adds new
messages with an empty translation, which the tests then report)::

    python -m segmap.report.i18n update
"""

from __future__ import annotations

import copy
import io
import math
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DOMAIN = "segmap"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"
SOURCE_LANGUAGE = "en"
#: Report language -> Babel locale used for numbers.
LOCALES = {"en": "en_GB", "bg": "bg_BG", "es": "es_ES", "fr": "fr_BE", "nl": "nl_BE"}
LANGUAGES = tuple(LOCALES)
#: Plural rules written into the catalogs' headers (two forms for every report language).
PLURAL_FORMS = {
    "bg": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "nl": "nplurals=2; plural=(n != 1);",
}
MISSING = "–"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%%")


def N_(message: str) -> str:
    """Mark a text for the catalogs without translating it here (translated where it is used)."""
    return message


# Texts that come from the configuration in English and have a translation in the catalogs (a
# configured text that is not here prints as configured).
CONFIG_TEXTS = [
    N_("Bulgaria"), N_("Spain"), N_("Belgium"),
    N_("Roma pupils"), N_("Roma pupil"),
    N_("Canary Islands"), N_("Ceuta"), N_("Melilla"), N_("Balearic Islands"),
    N_("Sofia"), N_("Brussels"),
]


def catalog_path(language: str, locale_dir: str | Path | None = None) -> Path:
    return Path(locale_dir or LOCALE_DIR) / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def template_path(locale_dir: str | Path | None = None) -> Path:
    return Path(locale_dir or LOCALE_DIR) / f"{DOMAIN}.pot"


def read_catalog(language: str, locale_dir: str | Path | None = None):
    """The Babel catalog of ``language`` as read from its ``.po`` file."""
    with open(catalog_path(language, locale_dir), "rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


@lru_cache(maxsize=None)
def translations(language: str, locale_dir: str | None = None) -> NullTranslations:
    """gettext translations of ``language`` (English: the message ids themselves)."""
    if language not in LOCALES:
        raise ValueError(f"unknown report language {language!r}; known: {', '.join(LANGUAGES)}")
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    catalog = read_catalog(language, locale_dir)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def babel_locale(language: str) -> Locale:
    return Locale.parse(LOCALES[language])


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _pattern(language: str, kind: str, digits: int):
    locale = babel_locale(language)
    pattern = copy.copy((locale.percent_formats if kind == "percent" else locale.decimal_formats)[None])
    pattern.frac_prec = (digits, digits)
    return locale, pattern


def format_number(value: Any, digits: int = 0, language: str = "en") -> str:
    """1234567.5 -> '1,234,567.5' (en), '1 234 567,5' (bg, fr: the locale's space), '1.234.567,5' (es, nl)."""
    if _missing(value):
        return MISSING
    locale, pattern = _pattern(language, "decimal", digits)
    value = float(value)
    if round(value, digits) == 0:
        value = 0.0  # no "−0.00"
    return _minus(pattern.apply(value, locale))


def _minus(text: str) -> str:
    """A typographic minus sign instead of the hyphen Babel writes before negative numbers."""
    return "\u2212" + text[1:] if text.startswith("-") else text


def format_percent(value: Any, digits: int = 1, language: str = "en") -> str:
    """0.1234 -> '12.3%' (en), '12,3 %' (fr, es), '12,3%' (bg, nl)."""
    if _missing(value):
        return MISSING
    locale, pattern = _pattern(language, "percent", digits)
    return pattern.apply(float(value), locale)


def format_index(value: Any, digits: int = 2, language: str = "en") -> str:
    """0.4567 -> '0.46' (en), '0,46' (bg, es, fr, nl)."""
    return format_number(value, digits, language)


def format_change(value: Any, digits: int = 3, language: str = "en") -> str:
    """A change with its sign: 0.0123 -> '+0.012', -0.04 -> '−0.040' (en), '+0,012' (bg, es, fr, nl); NaN -> '–'."""
    if _missing(value):
        return MISSING
    value = float(value)
    if round(value, digits) == 0:
        return format_number(0.0, digits, language)
    text = format_number(value, digits, language)
    return "+" + text if value > 0 else text


def decimal_mark(language: str) -> str:
    """The locale's decimal mark (``,`` for bg, es, fr, nl)."""
    return babel_locale(language).number_symbols["latn"]["decimal"]


class Translator:
    """Texts and numbers of one report language, for the Python side of the report and the maps."""

    def __init__(self, language: str = "en"):
        self.language = language
        self.translations = translations(language)

    def gettext(self, message: str, **variables: Any) -> str:
        text = self.translations.gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", self.number(n))
        return self.translations.ngettext(singular, plural, n) % variables

    def number(self, value: Any, digits: int = 0) -> str:
        return format_number(value, digits, self.language)

    def percent(self, value: Any, digits: int = 1) -> str:
        return format_percent(value, digits, self.language)

    def index(self, value: Any, digits: int = 2) -> str:
        return format_index(value, digits, self.language)

    @property
    def decimal_mark(self) -> str:
        return decimal_mark(self.language)

    def distance(self, kilometres: float) -> str:
        """A scale bar length: ``"20 km"``, ``"0,5 км"`` (decimals only when needed)."""
        value = float(kilometres)
        digits = 0 if value == round(value) else len(f"{value:g}".split(".")[1])
        return f"{self.number(value, digits)}\u00a0{self.distance_unit}"

    @property
    def distance_unit(self) -> str:
        # TRANSLATORS: abbreviation of kilometre on the maps' scale bars
        return self.gettext("km")

    def config_text(self, text: str) -> str:
        """A text from the configuration, translated when the catalogs know it."""
        return self.translations.gettext(text) if text else text


def upper_first(text: Any) -> str:
    """The text with its first letter in upper case (the rest unchanged, unlike ``capitalize``)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def localised(texts: Mapping[str, str] | None, language: str) -> str | None:
    """A configured text per language (``"*"``: every other language); ``None`` when there is none."""
    texts = texts or {}
    return texts.get(language) or texts.get("*") or None


#: Bulgarian "в" and "с" take a vowel before a word that starts with the same or a similar sound ("във Видин",
#: "във Варна", "със Сливен"): names from the data fill the translations, so the rule is applied to the text.
_BG_PREPOSITIONS = [(re.compile(r"(?<![\w-])([вВ]) (?=[вВфФ])"), r"\1ъв "),
                    (re.compile(r"(?<![\w-])([сС]) (?=[сСзЗ])"), r"\1ъс ")]


#: A space that must not break a line: between a number and its percent sign ("10 %", from a translation) and
#: between a comparison sign and its number ("≥ 50%").
_NO_BREAK = [(re.compile(r"(\d) %"), "\\1\u00a0%"), (re.compile(r"(≥|&gt;|&lt;|≤) (?=\d)"), "\\1\u00a0")]


def no_break_spaces(text: str) -> str:
    """``10 %`` and ``≥ 50%`` with no-break spaces, so that a line never breaks inside them."""
    for pattern, replacement in _NO_BREAK:
        text = pattern.sub(replacement, text)
    return text


def bulgarian_prepositions(text: str) -> str:
    """``в``/``с`` before a word starting with в/ф or с/з become ``във``/``със`` (Bulgarian orthography)."""
    for pattern, replacement in _BG_PREPOSITIONS:
        text = pattern.sub(replacement, text)
    return text


def translator(language: str = "en") -> Translator:
    return Translator(language)


def group_labels(settings: dict[str, Any], language: str) -> tuple[str, str]:
    """The group's label (plural) and its singular in ``language``: ``group_labels`` /
    ``group_labels_singular`` of the country's settings when set for the language, else the catalog's
    translation of the configured English label, else the label as configured."""
    t = Translator(language)
    label = (settings.get("group_labels") or {}).get(language) or t.config_text(settings["group_label"])
    one = (settings.get("group_labels_singular") or {}).get(language) or t.config_text(
        settings.get("group_label_singular") or settings["group_label"])
    return label, one


# --------------------------------------------------------------------------------------------------
# Catalog maintenance and checks
# --------------------------------------------------------------------------------------------------

SOURCE_DIR = Path(__file__).resolve().parents[1]  # the segmap package
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def extract_template():
    """The catalog template: every message of the report template and of the Python sources."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(domain=DOMAIN, project="segmap", version="0.1.0", charset="utf-8",
                      msgid_bugs_address="", copyright_holder="segmap contributors", fuzzy=False)
    sources = [
        (SOURCE_DIR, [("**.py", "python")], {}),
        (TEMPLATE_DIR, [("**.j2", "jinja2")], {"**.j2": {"extensions": "jinja2.ext.i18n",
                                                            "trimmed": "true"}}),
    ]
    root = SOURCE_DIR.parents[1]
    for folder, method_map, options in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
                str(folder), method_map, options, keywords={"_": None, "gettext": None, "N_": None,
                                                            "ngettext": (1, 2)},
                comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            path = (folder / filename).relative_to(root).as_posix()
            catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog


def update_catalogs(locale_dir: str | Path | None = None) -> None:
    """Write the template and merge it into every language's catalog (translations are kept)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = extract_template()
    with open(template_path(locale_dir), "wb") as handle:
        write_po(handle, template, width=100, omit_header=False, sort_output=False, no_location=False)
    for language in LANGUAGES:
        if language == SOURCE_LANGUAGE:
            continue
        path = catalog_path(language, locale_dir)
        if path.is_file():
            catalog = read_catalog(language, locale_dir)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, project="segmap", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog._num_plurals, catalog._plural_expr = _plural_parts(language)
        with open(path, "wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, ignore_obsolete=True, include_previous=False)


def _plural_parts(language: str) -> tuple[int, str]:
    nplurals, plural = PLURAL_FORMS[language].split(";")[:2]
    return int(nplurals.split("=")[1]), plural.split("=", 1)[1].strip()


def placeholders(text: str) -> list[str]:
    """The named placeholders of a message (``%(name)s``; ``%%`` as ``%``), sorted, each once."""
    return sorted({"%" if match.group(0) == "%%" else match.group(1) for match in PLACEHOLDER.finditer(text)})


def catalog_problems(language: str, locale_dir: str | Path | None = None) -> list[str]:
    """Messages of the template missing from the catalog, empty or fuzzy translations, and translations
    whose placeholders differ from their message's."""
    with open(template_path(locale_dir), "rb") as handle:
        template = read_po(handle)
    catalog = read_catalog(language, locale_dir)
    problems = []
    for message in template:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        translated = catalog.get(message.id, message.context)
        if translated is None:
            problems.append(f"{language}: missing {key!r}")
            continue
        strings = translated.string if isinstance(translated.string, (list, tuple)) else [translated.string]
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        if not all(strings) or translated.fuzzy:
            problems.append(f"{language}: not translated {key!r}")
            continue
        expected = placeholders(ids[-1])
        for string in strings:
            found = placeholders(string)
            if found != expected and found != placeholders(ids[0]):
                problems.append(f"{language}: placeholders {found} instead of {expected} in {key!r}")
    return problems


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update_catalogs()
        return 0
    if argv[:1] == ["check"]:
        problems = [p for lang in LANGUAGES if lang != SOURCE_LANGUAGE for p in catalog_problems(lang)]
        print("\n".join(problems) or "all catalogs complete")
        return 1 if problems else 0
    print("usage: python -m segmap.report.i18n update|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
