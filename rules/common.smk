# Helpers shared by the rules: settings per country, input paths, output names.

from pathlib import Path

from segmap.demo import PROFILES as DEMO_PROFILES
from segmap.recipes import extra_input_paths
from segmap.report.i18n import SOURCE_LANGUAGE, catalog_path
from segmap.report.render import TEMPLATE_DIR, TEMPLATE_NAME
from segmap.atlas.page import STATIC_FILES as ATLAS_STATIC_FILES, TEMPLATE_DIR as ATLAS_TEMPLATE_DIR
from segmap.settings import DEMO_SEED, atlas_filename, load_settings, report_filename, school_input_specs
from segmap.stages import stage_code

# The typed settings of every country, built once from the validated config (segmap.settings).
SETTINGS = load_settings(config)
COUNTRIES = sorted(SETTINGS.countries)

# The report template and its stylesheet: package data of segmap.report (the same files as reports/templates).
REPORT_TEMPLATE = TEMPLATE_DIR / TEMPLATE_NAME
REPORT_STYLESHEET = TEMPLATE_DIR / "report.css"
# The atlas page's template, stylesheet and script (package data of segmap.atlas), inlined into every atlas.
ATLAS_PAGE_FILES = [str(ATLAS_TEMPLATE_DIR / name) for name in ATLAS_STATIC_FILES]


def settings(wildcards):
    """Fully defaulted settings of the rule's country (a plain dict, usable in params)."""
    return SETTINGS.country(wildcards.country).as_params()


def school_thresholds(wildcards):
    """The numeric definition of a segregated school (its source text does not change any number)."""
    return SETTINGS.country(wildcards.country).thresholds.numeric()


def input_specs(wildcards):
    """Input specifications (path, columns, sep, ...) of the country's three inputs."""
    return settings(wildcards)["inputs"]


def input_paths(wildcards):
    """The raw input files, so that a changed input reruns the pipeline (GISCO boundaries are
    downloaded or read from their cache by the ingest step itself). Several schools files (one per
    school year, say) are ``schools_0``, ``schools_1``, ..."""
    specs = dict(input_specs(wildcards))
    school_files = school_input_specs(specs.pop("schools"))
    named = [("schools", school_files[0])] if len(school_files) == 1 else [
        (f"schools_{number}", spec) for number, spec in enumerate(school_files)]
    named += list(specs.items())
    paths = {name: spec["path"] for name, spec in named if spec.get("source") != "gisco"}
    for name, spec in named:
        for number, path in enumerate(extra_input_paths(spec)):
            paths[f"{name}_lookup_{number}"] = path
    return paths


# The resources each job asks a scheduler for: peak memory in MB and run time in minutes, about twice the
# peak resident memory and wall time of the Spanish demo (8,131 municipalities; benchmarks/es/*.tsv) so that a
# country of that size fits. A cluster profile can raise them per rule (profiles/slurm/config.yaml,
# ``set-resources``). Every job is single-threaded (``threads`` 1): Snakemake runs independent jobs side by side.
RULE_RESOURCES = {
    "demo_inputs": {"mem_mb": 1000, "runtime": 10},
    "ingest": {"mem_mb": 1500, "runtime": 10},
    "code_check": {"mem_mb": 1000, "runtime": 10},
    "prepare_geometry": {"mem_mb": 1500, "runtime": 10},
    "indices": {"mem_mb": 4000, "runtime": 30},
    "publish": {"mem_mb": 1000, "runtime": 10},
    "maps": {"mem_mb": 1500, "runtime": 10},
    "change_map": {"mem_mb": 1000, "runtime": 10},
    "region_maps": {"mem_mb": 1500, "runtime": 15},
    "report": {"mem_mb": 3000, "runtime": 30},
    "atlas": {"mem_mb": 1500, "runtime": 10},
}


# The index tables of the indices rule (the output contract), by output name.
INDEX_TABLES = {
    "school": "outputs/{country}/school_indices.csv",
    **{level: f"outputs/{{country}}/{level}_indices.csv" for level in ("municipality", "region", "national")},
    "upper_level": "outputs/{country}/upper_level_indices.csv",
    **{f"{level}_by_year": f"outputs/{{country}}/{level}_indices_by_year.csv"
       for level in ("municipality", "region", "national")},
    **{f"{level}_change": f"outputs/{{country}}/{level}_change.csv" for level in ("municipality", "region", "national")},
}


def published(tables):
    """The shareable copies of some tables (outputs/{country}/published/...)."""
    return {key: path.replace("outputs/{country}/", "outputs/{country}/published/") for key, path in tables.items()}


def report_path(country, lang):
    entry = SETTINGS.country(country)
    return str(Path("outputs", country, report_filename(entry.deliverable, country, lang)))


def atlas_path(country, lang):
    entry = SETTINGS.country(country)
    return str(Path("outputs", country, "atlas", atlas_filename(entry.deliverable, country, lang)))


def country_targets(country):
    """What a country's target (``snakemake --cores 4 bg``) builds: its reports and interactive atlases in
    every configured language, and its shareable tables."""
    languages = SETTINGS.country(country).languages
    reports = [report_path(country, lang) for lang in languages]
    atlases = [atlas_path(country, lang) for lang in languages]
    return reports + atlases + [f"outputs/{country}/published/national_indices.csv"]


def all_reports():
    """The reports and shareable tables of the countries to build (``build:``, default every country)."""
    return [target for country in SETTINGS.built_countries() for target in country_targets(country)]


def report_language(wildcards):
    """Language of the report file asked for (outputs/{country}/{deliverable}_..._{lang}.pdf)."""
    return wildcards.lang


def message_catalog(wildcards):
    """The message catalog of the report's language, the file segmap.report.i18n reads (English texts are the
    message ids: none), so that a fixed translation remakes that language's maps and reports."""
    if wildcards.lang == SOURCE_LANGUAGE:
        return []
    return [str(catalog_path(wildcards.lang))]
