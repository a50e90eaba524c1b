"""What the atlas shows: per municipality its fill on every indicator map, its figures in words and numbers,
and the legends — the same classes, colours, hatching and legend texts as the PDF's national maps.

Only published tables enter (small counts already suppressed as ``<5``). Figures are formatted here in the
report's locale (:mod:`segmap.report.i18n`), so the page prints them as they are and needs no number
formatting of its own (the browser tests compare them with the published cells formatted the same way).

Map fills (:func:`indicator_fills`), as in :func:`segmap.maps.national.choropleth_map`:

* class colour ``classes.colors()[k]`` where the value falls in class k;
* grey ``MUTED_FACE`` where the index is defined but not told apart from chance (dissimilarity) or the
  change's 95 % interval includes 0 (change map);
* light grey hatched ``UNDEFINED_FACE`` + ``///`` where the index is undefined;
* white ``NO_DATA_FACE`` where the boundaries hold a polygon without a census row;
* (the atlas only) ``UNDEFINED_FACE`` dotted where the published table suppresses
  the figures (fewer than ``min_cell`` group members): the PDF's maps, printed for the partners, show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from segmap.maps.captions import change_map_texts, map_texts, no_data_label
from segmap.maps.classes import INDICATOR_CLASSES, as_float, format_count
from segmap.maps.style import MUTED_FACE, NO_DATA_FACE, UNDEFINED_FACE
from segmap.report import i18n
from segmap.report.privacy import is_suppressed

HATCH = "/"  # Bokeh's right diagonal lines, the PDF's ``///``: the index is undefined
SUPPRESSED_HATCH = "."  # dots: not shown, too few group members to publish
PATTERNS = (HATCH, SUPPRESSED_HATCH)
COMPARABLE = ("increase", "decrease", "no_clear_change")
#: The figures of a municipality, in the order the atlas lists them (the change only with two school years).
FIGURE_FIELDS = ("pupils_total", "pupils_group", "n_schools", "group_share", "census_group_share", "dissimilarity",
                 "dissimilarity_adjusted", "distinguishable_from_random", "isolation", "segregated_schools", "status",
                 "dissimilarity_adjusted_change", "change_status")


def _equals(values: pd.Series, value: str) -> np.ndarray:
    """``values == value`` as booleans, missing cells False (whatever the column's dtype)."""
    return values.astype(object).eq(value).to_numpy(bool)


def _flag(values: pd.Series) -> np.ndarray:
    """Booleans from a published column (``True``/``False`` as text or bool; anything else False)."""
    return values.astype(str).str.lower().isin(["true", "1"]).to_numpy(bool)


def indicator_specs(settings: Mapping[str, Any], language: str, change: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The atlas's indicators in the order of the report's national maps: key, column, classes and the PDF
    legend's texts (one line each); the change map only when two school years are compared."""
    texts = map_texts(settings, None, language)
    specs = [
        {"key": "group_share", "column": "group_share", "muted": None, **texts["group_share"]},
        {"key": "dissimilarity", "column": "dissimilarity_adjusted", "muted": "not_distinguishable",
         **texts["dissimilarity"]},
        {"key": "isolation", "column": "isolation", "muted": None, **texts["isolation"]},
    ]
    if change is not None and not change.empty:
        change_texts = change_map_texts(settings, str(change["year_from"].iloc[0]), str(change["year_to"].iloc[0]),
                                        language)
        specs.append({"key": "change", "column": "dissimilarity_adjusted_change", "muted": "no_clear_change",
                      **change_texts})
    for spec in specs:
        spec["classes"] = INDICATOR_CLASSES[spec["column"]]
        for name in ("legend_title", "undefined_label", "muted_label"):
            if spec.get(name):
                spec[name] = " ".join(spec[name].split())
    return specs


def prepare_areas(layer: pd.DataFrame, municipalities: pd.DataFrame, change: pd.DataFrame | None) -> pd.DataFrame:
    """The map layer's polygons with the published figures of their municipality (and of its change) and the
    masks the maps use: ``no_census_data``, ``not_distinguishable``, ``no_clear_change``."""
    table = municipalities.drop(columns=[c for c in ("region_code",) if c in municipalities])
    areas = layer.merge(table, on="municipality_code", how="left", validate="one_to_one")
    areas["no_census_data"] = ~layer["in_census"].astype(bool).to_numpy() if "in_census" in layer else False
    areas["not_distinguishable"] = _equals(areas["status"], "ok") & ~_flag(
        areas["distinguishable_from_random"])
    areas["suppressed"] = _small(areas, ("pupils_group",))
    if change is not None and not change.empty:
        columns = [c for c in change.columns if c.startswith(("dissimilarity_adjusted_", "change_status"))
                   or c in ("year_from", "year_to", "pupils_group_from", "pupils_group_to")]
        areas = areas.merge(change[["municipality_code", *columns]], on="municipality_code", how="left",
                            validate="one_to_one", suffixes=("", "_c"))
        comparable = areas["change_status"].astype(object).isin(COMPARABLE).to_numpy(bool)
        areas["dissimilarity_adjusted_change"] = as_float(areas["dissimilarity_adjusted_change"])
        areas.loc[~comparable, "dissimilarity_adjusted_change"] = np.nan
        areas["no_clear_change"] = _equals(areas["change_status"], "no_clear_change")
        areas["suppressed_change"] = _small(areas, ("pupils_group_from", "pupils_group_to"))
    return areas


def _small(frame: pd.DataFrame, columns) -> np.ndarray:
    """Rows where a published count is suppressed (written ``<5``)."""
    out = np.zeros(len(frame), dtype=bool)
    for column in columns:
        if column in frame:
            out |= frame[column].astype(object).map(lambda v: isinstance(v, str) and v.startswith("<")).to_numpy(bool)
    return out


def indicator_fills(areas: pd.DataFrame, spec: Mapping[str, Any], language: str,
                    suppressed_label: str | None = None) -> dict[str, Any]:
    """Fill colour, hatch and legend entry of every area on one indicator map, and the legend.

    Returns ``fill`` and ``pattern`` (one per area; ``" "`` for none), ``entry`` (the index of the area's
    legend entry) and ``legend``: the entries ``{label, color, pattern, count}`` in the PDF's order (classes
    light to dark, then grey, hatched, white; then suppressed), counting municipalities as the PDF does.
    """
    classes = spec["classes"]
    t = i18n.Translator(language)
    thousands = t.number(1000)[1:-3]
    index = classes.classify(areas[spec["column"]])
    no_data = np.asarray(areas["no_census_data"], dtype=bool)
    index = np.where(no_data, -2, index)
    muted = (np.asarray(areas[spec["muted"]], dtype=bool) if spec["muted"] else np.zeros(len(areas), bool)) & (
        index >= 0)
    colors = classes.colors()
    labels = classes.labels(t.decimal_mark)
    legend = [{"label": label, "color": color, "pattern": ""} for label, color in zip(labels, colors)]
    entry = np.where(index >= 0, index, 0)
    if spec["muted"]:
        legend.append({"label": spec["muted_label"], "color": MUTED_FACE, "pattern": ""})
        entry = np.where(muted, len(legend) - 1, entry)
    suppressed_column = "suppressed_change" if spec["key"] == "change" else "suppressed"
    suppressed = (index == -1) & np.asarray(areas.get(suppressed_column, False), dtype=bool)
    legend.append({"label": spec["undefined_label"], "color": UNDEFINED_FACE, "pattern": HATCH})
    entry = np.where((index == -1) & ~suppressed, len(legend) - 1, entry)
    if no_data.any():
        legend.append({"label": no_data_label(language), "color": NO_DATA_FACE, "pattern": ""})
        entry = np.where(no_data, len(legend) - 1, entry)
    if suppressed.any():
        legend.append({"label": suppressed_label or "Suppressed", "color": UNDEFINED_FACE,
                       "pattern": SUPPRESSED_HATCH})
        entry = np.where(suppressed, len(legend) - 1, entry)
    for number, item in enumerate(legend):
        item["count"] = format_count(int(np.sum(entry == number)), t.decimal_mark, thousands)
    fill = np.array([legend[e]["color"] for e in entry], dtype=object)
    pattern = np.array([legend[e]["pattern"] or " " for e in entry], dtype=object)
    muted_entry = len(colors) if spec["muted"] else -1
    return {"fill": fill, "pattern": pattern, "entry": entry.astype(int), "legend": legend, "muted_entry": muted_entry,
            "title": spec["legend_title"], "map_title": spec["title"], "caption": spec["caption"]}


INTERVALS = {"dissimilarity_adjusted": ("dissimilarity_adjusted_ci_low", "dissimilarity_adjusted_ci_high"),
             "isolation": ("isolation_ci_low", "isolation_ci_high"),
             "dissimilarity_adjusted_change": ("dissimilarity_adjusted_change_ci_low",
                                               "dissimilarity_adjusted_change_ci_high")}


def hover_values(areas: pd.DataFrame, spec: Mapping[str, Any], language: str) -> list[str]:
    """The mapped value of every area in the locale, with its 95 % interval where the index has one (a
    percentage for shares, an index otherwise; empty where undefined), for the map's hover label."""
    classes = spec["classes"]
    values = as_float(areas[spec["column"]])
    t = i18n.Translator(language)
    change = spec["key"] == "change"
    if classes.percent:
        texts = [t.percent(v, 1) if np.isfinite(v) else "" for v in values]
    elif change:
        texts = [i18n.format_change(v, 2, language) if np.isfinite(v) else "" for v in values]
    else:
        texts = [t.index(v) if np.isfinite(v) else "" for v in values]
    bounds = INTERVALS.get(spec["column"])
    if bounds and all(column in areas for column in bounds):
        lows, highs = areas[bounds[0]].tolist(), areas[bounds[1]].tolist()
        texts = [" ".join(filter(None, [text, _interval(low, high, t, change)])) if text else ""
                 for text, low, high in zip(texts, lows, highs)]
    return texts


def hover_texts(values, entries, legend, muted_entry: int) -> list[str]:
    """What the map's hover label says of each area: its value; its value and the grey class's label where
    muted; the class label where undefined or without census data (the page's script does the same for the
    other indicators: ``hoverTexts`` in atlas.js)."""
    out = []
    for value, entry in zip(values, entries):
        label = legend[entry]["label"]
        out.append(f"{value} · {label}" if value and entry == muted_entry else value or label)
    return out


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else str(value)


def _count(value: Any, t: i18n.Translator, min_cell: int) -> str:
    """A published count in the locale; ``<5`` as published (or written so if a small count slipped through)."""
    text = _text(value)
    if text.startswith("<"):
        return text
    if is_suppressed(text, min_cell):
        return f"<{min_cell}"
    return t.number(as_float([text])[0]) if text else i18n.MISSING


def _interval(low: Any, high: Any, t: i18n.Translator, change: bool = False) -> str:
    fmt = (lambda v: i18n.format_change(v, 2, t.language)) if change else t.index
    a, b = as_float([_text(low)])[0], as_float([_text(high)])[0]
    if not (np.isfinite(a) and np.isfinite(b)):
        return ""
    separator = "; " if a < 0 or change else "–"
    return f"[{fmt(a)}{separator}{fmt(b)}]"


def figures(row: Mapping[str, Any], words: Mapping[str, str], language: str, min_cell: int,
            with_change: bool) -> list[dict[str, str]]:
    """The figures of one municipality (or region) as the atlas lists them: ``{field, label, text}``, ``text``
    the published cell formatted in ``language`` (intervals beside their index, status in words)."""
    t = i18n.Translator(language)

    def number(field):
        value = as_float([_text(row.get(field))])[0]
        return value if np.isfinite(value) else None

    status = _text(row.get("status"))
    if _text(row.get("pupils_group")).startswith("<"):
        status = "suppressed"  # the published table keeps the status of figures it does not show
    out = [
        {"field": "pupils_total", "text": _count(row.get("pupils_total"), t, min_cell)},
        {"field": "pupils_group", "text": _count(row.get("pupils_group"), t, min_cell)},
        {"field": "n_schools", "text": _count(row.get("n_schools"), t, 0)},
        {"field": "group_share", "text": t.percent(number("group_share"), 1)},
        {"field": "census_group_share", "text": t.percent(number("census_group_share"), 1)},
        {"field": "dissimilarity", "text": t.index(number("dissimilarity"))},
        {"field": "dissimilarity_adjusted", "text": " ".join(filter(None, [
            t.index(number("dissimilarity_adjusted")),
            _interval(row.get("dissimilarity_adjusted_ci_low"), row.get("dissimilarity_adjusted_ci_high"), t)]))},
        {"field": "distinguishable_from_random", "text": {
            "true": words["distinguishable"], "false": words["chance"]}.get(
                _text(row.get("distinguishable_from_random")).lower(), i18n.MISSING)},
        {"field": "isolation", "text": " ".join(filter(None, [
            t.index(number("isolation")),
            _interval(row.get("isolation_ci_low"), row.get("isolation_ci_high"), t)]))},
        {"field": "segregated_schools", "text": _count(row.get("segregated_schools"), t, 0)},
        {"field": "status", "text": words["suppressed"] if status == "suppressed" else words.get(
            f"status_{status}", status or i18n.MISSING)},
    ]
    if with_change and _text(row.get("change_status")):
        change_status = _text(row.get("change_status"))
        value = number("dissimilarity_adjusted_change")
        out.append({"field": "dissimilarity_adjusted_change", "text": " ".join(filter(None, [
            i18n.format_change(value, 2, language) if value is not None else i18n.MISSING,
            _interval(row.get("dissimilarity_adjusted_change_ci_low"),
                      row.get("dissimilarity_adjusted_change_ci_high"), t, change=True)]))})
        out.append({"field": "change_status", "text": words.get(f"change_{change_status}", change_status)})
    for item in out:
        item["label"] = words[f"field_{item['field']}"]
    return out
