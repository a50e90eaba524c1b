"""The pipeline's stages as plain functions of file paths and settings.

Each Snakemake rule calls exactly one of these through a three-line script in ``rules/scripts``;
they can equally be called from Python or a notebook to rerun one stage by hand.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from segmap import geo, ingest, tables, validate
from segmap.config import school_input_specs
from segmap.errors import InputError, Problem
from segmap.i18n import N_
from segmap.files import (atomic_path, read_csv, read_geoparquet, sha256, write_csv, write_geoparquet)

log = logging.getLogger(__name__)

REPORTED_PACKAGES = ["segmap", "numpy", "pandas", "geopandas", "shapely", "pyogrio", "matplotlib",
                     "jinja2", "weasyprint", "snakemake"]


# --------------------------------------------------------------------------------------------------
# Ingest
# --------------------------------------------------------------------------------------------------

def ingest_country(inputs: Mapping[str, Any], schools_out: str | Path, census_out: str | Path,
                   boundaries_out: str | Path, provenance_out: str | Path, *, rejected_out: str | Path | None = None,
                   locations_out: str | Path | None = None, country: str = "xx", on_invalid_rows: str = "error",
                   max_problems: int = 200, plain_years: str = "start") -> None:
    """Read, validate and cross-check the three inputs; write their canonical versions.

    ``inputs`` maps ``schools``/``census``/``boundaries`` to input specifications
    (:class:`segmap.config.InputSpec` as dict; boundaries may be ``source: gisco``; schools may be a list
    of specifications, one per file, each with its own ``year``). Every school gets its school year as a
    label (``2023/24``; :mod:`segmap.years`), ids are unique within a year, and the years are kept apart,
    never added up. Schools with coordinates are placed in municipalities by point in polygon
    (:mod:`segmap.locate`); the checks go to ``locations_out``. Invalid school rows stop the run, or with
    ``on_invalid_rows="drop"`` are left out and listed with their reasons in ``rejected_out``. With Belgian
    NIS codes, years coded before a merger are recoded to the census's code list. Nothing is written unless
    all inputs pass.
    """
    from segmap import locate, recipes

    school_specs = school_input_specs(inputs["schools"])
    files = {role: str(inputs[role]["path"]) for role in ("census", "boundaries")}
    files["schools"] = ", ".join(str(spec["path"]) for spec in school_specs)
    try:
        school_tables, screened, rejected_parts = [], [], []
        for spec in school_specs:
            table = ingest.read_table(spec, "schools")
            part, rejected = validate.screen_schools(table, str(spec["path"]), spec.get("thousands"), on_invalid_rows,
                                                     year=spec.get("year"), plain_years=plain_years)
            school_tables.append(table)
            screened.append(part)
            rejected_parts.append(rejected)
        schools = validate.combine_school_files(screened, [str(spec["path"]) for spec in school_specs])
        census_table = ingest.read_table(inputs["census"], "census")
        census = validate.validate_census(census_table, files["census"], inputs["census"].get("thousands"))
        boundaries, boundary_sources = read_boundary_input(inputs["boundaries"], country)
        boundaries = validate.validate_boundaries(boundaries, files["boundaries"])
        code_edition = check_code_edition(inputs, census, boundaries, files)
        schools, recoded = recipes.recode_nis_years(schools, code_edition, files["schools"])
        schools, locations = locate.locate_schools(schools, boundaries, census["municipality_code"])
        schools, unknown = validate.check_school_municipalities(schools, census, files, on_invalid_rows)
        if schools.empty:
            dropped = [Problem(str(r.file), str(r.reason), None if pd.isna(r.column) else str(r.column), int(r.row),
                               None if pd.isna(r.school_id) else str(r.school_id))
                       for r in pd.concat([*rejected_parts, unknown]).itertuples()]
            raise InputError([Problem(files["schools"], "no valid school is left: every row was invalid and "
                                                        "left out (on_invalid_rows: drop)"), *dropped])
        boundaries = validate.cross_check(schools, census, boundaries, files)
    except InputError as error:
        raise error.limited(max_problems) from None
    rejected = pd.concat([r for r in (*rejected_parts, unknown) if len(r)] or [rejected_parts[0]], ignore_index=True)
    school_years = {str(year): int(n) for year, n in schools["year"].value_counts().sort_index().items()}
    provenance = {
        "inputs": [
            *({"role": "schools", "path": str(spec["path"]), "sha256": sha256(spec["path"]), "rows": len(table),
               **({"year": spec["year"]} if spec.get("year") else {}), **reading_record(spec, table)}
              for spec, table in zip(school_specs, school_tables)),
            {"role": "census", "path": files["census"], "sha256": sha256(files["census"]), "rows": len(census),
             **reading_record(inputs["census"], census_table)},
            {"role": "boundaries", "path": files["boundaries"],
             "sha256": None if boundary_sources else sha256(files["boundaries"]), "rows": len(boundaries),
             **reading_record(inputs["boundaries"], None)},
        ],
        "code_edition": code_edition,
        "code_recoding": recoded,
        "boundary_sources": boundary_sources,
        "school_years": school_years,
        "schools_rejected": len(rejected),
        "schools_used": len(schools),
        "on_invalid_rows": on_invalid_rows,
        "locations": {str(k): int(v) for k, v in locations["status"].value_counts().sort_index().items()},
    }
    write_csv(schools.drop(columns=list(validate.SOURCE_COLUMNS)), schools_out)
    write_csv(census, census_out)
    write_geoparquet(boundaries, boundaries_out)
    if rejected_out is not None:
        write_csv(rejected, rejected_out)
    if locations_out is not None:
        write_csv(locations, locations_out)
    write_json(provenance, provenance_out)
    log.info("ingested %d schools (%d rejected), %d municipalities, %d polygons", len(schools), len(rejected),
             len(census), len(boundaries))
    log.info("school years: %s", ", ".join(f"{year} ({n} schools)" for year, n in school_years.items())
             or "not stated in the schools data")


def reading_record(spec: Mapping[str, Any], table: pd.DataFrame | None) -> dict[str, Any]:
    """How an input was read, for the provenance record: encoding (and whether it was detected),
    separator, recipe and the recipe's choice of census total."""
    record: dict[str, Any] = {}
    attrs = table.attrs if table is not None else {}
    for key in ("encoding", "encoding_detected", "sep", "census_total"):
        if key in attrs and attrs[key] is not None:
            record[key] = attrs[key]
    if spec.get("recipe"):
        recipe = spec["recipe"]
        record["recipe"] = recipe if isinstance(recipe, str) else recipe.get("name")
    return record


def check_code_edition(inputs: Mapping[str, Mapping[str, Any]], census: pd.DataFrame, boundaries: Any,
                       files: Mapping[str, str]) -> str | None:
    """For Belgian NIS codes (recipe ``be_nis``), check that census and boundaries use the same edition of
    the code list (581 municipalities until 2024, 565 from 2025); returns the edition, if known."""
    from segmap import recipes

    specs = [*school_input_specs(inputs["schools"]), inputs["census"], inputs["boundaries"]]
    uses_nis = any(recipes.recipe_options(spec)[0] == "be_nis" for spec in specs if spec.get("recipe"))
    if not uses_nis:
        return None
    return recipes.check_nis_year(census["municipality_code"], boundaries["municipality_code"],
                                  file=files["census"], boundary_file=files["boundaries"])


def read_boundary_input(spec: Mapping[str, Any], country: str) -> tuple[Any, list[dict[str, Any]]]:
    """The boundary layer from a file, or from Eurostat GISCO (``source: gisco``), with the downloaded
    files' addresses and checksums for the provenance record (empty for a local file)."""
    if spec.get("source") == "gisco":
        from segmap import gisco

        municipalities, _regions = gisco.gisco_boundaries(spec, country)
        return municipalities, gisco.provenance(spec, country)
    return ingest.read_boundaries(spec), []


def write_json(data: Any, path: str | Path) -> None:
    """Write JSON with sorted keys (stable bytes), atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                             encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------------------

def prepare_geometry(boundaries_in: str | Path, census_in: str | Path, crs: str,
                     municipalities_out: str | Path, regions_out: str | Path) -> None:
    """Project and simplify the municipalities once per country; dissolve them into regions."""
    census = read_csv(census_in)
    municipalities = geo.municipality_map_layer(read_geoparquet(boundaries_in), census, crs)
    regions = geo.region_map_layer(municipalities)
    write_geoparquet(municipalities, municipalities_out)
    write_geoparquet(regions, regions_out)


# --------------------------------------------------------------------------------------------------
# Indices
# --------------------------------------------------------------------------------------------------

def compute_indices(schools_in: str | Path, census_in: str | Path, *, country: str, country_name: str,
                    thresholds: Mapping[str, Any], inference: Mapping[str, Any], outputs: Mapping[str, str | Path],
                    year: str | None = None, years: list[str] | None = None) -> None:
    """Write the index tables of one country: the four tables of the report year (school, municipality,
    region, national), the ``*_by_year`` tables (one row per area and compared school year) and the
    ``*_change`` tables (one row per area, from the first compared year to the report year).

    ``year`` is the report year (default: the latest in the data), ``years`` the years to compare
    (default: every year up to the report year; :func:`segmap.years.select_years`). Every year's indices
    come from that year's schools only. ``inference`` gives the replicates and seed of the random-allocation
    benchmark and of the bootstrap (see :mod:`segmap.tables`).
    """
    from segmap import change, years as school_years

    schools = read_csv(schools_in)
    census = read_csv(census_in)
    try:
        selection = school_years.select_years(schools["year"], year, years, source=str(schools_in))
    except ValueError as exc:
        raise InputError(Problem(str(schools_in), str(exc), "year")) from None
    log.info("%s", selection.describe())
    results = {}
    for label in selection.compared:
        keep = selection.has_change and label in (selection.first, selection.report)
        results[label] = tables.year_indices(
            tables.schools_of_year(schools, label), census, thresholds, country=country, country_name=country_name,
            inference_settings=inference, year=label, keep_draws=keep)
        log.info("school year %s: %d schools", label or "(not stated)", len(results[label].tables["school"]))
    report = results[selection.report]
    written = {key: report.tables[key] for key in ("school", "municipality", "region", "national")}
    for level in tables.LEVEL_KEYS:
        by_year = pd.concat([results[label].tables[level] for label in selection.compared], ignore_index=True)
        key = change.KEY_COLUMNS[level][0]
        written[f"{level}_by_year"] = by_year.sort_values([key, "year"], kind="stable").reset_index(drop=True)
        if selection.has_change:
            first = results[selection.first]
            written[f"{level}_change"] = change.change_table(level, first.tables[level], report.tables[level],
                                                             first.draws[level], report.draws[level])
        else:
            written[f"{level}_change"] = change.empty_change_table(level)
    for key, table in written.items():
        if key in outputs:  # a caller from Python may ask for some of the tables only
            write_csv(table, outputs[key])


def publish_tables(tables_in: Mapping[str, str | Path], tables_out: Mapping[str, str | Path], *, min_cell: int,
                   publish_school_names: bool) -> None:
    """Write the shareable copy of the index tables (:func:`segmap.privacy.published_table`)."""
    from segmap import privacy

    for key in tables_out:
        table = read_csv(tables_in[key])
        write_csv(privacy.published_table(table, min_cell, publish_school_names), tables_out[key])


# --------------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------------

def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers and the report."""
    versions = {"python": platform.python_version()}
    for name in REPORTED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(folder: str | Path) -> str:
    """The git commit of the code that made the outputs (``-modified`` when tracked files were changed),
    or ``not a git checkout``."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True,
                              timeout=20).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return commit + ("-modified" if changed else "")


def settings_digest(settings: Mapping[str, Any]) -> str:
    """SHA-256 of the country's settings as canonical JSON (changes when any setting changes)."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------------
# Maps
# --------------------------------------------------------------------------------------------------

def map_texts(settings: Mapping[str, Any], category_counts: Mapping[str, int] | None = None,
              language: str = "en") -> dict[str, dict]:
    """Titles, legend texts and captions of the national maps, in ``language``.

    ``category_counts`` (schools per category) are appended to the school map's legend entries.
    """
    from segmap import i18n

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


def draw_maps(*, municipalities_in, schools_in, census_in, municipality_layer_in, region_layer_in,
              settings: Mapping[str, Any], language: str, outputs: Mapping[str, str | Path]) -> None:
    """Draw the national maps of one country: group share, adjusted dissimilarity (municipalities that
    cannot be told apart from random allocation in grey), isolation, segregated schools."""
    from segmap import maps

    table = read_csv(municipalities_in)
    census = read_csv(census_in)
    layer = read_geoparquet(municipality_layer_in)
    regions = read_geoparquet(region_layer_in)
    areas = layer.merge(table.drop(columns=["region_code"]), on="municipality_code", how="left",
                        validate="one_to_one")
    from segmap import i18n

    t = i18n.Translator(language)
    insets = [maps.Inset(t.config_text(inset.label), inset.codes, zoom=inset.zoom)
              for inset in geo.inset_codes(census, settings["insets"])]
    footnote = t.gettext(SYNTHETIC_FOOTNOTE) if settings["synthetic"] else None
    schools = read_csv(schools_in)
    texts = map_texts(settings, schools["category"].value_counts().to_dict(), language)
    units = {"decimal_mark": t.decimal_mark, "distance_unit": t.distance_unit,
             "thousands_sep": t.number(1000)[1:-3]}
    areas["not_distinguishable"] = (areas["status"] == "ok") & ~areas["distinguishable_from_random"].astype(
        "boolean").fillna(False).astype(bool)
    for key, column, muted in (("group_share", "group_share", None),
                               ("dissimilarity", "dissimilarity_adjusted", "not_distinguishable"),
                               ("isolation", "isolation", None)):
        maps.choropleth_map(
            areas, column, maps.INDICATOR_CLASSES[column], outputs[key],
            legend_title=texts[key]["legend_title"], undefined_label=texts[key]["undefined_label"],
            outline=regions, insets=insets, footnote=footnote,
            muted_column=muted, muted_label=texts[key].get("muted_label"), **units,
        )
    points = geo.school_points(schools, layer.crs)
    maps.school_points_map(
        areas, points, outputs["segregated_schools"],
        legend_title=texts["segregated_schools"]["legend_title"],
        category_labels=texts["segregated_schools"]["categories"],
        size_legend_title=texts["segregated_schools"]["size_legend_title"],
        outline=regions, insets=insets, footnote=footnote, **units,
    )


def change_map_texts(settings: Mapping[str, Any], year_from: str, year_to: str, language: str = "en") -> dict[str, str]:
    """Title, legend texts and caption of the map of the change in dissimilarity beyond chance."""
    from segmap import i18n

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


def draw_change_map(*, change_in, census_in, municipality_layer_in, region_layer_in, settings: Mapping[str, Any],
                    language: str, out: str | Path) -> None:
    """Draw the map of the change in dissimilarity beyond chance between the first compared school year and
    the report year (diverging classes; grey where the change is not clear; hatched where not comparable).
    With a single school year there is no change: a blank placeholder figure is written, which the report
    does not show."""
    from segmap import i18n, maps

    change = read_csv(change_in)
    if change.empty:
        write_placeholder_svg(out)
        log.info("one school year only: no change to map")
        return
    layer = read_geoparquet(municipality_layer_in)
    regions = read_geoparquet(region_layer_in)
    columns = ["municipality_code", "dissimilarity_adjusted_change", "change_status"]
    areas = layer.merge(change[columns], on="municipality_code", how="left", validate="one_to_one")
    comparable = areas["change_status"].isin(["increase", "decrease", "no_clear_change"]).to_numpy(bool)
    areas["dissimilarity_adjusted_change"] = areas["dissimilarity_adjusted_change"].where(comparable)
    areas["no_clear_change"] = (areas["change_status"] == "no_clear_change").to_numpy(bool)
    t = i18n.Translator(language)
    census = read_csv(census_in)
    insets = [maps.Inset(t.config_text(inset.label), inset.codes, zoom=inset.zoom)
              for inset in geo.inset_codes(census, settings["insets"])]
    texts = change_map_texts(settings, str(change["year_from"].iloc[0]), str(change["year_to"].iloc[0]), language)
    maps.choropleth_map(
        areas, "dissimilarity_adjusted_change", maps.INDICATOR_CLASSES["dissimilarity_adjusted_change"], out,
        legend_title=texts["legend_title"], undefined_label=texts["undefined_label"], outline=regions, insets=insets,
        footnote=t.gettext(SYNTHETIC_FOOTNOTE) if settings["synthetic"] else None,
        muted_column="no_clear_change", muted_label=texts["muted_label"], decimal_mark=t.decimal_mark,
        distance_unit=t.distance_unit, thousands_sep=t.number(1000)[1:-3])


PLACEHOLDER_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1" viewBox="0 0 1 1">'
                   '<desc>segmap: one school year, no change to map</desc></svg>\n')


def write_placeholder_svg(path: str | Path) -> None:
    """A blank 1 x 1 SVG (an output that exists when there is nothing to draw)."""
    with atomic_path(path) as temporary:
        temporary.write_text(PLACEHOLDER_SVG, encoding="utf-8")


def region_map_index(region_maps_dir: str | Path) -> pd.DataFrame:
    """The index of the regional maps with each figure's absolute ``src`` URI."""
    from segmap import region_maps

    folder = Path(region_maps_dir).resolve()
    index = read_csv(folder / region_maps.INDEX_NAME)
    index["src"] = [(folder / name).as_uri() for name in index["file"]]
    return index


def draw_region_maps(*, municipalities_in, schools_in, municipality_layer_in, region_layer_in,
                     out_dir: str | Path) -> None:
    """Draw one map per region (see :mod:`segmap.region_maps`) into ``out_dir``, with its index."""
    from segmap import region_maps

    layer = read_geoparquet(municipality_layer_in)
    schools = geo.school_points(read_csv(schools_in), layer.crs)
    index = region_maps.draw_region_maps(layer, read_geoparquet(region_layer_in), read_csv(municipalities_in),
                                         schools, out_dir)
    log.info("drew %d regional maps into %s", len(index), out_dir)


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------

def build_report(*, tables: Mapping[str, str | Path], maps: Mapping[str, str | Path], region_maps_dir, provenance_in,
                 template_dir: str | Path, settings: Mapping[str, Any], language: str,
                 pdf_out: str | Path, change_map: str | Path | None = None) -> None:
    """Render the PDF report of one country in one language.

    ``tables`` holds the four tables of the report year (``national``, ``regions``, ``municipalities``,
    ``schools``) and, for the chapter on the change between school years, ``national_by_year``,
    ``region_by_year``, ``municipality_change``, ``region_change`` and ``national_change``; ``change_map``
    is the figure of that chapter (shown when two or more school years are compared).
    """
    from segmap import i18n, report

    texts = map_texts(settings, language=language)
    t = i18n.Translator(language)
    name = report.country_name(settings, language)
    national = read_csv(tables["national"])
    provenance = json.loads(Path(provenance_in).read_text(encoding="utf-8"))
    from segmap import change as change_tables

    def year_table(key: str, level: str) -> pd.DataFrame:
        """A by-year or change table; without it (a caller that built one year only), an empty one."""
        if key in tables:
            return read_csv(tables[key])
        return national.iloc[:0] if key.endswith("by_year") else change_tables.empty_change_table(level)

    school_years = report.school_years_context(
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
                      map_crs=settings["map_crs"], git_commit=git_commit(Path(template_dir)),
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
    context = report.build_context(
        settings=settings,
        national=national,
        school_years=school_years,
        regions=read_csv(tables["regions"]),
        municipalities=read_csv(tables["municipalities"]),
        schools=read_csv(tables["schools"]),
        maps=figures,
        region_maps=region_map_index(region_maps_dir),
        provenance=provenance,
        language=language,
    )
    html = report.render_html(template_dir, context)
    figure_dirs = sorted({str(Path(path).resolve().parent) for path in [*maps.values(), *filter(None, [change_map])]}
                         | {str(Path(region_maps_dir).resolve())})
    fetcher = report.write_pdf(html, pdf_out, base_dir=template_dir, allowed_dirs=[template_dir, *figure_dirs])
    if fetcher.refused:
        log.warning("the report asked for %d resource(s) outside its assets; none was read", len(fetcher.refused))
