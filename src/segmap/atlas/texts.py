"""The atlas's words in one language, from the report's message catalogs (:mod:`segmap.report.i18n`).

Texts the report already has (status explanations, column names) reuse its messages, so their translations
are shared; the atlas's own texts (search, keyboard help, table view) are new messages of the same catalogs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from segmap.report import i18n


def atlas_texts(settings: Mapping[str, Any], language: str, region_level: Mapping[str, str]) -> dict[str, str]:
    """Every text of the page and of its script, in ``language``. ``region_level``: the region level's
    names ``{"one", "many"}`` in that language (provinces, oblasts, ...)."""
    t = i18n.Translator(language)
    group, _one = i18n.group_labels(dict(settings), language)
    region = i18n.upper_first(region_level["one"])
    level = t.percent(0.95, 0)
    return {
        "title": t.gettext("Interactive atlas of school segregation"),
        "indicator": t.gettext("Map"),
        "search": t.gettext("Find a municipality"),
        "search_hint": t.gettext("Type part of a name; accents and capitals do not matter."),
        "no_match": t.gettext("No municipality of this name."),
        "matches": t.gettext("Matches"),
        "region": region,
        "all_regions": t.gettext("Whole country"),
        "zoom_to": t.gettext("Zoom to"),
        "zoom_in": t.gettext("Zoom in"),
        "zoom_out": t.gettext("Zoom out"),
        "reset": t.gettext("Whole country"),
        "keyboard": t.gettext("Map keys: arrows move the map, + and − zoom, 0 shows the whole country. "
                              "Every figure is also in the search, the region view and the table."),
        "details": t.gettext("Municipality"),
        "details_empty": t.gettext("Click a municipality on the map, or find it by name, to see its figures."),
        "region_view": t.gettext("%(region)s: figures and municipalities", region=region),
        "region_empty": t.gettext("Choose a %(region)s above to see its table.", region=region_level["one"]),
        "table_view": t.gettext("Table of all municipalities"),
        "municipality": t.gettext("Municipality"),
        "map_alt": t.gettext("Map of %(map)s by municipality. The same figures are in the search, the region "
                             "view and the table of all municipalities.", map="%(map)s"),
        "class_label": t.gettext("Map class"),
        "hover_name": t.gettext("Municipality"),
        "offline": t.gettext("This atlas works offline: it loads nothing from the internet."),
        "suppressed": t.gettext("Not shown: fewer than %(n)s %(group)s (privacy)", n=t.number(
            settings.get("min_cell", 5)), group=group),
        "distinguishable": t.gettext("yes: more segregated than random allocation would give"),
        "chance": t.gettext("no: within what random allocation gives"),
        "status_ok": t.gettext("Two or more schools with pupils, with both %(group)s and other pupils: indices "
                               "defined", group=group),
        "status_single_school": t.gettext("Only one school with pupils: no segregation between schools to measure"),
        "status_no_group_pupils": t.gettext("No %(group)s in the municipality's schools", group=group),
        "status_no_other_pupils": t.gettext("Only %(group)s in the municipality's schools", group=group),
        "status_no_schools": t.gettext("No school with pupils in the data"),
        "change_increase": t.gettext("clear increase"),
        "change_decrease": t.gettext("clear decrease"),
        "change_no_clear_change": t.gettext("no clear change"),
        "change_not_comparable": t.gettext("not comparable"),
        "field_pupils_total": t.gettext("Pupils"),
        "field_pupils_group": i18n.upper_first(group),
        "field_n_schools": t.gettext("Schools"),
        "field_group_share": t.gettext("Group share"),
        "field_census_group_share": t.gettext("Census share"),
        "field_dissimilarity": t.gettext("Dissimilarity D"),
        "field_dissimilarity_adjusted": t.gettext("Adjusted dissimilarity D beyond chance [%(level)s interval]",
                                                  level=level),
        "field_distinguishable_from_random": t.gettext("Beyond chance"),
        "field_isolation": t.gettext("Isolation xPx [%(level)s interval]", level=level),
        "field_segregated_schools": t.gettext("Segregated schools"),
        "field_status": t.gettext("Status"),
        "field_dissimilarity_adjusted_change": t.gettext("Change in adjusted D [%(level)s interval]", level=level),
        "field_change_status": t.gettext("Change"),
        "field_region": region,
    }
