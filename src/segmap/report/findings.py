"""The summary for decision makers: three to five findings, each a sentence generated from the report's numbers
with the id of the section that shows it (the template prints its page number).

1. ``segregated``: how many group pupils attend segregated schools and the regions where most of them are;
2. ``municipalities``: where segregation between schools is clearly beyond chance (D beyond chance with a 95%
   interval above zero), the highest with their intervals;
3. ``regions``: the same for the regions and, where configured, the upper level that runs schools;
4. ``residence``: schools against where families live (isolation against the census share);
5. ``change``: the change since the first compared school year, when there is one.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd
from babel.lists import format_list

from segmap.report import i18n
from segmap.report.privacy import show_count
from segmap.stats.indices import CATEGORY_SEGREGATED, CATEGORY_SEVERE, STATUS_OK

#: How many areas a finding names.
NAMED = 3


def clearly_beyond_chance(table: pd.DataFrame) -> pd.Series:
    """Areas whose observed dissimilarity is above the 95th percentile of random allocations of the same pupils
    to the same schools (``distinguishable_from_random``): the test of every map and table of the report."""
    distinguishable = table["distinguishable_from_random"].astype("boolean").fillna(False).astype(bool)
    return distinguishable & (table["status"] == STATUS_OK)


class _Writer:
    """Number formatting and lists in the report's language."""

    def __init__(self, language: str, min_cell: int):
        self.t = i18n.Translator(language)
        self.language = language
        self.min_cell = min_cell

    def count(self, value: Any) -> str:
        return show_count(value, self.min_cell) or self.t.number(value)

    def listing(self, items: list[str]) -> str:
        return format_list(items, locale=i18n.babel_locale(self.language)) if items else ""

    def interval(self, row: Mapping[str, Any]) -> str:
        """``0.45 [0.30–0.58]``; a negative lower end is set off by a semicolon (``[−0.10; 0.20]``)."""
        low = row["dissimilarity_adjusted_ci_low"]
        # word joiners keep the interval on one line
        return "{}\u00a0[{}{}{}]".format(self.t.index(row["dissimilarity_adjusted"]), self.t.index(low),
                                          ";\u00a0" if low is not None and float(low) < 0 else "\u2060–\u2060",
                                          self.t.index(row["dissimilarity_adjusted_ci_high"]))


def segregated_finding(w: _Writer, national: Mapping[str, Any], schools: pd.DataFrame, regions: pd.DataFrame,
                       group: str) -> dict[str, str]:
    t = w.t
    in_segregated = schools["category"].isin([CATEGORY_SEGREGATED, CATEGORY_SEVERE])
    segregated_count = int(in_segregated.sum())
    if not segregated_count:
        return {"key": "segregated", "anchor": "key-figures",
                "text": t.gettext("No school counts as segregated under this report's definition.")}
    pupils = schools.loc[in_segregated, "pupils_group"]
    by_region = pupils.groupby(schools.loc[in_segregated, "region_code"].astype(str)).sum().sort_values(
        ascending=False, kind="stable")
    names = regions.assign(region_code=regions["region_code"].astype(str)).set_index("region_code")["region_name"]
    top = by_region.head(NAMED)
    text = t.ngettext(
        "%(pupils)s of the %(total)s %(group)s (%(share)s) attend the one segregated school.",
        "%(pupils)s of the %(total)s %(group)s (%(share)s) attend one of the %(num)s segregated schools.",
        segregated_count, pupils=w.count(pupils.sum()), total=w.count(national["pupils_group"]), group=group,
        share=t.percent(national["group_in_segregated_share"]))
    if len(by_region) > 1:
        text += " " + t.gettext("%(share)s of them go to school in %(places)s.",
                                share=t.percent(top.sum() / by_region.sum()),
                                places=w.listing([str(names.get(code, code)) for code in top.index]))
    return {"key": "segregated", "anchor": "map-segregated_schools", "text": text}


def municipality_finding(w: _Writer, municipalities: pd.DataFrame, minimum: int, group: str) -> dict[str, str]:
    t = w.t
    defined = municipalities[municipalities["status"] == STATUS_OK]
    clear = defined[clearly_beyond_chance(defined)]
    text = t.gettext("In %(clear)s of the %(defined)s municipalities with defined indices, segregation between "
                     "schools is clearly beyond chance: the observed D is above what random allocation of the same "
                     "pupils gives in 95%% of simulations.",
                     clear=t.number(len(clear)), defined=t.number(len(defined)))
    ranked = clear[clear["pupils_group"] >= minimum].sort_values(
        ["dissimilarity_adjusted", "municipality_code"], ascending=[False, True], kind="stable").head(NAMED)
    if len(ranked):
        items = [t.gettext("%(name)s (%(region)s) %(value)s", name=row["municipality_name"],
                           region=row["region_name"], value=w.interval(row)) for _, row in ranked.iterrows()]
        text += " " + t.gettext("Highest among those with at least %(minimum)s %(group)s: %(list)s.",
                                minimum=t.number(minimum), group=group, list=w.listing(items))
    return {"key": "municipalities", "anchor": "ranking", "text": text}


def area_finding(w: _Writer, table: pd.DataFrame, name_column: str, level: Mapping[str, str]) -> str:
    t = w.t
    defined = table[table["status"] == STATUS_OK]
    clear = defined[clearly_beyond_chance(defined)]
    ranked = clear.sort_values("dissimilarity_adjusted", ascending=False, kind="stable").head(NAMED)
    items = [t.gettext("%(name)s %(value)s", name=row[name_column], value=w.interval(row))
             for _, row in ranked.iterrows()]
    if len(clear) == len(table):
        text = t.gettext("Segregation is clearly beyond chance in all %(count)s %(level)s.",
                         count=t.number(len(table)), level=level["many"])
    else:
        text = t.gettext("Segregation is clearly beyond chance in %(clear)s of the %(count)s %(level)s.",
                         clear=t.number(len(clear)), count=t.number(len(table)), level=level["many"])
    if items:
        text += " " + t.gettext("Highest: %(list)s.", list=w.listing(items))
    return text


def residence_finding(w: _Writer, national: Mapping[str, Any], municipalities: pd.DataFrame, group: str,
                      one: str) -> dict[str, str]:
    t = w.t
    defined = municipalities[municipalities["status"] == STATUS_OK]
    census = pd.to_numeric(defined["census_group_share"], errors="coerce")
    concentrated = int((pd.to_numeric(defined["isolation"], errors="coerce") > 2 * census).sum())
    text = t.gettext("The group is %(census)s of the census population and %(group)s are %(pupils)s of all pupils, "
                     "but the average %(one)s attends a school where %(isolation)s of the pupils are %(group)s.",
                     group=group, census=t.percent(national["census_group_share"]),
                     pupils=t.percent(national["group_share"]), one=one, isolation=t.percent(national["isolation"]))
    text += " " + t.gettext("In %(count)s of the %(defined)s municipalities with defined indices, that school "
                            "share is more than twice the group's share of the municipality's census population.",
                            count=t.number(concentrated), defined=t.number(len(defined)))
    return {"key": "residence", "anchor": "map-isolation", "text": i18n.upper_first(text)}


def change_finding(w: _Writer, change: Mapping[str, Any], year_from: str, year_to: str) -> dict[str, str]:
    t = w.t
    national = change["national"]
    counts = change["counts"]
    if national.get("hidden") or national.get("change_status") == "not_comparable":
        text = t.gettext("The national figures of the two years cannot be compared.")
    else:
        text = t.gettext("From %(year_from)s to %(year_to)s, D beyond chance across the country went from %(before)s "
                         "to %(after)s (change %(change)s, 95%% interval %(low)s to %(high)s).",
                         year_from=year_from, year_to=year_to,
                         before=t.index(national["dissimilarity_adjusted_from"]),
                         after=t.index(national["dissimilarity_adjusted_to"]),
                         change=i18n.format_change(national["dissimilarity_adjusted_change"], 3, w.language),
                         low=i18n.format_change(national["dissimilarity_adjusted_change_ci_low"], 3, w.language),
                         high=i18n.format_change(national["dissimilarity_adjusted_change_ci_high"], 3, w.language))
    text += " " + t.gettext("%(increase)s municipalities show a clear increase, %(decrease)s a clear decrease.",
                            increase=t.number(counts["increase"]), decrease=t.number(counts["decrease"]))
    return {"key": "change", "anchor": "change", "text": text}


def findings(*, national: Mapping[str, Any], schools: pd.DataFrame, municipalities: pd.DataFrame,
             regions: pd.DataFrame, upper: pd.DataFrame | None, settings: Mapping[str, Any], language: str,
             group: str, one: str, region_level: Mapping[str, str], upper_level: Mapping[str, str] | None,
             years: Mapping[str, Any]) -> list[dict[str, str]]:
    """The findings of the summary page, in order, each ``{"key", "text", "anchor"}`` (``anchor``: the id of
    the section that shows it). ``regions``, ``municipalities`` and ``upper`` carry the names of the report's
    language."""
    w = _Writer(language, int(settings["min_cell"]))
    items = [
        segregated_finding(w, national, schools, regions, group),
        municipality_finding(w, municipalities, int(settings["ranking_min_group_pupils"]), group),
    ]
    area_text = area_finding(w, regions, "region_name", region_level)
    anchor = "regions"
    if upper is not None and len(upper) and upper_level:
        area_text = area_finding(w, upper, "upper_name", upper_level) + " " + area_text
        anchor = "upper-level"
    items.append({"key": "regions", "anchor": anchor, "text": area_text})
    items.append(residence_finding(w, national, municipalities, group, one))
    if years.get("change"):
        items.append(change_finding(w, years["change"], years["first"], years["report"]))
    return items
