"""The demo reports as a ministry reads them (skipped when `make demo` has not been run in this clone): a summary
of findings after the cover, every municipality with schools in the alphabetical index, the administrative levels
named in the report's language, and the definitions with their sources and the comparability note."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pytest

from conftest import REPO

REPORTS = {
    ("bg", "bg"): "D.2.1", ("bg", "en"): "D.2.1",
    ("es", "es"): "D.2.6", ("es", "en"): "D.2.6",
    ("be", "fr"): "D.2.5", ("be", "nl"): "D.2.5", ("be", "en"): "D.2.5",
}
SUMMARY = {"en": "Summary for decision makers", "bg": "Резюме за вземащите решения",
           "es": "Resumen para responsables de decisiones", "fr": "Synthèse pour les décideurs",
           "nl": "Samenvatting voor beleidsmakers"}
INDEX = {"en": "Index of municipalities", "bg": "Азбучен указател на общините", "es": "Índice de municipios",
         "fr": "Index des communes", "nl": "Register van gemeenten"}
HOW_TO = {"en": "How to use this report", "bg": "Как да използвате този доклад", "es": "Cómo usar este informe",
          "fr": "Comment utiliser ce rapport", "nl": "Hoe dit rapport te gebruiken"}
COMPARING = {"en": "Comparing countries", "bg": "Сравнение между държавите", "es": "Comparación entre países",
             "fr": "Comparer les pays", "nl": "Landen vergelijken"}


@lru_cache(maxsize=None)
def pages(country: str, language: str) -> tuple[str, ...]:
    from pypdf import PdfReader

    path = REPO / "outputs" / country / f"{REPORTS[country, language]}_school_segregation_maps_{country}_{language}.pdf"
    if not path.is_file():
        pytest.skip(f"{path.name} not built (run `make demo` first)")
    return tuple(" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages)


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("country, language", sorted(REPORTS))
def test_summary_page_follows_the_cover(country, language):
    text = pages(country, language)
    assert SUMMARY[language] in text[1] and HOW_TO[language] in text[1]
    # findings point to the pages that show them
    assert text[1].count("→") >= 3


@pytest.mark.parametrize("country, language", sorted(REPORTS))
def test_every_municipality_with_schools_is_in_the_index(country, language):
    text = pages(country, language)
    # the index pages: their running header names the chapter (the cover's contents are left out)
    index_pages = [page for page in text[1:] if INDEX[language] in page]
    assert index_pages
    index_text = squeezed(" ".join(index_pages))
    table = pd.read_csv(REPO / "outputs" / country / "municipality_indices.csv", dtype={"municipality_code": str})
    with_schools = table[table["n_schools"] > 0]
    missing = [name for name in with_schools["municipality_name"] if squeezed(str(name)) not in index_text]
    assert not missing, f"{len(missing)} municipalities missing from the index, e.g. {missing[:5]}"


def test_spanish_reports_name_provinces_and_have_the_autonomous_community_table():
    spanish, english = " ".join(pages("es", "es")), " ".join(pages("es", "en"))
    assert "provincias" in spanish and "Provincias" in spanish
    assert "provinces" in english and "Provinces" in english
    assert "Comunidades y ciudades autónomas" in spanish and "Autonomous communities and cities" in english
    for name in ("Andalucía", "Castilla y León", "Ceuta", "Melilla"):
        assert name in spanish
    for name in ("Andalusia", "Castile and León", "Basque Country"):
        assert name in english
    table = pd.read_csv(REPO / "outputs" / "es" / "upper_level_indices.csv", dtype={"upper_code": str})
    assert len(table) == 19 and table["n_regions"].sum() == 52


def test_belgian_reports_name_provinces_in_the_report_language():
    french, dutch = " ".join(pages("be", "fr")), " ".join(pages("be", "nl"))
    assert "provinces" in french and "provincies" in dutch
    for name in ("Anvers", "Flandre-Occidentale", "Hainaut", "Région de Bruxelles-Capitale"):
        assert name in french
    for name in ("Antwerpen", "West-Vlaanderen", "Henegouwen", "Waals-Brabant", "Brussels Hoofdstedelijk Gewest"):
        assert name in dutch
    # Brussels in one language per report; the Walloon provinces under their Dutch names
    assert "Région de Bruxelles-Capitale / Brussels" not in squeezed(dutch)
    assert "Henegouwen" not in french and "Hainaut" not in dutch
    assert "Vlaams Gewest" in dutch and "Région wallonne" in french


@pytest.mark.parametrize("country, language", sorted(REPORTS))
def test_methodology_states_every_definition_with_its_source_and_what_compares(country, language):
    text = " ".join(pages(country, language))
    assert COMPARING[language] in text
    assert "Secretariado Gitano" in text and "(2022)" in text  # the Spanish definition with its publication
    assert "Amalipe" in text or "Амалипе" in text
    if language == "en":
        assert "compareonlybetweenreportsthatusethesamedefinition" in squeezed(text)
        assert "What does compare across countries" in text


@pytest.mark.parametrize("country, language", sorted(REPORTS))
def test_cover_partners_come_from_the_configuration(country, language):
    from segmap.settings import load_config, load_settings

    cover = squeezed(pages(country, language)[0])
    partners = load_settings(load_config(REPO / "config" / "config.yaml")).country(country).partners
    assert len(partners) == 3
    for partner in partners:
        assert squeezed(partner.get(language) or partner["*"]) in cover
