"""Country recipes: readers for official file layouts, selected with ``recipe:`` on an input.

A recipe reads the raw file itself (title rows, multi-row headers, labels that hold a code and a name,
thousands separators) and returns the canonical columns of the data contract as text, indexed by the
row number a spreadsheet program shows, so that :mod:`segmap.io.validate` checks the result and points
at the right row of the partner's file.

``recipe`` is a name, or a mapping with ``name`` and the recipe's options (``recipe_options`` on the
input is read as well)::

    census: {path: data/raw/bg/census2021.xlsx,
             recipe: {name: bg_nsi_2021, codes: data/raw/bg/municipalities.gpkg, total: answered}}

==============  ================  ============================================================
recipe          roles             layout
==============  ================  ============================================================
``bg_nsi_2011`` census            NSI census 2011, population by ethnic group, districts and
                                  municipalities (cp1251 CSV or spreadsheet, Cyrillic headers)
``bg_nsi_2021`` census            NSI census 2021, the same with the 2021 answer categories
``es_ine``      census, schools   INE conventions: ``;``, ``.`` thousands, ``44001-Ababuj`` labels
``be_nis``      census, schools   NIS/INS municipality codes (Statbel files and partner tables)
==============  ================  ============================================================

This package owns the registry (``RECIPES``: name -> reader, ``RECIPE_ROLES``: name -> the inputs it
reads) and reading any table input: :func:`read_input` (with its recipe, or plain with
:func:`segmap.io.readers.read_table`), :func:`read_with_recipe`, :func:`recipe_options` and
:func:`extra_input_paths`. The recipes themselves are :mod:`~segmap.recipes.bg_nsi` (with the codes of
:mod:`~segmap.recipes.bg_codes`), :mod:`~segmap.recipes.es_ine` and :mod:`~segmap.recipes.be_nis`, on the
helpers of :mod:`~segmap.recipes.common`; their public names are importable from here as well. The reader
functions of ``es_ine`` and ``be_nis`` are ``RECIPES["es_ine"]`` and ``RECIPES["be_nis"]``
(``segmap.recipes.es_ine`` is the module).

The README section "Country recipes" (``docs/recipes.md``) documents the options and the choices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from segmap.errors import InputError, Problem
from segmap.io import readers
from segmap.recipes import be_nis, es_ine
from segmap.recipes.be_nis import (
    BE_ARRONDISSEMENTS,
    BE_PROVINCES,
    NIS_CODE_LISTS,
    NIS_GONE_2019,
    NIS_GONE_2025,
    NIS_NEW_2019,
    NIS_NEW_2025,
    NIS_SUCCESSORS_2019,
    NIS_SUCCESSORS_2025,
    NisCodeList,
    check_nis_year,
    nis_code_list,
    nis_region,
    nis_successor,
    normalise_nis_code,
    recode_nis_years,
)
from segmap.recipes.bg_codes import (
    BG_DISTRICT_ALIASES,
    BG_DISTRICT_BY_CODE,
    BG_DISTRICT_BY_NUTS3,
    BG_DISTRICTS,
    LAU_PATTERN,
    BgDistrict,
    bg_district,
    bg_district_by_name,
    is_ekatte,
    is_lau_code,
    name_key,
    normalise_lau_code,
)
from segmap.recipes.bg_nsi import BG_ABOVE_DISTRICT, bg_nsi_2011, bg_nsi_2021
from segmap.recipes.common import CENSUS_OUTPUT, COUNT_COLUMNS, strip_thousands
from segmap.recipes.es_ine import ES_PROVINCES, ine_province, normalise_ine_code, split_ine_label

log = logging.getLogger(__name__)

Recipe = Callable[[Mapping[str, Any], str, dict[str, Any]], pd.DataFrame]

#: The recipes by name: ``reader(spec, role, options)`` returns the canonical columns as text.
RECIPES: dict[str, Recipe] = {
    "bg_nsi_2011": bg_nsi_2011,
    "bg_nsi_2021": bg_nsi_2021,
    "es_ine": es_ine.es_ine,
    "be_nis": be_nis.be_nis,
}
#: The inputs each recipe reads.
RECIPE_ROLES: dict[str, tuple[str, ...]] = {
    "bg_nsi_2011": ("census",),
    "bg_nsi_2021": ("census",),
    "es_ine": ("census", "schools"),
    "be_nis": ("census", "schools"),
}

__all__ = [
    "BE_ARRONDISSEMENTS", "BE_PROVINCES", "BG_ABOVE_DISTRICT", "BG_DISTRICTS", "BG_DISTRICT_ALIASES",
    "BG_DISTRICT_BY_CODE", "BG_DISTRICT_BY_NUTS3", "BgDistrict", "CENSUS_OUTPUT", "COUNT_COLUMNS", "ES_PROVINCES",
    "LAU_PATTERN", "NIS_CODE_LISTS", "NIS_GONE_2019", "NIS_GONE_2025", "NIS_NEW_2019", "NIS_NEW_2025",
    "NIS_SUCCESSORS_2019", "NIS_SUCCESSORS_2025", "NisCodeList", "RECIPES", "RECIPE_ROLES", "Recipe",
    "bg_district", "bg_district_by_name", "bg_nsi_2011", "bg_nsi_2021", "check_nis_year", "extra_input_paths",
    "ine_province", "is_ekatte", "is_lau_code", "name_key", "nis_code_list", "nis_region", "nis_successor",
    "normalise_ine_code", "normalise_lau_code", "normalise_nis_code", "read_input", "read_with_recipe",
    "recipe_options", "recode_nis_years", "split_ine_label", "strip_thousands",
]


def recipe_options(spec: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The recipe's name and options from an input specification.

    ``recipe`` is a name (``bg_nsi_2021``) or a mapping ``{name: bg_nsi_2021, <option>: <value>}``;
    ``recipe_options`` (a mapping) adds options.
    """
    value = spec.get("recipe")
    if isinstance(value, Mapping):
        options = dict(value)
        name = options.pop("name", None)
    else:
        name, options = value, {}
    options.update(spec.get("recipe_options") or {})
    return str(name) if name is not None else "", options


def read_input(spec: Mapping[str, Any], role: str) -> pd.DataFrame:
    """Read a tabular input with canonical column names: with its recipe when it has ``recipe``, else as a
    plain table (:func:`segmap.io.readers.read_table`). The pipeline reads every schools and census file so.

    Values stay text; the index holds the row numbers a spreadsheet program shows. ``frame.attrs`` records how
    the file was read, for the provenance record: ``encoding`` and ``encoding_detected`` (text files),
    ``sep``, ``header_row``, ``thousands``, ``decimal``, and with a recipe ``recipe`` and what the recipe
    records (``census_total``, ``nis_code_list``).
    """
    if not spec.get("recipe"):
        return readers.read_table(spec, role)
    readers.require_file(Path(spec["path"]), role)
    return readers.finish_table(read_with_recipe(spec, role), spec)


def read_with_recipe(spec: Mapping[str, Any], role: str) -> pd.DataFrame:
    """Read an input with its recipe; the result has canonical columns (text) and spreadsheet row numbers."""
    name, options = recipe_options(spec)
    path = str(spec["path"])
    if name not in RECIPES:
        raise InputError(Problem(path, f"unknown recipe {name!r} in the config (known recipes: "
                                       f"{', '.join(sorted(RECIPES))})"))
    if role not in RECIPE_ROLES[name]:
        raise InputError(Problem(path, f"recipe {name!r} reads {' and '.join(RECIPE_ROLES[name])} files, "
                                       f"not the {role} file"))
    frame = RECIPES[name](spec, role, options)
    frame.index.name = "row"
    frame.attrs["recipe"] = name
    log.info("read %s with recipe %s: %d rows", path, name, len(frame))
    return frame


def extra_input_paths(spec: Mapping[str, Any]) -> list[str]:
    """Files a recipe reads besides the input itself (the ``codes`` lookup), for Snakemake ``input:``."""
    if not spec.get("recipe"):
        return []
    _name, options = recipe_options(spec)
    codes = options.get("codes")
    if isinstance(codes, Mapping):
        codes = codes.get("path")
    return [str(codes)] if codes else []
