"""The configuration schema and the settings made from it: inset entries (far-away and zoom)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from conftest import REPO
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from segmap import geo
from segmap.settings import country_settings, load_config

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


# --------------------------------------------------------------------------------------------------
# One home for every default: the schema and the README agree with segmap.settings
# --------------------------------------------------------------------------------------------------

import re  # noqa: E402

import yaml  # noqa: E402

from segmap import settings as settings_module  # noqa: E402

README = REPO / "README.md"
REQUIRED = {"name", "deliverable", "schools", "census", "boundaries"}


def _schema() -> dict:
    return yaml.safe_load(open(SCHEMA, encoding="utf-8"))


def _readme_options() -> dict[str, str]:
    """Option -> its default cell in the README's table of country options (``| key | default | meaning |``)."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| key | default | meaning |"):]
    options = {}
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        keys, default = [cell.strip() for cell in line.strip("|").split("|")[:2]]
        names = re.findall(r"`([a-z_]+)`", keys)
        defaults = default.split(" / ") if len(names) > 1 else [default]
        options.update(zip(names, defaults if len(defaults) == len(names) else defaults * len(names)))
    return options


def test_the_schema_lists_exactly_the_options_of_the_settings():
    properties = _schema()["$defs"]["country"]["properties"]
    assert set(properties) == set(settings_module.option_defaults()) | REQUIRED


def test_the_schemas_defaults_are_the_settings_defaults():
    schema = _schema()
    properties = schema["$defs"]["country"]["properties"]
    defaults = settings_module.option_defaults()
    for option, spec in properties.items():
        if "default" in spec:
            assert spec["default"] == defaults[option], option
        for inner, inner_spec in (spec.get("properties") or {}).items():
            if "default" in inner_spec:
                assert inner_spec["default"] == defaults[option][inner], f"{option}.{inner}"
    for option in ("thresholds", "seeds", "replicates"):
        assert {k: v.get("default") for k, v in properties[option]["properties"].items() if "default" in v} \
            == defaults[option], option
    assert schema["properties"]["map_crs"]["default"] == settings_module.Settings.map_crs


def test_the_readme_table_names_every_option_with_its_default():
    documented = _readme_options()
    defaults = settings_module.option_defaults()
    assert set(defaults) <= set(documented)
    for option, value in defaults.items():
        literal = re.fullmatch(r"`([^`]*)`", documented[option])
        if value in (None, {}, []) or isinstance(value, dict) and option == "thresholds":
            if literal and value not in (None, {}):
                assert yaml.safe_load(literal.group(1)) == value, option
            continue
        assert literal, f"README gives no literal default for {option}: {documented[option]}"
        assert yaml.safe_load(literal.group(1)) == value, option
    thresholds = re.fullmatch(r"`([^`]*)`", documented["thresholds"])
    assert yaml.safe_load(thresholds.group(1)) == defaults["thresholds"]


def test_defaults_elsewhere_come_from_the_settings():
    from segmap.demo import DEFAULT_SEED
    from segmap.stats import inference, tables

    assert DEFAULT_SEED == settings_module.DEMO_SEED
    assert tables.DEFAULT_INFERENCE == settings_module.inference_settings()
    assert inference.DEFAULT_REPLICATES == settings_module.DEFAULT_REPLICATES.bootstrap
    minimal = {"countries": {"xx": {"name": "X", "deliverable": "D", "schools": "s.csv", "census": "c.csv",
                                    "boundaries": "b.geojson"}}}
    settings = country_settings(minimal, "xx")
    assert settings["ranking_min_group_pupils"] == 20 and settings["min_cell"] == 5
    assert settings["inference"] == settings_module.inference_settings()


def test_settings_are_built_once_as_a_typed_tree():
    config = load_config(REPO / "config" / "config.yaml")
    tree = settings_module.load_settings(config)
    assert isinstance(tree.country("bg"), settings_module.CountrySettings)
    assert isinstance(tree.country("bg").thresholds, settings_module.Thresholds)
    assert tree.country("es").thresholds.comparison == "above"
    assert tree.country("bg").as_params() == country_settings(config, "bg")
    with pytest.raises(KeyError, match="not configured"):
        tree.country("zz")


def test_recipe_options_arrive_from_a_config_file():
    config = {"countries": {"xx": {"name": "X", "deliverable": "D", "schools": "s.csv", "boundaries": "b.geojson",
                                   "census": {"path": "c.csv", "recipe": "bg_nsi_2021",
                                              "recipe_options": {"total": "all"}}}}}
    validate(copy.deepcopy(config), SCHEMA)
    spec = country_settings(config, "xx")["inputs"]["census"]
    from segmap.recipes import recipe_options

    assert recipe_options(spec) == ("bg_nsi_2021", {"total": "all"})
