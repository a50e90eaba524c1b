"""Settings: the typed tree of every option of a configuration, and the only home of their defaults.

The YAML file is validated against ``config/schemas/config.schema.yaml`` by the Snakefile; :func:`load_settings`
then turns it into one :class:`Settings` (built once per run by ``rules/common.smk``)::

    Settings
    ├── map_crs
    └── countries: {code: CountrySettings}
        ├── name, deliverable, languages, group_label(s), names, synthetic, year, years, plain_years, ...
        ├── thresholds: Thresholds            (the definition of a segregated school)
        ├── seeds, replicates: Methods        (random allocation and bootstrap)
        ├── insets: [InsetSettings]
        └── inputs: {schools: [InputSpec] | InputSpec, census: InputSpec, boundaries: InputSpec}

Every default lives in a dataclass field below, nowhere else: other modules that need one read it from here
(``Thresholds().segregated``, ``Methods.seeds()``...). The schema's ``default:`` entries and the options table
of the README are tested against these fields (``tests/test_settings.py``), so they cannot drift.

The rules hand settings to the stage functions through Snakemake ``params:`` as plain dicts
(:meth:`CountrySettings.as_params`): a changed setting then reruns exactly the rules that use it.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

import yaml

from segmap.years import PLAIN_YEAR_STARTS, school_year

GISCO = "gisco"
#: Seed of the synthetic demonstration data (rule ``demo_inputs``).
DEMO_SEED = 20240901


@dataclass(frozen=True)
class Thresholds:
    """The definition of a segregated school: group share ``>= segregated`` (``comparison: at_least``) or
    ``> segregated`` (``above``); severely segregated from ``severe``; with ``require_alternative`` a school
    above the threshold counts only where families have another school in the settlement (or municipality)."""

    segregated: float = 0.5
    severe: float = 0.8
    comparison: str = "at_least"
    require_alternative: bool = False
    source: str = "segmap default (no source given in the configuration)"
    #: ``source`` per report language; absent (not empty) when not configured.
    source_translations: dict[str, str] | None = None

    @classmethod
    def from_config(cls, value: Mapping[str, Any] | None) -> "Thresholds":
        thresholds = cls(**dict(value or {}))
        if thresholds.severe < thresholds.segregated:
            raise ValueError(f"thresholds: severe ({thresholds.severe}) must not be below "
                             f"segregated ({thresholds.segregated})")
        return thresholds

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        if values["source_translations"] is None:
            del values["source_translations"]
        return values

    def numeric(self) -> dict[str, Any]:
        """The parts that change numbers (the source text does not)."""
        return {k: v for k, v in self.as_dict().items() if k not in ("source", "source_translations")}


@dataclass(frozen=True)
class Methods:
    """One value per inference method: the random-allocation benchmark and the bootstrap."""

    random_allocation: int
    bootstrap: int

    @classmethod
    def seeds(cls, value: Mapping[str, int] | None = None) -> "Methods":
        return cls(**{**asdict(DEFAULT_SEEDS), **dict(value or {})})

    @classmethod
    def replicates(cls, value: Mapping[str, int] | None = None) -> "Methods":
        return cls(**{**asdict(DEFAULT_REPLICATES), **dict(value or {})})


DEFAULT_SEEDS = Methods(random_allocation=20240901, bootstrap=20240902)
DEFAULT_REPLICATES = Methods(random_allocation=500, bootstrap=500)


def inference_settings(seeds: Methods = DEFAULT_SEEDS, replicates: Methods = DEFAULT_REPLICATES) -> dict[str, dict]:
    """``{method: {"replicates": n, "seed": s}}`` as :mod:`segmap.stats.tables` takes it."""
    return {method.name: {"replicates": getattr(replicates, method.name), "seed": getattr(seeds, method.name)}
            for method in fields(Methods)}


@dataclass(frozen=True)
class InsetSettings:
    """Regions drawn in an inset box (far-away territory) or, with ``zoom``, magnified in a window."""

    label: str
    regions: tuple[str, ...]
    zoom: bool = False

    @classmethod
    def from_config(cls, value: Mapping[str, Any]) -> "InsetSettings":
        return cls(label=value["label"], regions=tuple(str(r) for r in value["regions"]),
                   zoom=bool(value.get("zoom", False)))

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "regions": list(self.regions), "zoom": self.zoom}


def upper_level_settings(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The ``upper_level`` entry checked: every region in at most one unit. ``None`` when not configured."""
    if not value:
        return None
    seen: dict[str, str] = {}
    units = {}
    for code, unit in value["units"].items():
        regions = [str(r) for r in unit["regions"]]
        for region in regions:
            if region in seen:
                raise ValueError(f"upper_level.units: region {region!r} is in both {seen[region]!r} and {code!r}")
            seen[region] = str(code)
        units[str(code)] = {"names": dict(unit.get("names") or {}), "regions": regions}
    return {"names": {lang: dict(n) for lang, n in (value.get("names") or {}).items()}, "units": units,
            "note": dict(value.get("note") or {})}


@dataclass(frozen=True)
class InputSpec:
    """Where one input lives and how to read it.

    ``columns`` maps canonical names (``school_id``, ``municipality_code``, ...) to the names used in
    the file. ``sep``, ``encoding`` (detected when not given), ``thousands`` and ``decimal`` are for
    delimited text, ``sheet``, ``header_row`` (1-based row of the column names) and ``header_rows``
    (column names over that many rows, joined; merged cells carried) for spreadsheets
    and text files with title rows, ``layer`` for multi-layer boundary files, ``crs`` for a boundary file
    without a coordinate reference system (TopoJSON, a shapefile without ``.prj``). ``recipe`` names a
    country recipe (:mod:`segmap.recipes`) that knows an official layout; its options come with it
    (``recipe: {name: bg_nsi_2021, total: all}``) or in ``recipe_options``.

    Boundaries may also come from Eurostat GISCO (``source: gisco``): ``path`` is then the cache
    folder, ``country_code`` the GISCO country code (``BG``, ``ES``, ``BE``, ``EL`` for Greece),
    ``base_url`` overrides the official download address and ``sha256`` (``{lau: ..., nuts: ...}``)
    pins the downloaded files.

    ``year`` (schools only) is the school year of every row of the file, for partners who send one file
    per year (``schools: [{path: ..., year: 2022}, {path: ..., year: 2023}]``).
    """

    path: str
    columns: dict[str, str] = field(default_factory=dict)
    sep: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    header_rows: int | None = None
    layer: str | int | None = None
    crs: str | None = None
    thousands: str | None = None
    decimal: str | None = None
    recipe: str | dict[str, Any] | None = None
    recipe_options: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    country_code: str | None = None
    base_url: str | None = None
    sha256: dict[str, str] = field(default_factory=dict)
    year: str | int | None = None

    #: The cache folder of GISCO downloads when ``source: gisco`` gives no ``path``.
    GISCO_CACHE = "data/raw/gisco"

    @classmethod
    def from_config(cls, value: str | Mapping[str, Any]) -> "InputSpec":
        """Build from a config value: a bare path, ``gisco``, or a mapping with ``path`` (or ``source: gisco``)."""
        if isinstance(value, str):
            if value == GISCO:
                return cls(path=cls.GISCO_CACHE, source=GISCO)
            return cls(path=value)
        known = {k: value[k] for k in cls.__dataclass_fields__ if k in value}
        for key in ("columns", "sha256", "recipe_options"):
            known[key] = dict(known.get(key) or {})
        if known.get("source") == GISCO:
            known.setdefault("path", cls.GISCO_CACHE)
        return cls(**known)

    def as_params(self) -> dict[str, Any]:
        """Plain dict for Snakemake ``params:`` (a change reruns the rules that use it)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, [])}


@dataclass(frozen=True)
class CountrySettings:
    """The fully defaulted settings of one country (one entry under ``countries:``).

    ``year`` is the report year as a label such as ``2023/24`` (``None``: the latest year of the data);
    ``years`` the years to compare (``None``: all up to the report year); ``plain_years`` whether a plain year
    names the year a school year starts or ends (:mod:`segmap.years`).
    """

    code: str
    name: str
    deliverable: str
    inputs: dict[str, Any]
    languages: tuple[str, ...] = ("en",)
    group_label: str = "Roma pupils"
    #: Default: ``group_label`` without its final s (:func:`singular`).
    group_label_singular: str | None = None
    group_labels: dict[str, str] = field(default_factory=dict)
    group_labels_singular: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    thresholds: Thresholds = Thresholds()
    seeds: Methods = DEFAULT_SEEDS
    replicates: Methods = DEFAULT_REPLICATES
    ranking_min_group_pupils: int = 20
    region_table_rows: int = 10
    insets: tuple[InsetSettings, ...] = ()
    map_crs: str = "EPSG:3035"
    on_invalid_rows: str = "error"
    on_code_mismatch: str = "keep"
    max_repair_area_change: float = 0.01
    max_problems: int = 200
    min_cell: int = 5
    publish_school_names: bool = False
    year: str | None = None
    years: tuple[str, ...] | None = None
    plain_years: str = PLAIN_YEAR_STARTS
    #: What the level between municipality and country is called, ``{language: {"one": .., "many": ..}}``
    #: (default: the catalogs' "region"/"regions").
    region_level: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Region names per report language, ``{language: {region_code: name}}`` (default: the census names).
    region_names: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The level above the regions that runs schools (autonomous communities, Belgian Regions): ``names``
    #: per language as ``region_level``, and ``units``: ``{code: {"names": {language: name}, "regions": [..]}}``.
    upper_level: dict[str, Any] | None = None
    #: The cover's partner lines and funding statement, each ``{language: text}`` (``"*"``: every other language).
    partners: tuple[dict[str, str], ...] = ()
    funding: dict[str, str] = field(default_factory=dict)
    #: Where readers get the published tables (printed in the report; default: the file names of the folder).
    data_url: str | None = None

    @classmethod
    def from_config(cls, code: str, entry: Mapping[str, Any], map_crs: str | None = None) -> "CountrySettings":
        """Settings of one validated ``countries:`` entry (errors name ``countries.<code>``)."""
        given = {f.name: entry[f.name] for f in fields(cls) if f.name in entry and entry[f.name] is not None}
        try:
            plain_years = given.get("plain_years") or cls.plain_years
            school_specs = [InputSpec.from_config(spec).as_params() for spec in
                            (entry["schools"] if isinstance(entry["schools"], list) else [entry["schools"]])]
            if isinstance(entry["census"], Mapping) and entry["census"].get("year") is not None:
                raise ValueError("census: 'year' is for schools files only (the census is one edition)")
            for spec in school_specs:
                if spec.get("year") is not None:
                    spec["year"] = school_year(spec["year"], plain_years)
            group_label = entry.get("group_label") or cls.group_label
            settings = cls(
                code=code,
                name=entry["name"],
                deliverable=entry["deliverable"],
                inputs={"schools": school_specs if isinstance(entry["schools"], list) else school_specs[0],
                        **{role: InputSpec.from_config(entry[role]).as_params() for role in ("census", "boundaries")}},
                languages=tuple(entry.get("languages") or cls.languages),
                group_label=group_label,
                group_label_singular=entry.get("group_label_singular") or singular(group_label),
                group_labels=dict(entry.get("group_labels") or {}),
                group_labels_singular=dict(entry.get("group_labels_singular") or {}),
                names=dict(entry.get("names") or {}),
                synthetic=bool(given.get("synthetic", cls.synthetic)),
                thresholds=Thresholds.from_config(entry.get("thresholds")),
                seeds=Methods.seeds(entry.get("seeds")),
                replicates=Methods.replicates(entry.get("replicates")),
                ranking_min_group_pupils=int(given.get("ranking_min_group_pupils", cls.ranking_min_group_pupils)),
                region_table_rows=int(given.get("region_table_rows", cls.region_table_rows)),
                insets=tuple(InsetSettings.from_config(inset) for inset in entry.get("insets") or []),
                map_crs=map_crs or cls.map_crs,
                on_invalid_rows=entry.get("on_invalid_rows") or cls.on_invalid_rows,
                on_code_mismatch=entry.get("on_code_mismatch") or cls.on_code_mismatch,
                max_repair_area_change=float(given.get("max_repair_area_change", cls.max_repair_area_change)),
                max_problems=int(entry.get("max_problems") or cls.max_problems),
                min_cell=int(given.get("min_cell", cls.min_cell)),
                publish_school_names=bool(given.get("publish_school_names", cls.publish_school_names)),
                year=None if entry.get("year") is None else school_year(entry["year"], plain_years),
                years=None if not entry.get("years") else tuple(school_year(y, plain_years)
                                                                for y in entry["years"]),
                plain_years=plain_years,
                region_level={lang: dict(names) for lang, names in (entry.get("region_level") or {}).items()},
                region_names={lang: {str(k): str(v) for k, v in names.items()}
                              for lang, names in (entry.get("region_names") or {}).items()},
                upper_level=upper_level_settings(entry.get("upper_level")),
                partners=tuple({"*": p} if isinstance(p, str) else dict(p) for p in entry.get("partners") or ()),
                funding=({"*": entry["funding"]} if isinstance(entry.get("funding"), str)
                         else dict(entry.get("funding") or {})),
                data_url=entry.get("data_url"),
            )
        except ValueError as exc:
            raise ValueError(f"countries.{code}: {exc}") from None
        return settings

    @property
    def inference(self) -> dict[str, dict]:
        return inference_settings(self.seeds, self.replicates)

    def as_params(self) -> dict[str, Any]:
        """The settings as a plain dict, the form the stage functions take (keys as the field names, plus
        ``inference``: seed and replicates by method)."""
        return {
            "code": self.code, "name": self.name, "deliverable": self.deliverable,
            "languages": list(self.languages), "group_label": self.group_label,
            "group_label_singular": self.group_label_singular, "group_labels": dict(self.group_labels),
            "group_labels_singular": dict(self.group_labels_singular), "names": dict(self.names),
            "synthetic": self.synthetic, "thresholds": self.thresholds.as_dict(),
            "seeds": asdict(self.seeds), "replicates": asdict(self.replicates), "inference": self.inference,
            "ranking_min_group_pupils": self.ranking_min_group_pupils, "region_table_rows": self.region_table_rows,
            "insets": [inset.as_dict() for inset in self.insets], "map_crs": self.map_crs,
            "on_invalid_rows": self.on_invalid_rows, "on_code_mismatch": self.on_code_mismatch,
            "max_repair_area_change": self.max_repair_area_change, "max_problems": self.max_problems, "min_cell": self.min_cell,
            "publish_school_names": self.publish_school_names, "year": self.year,
            "years": None if self.years is None else list(self.years), "plain_years": self.plain_years,
            "inputs": self.inputs,
            "region_level": dict(self.region_level), "region_names": dict(self.region_names),
            "upper_level": self.upper_level, "partners": list(self.partners), "funding": dict(self.funding),
            "data_url": self.data_url,
        }

    def definition(self) -> dict[str, Any]:
        """The country's definition of a segregated school as the comparability box of every report prints it."""
        return {"code": self.code, "name": self.name, "names": dict(self.names), "thresholds": self.thresholds.as_dict()}


@dataclass(frozen=True)
class Settings:
    """A whole configuration: the map projection and the countries."""

    countries: dict[str, CountrySettings]
    map_crs: str = CountrySettings.map_crs
    #: The countries ``rule all`` builds (``build:``); ``None``: every configured country.
    build: tuple[str, ...] | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Settings":
        map_crs = config.get("map_crs") or cls.map_crs
        countries = {code: CountrySettings.from_config(code, entry, map_crs)
                     for code, entry in (config.get("countries") or {}).items()}
        build = config.get("build")
        if build is not None:
            build = (build,) if isinstance(build, str) else tuple(str(code) for code in build)
            unknown = [code for code in build if code not in countries]
            if unknown:
                raise ValueError(f"build: {', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} not "
                                 f"configured under 'countries:' (configured: {', '.join(sorted(countries))})")
        return cls(countries=countries, map_crs=map_crs, build=build)

    def definitions(self) -> list[dict[str, Any]]:
        """Every configured country's definition of a segregated school (:meth:`CountrySettings.definition`)."""
        return [self.countries[code].definition() for code in sorted(self.countries)]

    def built_countries(self) -> list[str]:
        """The countries ``snakemake`` without a target builds: ``build:``, else every configured one (sorted)."""
        return sorted(self.countries) if self.build is None else list(self.build)

    def country(self, code: str) -> CountrySettings:
        try:
            return self.countries[code]
        except KeyError as exc:
            raise KeyError(f"country {code!r} is not configured under 'countries:'") from exc


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML config with the safe loader (no Python objects, no code)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def load_settings(config: Mapping[str, Any]) -> Settings:
    """The typed settings of a validated configuration (a mapping read from YAML)."""
    return Settings.from_config(config)


def country_settings(config: Mapping[str, Any], country: str) -> dict[str, Any]:
    """The fully defaulted settings of one country as the plain dict the stages take
    (:meth:`CountrySettings.as_params`)."""
    try:
        entry = config["countries"][country]
    except KeyError as exc:
        raise KeyError(f"country {country!r} is not configured under 'countries:'") from exc
    return CountrySettings.from_config(country, entry, config.get("map_crs")).as_params()


def school_input_specs(value: Mapping[str, Any] | list | tuple) -> list[dict[str, Any]]:
    """The schools input as a list of specification dicts (one per file): a single spec becomes a list."""
    return [dict(spec) for spec in value] if isinstance(value, (list, tuple)) else [dict(value)]


def singular(label: str) -> str:
    """'Roma pupils' -> 'Roma pupil' (a plain English plural only; set group_label_singular otherwise)."""
    return label[:-1] if label.endswith("s") and not label.endswith("ss") else label


def report_filename(deliverable: str, country: str, language: str) -> str:
    """File name of a report, per the output contract: ``D.2.1_school_segregation_maps_bg_en.pdf``."""
    return f"{deliverable}_school_segregation_maps_{country}_{language}.pdf"


def atlas_filename(deliverable: str, country: str, language: str) -> str:
    """File name of an interactive atlas: ``D.2.1_atlas_bg_en.html`` (in ``outputs/{country}/atlas/``)."""
    return f"{deliverable}_atlas_{country}_{language}.html"


def option_defaults() -> dict[str, Any]:
    """The default of every country option a config can set, as it would be written in YAML (``None`` where
    the default depends on other values or on the data). The schema and the README are tested against it."""
    defaults = {}
    for option in fields(CountrySettings):
        if option.name in ("code", "name", "deliverable", "inputs", "map_crs"):
            continue
        value = option.default_factory() if option.default_factory is not MISSING else option.default
        if isinstance(value, Thresholds):
            value = value.numeric()
        elif isinstance(value, Methods):
            value = asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        defaults[option.name] = value
    return defaults
