"""The PDF report: a Jinja2 template filled with the indices and maps, rendered by WeasyPrint.

Security: Jinja2 autoescaping is always on (a school or municipality name is text, never markup), and
WeasyPrint fetches resources only through :class:`RestrictedURLFetcher`, which serves files from the
template folder and the figure folder and refuses everything else (other files, the network).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import unquote, urlsplit

import jinja2
import numpy as np
import pandas as pd
from weasyprint.urls import URLFetcher, URLFetcherResponse

from segmap.files import atomic_path

log = logging.getLogger(__name__)

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
# Formatting (English; locale formatting per language comes with the translations)
# --------------------------------------------------------------------------------------------------

def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def format_number(value: Any, digits: int = 0) -> str:
    """1234567 -> '1,234,567'; NaN -> '–'."""
    if _missing(value):
        return "–"
    return f"{float(value):,.{digits}f}"


def format_percent(value: Any, digits: int = 1) -> str:
    """0.1234 -> '12.3%'; NaN -> '–'."""
    if _missing(value):
        return "–"
    return f"{100 * float(value):.{digits}f}%"


def format_index(value: Any, digits: int = 2) -> str:
    """0.4567 -> '0.46'; NaN -> '–'."""
    if _missing(value):
        return "–"
    return f"{float(value):.{digits}f}"


def make_environment(template_dir: str | Path) -> jinja2.Environment:
    """Jinja2 environment with autoescaping forced on for every template, and the number filters."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(number=format_number, percent=format_percent, index=format_index)
    return environment


def render_html(template_dir: str | Path, context: Mapping[str, Any]) -> str:
    """Fill the report template with ``context``."""
    return make_environment(template_dir).get_template(TEMPLATE_NAME).render(**context)


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
    with atomic_path(out_path) as temporary:
        document.write_pdf(temporary, uncompressed_pdf=False, custom_metadata=False)
    return fetcher


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


def top_municipalities(municipalities: pd.DataFrame, column: str = "dissimilarity", n: int = 20,
                       min_group_pupils: int = 0) -> pd.DataFrame:
    """The ``n`` municipalities with the highest ``column`` among those where it is defined and that
    have at least ``min_group_pupils`` group pupils (with a handful of group pupils the index mostly
    reflects how few they are)."""
    eligible = municipalities[municipalities[column].notna()
                              & (municipalities["pupils_group"] >= min_group_pupils)]
    return eligible.sort_values([column, "municipality_code"], ascending=[False, True], kind="stable").head(n)


def map_facts(municipalities: pd.DataFrame, schools: pd.DataFrame, settings: Mapping[str, Any]) -> dict[str, list[str]]:
    """A few plain-language facts printed under each map (English)."""
    group = settings["group_label"]
    with_pupils = municipalities[municipalities["pupils_total"] > 0]
    defined = municipalities[municipalities["status"] == "ok"]
    minimum = settings.get("ranking_min_group_pupils", 20)
    high_d = defined[defined["dissimilarity"] >= 0.6]
    high_d_small = high_d[high_d["pupils_group"] < minimum]
    located = schools["lon"].notna() & schools["lat"].notna()
    categories = schools["category"].value_counts()
    facts = {
        "group_share": [
            f"{format_number(len(with_pupils))} of {format_number(len(municipalities))} municipalities have "
            f"schools with pupils in the data.",
            f"In {format_number((with_pupils['group_share'] >= 0.2).sum())} of them {group} are 20% or more of "
            f"all pupils; in {format_number((with_pupils['group_share'] < 0.01).sum())} less than 1%.",
        ],
        "dissimilarity": [
            f"The index is defined for {format_number(len(defined))} municipalities; half of them are above "
            f"{format_index(defined['dissimilarity'].median())}.",
            f"{format_number(len(high_d))} municipalities have D of 0.60 or more; {format_number(len(high_d_small))}"
            f" of these have fewer than {minimum} {group}, where a high D can arise by chance.",
        ],
        "isolation": [
            f"Half of the municipalities with defined indices have an isolation index above "
            f"{format_index(defined['isolation'].median())}, against a median group share of "
            f"{format_index(defined['group_share'].median())} among their pupils.",
            f"In {format_number((defined['isolation'] >= 0.5).sum())} municipalities the average member of the "
            f"group attends a school where most pupils are {group}.",
        ],
        "segregated_schools": [
            f"{format_number(categories.get('severe', 0))} severely segregated and "
            f"{format_number(categories.get('segregated', 0))} segregated schools"
            + (f"; {format_number(categories.get('no_alternative', 0))} schools above the threshold are the only "
               "school of their settlement or municipality" if settings["thresholds"].get("require_alternative")
               else "") + ".",
            f"{format_number(int(located.sum()))} of {format_number(len(schools))} schools have coordinates and "
            "are shown.",
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
) -> dict[str, Any]:
    """Everything the template needs, computed here so the template only lays it out."""
    nation = _records(national)[0]
    categories = schools["category"].value_counts()
    thresholds = settings["thresholds"]
    group_total = schools["pupils_group"].sum()
    no_alternative = schools[schools["category"] == "no_alternative"]
    return {
        "language": language,
        "country": {
            "code": settings["code"],
            "name": settings["name"],
            "deliverable": settings["deliverable"],
            "group_label": settings["group_label"],
            "group_label_singular": settings.get("group_label_singular", settings["group_label"]),
            "synthetic": settings["synthetic"],
        },
        "title": f"School segregation maps in {settings['name']}",
        "thresholds": thresholds,
        "threshold_symbol": ">" if thresholds["comparison"] == "above" else "≥",
        "national": nation,
        "school_categories": {str(k): int(v) for k, v in categories.items()},
        "status_counts": status_counts(municipalities),
        "small_units": small_unit_facts(municipalities),
        "regions": _records(regions.sort_values("region_code", kind="stable")),
        "top_dissimilarity": _records(top_municipalities(
            municipalities, min_group_pupils=settings.get("ranking_min_group_pupils", 0))),
        "ranking_min_group_pupils": settings.get("ranking_min_group_pupils", 0),
        "no_alternative": {
            "schools": len(no_alternative),
            "group_share": float(no_alternative["pupils_group"].sum() / group_total) if group_total else 0.0,
        },
        "map_facts": map_facts(municipalities, schools, settings),
        "maps": list(maps),
        "provenance": provenance,
    }
