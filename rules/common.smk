# Helpers shared by the rules: settings per country, input paths, output names.

from pathlib import Path

from segmap.config import country_settings, report_filename, school_input_specs
from segmap.demo import PROFILES as DEMO_PROFILES
from segmap.recipes import extra_input_paths

COUNTRIES = sorted(config["countries"])

# The report template and its stylesheet live with the workflow, whatever the working directory.
TEMPLATE_DIR = Path(workflow.basedir, "reports", "templates")
PACKAGE_DIR = Path(workflow.basedir, "src", "segmap")
LOCALE_DIR = Path(workflow.basedir, "reports", "locales")


def package_code(*modules):
    """The segmap modules behind a step, as inputs (editing one reruns the steps that use it)."""
    return [PACKAGE_DIR / f"{module}.py" for module in modules]


def settings(wildcards):
    """Fully defaulted settings of the rule's country (a plain dict, usable in params)."""
    return country_settings(config, wildcards.country)


def school_thresholds(wildcards):
    """The numeric definition of a segregated school (its source text does not change any number)."""
    return {k: v for k, v in settings(wildcards)["thresholds"].items() if k not in ("source", "source_translations")}


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


# The index tables of the indices rule (the output contract), by output name.
INDEX_TABLES = {
    "school": "outputs/{country}/school_indices.csv",
    **{level: f"outputs/{{country}}/{level}_indices.csv" for level in ("municipality", "region", "national")},
    **{f"{level}_by_year": f"outputs/{{country}}/{level}_indices_by_year.csv"
       for level in ("municipality", "region", "national")},
    **{f"{level}_change": f"outputs/{{country}}/{level}_change.csv" for level in ("municipality", "region", "national")},
}


def published(tables):
    """The shareable copies of some tables (outputs/{country}/published/...)."""
    return {key: path.replace("outputs/{country}/", "outputs/{country}/published/") for key, path in tables.items()}


def report_path(country, lang):
    entry = country_settings(config, country)
    return str(Path("outputs", country, report_filename(entry["deliverable"], country, lang)))


def all_reports():
    """Every report, and every country's shareable tables."""
    reports = [
        report_path(country, lang)
        for country in COUNTRIES
        for lang in country_settings(config, country)["languages"]
    ]
    published = [f"outputs/{country}/published/national_indices.csv" for country in COUNTRIES]
    return reports + published


def report_language(wildcards):
    """Language of the report file asked for (outputs/{country}/{deliverable}_..._{lang}.pdf)."""
    return wildcards.lang


def message_catalog(wildcards):
    """The message catalog of the report's language (English texts are the message ids: none), so that a
    fixed translation remakes that language's maps and reports."""
    if wildcards.lang == "en":
        return []
    return [str(LOCALE_DIR / wildcards.lang / "LC_MESSAGES" / "segmap.po")]
