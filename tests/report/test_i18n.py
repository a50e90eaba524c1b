"""Languages of the report: complete catalogs, matching placeholders, locale-aware numbers, translated
texts on the Python side, and the demo reports in Bulgarian, French and Dutch."""

from __future__ import annotations

import re

import pytest

from segmap.maps.captions import map_texts
from segmap.report import i18n
from segmap.report import render as report
from segmap.settings import country_settings

from conftest import REPO

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]


def test_template_is_up_to_date():
    """The .pot file holds exactly the messages of the template and the sources (run
    ``python -m segmap.report.i18n update`` after changing a text)."""
    from babel.messages.pofile import read_po

    with open(i18n.template_path(), "rb") as handle:
        stored = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(handle) if m.id}
    extracted = {m.id if isinstance(m.id, str) else tuple(m.id) for m in i18n.extract_template() if m.id}
    assert stored == extracted


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_is_complete_with_matching_placeholders(language):
    assert i18n.catalog_problems(language) == []


def test_catalog_check_finds_missing_empty_and_wrong_placeholders(tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = Catalog(domain=i18n.DOMAIN)
    for message in ("Schools", "Share of %(group)s", "Rows"):
        template.add(message)
    with open(tmp_path / "segmap.pot", "wb") as handle:
        write_po(handle, template)
    catalog = Catalog(locale="bg", domain=i18n.DOMAIN)
    catalog.add("Schools", "Училища")
    catalog.add("Share of %(group)s", "Дял на %(grupa)s")
    catalog.add("Rows", "")
    path = tmp_path / "bg" / "LC_MESSAGES"
    path.mkdir(parents=True)
    with open(path / "segmap.po", "wb") as handle:
        write_po(handle, catalog)
    problems = i18n.catalog_problems("bg", tmp_path)
    assert len(problems) == 2
    assert any("placeholders" in p and "Share of" in p for p in problems)
    assert any("not translated" in p and "Rows" in p for p in problems)


@pytest.mark.parametrize(("language", "number", "percent", "index"), [
    ("en", "1,234,567.5", "12.3%", "0.46"),
    ("bg", "1\u00a0234\u00a0567,5", "12,3%", "0,46"),
    ("es", "1.234.567,5", "12,3\u00a0%", "0,46"),
    ("fr", "1\u202f234\u202f567,5", "12,3\u00a0%", "0,46"),
    ("nl", "1.234.567,5", "12,3%", "0,46"),
])
def test_numbers_follow_the_locale(language, number, percent, index):
    assert i18n.format_number(1234567.5, 1, language) == number
    assert i18n.format_percent(0.1234, 1, language) == percent
    assert i18n.format_index(0.4567, language=language) == index
    assert i18n.format_number(float("nan"), language=language) == "–"
    assert i18n.decimal_mark(language) == ("." if language == "en" else ",")


def test_template_filters_and_privacy_per_language(tmp_path):
    (tmp_path / "t.j2").write_text("{{ a|count }} {{ c|count }} {{ p|percent }} {{ _('Schools') }}", encoding="utf-8")
    rendered = report.make_environment(tmp_path, "nl").get_template("t.j2").render(a=3, c=1234, p=0.5, min_cell=5)
    assert rendered == "&lt;5 1.234 50,0% Scholen"
    rendered = report.make_environment(tmp_path, "bg").get_template("t.j2").render(a=3, c=1234, p=0.5, min_cell=5)
    assert rendered == "&lt;5 1\u00a0234 50,0% Училища"


def test_translated_text_is_escaped_around_data(tmp_path):
    (tmp_path / "t.j2").write_text("{% trans %}Only {{ group }} in the municipality's schools{% endtrans %}",
                                   encoding="utf-8")
    environment = report.make_environment(tmp_path, "fr")
    environment.policies["ext.i18n.trimmed"] = True
    rendered = environment.get_template("t.j2").render(group="<b>x</b>")
    assert rendered == "Uniquement des &lt;b&gt;x&lt;/b&gt; dans les écoles de la commune"


def demo_settings(country):
    from segmap.settings import load_config

    return country_settings(load_config(REPO / "config" / "config.yaml"), country)


def test_config_languages_and_group_labels():
    assert demo_settings("bg")["languages"] == ["bg", "en"]
    assert demo_settings("es")["languages"] == ["es", "en"]
    assert demo_settings("be")["languages"] == ["fr", "nl", "en"]
    settings = demo_settings("bg")
    assert i18n.group_labels(settings, "bg") == ("ученици роми", "ученик ром")
    assert i18n.group_labels(settings, "es") == ("alumnado gitano", "alumno gitano")
    assert i18n.group_labels(settings, "fr") == ("élèves roms", "élève rom")
    assert i18n.group_labels(settings, "nl") == ("Roma-leerlingen", "Roma-leerling")
    assert i18n.group_labels(settings, "en") == ("Roma pupils", "Roma pupil")
    own = {**settings, "group_labels": {"bg": "деца роми"}}
    assert i18n.group_labels(own, "bg")[0] == "деца роми"


def test_map_texts_are_translated():
    settings = demo_settings("bg")
    texts = map_texts(settings, {"severe": 1234, "segregated": 5}, language="bg")
    assert texts["isolation"]["title"] == "Индекс на изолация по общини"
    assert "ученици роми" in texts["group_share"]["title"]
    assert texts["segregated_schools"]["categories"]["severe"] == "Тежко сегрегирани (≥ 80%): 1\u00a0234"
    english = map_texts(settings, {"severe": 1234}, language="en")
    assert english["segregated_schools"]["categories"]["severe"] == "Severely segregated (≥ 80%): 1,234"
    assert i18n.Translator("bg").distance_unit == "км" and i18n.Translator("fr").distance_unit == "km"


def pdf_text(path):
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def built(path):
    if not path.is_file():
        pytest.skip(f"{path.name} not built (run `make demo` first)")
    return path


def test_bulgarian_report_is_in_bulgarian():
    text = pdf_text(built(REPO / "outputs" / "bg" / "D.2.1_school_segregation_maps_bg_bg.pdf"))
    letters = re.findall(r"[^\W\d_]", text)
    cyrillic = [c for c in letters if "\u0400" <= c <= "\u04ff"]
    assert len(cyrillic) > 0.8 * len(letters)
    for term in ("индекс на несходство", "индекс на изолация", "сегрегирани училища", "случайно разпределение",
                 "България", "СИНТЕТИЧНИ ДЕМОНСТРАЦИОННИ ДАННИ"):
        assert term.lower() in text.lower(), term


@pytest.mark.parametrize(("language", "terms"), [
    ("fr", ("indice de dissimilarité", "indice d'isolement", "écoles ségréguées", "Belgique", "répartition aléatoire")),
    ("nl", ("dissimilariteitsindex", "isolatie-index", "gesegregeerde scholen", "België", "willekeurige toewijzing")),
])
def test_belgian_reports_in_french_and_dutch(language, terms):
    text = pdf_text(built(REPO / "outputs" / "be" / f"D.2.5_school_segregation_maps_be_{language}.pdf"))
    for term in terms:
        assert term.lower() in text.lower(), term
    assert "School segregation maps" not in text


def test_spanish_report_is_in_spanish():
    text = pdf_text(built(REPO / "outputs" / "es" / "D.2.6_school_segregation_maps_es_es.pdf"))
    for term in ("índice de disimilitud", "índice de aislamiento", "centros segregados", "España", "alumnado gitano"):
        assert term.lower() in text.lower(), term


def test_every_configured_report_exists():
    expected = {"bg": ("D.2.1", ["bg", "en"]), "es": ("D.2.6", ["es", "en"]), "be": ("D.2.5", ["fr", "nl", "en"])}
    paths = [REPO / "outputs" / c / f"{d}_school_segregation_maps_{c}_{lang}.pdf"
             for c, (d, langs) in expected.items() for lang in langs]
    if not any(p.is_file() for p in paths):
        pytest.skip("demo not built")
    assert [p.name for p in paths if not p.is_file()] == []
