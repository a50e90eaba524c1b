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

from segmap.files import atomic_path

log = logging.getLogger(__name__)

TEMPLATE_NAME = "report.html.j2"


# --------------------------------------------------------------------------------------------------
# Resource fetching
# --------------------------------------------------------------------------------------------------

def _fetcher_base():
    from weasyprint.urls import URLFetcher

    return URLFetcher


class RestrictedURLFetcher(_fetcher_base()):
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
        from weasyprint.urls import URLFetcherResponse

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


def top_municipalities(municipalities: pd.DataFrame, column: str = "dissimilarity", n: int = 25) -> pd.DataFrame:
    """The ``n`` municipalities with the highest ``column`` among those where it is defined."""
    defined = municipalities[municipalities[column].notna()]
    return defined.sort_values([column, "municipality_code"], ascending=[False, True], kind="stable").head(n)


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
    return {
        "language": language,
        "country": {
            "code": settings["code"],
            "name": settings["name"],
            "deliverable": settings["deliverable"],
            "group_label": settings["group_label"],
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
        "top_dissimilarity": _records(top_municipalities(municipalities)),
        "maps": list(maps),
        "provenance": provenance,
    }
