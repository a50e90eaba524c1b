"""Demo profiles: everything that shapes one country's synthetic data, and the built-in ones.

Owns the profile building blocks (:class:`Region`, :class:`Capital`, :class:`DensityKernel`,
:class:`DemoProfile`; :class:`~segmap.demo.outlines.Land` comes from :mod:`segmap.demo.outlines`), the named
regions of Bulgaria, Spain and Belgium, ``PROFILES`` (``bg``, ``es``, ``be``), and the questions asked of a
profile: :func:`scale_profile` (smaller copies for fast tests), :func:`total_population`,
:func:`mainland_index`, :func:`centred_regions`, :func:`year_value` and the checks :func:`validate_profile`
and :func:`resolve_profile`. Nothing here draws random numbers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from segmap.demo.names import LANGUAGES
from segmap.demo.outlines import (
    BELGIUM_OUTLINE,
    BULGARIA_OUTLINE,
    DEMOLAND_OUTLINE,
    SPAIN_ISLANDS,
    SPAIN_MAINLAND_OUTLINE,
    Land,
)


CODE_STYLES = ("lau", "ine", "nis", "generic")


@dataclass(frozen=True)
class Region:
    """A named region (province, NUTS 3 or NUTS 2 unit) whose centre (lon, lat) is a municipality seed.

    The centre lies on the mainland, or, for an island or exclave region (a land's ``region_code``), on one of
    that region's lands; a capital region's centre is the capital's. The municipality seeded there is the
    region's main municipality (the provincial capital). ``code_prefixes`` start the municipality codes of the
    region (``VID`` gives ``VID01``; ``01`` gives ``01001``; several NIS arrondissement prefixes split the region
    west to east). ``language`` overrides the profile's language for names. ``centre_weight`` multiplies the
    population boost of the centre (a big city). ``main_population_share`` instead fixes the main
    municipality's population as a share of the national total (a city of known size such as Ceuta; not for a
    capital region, whose size the ``Capital`` sets). ``main_name`` names the main municipality (``Ceuta``)
    instead of a synthetic name.
    """

    code: str
    name: str
    lon: float
    lat: float
    code_prefixes: tuple[str, ...] = ()
    language: str | None = None
    centre_weight: float = 1.0
    main_population_share: float | None = None
    main_name: str | None = None


def with_centre_weights(regions: tuple[Region, ...], weights: dict[str, float]) -> tuple[Region, ...]:
    """Return ``regions`` with the population weight of some region centres (big cities) raised."""
    return tuple(dataclasses.replace(r, centre_weight=weights.get(r.code, r.centre_weight)) for r in regions)


@dataclass(frozen=True)
class Capital:
    """A capital-city region: ``n_municipalities`` seeds in rings within ``radius_km`` of the centre.

    Other seeds keep ``exclusion_km`` away so the capital's municipalities stay compact. The capital gets
    ``population_share`` of the national population, split with lognormal weights; ``centre_weight`` multiplies
    the weight of the central municipality (the city proper, such as Bruxelles / Brussel). ``municipality_codes``
    fixes codes (``SOF46``).
    """

    region_code: str
    lon: float
    lat: float
    n_municipalities: int
    radius_km: float
    exclusion_km: float
    population_share: float
    municipality_codes: tuple[str, ...] = ()
    centre_weight: float = 1.0


@dataclass(frozen=True)
class DensityKernel:
    """A Gaussian zone where municipality seeds are denser; ``weight`` is the share of seeds drawn from it."""

    lon: float
    lat: float
    sigma_km: float
    weight: float


@dataclass(frozen=True)
class DemoProfile:
    """Everything that shapes one country's synthetic data. Defaults give a small generic country.

    Counts: ``n_municipalities``, ``n_regions`` (including capital and island regions; equal to
    ``len(regions)`` when regions are named), ``n_schools`` (exact), ``population_total`` (approximate; None
    gives about 400 pupils per school).
    ``group_share`` is the national census share of the group. Geography: ``lands``, ``regions`` (empty: generic
    regions around farthest-apart seeds), ``capital``, ``density_kernels``. Output style: ``code_style``
    (``lau``, ``ine``, ``nis``, ``generic``), ``language`` of names (``bg``, ``es``, ``fr``, ``nl``, ``en``),
    ``school_id_column``, ``sep``, ``year`` (the report's school year, by the year it starts), ``earlier_years``
    (earlier school years in the same schools file, see :func:`simulate_earlier_year`), ``year_format``
    (``plain``: 2023, ``label``: 2023/24). The remaining fields tune the statistical model.
    """

    name: str = "Demoland"
    n_municipalities: int = 12
    n_regions: int = 3
    n_schools: int = 30
    group_share: float = 0.05
    population_total: int | None = None
    lands: tuple[Land, ...] = (Land("Demoland", DEMOLAND_OUTLINE),)
    regions: tuple[Region, ...] = ()
    capital: Capital | None = None
    density_kernels: tuple[DensityKernel, ...] = ()
    code_style: str = "generic"
    language: str = "en"
    school_id_column: str = "school_id"
    sep: str = ","
    year: int = 2023
    # school years: ``year`` is the report year (the year it starts); ``earlier_years`` earlier years are written
    # to the same file, before it; ``year_format`` "plain" writes 2023, "label" writes 2023/24
    earlier_years: int = 0
    year_format: str = "plain"
    # municipalities that, from one year to the next, clearly desegregate and clearly segregate (each)
    changing_municipalities: int = 4
    # population: log(pop) = area_exponent * log(area / median area) + sigma * N(0, 1), boosted in region centres
    population_sigma: float = 1.0
    population_area_exponent: float = 0.5
    region_centre_boost: float = 6.0
    min_population: int = 20
    # schools: expected count ~ population ** exponent; pupils ~ population * pupils_per_capita, split by school
    schools_population_exponent: float = 0.85
    pupils_per_capita: float = 0.12
    min_pupils: int = 5
    max_pupils: int = 1500
    # group: census share = min(max_share, logistic(a + spread * z)) with z a smoothed random field
    group_spread: float = 1.5
    group_max_share: float = 0.45
    group_pupil_factor: float = 1.5
    school_propensity_shape: float = 0.4
    lloyd_iterations: int = 2
    ensure_edge_cases: bool = True


BULGARIA_REGIONS = (
    Region("BG311", "Видин", 22.70, 43.80, ("VID",)),
    Region("BG312", "Монтана", 23.20, 43.45, ("MON",)),
    Region("BG313", "Враца", 23.75, 43.35, ("VRC",)),
    Region("BG314", "Плевен", 24.60, 43.40, ("PVN",)),
    Region("BG315", "Ловеч", 24.60, 43.00, ("LOV",)),
    Region("BG321", "Велико Търново", 25.65, 43.15, ("VTR",)),
    Region("BG322", "Габрово", 25.25, 42.90, ("GAB",)),
    Region("BG323", "Русе", 25.95, 43.60, ("RSE",)),
    Region("BG324", "Разград", 26.50, 43.55, ("RAZ",)),
    Region("BG325", "Силистра", 27.10, 43.90, ("SLS",)),
    Region("BG331", "Варна", 27.60, 43.20, ("VAR",)),
    Region("BG332", "Добрич", 27.90, 43.60, ("DOB",)),
    Region("BG333", "Шумен", 26.90, 43.25, ("SHU",)),
    Region("BG334", "Търговище", 26.40, 43.20, ("TGV",)),
    Region("BG341", "Бургас", 27.30, 42.40, ("BGS",)),
    Region("BG342", "Сливен", 26.30, 42.70, ("SLV",)),
    Region("BG343", "Ямбол", 26.60, 42.30, ("JAM",)),
    Region("BG344", "Стара Загора", 25.60, 42.40, ("SZR",)),
    Region("BG411", "София (столица)", 23.32, 42.70, ("SOF",), main_name="София"),
    Region("BG412", "София", 23.85, 42.75, ("SFO",)),
    Region("BG413", "Благоевград", 23.25, 41.75, ("BLG",)),
    Region("BG414", "Перник", 22.90, 42.60, ("PER",)),
    Region("BG415", "Кюстендил", 22.70, 42.25, ("KNL",)),
    Region("BG421", "Пловдив", 24.80, 42.20, ("PDV",)),
    Region("BG422", "Хасково", 25.80, 41.90, ("HKV",)),
    Region("BG423", "Пазарджик", 24.25, 42.20, ("PAZ",)),
    Region("BG424", "Смолян", 24.70, 41.60, ("SML",)),
    Region("BG425", "Кърджали", 25.40, 41.60, ("KRZ",)),
)

SPAIN_REGIONS = (
    Region("01", "Araba/Álava", -2.70, 42.85, ("01",)),
    Region("02", "Albacete", -1.90, 38.80, ("02",)),
    Region("03", "Alicante/Alacant", -0.60, 38.45, ("03",)),
    Region("04", "Almería", -2.35, 37.20, ("04",)),
    Region("05", "Ávila", -4.95, 40.60, ("05",)),
    Region("06", "Badajoz", -6.20, 38.70, ("06",)),
    Region("07", "Illes Balears", 2.65, 39.57, ("07",)),  # centre: Palma
    Region("08", "Barcelona", 1.95, 41.70, ("08",)),
    Region("09", "Burgos", -3.60, 42.35, ("09",)),
    Region("10", "Cáceres", -6.20, 39.70, ("10",)),
    Region("11", "Cádiz", -5.80, 36.55, ("11",)),
    Region("12", "Castellón/Castelló", -0.20, 40.20, ("12",)),
    Region("13", "Ciudad Real", -3.80, 38.95, ("13",)),
    Region("14", "Córdoba", -4.75, 37.90, ("14",)),
    Region("15", "A Coruña", -8.40, 43.10, ("15",)),
    Region("16", "Cuenca", -2.20, 39.90, ("16",)),
    Region("17", "Girona", 2.70, 42.10, ("17",)),
    Region("18", "Granada", -3.30, 37.30, ("18",)),
    Region("19", "Guadalajara", -2.60, 40.85, ("19",)),
    Region("20", "Gipuzkoa", -2.15, 43.15, ("20",)),
    Region("21", "Huelva", -6.85, 37.55, ("21",)),
    Region("22", "Huesca", -0.10, 42.20, ("22",)),
    Region("23", "Jaén", -3.40, 38.00, ("23",)),
    Region("24", "León", -5.80, 42.60, ("24",)),
    Region("25", "Lleida", 1.05, 42.00, ("25",)),
    Region("26", "La Rioja", -2.50, 42.30, ("26",)),
    Region("27", "Lugo", -7.50, 43.00, ("27",)),
    Region("28", "Madrid", -3.70, 40.45, ("28",)),
    Region("29", "Málaga", -4.70, 36.80, ("29",)),
    Region("30", "Murcia", -1.50, 38.00, ("30",)),
    Region("31", "Navarra", -1.65, 42.70, ("31",)),
    Region("32", "Ourense", -7.60, 42.20, ("32",)),
    Region("33", "Asturias", -5.90, 43.30, ("33",)),
    Region("34", "Palencia", -4.50, 42.40, ("34",)),
    Region("35", "Las Palmas", -15.44, 28.10, ("35",)),  # Las Palmas de Gran Canaria
    Region("36", "Pontevedra", -8.50, 42.45, ("36",)),
    Region("37", "Salamanca", -6.00, 40.80, ("37",)),
    Region("38", "Santa Cruz de Tenerife", -16.27, 28.46, ("38",)),
    Region("39", "Cantabria", -4.00, 43.20, ("39",)),
    Region("40", "Segovia", -4.05, 41.15, ("40",)),
    Region("41", "Sevilla", -5.65, 37.40, ("41",)),
    Region("42", "Soria", -2.60, 41.70, ("42",)),
    Region("43", "Tarragona", 0.85, 41.10, ("43",)),
    Region("44", "Teruel", -0.90, 40.60, ("44",)),
    Region("45", "Toledo", -4.10, 39.80, ("45",)),
    Region("46", "Valencia/València", -0.70, 39.35, ("46",)),
    Region("47", "Valladolid", -4.80, 41.65, ("47",)),
    Region("48", "Bizkaia", -2.85, 43.25, ("48",)),
    Region("49", "Zamora", -6.00, 41.70, ("49",)),
    Region("50", "Zaragoza", -1.00, 41.60, ("50",)),
    # Ceuta and Melilla are autonomous cities of one municipality each, about 83,000 and 85,000 inhabitants.
    Region("51", "Ceuta", -5.33, 35.89, ("51",), main_population_share=0.00173, main_name="Ceuta"),
    Region("52", "Melilla", -2.95, 35.29, ("52",), main_population_share=0.00177, main_name="Melilla"),
)

# Municipalities per 1000 km2 are 3-4 times higher in Castilla y León, the Ebro valley and Catalonia than in
# the south; these zones reproduce that contrast.
SPAIN_DENSITY = (
    DensityKernel(-4.20, 42.00, 150.0, 0.24),
    DensityKernel(-2.20, 42.70, 70.0, 0.08),
    DensityKernel(1.70, 41.80, 80.0, 0.10),
    DensityKernel(-0.80, 41.50, 100.0, 0.06),
    DensityKernel(-0.60, 39.30, 60.0, 0.04),
    DensityKernel(-3.70, 40.50, 60.0, 0.04),
    DensityKernel(-2.40, 40.30, 110.0, 0.06),
)

BELGIUM_REGIONS = (
    Region("BE10", "Région de Bruxelles-Capitale / Brussels Hoofdstedelijk Gewest", 4.37, 50.84, ("21",), "fr"),
    Region("BE21", "Antwerpen", 4.65, 51.22, ("11", "12", "13"), "nl"),
    Region("BE22", "Limburg", 5.40, 50.98, ("71", "72", "73"), "nl"),
    Region("BE23", "Oost-Vlaanderen", 3.80, 51.00, ("41", "42", "43", "44", "45", "46"), "nl"),
    Region("BE24", "Vlaams-Brabant", 4.72, 50.90, ("23", "24"), "nl"),
    Region("BE25", "West-Vlaanderen", 3.00, 51.00, ("31", "32", "33", "34", "35", "36", "37", "38"), "nl"),
    Region("BE31", "Brabant wallon", 4.60, 50.66, ("25",), "fr"),
    Region("BE32", "Hainaut", 4.05, 50.42, ("51", "52", "53", "55", "56", "57", "58"), "fr"),
    Region("BE33", "Liège", 5.75, 50.50, ("61", "62", "63", "64"), "fr"),
    Region("BE34", "Luxembourg", 5.50, 49.95, ("81", "82", "83", "84", "85"), "fr"),
    Region("BE35", "Namur", 4.85, 50.25, ("91", "92", "93"), "fr"),
)


PROFILES: dict[str, DemoProfile] = {
    "bg": DemoProfile(
        name="Bulgaria",
        n_municipalities=265,
        n_regions=28,
        n_schools=2000,
        group_share=0.05,
        population_total=6_520_000,
        lands=(Land("Bulgaria", BULGARIA_OUTLINE),),
        regions=with_centre_weights(BULGARIA_REGIONS, {
            "BG421": 5.0, "BG331": 5.0, "BG341": 3.5, "BG323": 2.3, "BG344": 2.2, "BG314": 1.7, "BG342": 1.4,
        }),  # fmt: skip
        capital=Capital("BG411", 23.32, 42.70, 1, 0.0, 24.0, 0.19, ("SOF46",)),
        code_style="lau",
        language="bg",
        school_id_column="kod_neispuo",
        year=2023,
        earlier_years=1,
        year_format="label",
        population_sigma=1.0,
        population_area_exponent=0.6,
        region_centre_boost=5.0,
        schools_population_exponent=0.75,
        pupils_per_capita=0.11,
        group_spread=1.6,
        group_max_share=0.45,
        group_pupil_factor=1.8,
        school_propensity_shape=0.3,
    ),
    "es": DemoProfile(
        name="España",
        n_municipalities=8131,
        n_regions=52,
        n_schools=19000,
        group_share=0.015,
        population_total=48_000_000,
        lands=(Land("Península", SPAIN_MAINLAND_OUTLINE),) + SPAIN_ISLANDS,
        regions=with_centre_weights(SPAIN_REGIONS, {
            "28": 30.0, "08": 15.0, "46": 8.0, "41": 7.0, "50": 7.0, "29": 6.0, "30": 4.0, "48": 4.0, "03": 3.0,
            "14": 3.0, "47": 3.0, "15": 2.5, "18": 2.5, "33": 2.5, "07": 3.2, "35": 2.9, "38": 1.6,
        }),  # fmt: skip
        density_kernels=SPAIN_DENSITY,
        code_style="ine",
        language="es",
        sep=";",
        year=2023,
        population_sigma=1.4,
        population_area_exponent=0.8,
        region_centre_boost=120.0,
        min_population=5,
        schools_population_exponent=0.9,
        pupils_per_capita=0.15,
        group_spread=1.2,
        group_max_share=0.25,
        group_pupil_factor=1.5,
        school_propensity_shape=0.4,
    ),
    "be": DemoProfile(
        name="Belgique / België",
        n_municipalities=565,
        n_regions=11,
        n_schools=4000,
        group_share=0.004,
        population_total=11_800_000,
        lands=(Land("Belgique / België", BELGIUM_OUTLINE),),
        regions=with_centre_weights(BELGIUM_REGIONS, {
            "BE21": 7.0, "BE23": 3.5, "BE32": 2.5, "BE33": 2.5, "BE25": 1.6, "BE35": 1.5, "BE24": 1.3,
            "BE31": 0.5, "BE34": 0.4,
        }),  # fmt: skip
        capital=Capital("BE10", 4.37, 50.84, 19, 6.5, 10.0, 0.105, centre_weight=3.0),
        density_kernels=(DensityKernel(4.00, 51.00, 60.0, 0.25),),
        code_style="nis",
        language="fr",
        year=2025,
        population_sigma=0.8,
        population_area_exponent=0.5,
        region_centre_boost=8.0,
        schools_population_exponent=0.9,
        pupils_per_capita=0.17,
        group_spread=1.2,
        group_max_share=0.05,
        group_pupil_factor=1.3,
        school_propensity_shape=0.5,
    ),
}


def scale_profile(profile: DemoProfile, factor: float) -> DemoProfile:
    """Return ``profile`` with municipality, school and population counts multiplied by ``factor``.

    Island counts shrink too but never below one, so a scaled Spain keeps its islands, Ceuta and Melilla; the
    capital keeps its municipalities (Brussels stays 19). Used for fast tests; shapes, codes and model stay.
    """
    lands = tuple(
        land if land.n_municipalities is None else dataclasses.replace(
            land, n_municipalities=max(1, round(land.n_municipalities * factor)))
        for land in profile.lands
    )  # fmt: skip
    return dataclasses.replace(
        profile,
        n_municipalities=max(profile.n_regions, round(profile.n_municipalities * factor)),
        n_schools=max(1, round(profile.n_schools * factor)),
        population_total=max(1000, round(total_population(profile) * factor)),
        lands=lands,
    )


def total_population(profile: DemoProfile) -> int:
    """Return the profile's population total, or about 400 pupils per school's worth when it is None."""
    if profile.population_total is not None:
        return profile.population_total
    return max(1000, round(max(profile.n_schools, 1) * 400 / profile.pupils_per_capita))


def mainland_index(profile: DemoProfile) -> int | None:
    """Return the index of the land with ``n_municipalities`` None, if any."""
    free = [i for i, land in enumerate(profile.lands) if land.n_municipalities is None]
    return free[0] if free else None


def centred_regions(profile: DemoProfile) -> list[int]:
    """Indices of named regions whose centre seeds a mainland municipality (not capital, island or exclave)."""
    fixed = {land.region_code for land in profile.lands if land.region_code is not None}
    capital_code = profile.capital.region_code if profile.capital else None
    return [i for i, r in enumerate(profile.regions) if r.code not in fixed and r.code != capital_code]


def year_value(profile: DemoProfile, start: int) -> int | str:
    """The ``year`` cell of a school year starting in ``start``: ``2023`` or ``2023/24``."""
    return f"{start}/{(start + 1) % 100:02d}" if profile.year_format == "label" else start


def resolve_profile(country: str, profile: DemoProfile | None) -> DemoProfile:
    """Return the profile to use: the one given, else the built-in one for ``country``."""
    if profile is None:
        if country not in PROFILES:
            raise ValueError(f"no demo profile for country {country!r}; give one of {sorted(PROFILES)} or a profile")
        profile = PROFILES[country]
    validate_profile(profile)
    return profile


def validate_profile(profile: DemoProfile) -> None:
    """Raise ValueError when the profile cannot be built."""
    problems = []
    if profile.code_style not in CODE_STYLES:
        problems.append(f"code_style must be one of {CODE_STYLES}")
    if profile.language not in LANGUAGES:
        problems.append(f"language must be one of {LANGUAGES}")
    if profile.regions and len(profile.regions) != profile.n_regions:
        problems.append("n_regions must equal the number of named regions")
    if not profile.regions and (profile.capital or any(land.region_code for land in profile.lands)):
        problems.append("a capital or lands with a fixed region need named regions")
    if not 1 <= profile.n_regions <= profile.n_municipalities:
        problems.append("need 1 <= n_regions <= n_municipalities")
    if profile.year_format not in ("plain", "label") or profile.earlier_years < 0:
        problems.append("year_format must be 'plain' or 'label' and earlier_years >= 0")
    if profile.n_schools < 0 or not 0 < profile.group_share < 1:
        problems.append("need n_schools >= 0 and 0 < group_share < 1")
    if sum(land.n_municipalities is None for land in profile.lands) > 1:
        problems.append("at most one land (the mainland) may leave n_municipalities unset")
    main = mainland_index(profile)
    explicit = sum(land.n_municipalities or 0 for land in profile.lands)
    forced = len(centred_regions(profile)) + (profile.capital.n_municipalities if profile.capital else 0)
    if main is None and explicit != profile.n_municipalities:
        problems.append("land municipality counts must add up to n_municipalities")
    if main is None and (forced or (profile.regions and not all(land.region_code for land in profile.lands))):
        problems.append("named regions with centres and a capital need a mainland (a land without a count)")
    if main is not None and profile.n_municipalities - explicit < max(1, forced):
        problems.append("too few municipalities left for the mainland's region centres and capital")
    if profile.capital and profile.capital.municipality_codes and (
        len(profile.capital.municipality_codes) != profile.capital.n_municipalities
    ):
        problems.append("capital.municipality_codes must have n_municipalities entries")
    capital_code = profile.capital.region_code if profile.capital else None
    shares = [r.main_population_share for r in profile.regions if r.main_population_share is not None]
    if any(not 0 < share < 1 for share in shares) or sum(shares) + (
        profile.capital.population_share if profile.capital else 0.0
    ) >= 1:
        problems.append("main_population_share must lie in (0, 1) and, with the capital's share, sum below 1")
    if any(r.main_population_share is not None and r.code == capital_code for r in profile.regions):
        problems.append("the capital region's size comes from capital.population_share, not main_population_share")
    real_names = [r.main_name for r in profile.regions if r.main_name]
    if len(set(real_names)) != len(real_names):
        problems.append("main_name must differ between regions")
    if problems:
        raise ValueError(f"invalid demo profile {profile.name!r}: " + "; ".join(problems))
