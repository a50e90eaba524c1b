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
from segmap.errors import InputError, Problem
from segmap.i18n import N_
from segmap.files import (atomic_path, read_csv, read_geoparquet, sha256, write_csv, write_geoparquet)

log = logging.getLogger(__name__)

REPORTED_PACKAGES = ["segmap", "numpy", "pandas", "geopandas", "shapely", "pyogrio", "matplotlib",
                     "jinja2", "weasyprint", "snakemake"]


# --------------------------------------------------------------------------------------------------
# Ingest
# --------------------------------------------------------------------------------------------------

def ingest_country(inputs: Mapping[str, Mapping[str, Any]], schools_out: str | Path, census_out: str | Path,
                   boundaries_out: str | Path, provenance_out: str | Path, *, rejected_out: str | Path | None = None,
                   locations_out: str | Path | None = None, country: str = "xx", on_invalid_rows: str = "error",
                   max_problems: int = 200) -> None:
    """Read, validate and cross-check the three inputs; write their canonical versions.

    ``inputs`` maps ``schools``/``census``/``boundaries`` to input specifications
    (:class:`segmap.config.InputSpec` as dict; boundaries may be ``source: gisco``). Schools with
    coordinates are placed in municipalities by point in polygon (:mod:`segmap.locate`); the checks go
    to ``locations_out``. Invalid school rows stop the run, or with ``on_invalid_rows="drop"`` are
    left out and listed with their reasons in ``rejected_out``. Nothing is written unless all inputs
    pass.
    """
    from segmap import locate

    files = {role: str(spec["path"]) for role, spec in inputs.items()}
    try:
        school_table = ingest.read_table(inputs["schools"], "schools")
        census_table = ingest.read_table(inputs["census"], "census")
        schools, rejected = validate.screen_schools(school_table, files["schools"],
                                                    inputs["schools"].get("thousands"), on_invalid_rows)
        census = validate.validate_census(census_table, files["census"], inputs["census"].get("thousands"))
        boundaries, boundary_sources = read_boundary_input(inputs["boundaries"], country)
        boundaries = validate.validate_boundaries(boundaries, files["boundaries"])
        code_edition = check_code_edition(inputs, census, boundaries, files)
        schools, locations = locate.locate_schools(schools, boundaries, census["municipality_code"])
        schools, unknown = validate.check_school_municipalities(schools, census, files, on_invalid_rows)
        if schools.empty:
            dropped = [Problem(str(r.file), str(r.reason), None if pd.isna(r.column) else str(r.column), int(r.row),
                               None if pd.isna(r.school_id) else str(r.school_id))
                       for r in pd.concat([rejected, unknown]).itertuples()]
            raise InputError([Problem(files["schools"], "no valid school is left: every row was invalid and "
                                                        "left out (on_invalid_rows: drop)"), *dropped])
        boundaries = validate.cross_check(schools, census, boundaries, files)
    except InputError as error:
        raise error.limited(max_problems) from None
    rejected = pd.concat([r for r in (rejected, unknown) if len(r)] or [rejected], ignore_index=True)
    provenance = {
        "inputs": [
            {"role": role, "path": files[role], "sha256": sha256(files[role]) if role != "boundaries"
             or not boundary_sources else None,
             "rows": {"schools": len(school_table), "census": len(census), "boundaries": len(boundaries)}[role],
             **reading_record(inputs[role], table)}
            for role, table in (("schools", school_table), ("census", census_table), ("boundaries", None))
        ],
        "code_edition": code_edition,
        "boundary_sources": boundary_sources,
        "reference_year": reference_year(schools),
        "schools_rejected": len(rejected),
        "schools_used": len(schools),
        "on_invalid_rows": on_invalid_rows,
        "locations": {str(k): int(v) for k, v in locations["status"].value_counts().sort_index().items()},
    }
    write_csv(schools, schools_out)
    write_csv(census, census_out)
    write_geoparquet(boundaries, boundaries_out)
    if rejected_out is not None:
        write_csv(rejected, rejected_out)
    if locations_out is not None:
        write_csv(locations, locations_out)
    write_json(provenance, provenance_out)
    log.info("ingested %d schools (%d rejected), %d municipalities, %d polygons", len(schools), len(rejected),
             len(census), len(boundaries))


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

    uses_nis = any(recipes.recipe_options(spec)[0] == "be_nis" for spec in inputs.values() if spec.get("recipe"))
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


def reference_year(schools: pd.DataFrame) -> str:
    """The school year of the data (most frequent ``year`` value), or ``not stated``."""
    years = schools["year"].dropna().astype(str)
    years = years[years.str.len() > 0]
    if years.empty:
        return "not stated"
    counts = years.value_counts()
    return str(sorted(counts[counts == counts.max()].index)[0])


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
                    thresholds: Mapping[str, Any], inference: Mapping[str, Any],
                    outputs: Mapping[str, str | Path]) -> None:
    """Write the four index tables (school, municipality, region, national) of one country.

    ``inference`` gives the replicates and seed of the random-allocation benchmark and of the bootstrap
    (see :mod:`segmap.tables`).
    """
    schools = read_csv(schools_in)
    census = read_csv(census_in)
    school_table = tables.school_indices(schools, census, thresholds)
    results = {
        "school": school_table,
        "municipality": tables.municipality_indices(school_table, census, inference),
        "region": tables.region_indices(school_table, census, inference),
        "national": tables.national_indices(school_table, census, country, country_name, inference),
    }
    for key, table in results.items():
        write_csv(table, outputs[key])


def publish_tables(tables_in: Mapping[str, str | Path], tables_out: Mapping[str, str | Path], *, min_cell: int,
                   publish_school_names: bool) -> None:
    """Write the shareable copy of the index tables (:func:`segmap.privacy.published_table`)."""
    from segmap import privacy

    for key in ("school", "municipality", "region", "national"):
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
                 pdf_out: str | Path) -> None:
    """Render the PDF report of one country in one language."""
    from segmap import i18n, report

    texts = map_texts(settings, language=language)
    t = i18n.Translator(language)
    name = report.country_name(settings, language)
    provenance = json.loads(Path(provenance_in).read_text(encoding="utf-8"))
    provenance.update(versions=package_versions(), config_sha256=settings_digest(settings),
                      map_crs=settings["map_crs"], git_commit=git_commit(Path(template_dir)))
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
        national=read_csv(tables["national"]),
        regions=read_csv(tables["regions"]),
        municipalities=read_csv(tables["municipalities"]),
        schools=read_csv(tables["schools"]),
        maps=figures,
        region_maps=region_map_index(region_maps_dir),
        provenance=provenance,
        language=language,
    )
    html = report.render_html(template_dir, context)
    figure_dirs = sorted({str(Path(path).resolve().parent) for path in maps.values()}
                         | {str(Path(region_maps_dir).resolve())})
    fetcher = report.write_pdf(html, pdf_out, base_dir=template_dir, allowed_dirs=[template_dir, *figure_dirs])
    if fetcher.refused:
        log.warning("the report asked for %d resource(s) outside its assets; none was read", len(fetcher.refused))
