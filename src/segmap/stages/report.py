"""Stage ``report``: the PDF report of one country in one language.

The page content comes from :mod:`segmap.report.render` (context, HTML, PDF), the texts from
:mod:`segmap.report.i18n`, the map captions from :mod:`segmap.maps.captions`, the provenance record from
:mod:`segmap.provenance`. The template and its stylesheet are package data (``segmap/report/templates``).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from segmap.files import read_csv
from segmap.maps import regional
from segmap.maps.captions import change_map_texts, map_texts, upper_map_texts
from segmap.provenance import git_commit, package_versions, settings_digest
from segmap.report import i18n, levels, render
from segmap.report.code_check import code_check_context
from segmap.stats import change

log = logging.getLogger(__name__)


#: The shareable tables a reader can be given (``outputs/<country>/published/``), named in the report.
PUBLISHED_FILES = ["municipality_indices.csv", "region_indices.csv", "upper_level_indices.csv", "school_indices.csv",
                   "national_indices.csv", "municipality_change.csv"]


def region_map_index(region_maps_dir: str | Path) -> pd.DataFrame:
    """The index of the regional maps with each figure's absolute ``src`` URI."""
    folder = Path(region_maps_dir).resolve()
    index = read_csv(folder / regional.INDEX_NAME)
    index["src"] = [(folder / name).as_uri() for name in index["file"]]
    return index


def build_report(*, tables: Mapping[str, str | Path], maps: Mapping[str, str | Path], region_maps_dir, provenance_in,
                 settings: Mapping[str, Any], language: str,
                 pdf_out: str | Path, change_map: str | Path | None = None, code_check_in: str | Path | None = None,
                 upper_map: str | Path | None = None, definitions: list[Mapping[str, Any]] | None = None,
                 template_dir: str | Path = render.TEMPLATE_DIR) -> None:
    """Render the PDF report of one country in one language.

    ``tables`` holds the four tables of the report year (``national``, ``regions``, ``municipalities``,
    ``schools``) and, for the chapter on the change between school years, ``national_by_year``,
    ``region_by_year``, ``municipality_change``, ``region_change`` and ``national_change``; ``change_map``
    is the figure of that chapter (shown when two or more school years are compared). ``code_check_in`` is the
    code check table of the ``code_check`` stage, for the data-sources page. ``tables["upper_level"]`` (optional)
    is the table of the level above the regions and ``upper_map`` its map; ``definitions`` every configured
    country's definition of a segregated school (the comparability box; default: this country's only).
    Region and unit names are printed in the report's language where the settings give them.
    """
    texts = map_texts(settings, language=language)
    t = i18n.Translator(language)
    name = levels.country_name(settings, language)
    national = read_csv(tables["national"])
    provenance = json.loads(Path(provenance_in).read_text(encoding="utf-8"))

    def named(table: pd.DataFrame) -> pd.DataFrame:
        return levels.with_region_names(table, settings, language)

    def year_table(key: str, level: str) -> pd.DataFrame:
        """A by-year or change table; without it (a caller that built one year only), an empty one."""
        if key in tables:
            return named(read_csv(tables[key]))
        return national.iloc[:0] if key.endswith("by_year") else change.empty_change_table(level)

    school_years = render.school_years_context(
        report_year=None if pd.isna(national["year"].iloc[0]) else str(national["year"].iloc[0]),
        national_by_year=read_csv(tables["national_by_year"]) if "national_by_year" in tables else national,
        region_by_year=year_table("region_by_year", "region"),
        municipality_change=year_table("municipality_change", "municipality"),
        region_change=year_table("region_change", "region"), national_change=year_table("national_change", "national"),
        settings=settings, provenance=provenance)
    if school_years["change"] is not None and change_map is not None:
        change_texts = change_map_texts(settings, school_years["first"], school_years["report"], language)
        school_years["change"]["map"] = {
            "key": "dissimilarity_change", "title": change_texts["title"], "caption": change_texts["caption"],
            "alt": t.gettext("Map of %(country)s by municipality: %(title)s.", country=name,
                             title=change_texts["title"]),
            "src": Path(change_map).resolve().as_uri()}
    provenance.update(versions=package_versions(), config_sha256=settings_digest(settings),
                      map_crs=settings["map_crs"], git_commit=git_commit(Path(__file__).resolve().parent),
                      report_year=school_years["report"], compared_years=school_years["compared"])
    figures = [
        {
            "key": key,
            "title": texts[key]["title"],
            "caption": texts[key]["caption"],
            "alt": t.gettext("Map of %(country)s by municipality: %(title)s.", country=name,
                             title=texts[key]["title"]),
            "src": Path(path).resolve().as_uri(),
        }
        for key, path in maps.items()
    ]
    upper = levels.with_upper_names(read_csv(tables["upper_level"]), settings, language) \
        if "upper_level" in tables else None
    upper_figure = None
    if upper is not None and len(upper) and upper_map is not None:
        upper_names = levels.upper_level(settings, language)
        upper_texts = upper_map_texts(settings, upper_names, language)
        upper_figure = {"key": "upper_dissimilarity", "title": upper_texts["title"],
                        "caption": upper_texts["caption"], "src": Path(upper_map).resolve().as_uri(),
                        "alt": t.gettext("Map of %(country)s: %(title)s.", country=name, title=upper_texts["title"])}
    context = render.build_context(
        settings=settings,
        national=national,
        school_years=school_years,
        regions=named(read_csv(tables["regions"])),
        municipalities=named(read_csv(tables["municipalities"])),
        schools=read_csv(tables["schools"]),
        maps=figures,
        region_maps=region_map_index(region_maps_dir),
        provenance=provenance,
        language=language,
        code_check=code_check_context(None if code_check_in is None else read_csv(code_check_in), provenance,
                                      file=f"data/processed/{settings['code']}/code_check.csv"),
        upper=upper,
        upper_map=upper_figure,
        definitions=definitions,
        published_files=PUBLISHED_FILES,
    )
    html = render.render_html(template_dir, context)
    figure_dirs = sorted({str(Path(path).resolve().parent)
                          for path in [*maps.values(), *filter(None, [change_map, upper_map])]}
                         | {str(Path(region_maps_dir).resolve())})
    fetcher = render.write_pdf(html, pdf_out, base_dir=template_dir, allowed_dirs=[template_dir, *figure_dirs])
    if fetcher.refused:
        log.warning("the report asked for %d resource(s) outside its assets; none was read", len(fetcher.refused))
