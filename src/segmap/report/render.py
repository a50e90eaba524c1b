"""The PDF report: a Jinja2 template filled with the indices and maps, rendered by WeasyPrint.

Security: Jinja2 autoescaping is always on (a school or municipality name is text, never markup), and
WeasyPrint fetches resources only through :class:`RestrictedURLFetcher`, which serves files from the
template folder and the figure folder and refuses everything else (other files, the network).
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping
from urllib.parse import unquote, urlsplit

import jinja2
import numpy as np
import pandas as pd
from weasyprint.urls import URLFetcher, URLFetcherResponse

from segmap.files import atomic_path
from segmap.maps import regional
from segmap.report import comparability
from segmap.report import findings as summary
from segmap.report import i18n, levels
from segmap.report.levels import country_name
from segmap.report.municipality_index import municipality_index
from segmap.report.privacy import is_suppressed, show_count
from segmap.years import sorted_years

log = logging.getLogger(__name__)

#: The report template and its stylesheet, shipped as package data.
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "report.html.j2"


# --------------------------------------------------------------------------------------------------
# Resource fetching
# --------------------------------------------------------------------------------------------------

class RestrictedURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves only files below ``allowed_dirs`` and ``data:`` URIs.

    Every refused URL is recorded in ``refused`` and logged; nothing is read from elsewhere on disk
    and no network connection is ever opened.
    """

    def __init__(self, allowed_dirs: Iterable[str | Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=False)
        self.allowed_dirs = [Path(d).resolve() for d in allowed_dirs]
        self.refused: list[str] = []
        self.served: list[str] = []

    def _allowed(self, path: Path) -> bool:
        return any(path == d or d in path.parents for d in self.allowed_dirs)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()
            if self._allowed(path) and path.is_file():
                self.served.append(str(path))
                return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": _mime(path)})
        self.refused.append(url)
        log.warning("refused to fetch %s (only the report's own assets and figures are served)", url[:200])
        raise ValueError(f"resource not allowed in reports: {url[:200]}")


def _mime(path: Path) -> str:
    return {
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".ttf": "font/ttf",
        ".otf": "font/otf",
        ".woff2": "font/woff2",
    }.get(path.suffix.lower(), "application/octet-stream")


# --------------------------------------------------------------------------------------------------
# Formatting: numbers per locale (segmap.report.i18n, with Babel); English by default
# --------------------------------------------------------------------------------------------------

def format_number(value: Any, digits: int = 0, language: str = "en") -> str:
    """1234567 -> '1,234,567' (en), '1 234 567' (bg, fr), '1.234.567' (es, nl); NaN -> '–'."""
    return i18n.format_number(value, digits, language)


def format_percent(value: Any, digits: int = 1, language: str = "en") -> str:
    """0.1234 -> '12.3%' (en), '12,3 %' (es, fr), '12,3%' (bg, nl); NaN -> '–'."""
    return i18n.format_percent(value, digits, language)


def format_index(value: Any, digits: int = 2, language: str = "en") -> str:
    """0.4567 -> '0.46' (en), '0,46' (bg, es, fr, nl); NaN -> '–'."""
    return i18n.format_index(value, digits, language)


upper_first = i18n.upper_first


def grouped(text: Any, size: int = 8) -> str:
    """A checksum in groups of ``size`` characters separated by spaces ('3f2a9c1d 77e0...'), so that it wraps
    between groups only; what follows the hexadecimal digits (a git commit's ``-modified``) is kept whole."""
    text = str(text)
    digits = len(text) - len(text.lstrip("0123456789abcdefABCDEF"))
    head, tail = text[:digits], text[digits:]
    return " ".join(head[i:i + size] for i in range(0, len(head), size)) + (" " + tail.lstrip("-") if tail else "")


def make_environment(template_dir: str | Path, language: str = "en") -> jinja2.Environment:
    """Jinja2 environment for one report language: autoescaping forced on for every template, the
    language's translations (``{% trans %}``, ``_()``; newstyle gettext, white space trimmed) and the
    locale-aware number filters ``number``, ``percent``, ``index``, ``count`` and ``change`` (signed)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_translations(i18n.translations(language), newstyle=True)
    t = i18n.Translator(language)

    def number(value: Any, digits: int = 0) -> str:
        return format_number(value, digits, language)

    def percent(value: Any, digits: int = 1) -> str:
        return format_percent(value, digits, language)

    def index(value: Any, digits: int = 2) -> str:
        return format_index(value, digits, language)

    @jinja2.pass_context
    def count(context: Any, value: Any) -> str:
        """A count of people: ``<5`` when it is from 1 to min_cell - 1 (``min_cell`` from the context,
        see :mod:`segmap.report.privacy`), else as ``number``."""
        return show_count(value, int(context.get("min_cell", 1))) or number(value)

    @jinja2.pass_context
    def share(context: Any, value: Any, group_count: Any) -> str:
        """A group share as ``percent``, or ``–`` when the group count it comes from is printed as ``<5``
        (the share and the total would give the hidden count back)."""
        if show_count(group_count, int(context.get("min_cell", 1))):
            return i18n.MISSING
        return percent(value)

    def change(value: Any, digits: int = 3) -> str:
        return i18n.format_change(value, digits, language)

    roles = {"schools": t.gettext("schools"), "census": t.gettext("census"), "boundaries": t.gettext("boundaries")}

    def input_role(role: str) -> str:
        """The name of an input (``schools``, ``census``, ``boundaries``) in the report's language."""
        return roles.get(role, role)

    environment.filters.update(number=number, percent=percent, index=index, count=count, share=share,
                               upper_first=upper_first, change=change, input_role=input_role,
                               grouped=grouped)
    return environment


def render_html(template_dir: str | Path, context: Mapping[str, Any]) -> str:
    """Fill the report template with ``context`` (in the language ``context["language"]``)."""
    language = context.get("language", "en")
    html = make_environment(template_dir, language).get_template(TEMPLATE_NAME).render(**context)
    html = i18n.no_break_spaces(html)
    return i18n.bulgarian_prepositions(html) if language == "bg" else html


def write_pdf(html: str, out_path: str | Path, base_dir: str | Path, allowed_dirs: Iterable[str | Path],
              metadata: Mapping[str, str] | None = None) -> RestrictedURLFetcher:
    """Render HTML to PDF with WeasyPrint, reading only from ``allowed_dirs``; atomic write.

    Relative URLs in the HTML resolve against ``base_dir``. Returns the fetcher so callers (and tests)
    can see what was served and what was refused.
    """
    import weasyprint

    fetcher = RestrictedURLFetcher(allowed_dirs)
    document = weasyprint.HTML(string=html, base_url=Path(base_dir).resolve().as_uri() + "/",
                               url_fetcher=fetcher)
    with atomic_path(out_path) as temporary, fixed_font_timestamps():
        document.write_pdf(temporary, uncompressed_pdf=False, custom_metadata=True, pdf_tags=True)
    return fetcher


#: The time stamp written into the embedded font subsets (1 January 2000, UTC).
FONT_TIMESTAMP = "946684800"


@contextmanager
def fixed_font_timestamps() -> Iterator[None]:
    """Make the embedded fonts' ``head.modified`` stamp fixed while a PDF is written.

    WeasyPrint saves the font subsets with fontTools, which stamps them with the current time unless
    ``SOURCE_DATE_EPOCH`` is set (the reproducible-builds convention); without this two builds of the same
    report differ in a few bytes. A value the user set is kept.
    """
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ.setdefault("SOURCE_DATE_EPOCH", FONT_TIMESTAMP)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


# --------------------------------------------------------------------------------------------------
# Report content
# --------------------------------------------------------------------------------------------------

def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with NaN/NA turned into None (for the template)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict("records")


def status_counts(municipalities: pd.DataFrame) -> dict[str, int]:
    """How many municipalities have each status (``ok``, ``single_school``, ...)."""
    return {str(k): int(v) for k, v in municipalities["status"].value_counts().sort_index().items()}


def distinguishable(municipalities: pd.DataFrame) -> pd.Series:
    """``distinguishable_from_random`` as plain booleans (missing, i.e. index undefined, = False)."""
    return municipalities["distinguishable_from_random"].astype("boolean").fillna(False).astype(bool)


def top_municipalities(municipalities: pd.DataFrame, column: str = "dissimilarity_adjusted", n: int = 20,
                       min_group_pupils: int = 0) -> pd.DataFrame:
    """The ``n`` municipalities with the highest ``column`` among those where it is defined and that
    have at least ``min_group_pupils`` group pupils, with ``rank_raw``: their rank by the raw
    dissimilarity among the same municipalities (to show how the adjustment changes the ranking)."""
    eligible = municipalities[municipalities[column].notna()
                              & (municipalities["pupils_group"] >= min_group_pupils)].copy()
    by_raw = eligible.sort_values(["dissimilarity", "municipality_code"], ascending=[False, True], kind="stable")
    eligible["rank_raw"] = pd.Series(np.arange(1, len(by_raw) + 1), index=by_raw.index)
    eligible["distinguishable"] = distinguishable(eligible)
    return eligible.sort_values([column, "municipality_code"], ascending=[False, True], kind="stable").head(n)


def chance_facts(municipalities: pd.DataFrame, min_group_pupils: int, n: int = 20) -> dict[str, Any]:
    """The country's own counts for the plain-words explanation of the small-unit bias.

    ``few``/``many``: defined municipalities with at most three / more than three schools, each with its
    count, mean D, mean D* and how many cannot be told apart from random allocation; ``raw_top``: of the
    ``n`` municipalities with the highest raw D among all with a defined index (a naive ranking), how many
    are not in the report's ranking (adjusted D, at least ``min_group_pupils``), how many cannot be told
    apart from random allocation, how many have at most three schools and how many fewer than
    ``min_group_pupils`` group pupils.
    """
    defined = municipalities[municipalities["status"] == "ok"].copy()
    defined["distinguishable"] = distinguishable(defined)

    def group_facts(frame: pd.DataFrame) -> dict[str, Any]:
        return {
            "count": len(frame),
            "mean_d": float(frame["dissimilarity"].mean()) if len(frame) else float("nan"),
            "mean_expected": float(frame["dissimilarity_expected"].mean()) if len(frame) else float("nan"),
            "not_distinguishable": int((~frame["distinguishable"]).sum()),
        }

    raw_top = defined.sort_values(["dissimilarity", "municipality_code"], ascending=[False, True],
                                  kind="stable").head(n)
    adjusted_top = top_municipalities(municipalities, n=n, min_group_pupils=min_group_pupils)
    return {
        "defined": len(defined),
        "distinguishable": int(defined["distinguishable"].sum()),
        "not_distinguishable": int((~defined["distinguishable"]).sum()),
        "few": group_facts(defined[defined["n_schools"] <= 3]),
        "many": group_facts(defined[defined["n_schools"] > 3]),
        "raw_top": {
            "size": len(raw_top),
            "left_out": int((~raw_top["municipality_code"].isin(adjusted_top["municipality_code"])).sum()),
            "not_distinguishable": int((~raw_top["distinguishable"]).sum()),
            "few_schools": int((raw_top["n_schools"] <= 3).sum()),
            "few_group_pupils": int((raw_top["pupils_group"] < min_group_pupils).sum()),
        },
    }


def map_facts(municipalities: pd.DataFrame, schools: pd.DataFrame, settings: Mapping[str, Any],
              language: str = "en") -> dict[str, list[str]]:
    """A few plain-language facts printed under each map, in ``language``."""
    t = i18n.Translator(language)
    group, _one = i18n.group_labels(dict(settings), language)
    with_pupils = municipalities[municipalities["pupils_total"] > 0]
    defined = municipalities[municipalities["status"] == "ok"]
    defined_distinguishable = distinguishable(defined)
    located = schools["lon"].notna() & schools["lat"].notna()
    categories = schools["category"].value_counts()
    severe, segregated_count = int(categories.get("severe", 0)), int(categories.get("segregated", 0))
    if severe + segregated_count == 0:
        segregated = t.gettext("No school counts as segregated.")
    else:
        segregated = t.gettext("%(severe)s severely segregated and %(segregated)s segregated schools.",
                               severe=t.number(severe), segregated=t.number(segregated_count))
    no_alternative = int(categories.get("no_alternative", 0))
    if settings["thresholds"].get("require_alternative") and no_alternative:
        segregated += " " + t.ngettext(
            "%(num)s school above the threshold is the only school of its settlement or municipality.",
            "%(num)s schools above the threshold are the only school of their settlement or municipality.",
            no_alternative)
    shown = int((located & (pd.to_numeric(schools["pupils_total"], errors="coerce") > 0)).sum())
    if shown == len(schools):
        shown_text = t.gettext("All %(schools)s schools have coordinates and are shown.", schools=t.number(shown))
    else:
        shown_text = t.ngettext(
            "%(shown)s of %(schools)s schools are shown; the other one has no coordinates or no pupils.",
            "%(shown)s of %(schools)s schools are shown; the other %(num)s have no coordinates or no pupils.",
            len(schools) - shown, shown=t.number(shown), schools=t.number(len(schools)))
    majority = int((defined["isolation"] >= 0.5).sum())
    if majority:
        majority_text = t.ngettext(
            "In %(num)s municipality the average member of the group attends a school where most pupils are "
            "%(group)s.",
            "In %(num)s municipalities the average member of the group attends a school where most pupils are "
            "%(group)s.", majority, group=group)
    else:
        majority_text = t.gettext("In no municipality does the average member of the group attend a school where "
                                  "most pupils are %(group)s.", group=group)
    facts = {
        "group_share": [
            t.gettext("%(with_pupils)s of %(municipalities)s municipalities have schools with pupils in the data.",
                      with_pupils=t.number(len(with_pupils)), municipalities=t.number(len(municipalities))),
            t.gettext("In %(high)s of them the share of %(group)s is %(twenty)s or more of all pupils; in %(low)s "
                      "less than %(one_percent)s.",
                      high=t.number((with_pupils["group_share"] >= 0.2).sum()), group=group,
                      twenty=t.percent(0.2, 0), low=t.number((with_pupils["group_share"] < 0.01).sum()),
                      one_percent=t.percent(0.01, 0)),
        ],
        "dissimilarity": [
            t.gettext("D is defined for %(defined)s municipalities. In %(distinguishable)s of them it is higher "
                      "than random allocation of the same pupils to the same schools gives in 95%% of "
                      "simulations; the other %(other)s are grey.",
                      defined=t.number(len(defined)), distinguishable=t.number(int(defined_distinguishable.sum())),
                      other=t.number(int((~defined_distinguishable).sum()))),
            t.gettext("The median municipality has D = %(median)s, or %(median_adjusted)s once the part that "
                      "chance produces is taken out.",
                      median=t.index(defined["dissimilarity"].median()),
                      median_adjusted=t.index(defined["dissimilarity_adjusted"].median())),
        ],
        "isolation": [
            t.gettext("In half of the municipalities with defined indices, the average member of the group attends a "
                      "school where more than %(median)s of the pupils are %(group)s; the group's median share among "
                      "all their pupils is %(share)s.",
                      median=t.percent(defined["isolation"].median()), group=group,
                      share=t.percent(defined["group_share"].median())),
            majority_text,
        ],
        "segregated_schools": [
            segregated,
            shown_text,
        ],
    }
    return facts


def small_unit_facts(municipalities: pd.DataFrame) -> dict[str, Any]:
    """Plain facts about how small the municipalities' school systems are (for the methodology text)."""
    defined = municipalities[municipalities["status"] == "ok"]
    return {
        "municipalities": len(municipalities),
        "defined": len(defined),
        "median_schools": float(np.median(defined["n_schools"])) if len(defined) else float("nan"),
        "few_schools": int((defined["n_schools"] <= 3).sum()),
        "median_group_pupils": float(np.median(defined["pupils_group"])) if len(defined) else float("nan"),
    }


def region_pages(regions: pd.DataFrame, municipalities: pd.DataFrame, region_maps: pd.DataFrame | None,
                 language: str = "en", rows: int = 10, min_cell: int = 1) -> list[dict[str, Any]]:
    """One entry per region (in code order) for its page: the region's row of the region table, its map
    (``None`` when it has none) with the scale bar to print under it, and its municipalities.

    ``municipalities``: the ``rows`` municipalities with defined indices (status ``ok``) and the most group
    pupils, most first; ``more``: the region's other municipalities with defined indices, summed (count,
    schools, pupils, group pupils); ``others``: its municipalities without defined indices (fewer than
    two schools, or one group only), summed. Every municipality is in the municipality table.

    Group counts from 1 to ``min_cell`` - 1 print as ``<5``; when a table would hide just one such count,
    the region's total would give it back, so the smallest other positive count is hidden too
    (``group_hidden``; see :func:`hide_complement`).
    """
    t = i18n.Translator(language)
    figures = {} if region_maps is None else {str(r["region_code"]): r for r in _records(region_maps)}
    pages = []
    for number, region in enumerate(_records(regions.sort_values("region_code", kind="stable")), start=1):
        code = str(region["region_code"])
        own = municipalities[municipalities["region_code"].astype(str) == code]
        defined = own[own["status"] == "ok"].copy()
        defined["distinguishable"] = distinguishable(defined)
        defined = defined.sort_values(["pupils_group", "municipality_code"], ascending=[False, True],
                                      kind="stable")
        more, defined = defined.iloc[rows:], defined.iloc[:rows]
        rest = own[own["status"] != "ok"]
        figure = figures.get(code)
        if figure is not None:
            figure = dict(figure, scalebar_label=t.distance(figure["scalebar_km"]))
            if figure.get("locator"):
                figure["locator_src"] = figure["src"].rsplit("/", 1)[0] + "/" + str(figure["locator"])
        listed, more_sum, others_sum = _records(defined), _summed(more), _summed(rest)
        cells = listed + [c for c in (more_sum, others_sum) if c["count"]]
        for i in hide_complement([c["pupils_group"] for c in cells], min_cell):
            cells[i]["group_hidden"] = True
        pages.append({
            "anchor": region_anchor(number),
            "region": region,
            "figure": figure,
            "municipalities": listed,
            "more": more_sum,
            "others": others_sum,
            "n_municipalities": len(own),
            "hidden": any(c.get("group_hidden") for c in cells),
        })
    return pages


def region_anchor(number: int) -> str:
    """The id of the ``number``-th regional page (regions in code order, from 1)."""
    return f"region-{number}"


def region_anchors(regions: pd.DataFrame) -> dict[str, str]:
    """Region code -> id of its regional page."""
    codes = regions.sort_values("region_code", kind="stable")["region_code"].astype(str)
    return {code: region_anchor(number) for number, code in enumerate(codes, start=1)}


def upper_rows(upper: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The rows of the upper-level table (its configured order), with plain ``distinguishable``."""
    if upper is None or upper.empty:
        return []
    return _records(upper.assign(distinguishable=distinguishable(upper)))


def hide_complement(counts: list[Any], min_cell: int) -> list[int]:
    """Positions of counts to hide besides the suppressed ones (1 .. min_cell - 1) so that none of those
    can be worked out from a printed total: when exactly one count is suppressed, the smallest other
    positive count (first of equals); else none."""
    suppressed = [i for i, c in enumerate(counts) if is_suppressed(c, min_cell)]
    if len(suppressed) != 1:
        return []
    candidates = [(float(c), i) for i, c in enumerate(counts) if i not in suppressed and c and float(c) > 0]
    return [min(candidates)[1]] if candidates else []


def _summed(municipalities: pd.DataFrame) -> dict[str, int]:
    """Count, schools, pupils and group pupils of some municipalities together."""
    return {
        "count": len(municipalities),
        "n_schools": int(municipalities["n_schools"].sum()),
        "pupils_total": int(municipalities["pupils_total"].sum()),
        "pupils_group": int(municipalities["pupils_group"].sum()),
    }


def region_legend(schools: pd.DataFrame, language: str = "en") -> dict[str, Any]:
    """The legend of the regional maps, printed by the report in its language."""
    return regional.legend_entries(schools, i18n.Translator(language).decimal_mark)


CHANGE_LIST_ROWS = 10


def school_years_context(*, report_year: str | None, national_by_year: pd.DataFrame, region_by_year: pd.DataFrame,
                         municipality_change: pd.DataFrame, region_change: pd.DataFrame,
                         national_change: pd.DataFrame, settings: Mapping[str, Any],
                         provenance: Mapping[str, Any]) -> dict[str, Any]:
    """The school years of the report and, when two or more are compared, the content of the chapter on
    the change since the first compared year (from the ``*_by_year`` and ``*_change`` tables).

    ``report``: the report year (``None`` when the data state none); ``compared``: the compared years;
    ``change``: ``None`` with one year, else the national rows per year and the national change, the
    counts of municipalities by ``change_status``, the municipalities with the largest clear increases and
    decreases (at least ``ranking_min_group_pupils`` group pupils in both years), the regions with a
    column per year, the municipalities that cannot be compared by reason, and the Belgian code recoding.
    A row whose group count is printed as ``<5`` in either year has its indices hidden (``hidden``).
    """
    years_present = sorted_years(national_by_year["year"])
    context: dict[str, Any] = {"report": report_year, "compared": years_present, "first": None, "change": None,
                               "available": list(provenance.get("school_years", {}))}
    if national_change.empty:
        return context
    min_cell = int(settings["min_cell"])
    minimum = int(settings["ranking_min_group_pupils"])

    def hidden(frame: pd.DataFrame) -> pd.Series:
        return (frame["pupils_group_from"].map(lambda v: is_suppressed(v, min_cell))
                | frame["pupils_group_to"].map(lambda v: is_suppressed(v, min_cell)))

    municipalities = municipality_change.assign(hidden=hidden(municipality_change))
    eligible = municipalities[~municipalities["hidden"]
                              & (municipalities[["pupils_group_from", "pupils_group_to"]].min(axis=1) >= minimum)]
    by_change = eligible.sort_values(["dissimilarity_adjusted_change", "municipality_code"], kind="stable")
    increases = by_change[by_change["change_status"] == "increase"].iloc[::-1].head(CHANGE_LIST_ROWS)
    decreases = by_change[by_change["change_status"] == "decrease"].head(CHANGE_LIST_ROWS)
    not_comparable = municipalities[municipalities["change_status"] == "not_comparable"]
    statuses = municipalities["change_status"].value_counts()
    reasons = not_comparable["not_comparable_reason"].value_counts()
    per_year = region_by_year.pivot(index="region_code", columns="year", values="dissimilarity_adjusted")
    regions = region_change.assign(hidden=hidden(region_change)).sort_values("region_code", kind="stable")
    region_rows = []
    for row in _records(regions):
        row["by_year"] = [None if row["hidden"] else per_year.at[row["region_code"], y] for y in years_present]
        region_rows.append(row)

    def listed(reason: str) -> list[dict[str, Any]]:
        rows = not_comparable[not_comparable["not_comparable_reason"] == reason]
        return _records(rows.sort_values("municipality_code", kind="stable")[["municipality_code",
                                                                              "municipality_name"]])

    national = _records(national_change)[0]
    national["hidden"] = bool(hidden(national_change).iloc[0])
    context.update(
        first=str(national_change["year_from"].iloc[0]),
        change={
            "national_years": _records(national_by_year.sort_values("year", kind="stable")),
            "national": national,
            "counts": {status: int(statuses.get(status, 0))
                       for status in ("increase", "decrease", "no_clear_change", "not_comparable")},
            "comparable": int(len(municipalities) - len(not_comparable)),
            "reasons": {reason: int(reasons.get(reason, 0))
                        for reason in ("index_undefined", "schools_in_one_year_only", "schools_changed")},
            "increases": _records(increases),
            "decreases": _records(decreases),
            "regions": region_rows,
            "one_year_only": listed("schools_in_one_year_only"),
            "schools_changed": listed("schools_changed"),
            "recoding": list(provenance.get("code_recoding") or []),
            "minimum": minimum,
        },
    )
    return context


def build_context(
    *,
    settings: Mapping[str, Any],
    national: pd.DataFrame,
    regions: pd.DataFrame,
    municipalities: pd.DataFrame,
    schools: pd.DataFrame,
    maps: list[Mapping[str, str]],
    provenance: Mapping[str, Any],
    language: str = "en",
    region_maps: pd.DataFrame | None = None,
    school_years: Mapping[str, Any] | None = None,
    code_check: Mapping[str, Any] | None = None,
    upper: pd.DataFrame | None = None,
    upper_map: Mapping[str, str] | None = None,
    definitions: list[Mapping[str, Any]] | None = None,
    published_files: list[str] | None = None,
) -> dict[str, Any]:
    """Everything the template needs, computed here so the template only lays it out.

    ``school_years`` is :func:`school_years_context` (the report year and the chapter on the change
    between years); without it the report states no school year and has no such chapter. ``code_check`` is
    :func:`segmap.report.code_check.code_check_context` (without it, the section on the inputs' codes is left out).
    ``regions``, ``municipalities`` and ``upper`` carry the region and unit names of the report's language
    (:mod:`segmap.report.levels`); ``upper`` is the upper-level table (``None`` or empty: no such level) and
    ``upper_map`` its figure; ``definitions`` every configured country's definition of a segregated school (for
    the comparability box); ``published_files`` the names of the shareable tables (printed when no ``data_url``
    is configured)."""
    nation = _records(national)[0]
    categories = schools["category"].value_counts()
    thresholds = settings["thresholds"]
    group_total = schools["pupils_group"].sum()
    no_alternative = schools[schools["category"] == "no_alternative"]
    t = i18n.Translator(language)
    group, one = i18n.group_labels(dict(settings), language)
    name = country_name(settings, language)
    min_cell = int(settings["min_cell"])
    rows = int(settings["region_table_rows"])
    years = dict(school_years or {"report": None, "compared": [], "first": None, "change": None, "available": []})
    region_level = levels.region_level(settings, language)
    upper_level = levels.upper_level(settings, language) if upper is not None and len(upper) else None
    return {
        "level": region_level,
        "upper_level": upper_level,
        "upper": upper_rows(upper) if upper_level else [],
        "upper_map": dict(upper_map) if upper_map and upper_level else None,
        "upper_note": i18n.localised((settings.get("upper_level") or {}).get("note"), language) if upper_level else None,
        "findings": summary.findings(national=nation, schools=schools, municipalities=municipalities,
                                     regions=regions, upper=upper, settings=settings, language=language,
                                     group=group, one=one, region_level=region_level, upper_level=upper_level,
                                     years=years),
        "municipality_index": municipality_index(municipalities, region_anchors(regions), language),
        "comparability": comparability.comparability(list(definitions or []), settings, schools, nation, language),
        "partners": [line for line in (i18n.localised({"*": p} if isinstance(p, str) else p, language)
                                       for p in settings.get("partners") or []) if line],
        "funding": i18n.localised(settings.get("funding"), language),
        "data_url": settings.get("data_url"),
        "published_files": list(published_files or []),
        "language": language,
        "country": {
            "code": settings["code"],
            "name": name,
            "deliverable": settings["deliverable"],
            "group_label": group,
            "group_label_singular": one,
            "synthetic": settings["synthetic"],
        },
        "title": t.gettext("School segregation maps in %(country)s", country=name),
        "thresholds": thresholds,
        "thresholds_source": (thresholds.get("source_translations") or {}).get(language)
        or t.config_text(thresholds["source"]),
        "input_roles": {"schools": t.gettext("schools"), "census": t.gettext("census"),
                        "boundaries": t.gettext("boundaries")},
        "threshold_symbol": ">" if thresholds["comparison"] == "above" else "≥",
        "national": nation,
        "school_categories": {str(k): int(v) for k, v in categories.items()},
        "status_counts": status_counts(municipalities),
        "small_units": small_unit_facts(municipalities),
        "regions": _records(regions.sort_values("region_code", kind="stable")),
        "top_dissimilarity": _records(top_municipalities(
            municipalities, min_group_pupils=settings["ranking_min_group_pupils"])),
        "chance": chance_facts(municipalities, settings["ranking_min_group_pupils"]),
        "inference": settings["inference"],
        "ranking_min_group_pupils": settings["ranking_min_group_pupils"],
        "no_alternative": {
            "schools": len(no_alternative),
            "group_share": float(no_alternative["pupils_group"].sum() / group_total) if group_total else 0.0,
        },
        "map_facts": map_facts(municipalities, schools, settings, language),
        "min_cell": min_cell,
        "maps": list(maps),
        "region_pages": region_pages(regions, municipalities, region_maps, language, rows=rows, min_cell=min_cell),
        "region_legend": region_legend(schools, language),
        "region_table_rows": rows,
        "provenance": provenance,
        "code_check": dict(code_check or {"any": False}),
        "years": years,
    }
