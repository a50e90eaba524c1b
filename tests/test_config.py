"""The configuration schema and the settings made from it: inset entries (far-away and zoom)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from conftest import REPO
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from segmap import geo
from segmap.config import country_settings, load_config

SCHEMA = str(REPO / "config" / "schemas" / "config.schema.yaml")


def _config(insets: list) -> dict:
    entry = {"name": "Testland", "deliverable": "D.9.9", "schools": "s.csv", "census": "c.csv",
             "boundaries": "b.geojson", "insets": insets}
    return {"countries": {"xx": entry}}


def test_repository_config_validates_with_zoom_insets():
    config = load_config(REPO / "config" / "config.yaml")
    validate(config, SCHEMA)
    insets = {code: country_settings(config, code)["insets"] for code in ("bg", "be", "es")}
    assert insets["bg"] == [{"label": "Sofia", "regions": ["BG411"], "zoom": True}]
    assert insets["be"] == [{"label": "Brussels", "regions": ["BE10"], "zoom": True}]
    assert [inset["zoom"] for inset in insets["es"]] == [False, False, False]


def test_zoom_is_an_optional_boolean_and_unknown_keys_are_refused():
    config = _config([{"label": "Capital", "regions": ["01"], "zoom": True}, {"label": "Isles", "regions": ["02"]}])
    validate(copy.deepcopy(config), SCHEMA)
    settings = country_settings(config, "xx")
    assert [inset["zoom"] for inset in settings["insets"]] == [True, False]
    with pytest.raises(WorkflowError):
        validate(_config([{"label": "Capital", "regions": ["01"], "zoom": "yes"}]), SCHEMA)
    with pytest.raises(WorkflowError):
        validate(_config([{"label": "Capital", "regions": ["01"], "magnify": True}]), SCHEMA)


def test_inset_codes_carry_the_zoom_flag():
    census = pd.DataFrame({"municipality_code": ["0101", "0102", "0201"], "region_code": ["01", "01", "02"]})
    insets = [{"label": "Capital", "regions": ["01"], "zoom": True}, {"label": "Isles", "regions": ["02"]}]
    got = geo.inset_codes(census, insets)
    assert got == [("Capital", ("0101", "0102"), True), ("Isles", ("0201",), False)]
    assert got[0].label == "Capital" and got[0].zoom
