"""Configuration: per-country settings with their defaults, and input specifications.

The YAML file is validated against ``config/schemas/config.schema.yaml`` by the Snakefile; this module
turns one country's entry into plain, fully defaulted Python values that the rules pass to the
functions of the package through ``params:``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from segmap import years

DEFAULT_THRESHOLDS = {
    "segregated": 0.5,
    "severe": 0.8,
    "comparison": "at_least",
    "require_alternative": False,
    "source": "segmap default (no source given in the configuration)",
}
DEFAULT_SEEDS = {"random_allocation": 20240901, "bootstrap": 20240902}
DEFAULT_REPLICATES = {"random_allocation": 500, "bootstrap": 500}
DEFAULT_GROUP_LABEL = "Roma pupils"
DEFAULT_MAP_CRS = "EPSG:3035"
DEFAULT_RANKING_MIN_GROUP_PUPILS = 20
DEFAULT_REGION_TABLE_ROWS = 10
DEFAULT_MIN_CELL = 5
DEFAULT_MAX_PROBLEMS = 200
GISCO = "gisco"
DEFAULT_GISCO_CACHE = "data/raw/gisco"


@dataclass(frozen=True)
class InputSpec:
    """Where one input lives and how to read it.

    ``columns`` maps canonical names (``school_id``, ``municipality_code``, ...) to the names used in
    the file. ``sep``, ``encoding`` (detected when not given), ``thousands`` and ``decimal`` are for
    delimited text, ``sheet`` and ``header_row`` (1-based row of the column names) for spreadsheets
    and text files with title rows, ``layer`` for multi-layer boundary files. ``recipe`` names a
    country recipe (:mod:`segmap.recipes`) that knows an official layout.

    Boundaries may also come from Eurostat GISCO (``source: gisco``): ``path`` is then the cache
    folder, ``country_code`` the GISCO country code (``BG``, ``ES``, ``BE``, ``EL`` for Greece),
    ``base_url`` overrides the official download address and ``sha256`` (``{lau: ..., nuts: ...}``)
    pins the downloaded files.

    ``year`` (schools only) is the school year of every row of the file, for partners who send one file
    per year (``schools: [{path: ..., year: 2022}, {path: ..., year: 2023}]``).
    """

    path: str
    columns: dict[str, str] = field(default_factory=dict)
    sep: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    layer: str | int | None = None
    thousands: str | None = None
    decimal: str | None = None
    recipe: str | dict[str, Any] | None = None
    source: str | None = None
    country_code: str | None = None
    base_url: str | None = None
    sha256: dict[str, str] = field(default_factory=dict)
    year: str | int | None = None

    @classmethod
    def from_config(cls, value: str | Mapping[str, Any]) -> "InputSpec":
        """Build from a config value: a bare path, ``gisco``, or a mapping with ``path`` (or ``source: gisco``)."""
        if isinstance(value, str):
            if value == GISCO:
                return cls(path=DEFAULT_GISCO_CACHE, source=GISCO)
            return cls(path=value)
        known = {k: value[k] for k in cls.__dataclass_fields__ if k in value}
        known["columns"] = dict(known.get("columns") or {})
        known["sha256"] = dict(known.get("sha256") or {})
        if known.get("source") == GISCO:
            known.setdefault("path", DEFAULT_GISCO_CACHE)
        return cls(**known)

    def as_params(self) -> dict[str, Any]:
        """Plain dict for Snakemake ``params:`` (a change reruns the rules that use it)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, [])}


def school_input_specs(value: Mapping[str, Any] | list | tuple) -> list[dict[str, Any]]:
    """The schools input as a list of specification dicts (one per file): a single spec becomes a list."""
    return [dict(spec) for spec in value] if isinstance(value, (list, tuple)) else [dict(value)]


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML config with the safe loader (no Python objects, no code)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def country_settings(config: Mapping[str, Any], country: str) -> dict[str, Any]:
    """The fully defaulted settings of one country, as a plain dict.

    Keys: ``code, name, deliverable, languages, group_label, group_label_singular, group_labels,
    group_labels_singular, names`` (per report language), ``synthetic, thresholds,
    seeds, replicates, inference`` (seed and replicates by method), ``ranking_min_group_pupils, region_table_rows, insets,
    map_crs, on_invalid_rows, max_problems, min_cell, publish_school_names, year, years, plain_years, inputs``
    (``year``: the report year as a label such as ``2023/24``, ``None`` for the latest year of the data;
    ``years``: the years to compare, ``None`` for all up to the report year; ``plain_years``: whether a
    plain year names the year a school year starts or ends, see :mod:`segmap.years`; ``inputs`` maps
    ``schools``/``census``/``boundaries`` to :class:`InputSpec` params dicts, ``schools`` to a list of
    them when the config lists one file per year).
    """
    try:
        entry = config["countries"][country]
    except KeyError as exc:
        raise KeyError(f"country {country!r} is not configured under 'countries:'") from exc
    group_label = entry.get("group_label") or DEFAULT_GROUP_LABEL
    thresholds = {**DEFAULT_THRESHOLDS, **(entry.get("thresholds") or {})}
    if thresholds["severe"] < thresholds["segregated"]:
        raise ValueError(
            f"countries.{country}.thresholds: severe ({thresholds['severe']}) must not be below "
            f"segregated ({thresholds['segregated']})"
        )
    plain_years = entry.get("plain_years") or years.PLAIN_YEAR_STARTS
    try:
        report_year = None if entry.get("year") is None else years.school_year(entry["year"], plain_years)
        compared_years = None if not entry.get("years") else [years.school_year(y, plain_years)
                                                               for y in entry["years"]]
        school_specs = [InputSpec.from_config(spec).as_params() for spec in
                        (entry["schools"] if isinstance(entry["schools"], list) else [entry["schools"]])]
        if isinstance(entry["census"], Mapping) and entry["census"].get("year") is not None:
            raise ValueError("census: 'year' is for schools files only (the census is one edition)")
        for spec in school_specs:
            if spec.get("year") is not None:
                spec["year"] = years.school_year(spec["year"], plain_years)
    except ValueError as exc:
        raise ValueError(f"countries.{country}: {exc}") from None
    seeds = {**DEFAULT_SEEDS, **(entry.get("seeds") or {})}
    replicates = {**DEFAULT_REPLICATES, **(entry.get("replicates") or {})}
    return {
        "code": country,
        "name": entry["name"],
        "deliverable": entry["deliverable"],
        "languages": list(entry.get("languages") or ["en"]),
        "group_label": group_label,
        "group_label_singular": entry.get("group_label_singular") or singular(group_label),
        "group_labels": dict(entry.get("group_labels") or {}),
        "group_labels_singular": dict(entry.get("group_labels_singular") or {}),
        "names": dict(entry.get("names") or {}),
        "synthetic": bool(entry.get("synthetic", False)),
        "thresholds": thresholds,
        "seeds": seeds,
        "replicates": replicates,
        "inference": {method: {"replicates": replicates[method], "seed": seeds[method]} for method in DEFAULT_SEEDS},
        "ranking_min_group_pupils": int(entry.get("ranking_min_group_pupils", DEFAULT_RANKING_MIN_GROUP_PUPILS)),
        "region_table_rows": int(entry.get("region_table_rows", DEFAULT_REGION_TABLE_ROWS)),
        "insets": [
            {"label": inset["label"], "regions": [str(r) for r in inset["regions"]],
             "zoom": bool(inset.get("zoom", False))}
            for inset in entry.get("insets") or []
        ],
        "map_crs": config.get("map_crs") or DEFAULT_MAP_CRS,
        "on_invalid_rows": entry.get("on_invalid_rows") or "error",
        "max_problems": int(entry.get("max_problems") or DEFAULT_MAX_PROBLEMS),
        "min_cell": int(entry.get("min_cell", DEFAULT_MIN_CELL)),
        "publish_school_names": bool(entry.get("publish_school_names", False)),
        "year": report_year,
        "years": compared_years,
        "plain_years": plain_years,
        "inputs": {
            "schools": school_specs if isinstance(entry["schools"], list) else school_specs[0],
            **{role: InputSpec.from_config(entry[role]).as_params() for role in ("census", "boundaries")},
        },
    }


def singular(label: str) -> str:
    """'Roma pupils' -> 'Roma pupil' (a plain English plural only; set group_label_singular otherwise)."""
    return label[:-1] if label.endswith("s") and not label.endswith("ss") else label


def report_filename(deliverable: str, country: str, language: str) -> str:
    """File name of a report, per the output contract: ``D.2.1_school_segregation_maps_bg_en.pdf``."""
    return f"{deliverable}_school_segregation_maps_{country}_{language}.pdf"
