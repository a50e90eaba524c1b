"""The atlas in a real browser (headless Chromium, network off): it loads without errors and without a
request leaving the file, search finds names whatever their accents, case or script, the figures shown are
the published ones, the indicator switch changes the legend, a hostile name stays text, and the keyboard
reaches everything."""

from __future__ import annotations

import pytest

from atlas_samples import HOSTILE, layer, municipalities, regions, regions_layer, settings
from segmap.atlas.assemble import atlas_page
from segmap.report import i18n


@pytest.fixture(scope="module")
def tiny_atlas(tmp_path_factory):
    path = tmp_path_factory.mktemp("atlas") / "tiny_atlas_en.html"
    path.write_text(atlas_page(layer=layer(), regions_layer=regions_layer(), municipalities=municipalities(),
                               regions=regions(), change=None, settings=settings(), language="en"),
                    encoding="utf-8")
    return path


def test_loads_offline_without_errors_or_requests(browser, tiny_atlas):
    browser.open(tiny_atlas)
    assert browser.errors() == []
    requests = browser.requests()
    assert requests[0].startswith("file://")  # the file itself, and nothing that leaves it
    assert [url for url in requests if not url.startswith(("file://", "data:", "blob:"))] == []
    assert browser.text("#legend-title") == "Share of Roma pupils among pupils"
    assert browser.driver.execute_script("return document.querySelectorAll('#legend-items li').length") == 9


def test_search_ignores_accents_case_and_finds_cyrillic(browser, tiny_atlas):
    browser.open(tiny_atlas)
    browser.search("ALEGRIA")
    assert browser.figures()["name"] == "Alegría-Dulantzi"
    browser.search("нono")  # no such name: nothing is chosen, the page says so
    assert browser.driver.find_element("id", "no-match").is_displayed()
    browser.search("брез")
    assert browser.figures()["name"] == "Брезана"
    browser.search("nono")
    assert browser.figures()["name"] == "Ñoño"


def test_figures_shown_are_the_published_ones(browser, tiny_atlas):
    browser.open(tiny_atlas)
    browser.search("Ñoño")
    shown = browser.figures()
    row = municipalities().set_index("municipality_code").loc["02001"]
    assert shown["group_share"] == i18n.format_percent(row["group_share"], 1, "en") == "50.8%"
    assert shown["dissimilarity_adjusted"] == "0.33 [0.20–0.47]"
    assert shown["isolation"] == f"{i18n.format_index(row['isolation'], 2, 'en')} [0.57–0.67]"
    assert shown["pupils_group"] == "330"
    assert shown["map_class"] == "50–100%"
    browser.search("alatoz")  # suppressed in the published table: nothing more is shown than there
    shown = browser.figures()
    assert shown["pupils_group"] == "<5" and shown["group_share"] == "–"
    assert shown["map_class"].startswith("Not shown: fewer than 5")


def test_switching_indicator_changes_map_title_legend_and_class(browser, tiny_atlas):
    browser.open(tiny_atlas)
    browser.search("Ñoño")
    before = browser.text("#legend-items")
    browser.driver.find_element("id", "indicator-dissimilarity").click()
    assert browser.text("#legend-title") == "Adjusted dissimilarity (Carrington–Troske)"
    assert browser.text("#legend-items") != before and "0.30–0.45 (1)" in browser.text("#legend-items")
    assert browser.figures()["map_class"] == "0.30–0.45"
    assert "Dissimilarity beyond chance" in browser.text("#map-alt")
    fills = browser.driver.execute_script(
        "return Bokeh.documents[0].get_model_by_name('municipalities').data.fill.slice()")
    assert fills[1] == "#cfcfcf"  # the chance-level municipality in grey, as in the PDF
    assert browser.errors() == []


def test_a_hostile_name_stays_text(browser, tiny_atlas):
    browser.open(tiny_atlas)
    browser.search("<img")
    assert browser.figures()["name"] == HOSTILE
    assert browser.driver.execute_script("return document.querySelectorAll('img').length") == 0
    assert browser.text("#matches li .name") == HOSTILE  # the list of matches shows it as text as well
    browser.driver.find_element("css selector", "#table-view summary").click()
    from selenium.webdriver.support.ui import WebDriverWait

    cells = WebDriverWait(browser.driver, 5).until(lambda driver: driver.execute_script(
        "return Array.from(document.querySelectorAll('#all-table button')).map(function (b) { return b.textContent; })"))
    assert HOSTILE in cells
    assert browser.driver.execute_script("return document.querySelectorAll('img').length") == 0
    region = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('#region-select option')).map(function (o) { return o.textContent; })")
    assert "Álava <b>bold</b>" in region  # markup in a region name is text too
    assert browser.errors() == [] and browser.remote_requests() == []


def test_region_view_lists_its_municipalities(browser, tiny_atlas):
    from selenium.webdriver.support.ui import Select

    browser.open(tiny_atlas)
    Select(browser.driver.find_element("id", "region-select")).select_by_visible_text("Albacete")
    rows = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('#region-table tbody tr')).map(function (r) { return r.cells[1].textContent; })")
    assert rows == ["Alatoz", "Alcadozo", "Ñoño"]
    highlighted = browser.driver.execute_script(
        "return Bokeh.documents[0].get_model_by_name('region_highlight').data.xs.length")
    assert highlighted == 1  # the chosen region's border drawn thick
    assert browser.figures("region-figures")["dissimilarity_adjusted"] == "0.40 [0.30–0.50]"


def test_the_keyboard_reaches_search_and_map(browser, tiny_atlas):
    from selenium.webdriver.common.keys import Keys

    browser.open(tiny_atlas)
    field = browser.driver.find_element("id", "search")
    field.send_keys("al")
    field.send_keys(Keys.ARROW_DOWN)
    field.send_keys(Keys.ENTER)
    assert browser.figures()["name"] == "Alcadozo"  # second of Alatoz, Alcadozo, Alegría-Dulantzi
    width = "var r = Bokeh.documents[0].get_model_by_name('map').x_range; return r.end - r.start;"
    map_area = browser.driver.find_element("id", "map")
    map_area.send_keys("0")
    before = browser.driver.execute_script(width)
    map_area.send_keys("+")
    assert browser.driver.execute_script(width) < before
    assert browser.driver.execute_script("return document.activeElement.id") == "map"
    outline = browser.driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus


SHADOW_SEARCH = """
var found = {img: 0, texts: []};
(function walk(root) {
  root.querySelectorAll('*').forEach(function (node) {
    if (node.tagName === 'IMG') found.img += 1;
    if (node.shadowRoot) { found.texts.push(node.shadowRoot.textContent); walk(node.shadowRoot); }
  });
  if (root !== document) found.texts.push(root.textContent);
})(document);
return found;
"""


def test_a_hostile_name_stays_text_in_the_maps_hover_label(browser, tiny_atlas):
    from selenium.webdriver.common.action_chains import ActionChains

    browser.open(tiny_atlas)
    browser.search(HOSTILE[:6])
    map_area = browser.driver.find_element("id", "map")
    ActionChains(browser.driver).move_to_element(map_area).move_by_offset(-10, 0).move_by_offset(10, 0).perform()
    found = {"texts": []}
    for _ in range(40):
        found = browser.driver.execute_script(SHADOW_SEARCH)
        if any(HOSTILE in text for text in found["texts"]):
            break
        browser.driver.execute_script("return new Promise(function (r) { setTimeout(r, 50); })")
    assert any(HOSTILE in text for text in found["texts"]), "the hover label did not show the name"
    assert found["img"] == 0
    assert browser.errors() == []
