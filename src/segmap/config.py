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


@dataclass(frozen=True)
class InputSpec:
    """Where one input lives and how to read it.

    ``columns`` maps canonical names (``school_id``, ``municipality_code``, ...) to the names used in
    the file. ``sep``, ``encoding``, ``thousands`` and ``decimal`` are for delimited text, ``sheet``
    for spreadsheets and ``layer`` for multi-layer boundary files.
    """

    path: str
    columns: dict[str, str] = field(default_factory=dict)
    sep: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    layer: str | int | None = None
    thousands: str | None = None
    decimal: str | None = None

    @classmethod
    def from_config(cls, value: str | Mapping[str, Any]) -> "InputSpec":
        """Build from a config value: a bare path or a mapping with at least ``path``."""
        if isinstance(value, str):
            return cls(path=value)
        known = {k: value[k] for k in cls.__dataclass_fields__ if k in value}
        known["columns"] = dict(known.get("columns") or {})
        return cls(**known)

    def as_params(self) -> dict[str, Any]:
        """Plain dict for Snakemake ``params:`` (a change reruns the rules that use it)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, [])}


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML config with the safe loader (no Python objects, no code)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def country_settings(config: Mapping[str, Any], country: str) -> dict[str, Any]:
    """The fully defaulted settings of one country, as a plain dict.

    Keys: ``code, name, deliverable, languages, group_label, group_label_singular, synthetic, thresholds,
    seeds, replicates, inference`` (seed and replicates by method), ``ranking_min_group_pupils, insets,
    map_crs, inputs`` (``inputs`` maps ``schools``/``census``/``boundaries`` to :class:`InputSpec` params dicts).
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
    seeds = {**DEFAULT_SEEDS, **(entry.get("seeds") or {})}
    replicates = {**DEFAULT_REPLICATES, **(entry.get("replicates") or {})}
    return {
        "code": country,
        "name": entry["name"],
        "deliverable": entry["deliverable"],
        "languages": list(entry.get("languages") or ["en"]),
        "group_label": group_label,
        "group_label_singular": entry.get("group_label_singular") or singular(group_label),
        "synthetic": bool(entry.get("synthetic", False)),
        "thresholds": thresholds,
        "seeds": seeds,
        "replicates": replicates,
        "inference": {method: {"replicates": replicates[method], "seed": seeds[method]} for method in DEFAULT_SEEDS},
        "ranking_min_group_pupils": int(entry.get("ranking_min_group_pupils", DEFAULT_RANKING_MIN_GROUP_PUPILS)),
        "insets": [
            {"label": inset["label"], "regions": [str(r) for r in inset["regions"]]}
            for inset in entry.get("insets") or []
        ],
        "map_crs": config.get("map_crs") or DEFAULT_MAP_CRS,
        "inputs": {
            role: InputSpec.from_config(entry[role]).as_params()
            for role in ("schools", "census", "boundaries")
        },
    }


def singular(label: str) -> str:
    """'Roma pupils' -> 'Roma pupil' (a plain English plural only; set group_label_singular otherwise)."""
    return label[:-1] if label.endswith("s") and not label.endswith("ss") else label


def report_filename(deliverable: str, country: str, language: str) -> str:
    """File name of a report, per the output contract: ``D.2.1_school_segregation_maps_bg_en.pdf``."""
    return f"{deliverable}_school_segregation_maps_{country}_{language}.pdf"
