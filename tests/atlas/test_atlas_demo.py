"""The demo atlases (skipped when `make demo` has not been run in this clone): one per country and configured
language, the Spanish one within its size budget, and in the browser their figures are the published ones."""

from __future__ import annotations

import unicodedata

import pytest

from conftest import REPO
from segmap.files import read_csv
from segmap.maps.classes import as_float
from segmap.report import i18n

ATLASES = {("bg", "bg"): "D.2.1", ("bg", "en"): "D.2.1", ("es", "es"): "D.2.6", ("es", "en"): "D.2.6",
           ("be", "fr"): "D.2.5", ("be", "nl"): "D.2.5", ("be", "en"): "D.2.5"}
SPANISH_BUDGET_MB = 12.0


def atlas(country: str, language: str):
    path = REPO / "outputs" / country / "atlas" / f"{ATLASES[country, language]}_atlas_{country}_{language}.html"
    if not path.is_file():
        pytest.skip(f"{path.name} not built (run `make demo` first)")
    return path


def plain(text: str) -> str:
    """The name as a reader might type it: no accents, upper case."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).upper()


@pytest.mark.parametrize("country, language", sorted(ATLASES))
def test_every_country_and_language_has_its_atlas(country, language):
    assert atlas(country, language).stat().st_size > 100_000


def test_the_spanish_atlas_is_within_its_size_budget():
    assert atlas("es", "es").stat().st_size / 1e6 < SPANISH_BUDGET_MB


@pytest.mark.parametrize("country, language", [("es", "es"), ("bg", "bg"), ("be", "nl")])
def test_a_searched_municipality_shows_its_published_figures(browser, country, language):
    path = atlas(country, language)
    table = read_csv(REPO / "outputs" / country / "published" / "municipality_indices.csv")
    defined = table[(table["status"] == "ok") & ~table["pupils_group"].astype(str).str.startswith("<")
                    & table["dissimilarity_adjusted"].notna()]
    row = defined.iloc[len(defined) // 2]
    others = table["municipality_name"].map(plain) == plain(row["municipality_name"])
    assert others.sum() == 1 or pytest.skip("the chosen name is not unique")
    browser.open(path)
    browser.search(plain(row["municipality_name"]) if country != "bg" else row["municipality_name"].lower())
    shown = browser.figures()
    assert shown["name"] == row["municipality_name"]
    assert shown["group_share"] == i18n.format_percent(row["group_share"], 1, language)
    d, low, high = (as_float([row[c]])[0] for c in ("dissimilarity_adjusted", "dissimilarity_adjusted_ci_low",
                                                    "dissimilarity_adjusted_ci_high"))
    separator = "; " if low < 0 else "–"
    assert shown["dissimilarity_adjusted"] == (f"{i18n.format_index(d, 2, language)} "
                                               f"[{i18n.format_index(low, 2, language)}{separator}"
                                               f"{i18n.format_index(high, 2, language)}]")
    assert shown["pupils_group"] == i18n.format_number(as_float([row["pupils_group"]])[0], 0, language)
    assert browser.errors() == []
    assert browser.remote_requests() == []


def test_the_bulgarian_atlas_maps_the_change_between_school_years(browser):
    path = atlas("bg", "en")
    change = read_csv(REPO / "outputs" / "bg" / "published" / "municipality_change.csv")
    if change.empty:
        pytest.skip("the Bulgarian demo has one school year")
    browser.open(path)
    browser.driver.find_element("id", "indicator-change").click()
    title = browser.text("#legend-title")
    assert str(change["year_from"].iloc[0]) in title and str(change["year_to"].iloc[0]) in title
    assert "No clear change" in browser.text("#legend-items")
    assert browser.errors() == []
