"""Texts of the national maps in the report's language: titles, legend titles, class labels and captions.

They live apart from the drawing code so that editing a caption reruns only the map and report rules, and
apart from the report so that the maps stage needs no report code.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from segmap import geo
from segmap.maps.frames import Inset
from segmap.report import i18n
from segmap.report.i18n import N_


def map_texts(settings: Mapping[str, Any], category_counts: Mapping[str, int] | None = None,
              language: str = "en") -> dict[str, dict]:
    """Titles, legend texts and captions of the national maps, in ``language``.

    ``category_counts`` (schools per category) are appended to the school map's legend entries.
    """
    t = i18n.Translator(language)
    group, one = i18n.group_labels(dict(settings), language)
    thresholds = settings["thresholds"]
    above = thresholds["comparison"] == "above"
    symbol = ">" if above else "≥"
    low, high = t.percent(thresholds["segregated"], 0), t.percent(thresholds["severe"], 0)
    segregated_range = (t.gettext("over %(low)s up to %(high)s", low=low, high=high) if above
                        else t.gettext("%(low)s to under %(high)s", low=low, high=high))
    severe = f"{symbol} {high}"
    undefined = t.gettext("Not defined: fewer than two schools, no %(group)s or only %(group)s", group=group)
    counts = category_counts or {}

    def counted(label: str, key: str) -> str:
        return f"{label}: {t.number(counts[key])}" if key in counts else label

    categories = {
        "severe": counted(t.gettext("Severely segregated (%(range)s)", range=severe), "severe"),
        "segregated": counted(t.gettext("Segregated (%(range)s)", range=segregated_range), "segregated"),
    }
    if thresholds.get("require_alternative"):
        categories["no_alternative"] = counted(
            t.gettext("Above the threshold, only school of its settlement or municipality"), "no_alternative")
    categories["below_threshold"] = counted(t.gettext("Other schools"), "below_threshold")
    caption_schools = t.gettext(
        "Schools with known coordinates; segregated schools are sized by pupils. Segregated: share of %(group)s "
        "%(symbol)s %(low)s; severely segregated: %(severe)s.", group=group, symbol=symbol, low=low, severe=severe)
    if thresholds.get("require_alternative"):
        caption_schools += " " + t.gettext("Schools above the threshold that are the only school of their "
                                           "settlement or municipality are shown apart.")
    return {
        "group_share": {
            "title": t.gettext("Share of %(group)s among pupils", group=group),
            "legend_title": t.gettext("Share of %(group)s\namong pupils", group=group),
            "undefined_label": t.gettext("No pupils in the data"),
            "caption": t.gettext("Share of %(group)s among all pupils of the municipality's schools. "
                                 "Municipalities without schools in the data are hatched.", group=group),
        },
        "dissimilarity": {
            "title": t.gettext("Dissimilarity beyond chance by municipality"),
            "legend_title": t.gettext("Adjusted dissimilarity\n(Carrington–Troske)"),
            "undefined_label": undefined,
            "muted_label": t.gettext("Not distinguishable from\nrandom allocation"),
            "caption": t.gettext(
                "Dissimilarity index D adjusted for the part that random allocation of the same %(group)s to the "
                "same schools produces (0 = no more than chance, 1 = complete separation). Grey: municipalities "
                "whose D is within what random allocation gives in 95%% of simulations, so their segregation "
                "cannot be told apart from chance.", group=group),
        },
        "isolation": {
            "title": t.gettext("Isolation index by municipality"),
            "legend_title": t.gettext("Isolation index xPx"),
            "undefined_label": undefined,
            "caption": t.gettext(
                "Share of %(group)s in the school attended by the average %(one)s. Compare with the group's share "
                "among pupils: the larger the gap, the more the group is concentrated in some schools.",
                group=group, one=one),
        },
        "segregated_schools": {
            "title": t.gettext("Segregated schools"),
            "legend_title": t.gettext("Schools"),
            "size_legend_title": t.gettext("Pupils"),
            "caption": caption_schools,
            "categories": categories,
        },
    }


SYNTHETIC_FOOTNOTE = N_("Synthetic demonstration data — not real statistics")


def change_map_texts(settings: Mapping[str, Any], year_from: str, year_to: str, language: str = "en") -> dict[str, str]:
    """Title, legend texts and caption of the map of the change in dissimilarity beyond chance."""
    t = i18n.Translator(language)
    group, _one = i18n.group_labels(dict(settings), language)
    return {
        "title": t.gettext("Change in dissimilarity beyond chance, %(year_from)s to %(year_to)s",
                           year_from=year_from, year_to=year_to),
        "legend_title": t.gettext("Change in adjusted\ndissimilarity, %(year_from)s\nto %(year_to)s",
                                  year_from=year_from, year_to=year_to),
        "muted_label": t.gettext("No clear change: the %(level)s\ninterval includes 0", level=t.percent(0.95, 0)),
        "undefined_label": t.gettext("Not comparable between\nthe two school years"),
        "caption": t.gettext(
            "Change in the dissimilarity index beyond chance (Carrington–Troske adjusted D) from %(year_from)s to "
            "%(year_to)s: red where segregation of %(group)s between schools grew, blue where it fell. Grey: the 95%% "
            "interval of the change (paired bootstrap of both years) includes 0, so the change cannot be told apart "
            "from year-to-year noise. Hatched: not comparable (the index is undefined in one of the years, the "
            "municipality has schools in one year only, or its number of schools or pupils more than doubled or "
            "halved).", year_from=year_from, year_to=year_to, group=group),
    }


def upper_map_texts(settings: Mapping[str, Any], upper_level: Mapping[str, str], language: str = "en") -> dict[str, str]:
    """Title, legend texts and caption of the map of dissimilarity beyond chance by unit of the upper level
    (``upper_level``: its names ``{"one", "many"}`` in ``language``)."""
    t = i18n.Translator(language)
    group, _one = i18n.group_labels(dict(settings), language)
    many = upper_level["many"]
    return {
        "title": t.gettext("Dissimilarity beyond chance by %(level)s", level=many),
        "legend_title": t.gettext("Adjusted dissimilarity\n(Carrington–Troske)"),
        "undefined_label": t.gettext("Not defined: fewer than two schools, no %(group)s or only %(group)s", group=group),
        "muted_label": t.gettext("Not distinguishable from\nrandom allocation"),
        "caption": t.gettext(
            "Dissimilarity index D across all schools of each of the %(level)s, adjusted for the part that random "
            "allocation of the same %(group)s to the same schools produces. Grey: cannot be told apart from chance. "
            "Thin lines: municipalities.", level=many, group=group),
    }


def no_data_label(language: str) -> str:
    """Legend label of polygons of the boundaries that have no census row (another edition's municipalities)."""
    return i18n.Translator(language).gettext("No census data")


def page_texts(settings: Mapping[str, Any], census: pd.DataFrame, language: str) -> dict[str, Any]:
    """What every national map of a language shares: the insets with their translated labels, the
    synthetic-data footnote (or ``None``) and the locale's number and distance units, as keyword arguments
    of :func:`segmap.maps.national.choropleth_map` and ``school_points_map``."""
    t = i18n.Translator(language)
    return {
        "insets": [Inset(t.config_text(inset.label), inset.codes, zoom=inset.zoom)
                   for inset in geo.inset_codes(census, settings["insets"])],
        "footnote": t.gettext(SYNTHETIC_FOOTNOTE) if settings["synthetic"] else None,
        "decimal_mark": t.decimal_mark,
        "distance_unit": t.distance_unit,
        "thousands_sep": t.number(1000)[1:-3],
    }
