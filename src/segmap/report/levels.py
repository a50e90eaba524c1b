"""The administrative levels of a report: what the level between municipality and country is called (province,
provincia, област ...), the regions' names in the report's language, and the optional upper level that runs
schools (autonomous communities, Belgian Regions), all from the country's settings.

Settings (see ``config/schemas/config.schema.yaml``)::

    region_level: {es: {one: provincia, many: provincias}}
    region_names: {nl: {BE32: Henegouwen}}
    upper_level: {names: {es: {one: comunidad autónoma, many: ...}},
                  units: {"01": {names: {"*": Andalucía, en: Andalusia}, regions: ["04", "11", ...]}}}
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from segmap.report import i18n
from segmap.stats.tables import upper_name

#: Defaults (translated by the catalogs) when a country does not name its levels.
DEFAULT_REGION_LEVEL = {"one": i18n.N_("region"), "many": i18n.N_("regions")}
DEFAULT_UPPER_LEVEL = {"one": i18n.N_("upper level"), "many": i18n.N_("upper levels")}


def level_name(names: Mapping[str, Mapping[str, str]] | None, language: str,
               default: Mapping[str, str] = DEFAULT_REGION_LEVEL) -> dict[str, str]:
    """``{"one": .., "many": ..}``: the level's name in ``language`` from ``names`` (per language), else the
    catalogs' translation of ``default``."""
    configured = (names or {}).get(language)
    if configured:
        return {"one": configured["one"], "many": configured["many"]}
    t = i18n.Translator(language)
    return {"one": t.gettext(default["one"]), "many": t.gettext(default["many"])}


def region_level(settings: Mapping[str, Any], language: str) -> dict[str, str]:
    """What the country's regions are called in ``language`` (``region_level``; default region/regions)."""
    return level_name(settings.get("region_level"), language)


def upper_level(settings: Mapping[str, Any], language: str) -> dict[str, str] | None:
    """What the upper level is called in ``language``; ``None`` when the country has none."""
    upper = settings.get("upper_level")
    if not upper:
        return None
    return level_name(upper.get("names"), language, DEFAULT_UPPER_LEVEL)


def region_names(settings: Mapping[str, Any], language: str) -> dict[str, str]:
    """Configured region names of ``language`` by region code (empty when none are configured)."""
    return {str(k): v for k, v in ((settings.get("region_names") or {}).get(language) or {}).items()}


def with_region_names(frame: pd.DataFrame, settings: Mapping[str, Any], language: str) -> pd.DataFrame:
    """``frame`` with ``region_name`` in the report's language where ``region_names`` gives one (the census
    name otherwise). A frame without ``region_code`` is returned as it is."""
    names = region_names(settings, language)
    if not names or "region_code" not in frame or "region_name" not in frame:
        return frame
    codes = frame["region_code"].astype(str)
    return frame.assign(region_name=codes.map(names).fillna(frame["region_name"]))


def with_upper_names(frame: pd.DataFrame, settings: Mapping[str, Any], language: str) -> pd.DataFrame:
    """The upper-level table with ``upper_name`` in ``language``."""
    upper = settings.get("upper_level")
    if not upper or frame.empty:
        return frame
    units = upper["units"]
    codes = frame["upper_code"].astype(str)
    return frame.assign(upper_name=[upper_name(units.get(c, {}), c, language) for c in codes])


def country_name(settings: Mapping[str, Any], language: str) -> str:
    """The country's name in ``language``: ``names`` of its settings, else the catalogs' translation of
    the configured (English) name."""
    return (settings.get("names") or {}).get(language) or i18n.Translator(language).config_text(settings["name"])
