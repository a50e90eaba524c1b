"""Spain: the ``es_ine`` recipe (files with INE conventions) and the Spanish code helpers.

Owns the INE province codes (:data:`ES_PROVINCES`), municipality labels and codes (:func:`split_ine_label`,
:func:`normalise_ine_code`, :func:`ine_province`) and the reader :func:`es_ine`: ``;`` separators, ``.``
thousands, ``44001-Ababuj`` labels, rows of totals, and INE's long tables reduced to the totals of one period.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from segmap.errors import InputError, Problem
from segmap.recipes.common import (
    auto_columns,
    cell_text,
    keep_read_attrs,
    lower_text,
    read_headed_input,
    rename_auto,
    strip_count_thousands,
)

log = logging.getLogger(__name__)


# INE province codes (the first two digits of a municipality code). Source: INE, "Relación de
# provincias" (Códigos de provincias), public; names as INE writes them.
ES_PROVINCES = {
    "01": "Araba/Álava", "02": "Albacete", "03": "Alicante/Alacant", "04": "Almería", "05": "Ávila",
    "06": "Badajoz", "07": "Balears, Illes", "08": "Barcelona", "09": "Burgos", "10": "Cáceres",
    "11": "Cádiz", "12": "Castellón/Castelló", "13": "Ciudad Real", "14": "Córdoba", "15": "Coruña, A",
    "16": "Cuenca", "17": "Girona", "18": "Granada", "19": "Guadalajara", "20": "Gipuzkoa", "21": "Huelva",
    "22": "Huesca", "23": "Jaén", "24": "León", "25": "Lleida", "26": "Rioja, La", "27": "Lugo",
    "28": "Madrid", "29": "Málaga", "30": "Murcia", "31": "Navarra", "32": "Ourense", "33": "Asturias",
    "34": "Palencia", "35": "Palmas, Las", "36": "Pontevedra", "37": "Salamanca",
    "38": "Santa Cruz de Tenerife", "39": "Cantabria", "40": "Segovia", "41": "Sevilla", "42": "Soria",
    "43": "Tarragona", "44": "Teruel", "45": "Toledo", "46": "Valencia/València", "47": "Valladolid",
    "48": "Bizkaia", "49": "Zamora", "50": "Zaragoza", "51": "Ceuta", "52": "Melilla",
}

_INE_LABEL = re.compile(r"(\d{4,5})(?:\.0)?(?:(?:\s*[-–—:]\s*|\s+)(.*))?")

_INE_AGGREGATE = re.compile(r"^(?:total\b|\d{1,2}(?:\s*[-–—:]\s*|\s+)\D)", re.IGNORECASE)

_INE_MUNICIPALITY_COLUMNS = ["Municipios", "Municipio", "Código INE", "Codigo INE", "Código municipio",
                             "Codigo municipio", "cod_ine", "codigo_ine", "CODIGOINE", "INE", "municipio_ine"]

_INE_DIMENSIONS = ["Sexo", "Nacionalidad", "Edad", "Edad (grupos quinquenales)", "Lugar de nacimiento",
                   "País de nacimiento", "Españoles/Extranjeros"]


def split_ine_label(value: Any) -> tuple[str, str | None]:
    """Code and name of an INE municipality label: ``44001-Ababuj`` / ``44001 Ababuj`` -> ``("44001", "Ababuj")``.

    A bare code comes back with ``None`` as name; four-digit codes (a spreadsheet dropped the zero)
    get it back: ``1001`` -> ``01001``. Raises ``ValueError`` when there is no 4- or 5-digit code.
    """
    text = cell_text(value)
    match = _INE_LABEL.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not an INE municipality code (5 digits, e.g. 44001 or 44001-Ababuj)")
    return match.group(1).zfill(5), (cell_text(match.group(2)) or None)


def normalise_ine_code(value: Any) -> str:
    """A 5-digit INE municipality code: ``1001`` -> ``01001``, ``'44001.0'`` -> ``44001``; checks the province."""
    code, _name = split_ine_label(value)
    if code[:2] not in ES_PROVINCES:
        raise ValueError(f"{code!r} is not an INE municipality code: {code[:2]} is not a province code (01-52)")
    return code


def ine_province(code: Any) -> tuple[str, str]:
    """Province code and INE name of a municipality code: ``44001`` -> ``("44", "Teruel")``."""
    code = normalise_ine_code(code)
    return code[:2], ES_PROVINCES[code[:2]]


def _filter_ine_dimensions(table: pd.DataFrame, options: Mapping[str, Any], file: str) -> pd.DataFrame:
    """INE tables in long form (one row per municipality, sex, period, ...): keep the totals and one period."""
    for column in table.columns:
        if lower_text(column) in {lower_text(d) for d in _INE_DIMENSIONS}:
            values = table[column].map(lower_text)
            keep = values.str.match(r"^(total|ambos sexos|todas las edades)").fillna(False).astype(bool)
            if keep.any() and not keep.all():
                log.info("%s: kept the rows with '%s' = total", file, column)
                table = table[keep]
    period = next((c for c in table.columns if lower_text(c) in ("periodo", "período", "año", "ano")), None)
    if period is not None and table[period].nunique() > 1:
        wanted = str(options["year"]) if options.get("year") else max(table[period].dropna().map(cell_text))
        kept = table[table[period].map(cell_text) == wanted]
        if kept.empty:
            raise InputError(Problem(file, f"no rows for the period {wanted!r} (periods found: "
                                           f"{', '.join(sorted(table[period].dropna().unique()))})", period))
        log.info("%s: kept the period %s ('year:' recipe option to choose another)", file, wanted)
        table = kept
    return table


def es_ine(spec: Mapping[str, Any], role: str, options: dict[str, Any]) -> pd.DataFrame:
    """Files with INE conventions: ``;`` separators, ``.`` thousands, municipality labels ``44001-Ababuj``.

    The municipality column (mapped with ``columns``, or one called 'Municipios', 'Código INE', ...,
    or the pair CPRO + CMUN of INE's code list) may hold a code or a label ``44001-Ababuj`` /
    ``44001 Ababuj``: it is split into a 5-digit code (zero-padded: ``1001`` -> ``01001``) and, when the
    file has no name column, ``municipality_name``. Rows of totals ('Total Nacional', '44 Teruel') are
    left out. INE tables in long form are reduced to the totals ('Sexo' = 'Total'...) of one period
    (the latest, or the ``year`` option). For the census, ``region_code`` is the province (the
    first two digits) and ``region_name`` INE's province name; the data column 'Total' is the
    default ``population_total``. Counts lose their ``.`` thousands separators (``thousands``
    option to change it); decimal commas are left to the validation.
    """
    file = str(spec["path"])
    grid, table = read_headed_input(spec, role, [*_INE_MUNICIPALITY_COLUMNS, "CPRO", "CMUN", "Total", "Nombre"], ";")
    table = _filter_ine_dimensions(table, options, file)
    auto = auto_columns(table, {"municipality_code": _INE_MUNICIPALITY_COLUMNS,
                                 "municipality_name": ["Nombre", "NOMBRE", "Municipio nombre", "nombre_municipio"],
                                 **({"population_total": ["Total"]} if role == "census" else {})})
    table = rename_auto(table, auto)
    if "municipality_code" not in table.columns and {"CPRO", "CMUN"} <= set(table.columns):
        table["municipality_code"] = (table["CPRO"].map(cell_text).str.zfill(2)
                                      + table["CMUN"].map(cell_text).str.zfill(3))
        log.info("%s: municipality codes from CPRO + CMUN", file)
    if "municipality_code" not in table.columns:
        return keep_read_attrs(strip_count_thousands(table, [options.get("thousands", spec.get("thousands") or ".")]), grid)
    problems, codes, names, dropped = [], {}, {}, []
    for row, value in table["municipality_code"].items():
        text = cell_text(value)
        if not text:
            continue  # left for the validation ("municipality code is empty")
        try:
            code, name = split_ine_label(text)
            code = normalise_ine_code(code)
        except ValueError as exc:
            if _INE_AGGREGATE.match(text) and role == "census":
                dropped.append(text)
                continue
            problems.append(Problem(file, str(exc), auto.get("municipality_code") or
                                    (spec.get("columns") or {}).get("municipality_code", "municipality_code"),
                                    int(row)))
            continue
        codes[row], names[row] = code, name
    if problems:
        raise InputError(problems)
    if dropped:
        log.info("%s: %d rows of totals left out (%s)", file, len(dropped), ", ".join(dropped[:5]))
        table = table[~table["municipality_code"].map(cell_text).isin(dropped)]
    table["municipality_code"] = pd.Series([codes.get(row) for row in table.index], index=table.index, dtype="object")
    if "municipality_name" not in table.columns and any(names.values()):
        table["municipality_name"] = pd.Series([names.get(row) for row in table.index], index=table.index,
                                               dtype="object")
    if role == "census":
        province = table["municipality_code"].map(lambda c: c[:2] if isinstance(c, str) else None)
        if "region_code" not in table.columns:
            table["region_code"] = province
        if "region_name" not in table.columns:
            table["region_name"] = province.map(lambda p: ES_PROVINCES.get(p) if p else None)
    thousands = options.get("thousands", spec.get("thousands") or ".")
    return keep_read_attrs(strip_count_thousands(table, [thousands] if thousands else []), grid)
