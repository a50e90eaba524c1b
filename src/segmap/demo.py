"""Deterministic synthetic demo inputs: schools, census and municipality boundaries.

Real school and census data cannot be shipped, so segmap generates inputs that look and behave like the real
ones (see DESIGN.md section 2). The synthetic model, in one paragraph: each country is a hand-written, coarse
lon/lat outline (one polygon per land mass: mainland, islands, exclaves). Inside each land mass, municipality seed
points are drawn from a mixture of a uniform background and Gaussian "dense zones", relaxed by a few Lloyd steps,
and turned into municipalities by one Voronoi tessellation clipped to the outline, all in the equal-area
EPSG:3035 and written in EPSG:4326 rounded to 5 decimals. The centres of the named regions (provinces) are
themselves municipality seeds; every other municipality joins the nearest region centre, then stray pieces are
moved to a neighbouring region so that regions are contiguous; islands, exclaves and a capital city (a single
municipality such as Sofia, or a cluster of small ones such as Brussels) are regions of their own, and an
island or exclave region's centre seeds a municipality on its own land. The municipality at a region's centre is
its main municipality (for a capital region, the one at the capital's centre): a provincial capital, Palma,
Ceuta. Population is lognormal and grows with municipality area; main municipalities are boosted instead, or
take a fixed share of the national population when their size is known (Ceuta, Melilla), and may carry a real
name instead of a synthetic one. The census share of the group (Roma) is a logistic function of a spatially
smoothed random field, with the intercept solved so that the national share meets the profile's target; group
counts are binomial. Schools are allocated to municipalities roughly in proportion to population (so many
small municipalities have none or one, while a city's count stays close to proportional), pupils split the
municipality's school-age pool, and the group pupils of a municipality (census share times a youth factor, with
noise) are spread over its schools by water-filling with gamma-distributed propensities of small shape: many
schools get no group pupils and some fill up to near-all-group schools. Finally edge cases the pipeline must
handle are guaranteed: a municipality without schools, one with a single school, one whose schools have no
group pupils, one whose schools have only group pupils, and a school with no pupils. The same country, seed and
profile always give byte-identical files.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj import Transformer

__all__ = [
    "DEFAULT_SEED",
    "Capital",
    "DemoData",
    "DemoProfile",
    "DensityKernel",
    "Land",
    "PROFILES",
    "Region",
    "build_demo",
    "scale_profile",
    "write_demo_inputs",
]

DEFAULT_SEED = 20240901
METRIC_CRS = "EPSG:3035"
COORDINATE_DECIMALS = 5
CODE_STYLES = ("lau", "ine", "nis", "generic")


# --------------------------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Land:
    """A land mass (mainland, island or exclave) given as a coarse lon/lat outline.

    ``n_municipalities`` None marks the mainland, which gets all municipalities not given to other lands.
    ``region_code`` puts every municipality of the land into that region (islands, exclaves); None lets them
    join the nearest region centre. When the region's centre lies on the land, it seeds one of the land's
    municipalities: the region's main municipality (Palma on Mallorca; Ceuta, the only one of its land).
    """

    name: str
    outline: tuple[tuple[float, float], ...]
    n_municipalities: int | None = None
    region_code: str | None = None


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


DEMOLAND_OUTLINE = (
    (9.00, 47.20), (9.35, 47.05), (9.80, 47.02), (10.25, 47.10), (10.70, 47.05), (11.10, 47.15),
    (11.45, 47.35), (11.60, 47.65), (11.50, 47.95), (11.65, 48.25), (11.40, 48.50), (11.00, 48.62),
    (10.60, 48.55), (10.20, 48.70), (9.80, 48.60), (9.45, 48.65), (9.10, 48.45), (8.85, 48.20),
    (8.95, 47.90), (8.70, 47.65), (8.80, 47.40),
)  # fmt: skip


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


BULGARIA_OUTLINE = (
    (22.67, 44.22), (22.97, 43.98), (23.25, 43.83), (23.65, 43.80), (23.96, 43.73), (24.45, 43.70),
    (24.90, 43.70), (25.35, 43.62), (25.65, 43.68), (25.95, 43.85), (26.30, 43.97), (26.60, 44.05),
    (27.00, 44.10), (27.26, 44.12), (27.70, 43.98), (28.00, 43.82), (28.58, 43.74), (28.60, 43.55),
    (28.47, 43.37), (28.10, 43.40), (27.92, 43.20), (27.90, 42.92), (27.72, 42.72), (27.47, 42.48),
    (27.70, 42.35), (27.95, 42.10), (28.03, 41.98), (27.60, 41.95), (27.10, 42.07), (26.60, 41.90),
    (26.35, 41.72), (26.10, 41.35), (25.60, 41.30), (25.00, 41.45), (24.50, 41.55), (24.00, 41.45),
    (23.60, 41.38), (23.00, 41.35), (22.92, 41.60), (22.85, 42.00), (22.50, 42.20), (22.36, 42.32),
    (22.45, 42.60), (22.65, 42.85), (22.95, 43.05), (22.80, 43.35), (22.50, 43.50), (22.36, 43.80),
    (22.55, 44.05),
)  # fmt: skip

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

SPAIN_MAINLAND_OUTLINE = (
    (-7.87, 43.77), (-8.40, 43.38), (-9.00, 43.20), (-9.27, 42.90), (-9.00, 42.55), (-8.85, 42.10),
    (-8.87, 41.87), (-8.20, 42.10), (-7.20, 41.90), (-6.60, 41.95), (-6.20, 41.60), (-6.90, 41.00),
    (-6.80, 40.30), (-7.00, 39.70), (-7.50, 39.65), (-7.00, 39.00), (-7.30, 38.40), (-7.00, 38.00),
    (-7.50, 37.50), (-7.40, 37.18), (-6.90, 37.20), (-6.35, 36.80), (-6.30, 36.50), (-6.00, 36.20),
    (-5.60, 36.00), (-5.35, 36.15), (-4.90, 36.50), (-4.40, 36.72), (-3.50, 36.73), (-2.60, 36.70),
    (-2.20, 36.73), (-1.90, 37.20), (-1.60, 37.50), (-0.90, 37.60), (-0.70, 37.90), (-0.50, 38.30),
    (0.20, 38.75), (-0.30, 39.40), (-0.10, 39.90), (0.50, 40.50), (0.87, 40.70), (1.20, 41.05),
    (2.15, 41.35), (2.80, 41.70), (3.20, 41.90), (3.33, 42.32), (3.15, 42.43), (2.70, 42.42),
    (1.75, 42.50), (1.45, 42.60), (0.70, 42.85), (0.00, 42.70), (-0.70, 42.85), (-1.40, 43.05),
    (-1.78, 43.37), (-2.00, 43.32), (-2.95, 43.42), (-3.80, 43.48), (-4.50, 43.40), (-5.40, 43.55),
    (-5.85, 43.66), (-6.50, 43.57), (-7.05, 43.55), (-7.70, 43.73),
)  # fmt: skip

SPAIN_ISLANDS = (
    Land("Mallorca", ((3.20, 39.96), (3.13, 39.85), (3.35, 39.78), (3.47, 39.70), (3.30, 39.45), (3.05, 39.27),
                      (2.95, 39.35), (2.80, 39.37), (2.73, 39.52), (2.62, 39.55), (2.52, 39.47), (2.38, 39.55),
                      (2.55, 39.68), (2.70, 39.80), (2.95, 39.88), (3.08, 39.92)), 53, "07"),
    Land("Menorca", ((3.83, 40.00), (4.00, 40.07), (4.20, 39.99), (4.30, 39.87), (4.15, 39.86), (4.00, 39.91),
                     (3.85, 39.93)), 8, "07"),
    Land("Eivissa", ((1.22, 38.97), (1.35, 39.08), (1.58, 39.10), (1.61, 38.98), (1.45, 38.87), (1.30, 38.88)),
         5, "07"),
    Land("Formentera", ((1.38, 38.72), (1.45, 38.70), (1.58, 38.66), (1.50, 38.64), (1.40, 38.66)), 1, "07"),
    Land("Gran Canaria", ((-15.42, 28.17), (-15.60, 28.16), (-15.75, 28.08), (-15.83, 27.97), (-15.75, 27.82),
                          (-15.58, 27.74), (-15.42, 27.80), (-15.37, 27.95)), 21, "35"),
    Land("Lanzarote", ((-13.42, 29.23), (-13.45, 29.10), (-13.55, 28.98), (-13.87, 28.86), (-13.83, 28.95),
                       (-13.75, 29.05), (-13.50, 29.20)), 7, "35"),
    Land("Fuerteventura", ((-13.85, 28.75), (-13.83, 28.40), (-14.00, 28.20), (-14.50, 28.05), (-14.25, 28.18),
                           (-14.05, 28.45), (-14.02, 28.70)), 6, "35"),
    Land("Tenerife", ((-16.13, 28.58), (-16.30, 28.52), (-16.55, 28.42), (-16.92, 28.35), (-16.84, 28.24),
                      (-16.72, 28.05), (-16.54, 28.04), (-16.38, 28.30), (-16.25, 28.45)), 31, "38"),
    Land("La Palma", ((-17.85, 28.85), (-17.75, 28.80), (-17.75, 28.55), (-17.85, 28.45), (-17.95, 28.65),
                      (-18.00, 28.77)), 14, "38"),
    Land("La Gomera", ((-17.22, 28.20), (-17.12, 28.14), (-17.10, 28.05), (-17.22, 28.01), (-17.33, 28.08),
                       (-17.31, 28.16)), 6, "38"),
    Land("El Hierro", ((-17.90, 27.85), (-17.88, 27.76), (-18.00, 27.72), (-18.16, 27.70), (-18.05, 27.78),
                       (-17.98, 27.83)), 3, "38"),
    Land("Ceuta", ((-5.38, 35.915), (-5.34, 35.912), (-5.28, 35.900), (-5.30, 35.885), (-5.35, 35.878),
                   (-5.38, 35.870)), 1, "51"),
    Land("Melilla", ((-2.970, 35.310), (-2.930, 35.300), (-2.925, 35.280), (-2.950, 35.268), (-2.972, 35.285)),
         1, "52"),
)  # fmt: skip

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

BELGIUM_OUTLINE = (
    (2.55, 51.09), (2.92, 51.23), (3.37, 51.37), (3.52, 51.29), (3.80, 51.21), (4.25, 51.30),
    (4.30, 51.37), (4.50, 51.45), (4.80, 51.50), (5.05, 51.48), (5.25, 51.27), (5.50, 51.30),
    (5.85, 51.15), (5.78, 50.95), (5.70, 50.76), (6.02, 50.75), (6.20, 50.60), (6.40, 50.33),
    (6.13, 50.13), (5.95, 49.98), (5.80, 49.72), (5.82, 49.55), (5.45, 49.50), (5.10, 49.70),
    (4.85, 49.80), (4.88, 49.95), (4.87, 50.15), (4.80, 50.14), (4.68, 49.99), (4.15, 49.98),
    (4.20, 50.25), (3.70, 50.32),
    (3.60, 50.48), (3.30, 50.52), (3.25, 50.70), (3.00, 50.77), (2.85, 50.70), (2.60, 50.85),
)  # fmt: skip

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


# --------------------------------------------------------------------------------------------------------------
# Synthetic names
# --------------------------------------------------------------------------------------------------------------

BG_ROOTS = (
    "Бел", "Злат", "Камен", "Черн", "Рад", "Бор", "Дъб", "Брез", "Струм", "Рос", "Мир", "Слав", "Петр", "Иван",
    "Стоян", "Крум", "Добр", "Сред", "Върб", "Бук", "Ясен", "Лоз", "Студен", "Топл", "Смол", "Гор", "Равн",
    "Кос", "Бистр", "Кал", "Ореш", "Трън", "Драг", "Сух", "Бял", "Лес", "Бреж", "Стан", "Момч", "Кам",
)  # fmt: skip
BG_SUFFIXES = {"n": ("ово", "ево", "ино", "ище", "ене"), "f": ("ица", "ина", "ана"), "m": ("ец", "ен", "град", "ник")}
BG_ADJECTIVES = {
    "n": ("Горно", "Долно", "Ново", "Старо", "Голямо", "Малко"),
    "f": ("Горна", "Долна", "Нова", "Стара", "Голяма", "Малка"),
    "m": ("Горен", "Долен", "Нов", "Стар", "Голям", "Малък"),
}
ES_SIMPLE = (
    "Alcolea", "Almenara", "Aldeanueva", "Becerril", "Cañizar", "Herrera", "Laguna", "Moraleja", "Olmedillo",
    "Zarzuela", "Romanillos", "Valverde", "Castrillo", "Quintanilla", "Cubillas", "Lagunilla", "Cabañas",
    "Bercial", "Encinas", "Rebollar", "Carrascal", "Robledo", "Navalmoral", "Montejo", "Sotillo", "Cervera",
    "Argamasilla", "Alameda", "Cabezón", "Fresno", "Hinojosa", "Matilla", "Pedrosa", "Torrecilla", "Villar",
    "Membrilla", "Mojados", "Peñalba", "Tejeda", "Almazán", "Olivares", "Castellar", "Benavente", "Escalona",
    "Aldehuela", "Barrios", "Bustillo", "Cabrejas", "Calzada", "Campillo", "Cañada", "Carbajosa", "Castellanos",
    "Collado", "Corrales", "Cuevas", "Espinosa", "Fuentes", "Gallegos", "Granja", "Guijo", "Hontanares", "Hoyos",
    "Jarilla", "Llanos", "Lomas", "Madrigal", "Majadas", "Mansilla", "Molina", "Monasterio", "Nava", "Olmos",
    "Palacios", "Paredes", "Perales", "Piedrahita", "Pinilla", "Quintana", "Revilla", "Rueda", "Salas",
    "Santibáñez", "Serranillos", "Tamames", "Torres", "Ventosa", "Villalba", "Villoria", "Zarza",
)  # fmt: skip
ES_FIRST = (
    "Villa", "Valde", "Torre", "Fuente", "Castro", "Casa", "Peña", "Pozo", "Campo", "Cerro", "Monte", "Alde",
    "Vega", "Mata", "Cueva", "Sierra", "Cabeza", "Mora",
)  # fmt: skip
ES_SECOND = (
    "nueva", "rrubia", "blanca", "verde", "mayor", "alta", "llana", "fría", "seca", "hermosa", "real", "lobos",
    "mediana", "pinos", "morisca", "negra", "rroble", "serrano", "castillo", "cerrada",
)  # fmt: skip
ES_COMPLEMENTS = (
    "de la Sierra", "del Campo", "de Arriba", "de Abajo", "del Río", "de los Caballeros", "del Monte",
    "de la Vega", "del Páramo", "de Duero", "de Ebro", "del Valle", "de la Reina", "del Rey", "de Campos",
    "de la Cuesta", "de Tajo", "del Pinar", "de la Frontera", "de Guadiana", "de las Torres", "del Castillo",
    "de la Jara", "de Órbigo", "de Esgueva", "de Almanzora", "del Condado", "de la Orden", "de Jiloca",
    "de los Infantes", "de la Peña", "de Henares", "de Alcántara", "del Arzobispo", "de la Sal", "de Bureba",
    "de Aliste", "de Lemos", "de Valdeorras", "de Alarcón", "del Marquesado", "de Montalbán", "de la Ribera",
    "del Tiétar", "de Jalón", "del Júcar", "de Tera", "de Sayago", "de la Mancha",
)  # fmt: skip
ES_SAINTS = (
    "San Martín", "San Pedro", "Santa María", "San Juan", "San Miguel", "Santa Cruz", "San Vicente",
    "Santiago", "San Esteban", "Santo Domingo", "San Cristóbal", "Santa Eulalia", "San Román", "Santa Olalla",
)  # fmt: skip
NL_FIRST = (
    "Ber", "Dil", "Hoog", "Kort", "Lin", "Mal", "Over", "Puur", "Stee", "Wes", "Zand", "Zwijn", "Bree", "Diep",
    "Ham", "Kap", "Lede", "Merk", "Oost", "Heis", "Hul", "Wil", "Zout", "Meer", "Bor", "Rijk", "Ever", "Hees",
)  # fmt: skip
NL_SUFFIXES = (
    "gem", "hout", "donk", "kerke", "zele", "lo", "beek", "rode", "hove", "wijk", "dijk", "laar", "bergen",
    "vorst", "meer", "hem", "egem", "ingen", "brugge", "donk", "sel", "voorde",
)  # fmt: skip
NL_PREFIXES = ("Sint-Pieters-", "Sint-Martens-", "Sint-Katelijne-", "Oud-", "Groot-", "Klein-", "Nieuw-")
FR_FIRST = (
    "Ande", "Beau", "Chapel", "Cour", "Fleur", "Flo", "Hanne", "Jam", "Mar", "Mont", "Neuf", "Ro", "Sou", "Thu",
    "Vier", "Vil", "Wal", "Wav", "Brai", "Chas", "Fer", "Gem", "Hou", "Mor", "Per", "Tub", "Vres", "Bas",
)  # fmt: skip
FR_SUFFIXES = (
    "ville", "court", "mont", "ies", "sart", "fontaine", "champs", "ennes", "elles", "ain", "ize", "ette",
    "euse", "ière", "ignée", "oy", "ée", "bais", "haye",
)  # fmt: skip
FR_RIVERS = ("Meuse", "Sambre", "Ourthe", "Lesse", "Semois", "Dyle", "Haine", "Amblève", "Vesdre", "Dendre")
FR_SAINTS = ("Saint-Georges", "Saint-Hubert", "Saint-Ghislain", "Saint-Léger", "Saint-Amand", "Saint-Remy")
EN_FIRST = (
    "Ash", "Brook", "Elm", "Fair", "Green", "Hol", "King", "Lang", "Mar", "North", "Oak", "Red", "Stan", "Thorn",
    "West", "Wil", "Ald", "Brad", "Chel", "Dun", "Hart", "Wood",
)  # fmt: skip
EN_SUFFIXES = ("ton", "ford", "by", "ham", "field", "wick", "bury", "ley", "stead", "mouth", "well", "worth", "dale")
EN_PREFIXES = ("Upper", "Lower", "Great", "Little", "East", "West", "Long")
LANGUAGES = ("bg", "es", "fr", "nl", "en")


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def synthetic_place_name(language: str, rng: np.random.Generator) -> str:
    """Return one plausible synthetic place name in ``language`` (bg, es, fr, nl or en)."""
    style = rng.random()
    if language == "bg":
        gender = _pick(rng, ("n", "n", "f", "m"))
        word = _pick(rng, BG_ROOTS) + _pick(rng, BG_SUFFIXES[gender])
        return f"{_pick(rng, BG_ADJECTIVES[gender])} {word}" if style < 0.25 else word
    if language == "es":
        if style < 0.15:
            return _pick(rng, ES_SIMPLE)
        if style < 0.50:
            return f"{_pick(rng, ES_SIMPLE)} {_pick(rng, ES_COMPLEMENTS)}"
        compound = _pick(rng, ES_FIRST) + _pick(rng, ES_SECOND)
        if style < 0.65:
            return compound
        if style < 0.90:
            return f"{compound} {_pick(rng, ES_COMPLEMENTS)}"
        return f"{_pick(rng, ES_SAINTS)} {_pick(rng, ES_COMPLEMENTS)}"
    if language == "nl":
        compound = _pick(rng, NL_FIRST) + _pick(rng, NL_SUFFIXES)
        return _pick(rng, NL_PREFIXES) + compound if style < 0.2 else compound
    if language == "fr":
        compound = _pick(rng, FR_FIRST) + _pick(rng, FR_SUFFIXES)
        if style < 0.15:
            return f"{compound}-sur-{_pick(rng, FR_RIVERS)}"
        if style < 0.25:
            return f"{_pick(rng, FR_SAINTS)}-lez-{compound}"
        return compound
    if language == "en":
        compound = _pick(rng, EN_FIRST) + _pick(rng, EN_SUFFIXES)
        return f"{_pick(rng, EN_PREFIXES)} {compound}" if style < 0.2 else compound
    raise ValueError(f"no synthetic names for language {language!r}; use one of {LANGUAGES}")


def unique_place_names(
    languages: Sequence[str], rng: np.random.Generator, reserved: Iterable[str] = ()
) -> list[str]:
    """Return one synthetic name per entry of ``languages``, all different from each other and from ``reserved``
    (real names given elsewhere); a numeral breaks rare ties."""
    taken: set[str] = set(reserved)
    names = []
    for language in languages:
        for _ in range(50):
            name = synthetic_place_name(language, rng)
            if name not in taken:
                break
        else:
            base, number = name, 2
            while f"{base} {number}" in taken:
                number += 1
            name = f"{base} {number}"
        taken.add(name)
        names.append(name)
    return names


BG_PATRONS = (
    "Христо Ботев", "Васил Левски", "Иван Вазов", "Св. св. Кирил и Методий", "Паисий Хилендарски",
    "Св. Климент Охридски", "Никола Вапцаров", "Христо Смирненски", "Любен Каравелов", "Георги Бенковски",
    "Елин Пелин", "Йордан Йовков", "Пейо Яворов", "Петко Славейков", "Неофит Рилски", "Димчо Дебелянов",
    "Стефан Караджа", "Хаджи Димитър", "Св. Иван Рилски", "Братя Миладинови", "Антон Страшимиров",
)  # fmt: skip
BG_VOCATIONAL = ("ПГ по икономика", "ПГ по туризъм", "ПГ по селско стопанство", "ПГ по механотехника")
ES_PATRONS = (
    "Miguel de Cervantes", "San José", "Virgen del Carmen", "Antonio Machado", "Federico García Lorca",
    "Santa Teresa", "Nuestra Señora del Pilar", "Ramón y Cajal", "Gloria Fuertes", "Juan Ramón Jiménez",
    "Rosalía de Castro", "Clara Campoamor", "Severo Ochoa", "La Paz", "Los Olivos", "El Pinar", "Miguel Hernández",
    "María Moliner", "Isaac Peral", "Príncipe Felipe", "Rafael Alberti", "Concepción Arenal",
)  # fmt: skip
ES_PRIVATE = (
    "Colegio La Salle", "Colegio Sagrado Corazón", "Colegio Santa Ana", "Colegio Salesianos San Juan Bosco",
    "Colegio Escolapios", "Colegio Nuestra Señora de la Consolación", "Colegio Maristas",
)  # fmt: skip
FR_SCHOOLS = (
    "Institut Saint-Joseph", "Collège Saint-Louis", "École fondamentale Les Tilleuls", "Institut Sainte-Marie",
    "École Saint-Nicolas", "Institut de la Providence", "École libre du Sacré-Cœur",
)  # fmt: skip
NL_SCHOOLS = (
    "Basisschool De Regenboog", "Sint-Jozefscollege", "Vrije basisschool De Wegwijzer", "Sint-Lutgardisschool",
    "Basisschool De Klimop", "Sint-Victorinstituut", "Vrije basisschool Het Molentje", "Sint-Ursula-instituut",
)  # fmt: skip
EN_SCHOOLS = ("St Mary's School", "Riverside Primary School", "Oakwood Academy", "Hillside School", "St John's School")


def synthetic_school_name(language: str, settlement: str, pupils: int, rng: np.random.Generator) -> str:
    """Return a school name in the national style: ``ОУ „…“``, ``CEIP …``, ``École communale de …``."""
    style = rng.random()
    if language == "bg":
        if style < 0.12:
            return f"{_pick(rng, BG_VOCATIONAL)} „{_pick(rng, BG_PATRONS)}“"
        kind = "СУ" if pupils >= 500 else ("НУ" if pupils < 60 and style < 0.5 else "ОУ")
        return f"{kind} „{_pick(rng, BG_PATRONS)}“"
    if language == "es":
        if pupils < 50 and style < 0.6:
            return f"CRA {settlement}"
        if style < 0.18:
            return _pick(rng, ES_PRIVATE)
        kind = "IES" if pupils >= 600 or style > 0.8 else "CEIP"
        return f"{kind} {_pick(rng, ES_PATRONS)}"
    if language == "fr":
        if style < 0.35:
            return _pick(rng, FR_SCHOOLS)
        if pupils >= 600:
            return f"Athénée royal de {settlement}"
        return f"École communale de {settlement}"
    if language == "nl":
        if style < 0.45:
            return _pick(rng, NL_SCHOOLS)
        if pupils >= 600:
            return f"GO! atheneum {settlement}"
        return f"Gemeentelijke basisschool {settlement}"
    if style < 0.4:
        return _pick(rng, EN_SCHOOLS)
    return f"{settlement} {'Academy' if pupils >= 600 else 'Primary School'}"


def settlement_label(language: str, name: str, is_main: bool) -> str:
    """Return how a settlement is written: Bulgarian towns and villages carry ``гр.`` or ``с.``."""
    if language == "bg":
        return f"{'гр.' if is_main else 'с.'} {name}"
    return name


# --------------------------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def lonlat_to_metric(lonlat: np.ndarray) -> np.ndarray:
    """Project an (n, 2) array of lon/lat to EPSG:3035 metres."""
    lonlat = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    x, y = _transformer("EPSG:4326", METRIC_CRS).transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


def metric_to_lonlat(xy: np.ndarray) -> np.ndarray:
    """Unproject an (n, 2) array of EPSG:3035 metres to lon/lat rounded to 5 decimals (about a metre)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    lon, lat = _transformer(METRIC_CRS, "EPSG:4326").transform(xy[:, 0], xy[:, 1])
    return np.round(np.column_stack([lon, lat]), COORDINATE_DECIMALS)


def land_polygon(land: Land) -> shapely.Polygon:
    """Return the land's outline as a valid polygon in EPSG:3035."""
    polygon = shapely.Polygon(lonlat_to_metric(np.array(land.outline)))
    if not polygon.is_valid:
        raise ValueError(f"outline of {land.name!r} is not a valid polygon: {shapely.is_valid_reason(polygon)}")
    return polygon


def sample_points_in_polygon(
    polygon: shapely.Geometry,
    n: int,
    rng: np.random.Generator,
    kernels: Sequence[tuple[float, float, float, float]] = (),
    avoid: tuple[float, float, float] | None = None,
) -> np.ndarray:
    """Draw ``n`` points inside ``polygon`` (metric) from a mixture of uniform and Gaussian kernels.

    ``kernels`` holds (x, y, sigma, weight) in metres; the uniform part gets the weight left over.
    ``avoid`` = (x, y, radius) rejects points within radius of (x, y).
    """
    if n <= 0:
        return np.empty((0, 2))
    shapely.prepare(polygon)
    minx, miny, maxx, maxy = polygon.bounds
    weights = np.array([k[3] for k in kernels] + [max(0.0, 1.0 - sum(k[3] for k in kernels))])
    weights = weights / weights.sum()
    accepted: list[np.ndarray] = []
    count = 0
    while count < n:
        batch = max(256, 3 * (n - count))
        component = rng.choice(len(weights), size=batch, p=weights)
        x = rng.uniform(minx, maxx, batch)
        y = rng.uniform(miny, maxy, batch)
        normal = rng.standard_normal((batch, 2))
        for index, (kx, ky, sigma, _) in enumerate(kernels):
            chosen = component == index
            x[chosen] = kx + sigma * normal[chosen, 0]
            y[chosen] = ky + sigma * normal[chosen, 1]
        keep = shapely.contains_xy(polygon, x, y)
        if avoid is not None:
            keep &= np.hypot(x - avoid[0], y - avoid[1]) > avoid[2]
        points = np.column_stack([x[keep], y[keep]])[: n - count]
        accepted.append(points)
        count += len(points)
    return np.concatenate(accepted)


def polygonal_part(geometry: shapely.Geometry) -> shapely.Geometry:
    """Drop points and lines that an overlay may leave; return a Polygon or MultiPolygon."""
    if shapely.get_type_id(geometry) in (3, 6):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if shapely.get_type_id(p) in (3, 6)]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def voronoi_cells(points: np.ndarray, polygon: shapely.Geometry) -> np.ndarray:
    """Return the Voronoi cell of each point (same order) clipped to ``polygon``."""
    if len(points) == 1:
        return np.array([polygon], dtype=object)
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=polygon, ordered=True)
    cells = shapely.intersection(shapely.get_parts(diagram), polygon)
    return np.array([polygonal_part(cell) for cell in cells], dtype=object)


def lloyd_relax(
    points: np.ndarray, fixed: np.ndarray, polygon: shapely.Geometry, iterations: int
) -> np.ndarray:
    """Move the non-fixed points to the centroid of their clipped Voronoi cell, ``iterations`` times."""
    points = points.copy()
    for _ in range(iterations if len(points) > 1 else 0):
        centroids = shapely.get_coordinates(shapely.centroid(voronoi_cells(points, polygon)))
        inside = shapely.contains_xy(polygon, centroids[:, 0], centroids[:, 1])
        move = inside & ~fixed
        points[move] = centroids[move]
    return points


def capital_seed_points(capital: Capital) -> np.ndarray:
    """Place the capital's seeds in rings (1, 6, 12, ...) around its centre, in metres."""
    centre = lonlat_to_metric(np.array([[capital.lon, capital.lat]]))[0]
    points = [centre]
    ring = 1
    while len(points) < capital.n_municipalities:
        radius = capital.radius_km * 1000 * ring / (ring + 0.5)
        count = 6 * ring
        angles = 2 * np.pi * (np.arange(count) + 0.5 * (ring % 2)) / count
        points.extend(centre + radius * np.column_stack([np.cos(angles), np.sin(angles)]))
        ring += 1
    return np.array(points[: capital.n_municipalities])


@dataclass
class Municipalities:
    """Municipality seeds and cells in EPSG:3035, with the land and anchor (region centre) of each."""

    seeds: np.ndarray
    cells: np.ndarray
    land: np.ndarray
    region_centre_of: np.ndarray  # index into profile.regions when the seed is that region's centre, else -1
    capital: np.ndarray  # bool


def mainland_index(profile: DemoProfile) -> int | None:
    """Return the index of the land with ``n_municipalities`` None, if any."""
    free = [i for i, land in enumerate(profile.lands) if land.n_municipalities is None]
    return free[0] if free else None


def centred_regions(profile: DemoProfile) -> list[int]:
    """Indices of named regions whose centre seeds a mainland municipality (not capital, island or exclave)."""
    fixed = {land.region_code for land in profile.lands if land.region_code is not None}
    capital_code = profile.capital.region_code if profile.capital else None
    return [i for i, r in enumerate(profile.regions) if r.code not in fixed and r.code != capital_code]


def land_centred_regions(profile: DemoProfile, polygons: Sequence[shapely.Geometry]) -> dict[int, list[int]]:
    """Map a non-mainland land's index to the island or exclave regions whose centre seeds one of its
    municipalities.

    A region whose municipalities all come from lands with its ``region_code`` has its centre on the first of
    those lands that contains it (``polygons``: the lands in EPSG:3035); a centre on none of them is an error.
    """
    main = mainland_index(profile)
    capital_code = profile.capital.region_code if profile.capital else None
    result: dict[int, list[int]] = {}
    outside = []
    for index, region in enumerate(profile.regions):
        lands = [i for i, land in enumerate(profile.lands) if land.region_code == region.code and i != main]
        if not lands or region.code == capital_code:
            continue
        centre = shapely.Point(lonlat_to_metric(np.array([[region.lon, region.lat]]))[0])
        home = next((i for i in lands if polygons[i].contains(centre)), None)
        if home is None:
            outside.append(region.code)
        else:
            result.setdefault(home, []).append(index)
    if outside:
        raise ValueError(f"region centres outside their own lands: {outside}")
    return result


def build_municipalities(profile: DemoProfile, rng: np.random.Generator) -> Municipalities:
    """Seed, relax and tessellate every land mass into municipalities (EPSG:3035)."""
    main = mainland_index(profile)
    explicit = sum(land.n_municipalities or 0 for land in profile.lands)
    polygons = [land_polygon(land) for land in profile.lands]
    land_centres = land_centred_regions(profile, polygons)
    seeds, cells, land_of, centre_of, capital = [], [], [], [], []
    for index, (land, polygon) in enumerate(zip(profile.lands, polygons)):
        if index == main:
            forced, forced_centre, forced_capital = mainland_forced_seeds(profile, polygon)
            kernels = [
                (*lonlat_to_metric(np.array([[k.lon, k.lat]]))[0], k.sigma_km * 1000, k.weight)
                for k in profile.density_kernels
            ]
            avoid = None
            if profile.capital is not None:
                capital_xy = lonlat_to_metric(np.array([[profile.capital.lon, profile.capital.lat]]))[0]
                avoid = (capital_xy[0], capital_xy[1], profile.capital.exclusion_km * 1000)
            n_scattered = profile.n_municipalities - explicit - len(forced)
            scattered = sample_points_in_polygon(polygon, n_scattered, rng, kernels, avoid)
            points = np.concatenate([forced, scattered])
            centre = np.concatenate([forced_centre, np.full(len(scattered), -1)])
            is_capital = np.concatenate([forced_capital, np.zeros(len(scattered), bool)])
        else:
            regions = land_centres.get(index, [])
            if len(regions) > (land.n_municipalities or 0):
                raise ValueError(f"land {land.name!r} has fewer municipalities than region centres")
            forced = lonlat_to_metric(np.array([[profile.regions[i].lon, profile.regions[i].lat] for i in regions]))
            scattered = sample_points_in_polygon(polygon, (land.n_municipalities or 0) - len(regions), rng)
            points = np.concatenate([forced.reshape(-1, 2), scattered])
            centre = np.concatenate([np.array(regions, dtype=int), np.full(len(scattered), -1)])
            is_capital = np.zeros(len(points), bool)
        points = lloyd_relax(points, (centre >= 0) | is_capital, polygon, profile.lloyd_iterations)
        seeds.append(points)
        cells.append(voronoi_cells(points, polygon))
        land_of.append(np.full(len(points), index))
        centre_of.append(centre)
        capital.append(is_capital)
    return Municipalities(
        seeds=np.concatenate(seeds),
        cells=np.concatenate(cells),
        land=np.concatenate(land_of),
        region_centre_of=np.concatenate(centre_of).astype(int),
        capital=np.concatenate(capital),
    )


def mainland_forced_seeds(
    profile: DemoProfile, polygon: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return seeds that must exist on the mainland: named region centres, then the capital's seeds."""
    regions = centred_regions(profile)
    centres = lonlat_to_metric(np.array([[profile.regions[i].lon, profile.regions[i].lat] for i in regions]))
    outside = [profile.regions[i].code for i, c in zip(regions, centres) if not polygon.contains(shapely.Point(c))]
    if outside:
        raise ValueError(f"region centres outside the mainland outline: {outside}")
    capital = capital_seed_points(profile.capital) if profile.capital else np.empty((0, 2))
    points = np.concatenate([centres.reshape(-1, 2), capital])
    centre_of = np.concatenate([np.array(regions, dtype=int), np.full(len(capital), -1)])
    is_capital = np.concatenate([np.zeros(len(regions), bool), np.ones(len(capital), bool)])
    return points, centre_of, is_capital


def main_municipalities(profile: DemoProfile, municipalities: Municipalities) -> dict[int, int]:
    """Map each named region's index to its main municipality: the one its centre seeds, or for the capital
    region the municipality at the capital's centre (its first seed)."""
    main = {int(r): int(m) for m, r in enumerate(municipalities.region_centre_of) if r >= 0}
    if profile.capital is not None and municipalities.capital.any():
        code_index = {r.code: i for i, r in enumerate(profile.regions)}
        main[code_index[profile.capital.region_code]] = int(np.flatnonzero(municipalities.capital)[0])
    return dict(sorted(main.items()))


def neighbour_pairs(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (i, j) index arrays, i < j, of cells that touch."""
    left, right = shapely.STRtree(cells).query(cells, predicate="intersects")
    keep = left < right
    order = np.lexsort((right[keep], left[keep]))
    return left[keep][order], right[keep][order]


def neighbour_lists(n: int, pairs: tuple[np.ndarray, np.ndarray]) -> list[list[int]]:
    """Turn neighbour pairs into a sorted adjacency list per cell."""
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for i, j in zip(*pairs):
        neighbours[int(i)].append(int(j))
        neighbours[int(j)].append(int(i))
    return [sorted(items) for items in neighbours]


def farthest_point_indices(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Pick ``k`` spread-out points: a random first one, then repeatedly the farthest from those chosen."""
    chosen = [int(rng.integers(len(points)))]
    distance = np.hypot(*(points - points[chosen[0]]).T)
    for _ in range(k - 1):
        chosen.append(int(np.argmax(distance)))
        distance = np.minimum(distance, np.hypot(*(points - points[chosen[-1]]).T))
    return np.array(chosen)


def assign_regions(
    profile: DemoProfile, municipalities: Municipalities, neighbours: list[list[int]], rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[str, str, str]]]:
    """Return each municipality's region index and the regions as (code, name, language).

    Island and capital municipalities go to their fixed region; the others join the nearest region centre,
    then disconnected pieces move to a neighbouring region until regions are contiguous.
    """
    n = len(municipalities.seeds)
    if profile.regions:
        regions = [(r.code, r.name, r.language or profile.language) for r in profile.regions]
        code_index = {r.code: i for i, r in enumerate(profile.regions)}
        # Only mainland centres draw municipalities in; island and exclave centres keep to their own lands.
        anchors = np.flatnonzero(np.isin(municipalities.region_centre_of, centred_regions(profile)))
        anchor_region = municipalities.region_centre_of[anchors]
    else:
        free = np.flatnonzero(municipalities.capital == 0)
        anchors = free[farthest_point_indices(municipalities.seeds[free], profile.n_regions, rng)]
        anchor_region = np.arange(profile.n_regions)
        languages = [profile.language] * profile.n_regions
        names = unique_place_names(languages, rng)
        regions = [(f"{i + 1:02d}", name, profile.language) for i, name in enumerate(names)]
        code_index = {}
    if len(anchors):
        distance = municipalities.seeds[:, None, :] - municipalities.seeds[anchors][None, :, :]
        region_of = anchor_region[np.argmin(np.hypot(*distance.transpose(2, 0, 1)), axis=1)]
    else:  # every municipality lies on a land with a fixed region
        region_of = np.zeros(n, dtype=int)
    movable = np.ones(n, bool)
    for index, land in enumerate(profile.lands):
        if land.region_code is not None:
            region_of[municipalities.land == index] = code_index[land.region_code]
            movable[municipalities.land == index] = False
    if profile.capital is not None:
        region_of[municipalities.capital] = code_index[profile.capital.region_code]
        movable[municipalities.capital] = False
    region_anchor = {int(r): int(a) for r, a in zip(anchor_region, anchors)}
    return make_contiguous(region_of, region_anchor, movable, neighbours), regions


def make_contiguous(
    region_of: np.ndarray, region_anchor: dict[int, int], movable: np.ndarray, neighbours: list[list[int]]
) -> np.ndarray:
    """Move municipalities cut off from their region's anchor to the neighbouring region they touch most.

    Only regions with an anchor (a centre) take municipalities in: capital, island and exclave regions keep
    exactly the municipalities given to them.
    """
    region_of = region_of.copy()
    for _ in range(20):
        changed = False
        for region, anchor in sorted(region_anchor.items()):
            connected = component(anchor, region_of, neighbours)
            for m in np.flatnonzero((region_of == region) & movable):
                if m in connected:
                    continue
                others = [r for r in region_of[neighbours[m]] if r != region and int(r) in region_anchor]
                if others:
                    values, counts = np.unique(others, return_counts=True)
                    region_of[m] = values[np.argmax(counts)]
                    changed = True
        if not changed:
            break
    return region_of


def component(start: int, region_of: np.ndarray, neighbours: list[list[int]]) -> set[int]:
    """Return the municipalities reachable from ``start`` without leaving its region."""
    region = region_of[start]
    seen, stack = {start}, [start]
    while stack:
        for j in neighbours[stack.pop()]:
            if j not in seen and region_of[j] == region:
                seen.add(j)
                stack.append(j)
    return seen


def cells_to_lonlat(cells: np.ndarray) -> np.ndarray:
    """Project cells to lon/lat with coordinates rounded to 5 decimals; valid, exterior rings counter-clockwise.

    Shared vertices are rounded identically on both sides, so neighbours keep sharing their edges exactly.
    """
    projected = shapely.transform(cells, metric_to_lonlat)
    projected = shapely.remove_repeated_points(projected)
    invalid = ~shapely.is_valid(projected)
    if invalid.any():
        projected[invalid] = [polygonal_part(shapely.make_valid(g)) for g in projected[invalid]]
    return shapely.orient_polygons(projected)


# --------------------------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------------------------


def municipality_codes(
    profile: DemoProfile,
    region_of: np.ndarray,
    region_codes: Sequence[str],
    names: Sequence[str],
    seeds: np.ndarray,
    capital: np.ndarray,
) -> list[str]:
    """Give each municipality a text code in the profile's style, numbered alphabetically within its region.

    ``lau``: prefix + 2 digits (``PDV39``); ``ine``: province + 3 digits (``01001``); ``nis``: arrondissement
    prefix + 3 digits (``21004``), the region split west to east over its prefixes; ``generic``: region code +
    3 digits. Capital codes given in the profile are used as they are.
    """
    codes = [""] * len(names)
    if profile.capital is not None and profile.capital.municipality_codes:
        for m, code in zip(np.flatnonzero(capital), profile.capital.municipality_codes):
            codes[m] = code
    digits = 2 if profile.code_style == "lau" else 3
    for region, region_code in enumerate(region_codes):
        members = [m for m in np.flatnonzero(region_of == region) if not codes[m]]
        if profile.regions and profile.regions[region].code_prefixes:
            prefixes = profile.regions[region].code_prefixes
        else:
            prefixes = (region_code,)
        west_to_east = sorted(members, key=lambda m: (seeds[m, 0], m))
        for part, prefix in enumerate(prefixes):
            chunk = west_to_east[part * len(members) // len(prefixes) : (part + 1) * len(members) // len(prefixes)]
            for number, m in enumerate(sorted(chunk, key=lambda m: (names[m], m)), start=1):
                if number >= 10**digits:
                    raise ValueError(f"region {region_code} has too many municipalities for {digits}-digit codes")
                codes[m] = f"{prefix}{number:0{digits}d}"
    if len(set(codes)) != len(codes):
        raise ValueError("municipality codes are not unique; check the profile's code prefixes")
    return codes


def school_ids(profile: DemoProfile, school_region: np.ndarray, region_codes: Sequence[str]) -> list[str]:
    """Return unique text school ids in a national style.

    ``lau``: NEISPUO-like region number + 5 digits; ``ine``: province + 6 digits (``01000123``, leading zero);
    ``nis``: 6 digits with leading zeros; ``generic``: ``SCH`` + 6 digits.
    """
    ids = []
    sequence = np.zeros(len(region_codes), dtype=int)
    for number, region in enumerate(school_region, start=1):
        sequence[region] += 1
        if profile.code_style == "lau":
            ids.append(f"{region + 1}{sequence[region]:05d}")
        elif profile.code_style == "ine":
            ids.append(f"{region_codes[region]}{sequence[region]:06d}")
        elif profile.code_style == "nis":
            ids.append(f"{number:06d}")
        else:
            ids.append(f"SCH{number:06d}")
    return ids


# --------------------------------------------------------------------------------------------------------------
# Population, schools and pupils
# --------------------------------------------------------------------------------------------------------------


def simulate_population(
    area_km2: np.ndarray,
    centre_boost: np.ndarray,
    capital: np.ndarray,
    profile: DemoProfile,
    rng: np.random.Generator,
    fixed_share: np.ndarray | None = None,
) -> np.ndarray:
    """Return integer population per municipality.

    Ordinary municipalities: lognormal, larger with area. Region centres (``centre_boost`` > 1): the boost
    times a little noise, whatever their area. The capital's municipalities share
    ``capital.population_share`` of the total between them (the first, central one weighted by
    ``capital.centre_weight``); municipalities with a ``fixed_share`` (not NaN) get that share of the total; the
    rest is scaled to the profile's total.
    """
    n = len(area_km2)
    ordinary = centre_boost == 1
    log_area = profile.population_area_exponent * np.log(area_km2 / np.median(area_km2))
    noise = rng.standard_normal(n)
    log_weight = np.where(ordinary, log_area + profile.population_sigma * noise, np.log(centre_boost) + 0.3 * noise)
    weight = np.exp(log_weight)
    population = np.zeros(n)
    total = float(total_population(profile))
    rest = total
    free = ~capital
    if profile.capital is not None and capital.any():
        capital_weight = np.exp(0.4 * rng.standard_normal(int(capital.sum())))
        capital_weight[0] *= profile.capital.centre_weight
        capital_total = profile.capital.population_share * total
        population[capital] = capital_total * capital_weight / capital_weight.sum()
        rest -= capital_total
    if fixed_share is not None:
        fixed = ~np.isnan(fixed_share) & ~capital
        population[fixed] = fixed_share[fixed] * total
        rest -= population[fixed].sum()
        free &= ~fixed
    population[free] = rest * weight[free] / weight[free].sum()
    return np.maximum(np.round(population), profile.min_population).astype(np.int64)


def centre_boosts(profile: DemoProfile, municipalities: Municipalities) -> np.ndarray:
    """Return the population multiplier of each municipality: region centres get boost x centre weight."""
    boost = np.ones(len(municipalities.seeds))
    for m in np.flatnonzero(municipalities.region_centre_of >= 0):
        boost[m] = profile.region_centre_boost * profile.regions[municipalities.region_centre_of[m]].centre_weight
    return boost


def smoothed_field(
    n: int, pairs: tuple[np.ndarray, np.ndarray], rng: np.random.Generator, steps: int = 4
) -> np.ndarray:
    """Return a standardised random field, spatially correlated by averaging noise over neighbours.

    Each cell is divided by its own standard deviation under the smoothing, so that every cell is N(0, 1)
    before the final standardisation: averaging shrinks the noise of well-connected cells, and without this
    an isolated cell (a one-municipality exclave such as Ceuta) would keep raw noise and get extreme values.
    """
    left, right = pairs
    degree = np.bincount(left, minlength=n) + np.bincount(right, minlength=n)
    field = rng.standard_normal(n)
    for _ in range(steps):
        total = field.copy()
        np.add.at(total, left, field[right])
        np.add.at(total, right, field[left])
        field = total / (1 + degree)
    field = field / smoothing_scale(n, pairs, degree, steps)
    return (field - field.mean()) / (field.std() or 1.0)


def smoothing_scale(n: int, pairs: tuple[np.ndarray, np.ndarray], degree: np.ndarray, steps: int) -> np.ndarray:
    """Return each cell's standard deviation after ``steps`` neighbour averagings of unit white noise.

    The smoothing is the linear map A ** steps with A[i, k] = 1 / (1 + degree[i]) for k = i or a neighbour of
    i; the standard deviation of cell i is the norm of row i, computed exactly with sparse (row, column, value)
    triples.
    """
    left, right = pairs
    source = np.concatenate([np.arange(n), left, right])  # an entry in row k feeds row k and k's neighbours
    target = np.concatenate([np.arange(n), right, left])
    order = np.argsort(source, kind="stable")
    source, target = source[order], target[order]
    starts = np.searchsorted(source, np.arange(n + 1))
    rows, columns, values = np.arange(n), np.arange(n), np.ones(n)
    for _ in range(steps):
        fan = starts[rows + 1] - starts[rows]
        entry = np.repeat(np.arange(len(rows)), fan)
        offset = np.arange(len(entry)) - np.repeat(np.cumsum(fan) - fan, fan)
        new_rows = target[starts[rows][entry] + offset]
        key, inverse = np.unique(new_rows * n + columns[entry], return_inverse=True)
        values = np.bincount(inverse, weights=values[entry] / (1 + degree[new_rows]))
        rows, columns = key // n, key % n
    return np.sqrt(np.bincount(rows, weights=values**2, minlength=n))


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def group_census_shares(
    population: np.ndarray, pairs: tuple[np.ndarray, np.ndarray], profile: DemoProfile, rng: np.random.Generator
) -> np.ndarray:
    """Return the group's expected census share per municipality, calibrated to ``profile.group_share``.

    share = min(max_share, logistic(a + spread * z)), z = 0.8 * smoothed field + 0.6 * noise, a by bisection.
    """
    n = len(population)
    if profile.group_share >= profile.group_max_share:
        raise ValueError("group_share must be smaller than group_max_share")
    z = 0.8 * smoothed_field(n, pairs, rng) + 0.6 * rng.standard_normal(n)

    def national_share(intercept: float) -> float:
        shares = np.minimum(profile.group_max_share, logistic(intercept + profile.group_spread * z))
        return float((shares * population).sum() / population.sum())

    low, high = -30.0, 30.0
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if national_share(middle) < profile.group_share else (low, middle)
    return np.minimum(profile.group_max_share, logistic((low + high) / 2 + profile.group_spread * z))


def allocate_school_counts(
    population: np.ndarray, n_schools: int, profile: DemoProfile, rng: np.random.Generator
) -> np.ndarray:
    """Split exactly ``n_schools`` over municipalities, expected count ~ population ** exponent (with noise).

    The relative noise fades above 20,000 inhabitants (as 20,000 / population): a city's many neighbourhoods
    average out, so a city of 85,000 gets close to its expected number of schools (about 30 in Spain), while
    small municipalities keep the full noise that gives some of them no school or a single one.
    """
    weight = population.astype(float) ** profile.schools_population_exponent
    sigma = 0.35 * np.minimum(1.0, 20_000 / np.maximum(population, 1))
    weight *= np.exp(sigma * rng.standard_normal(len(population)))
    expected = n_schools * weight / weight.sum()
    counts = np.floor(expected).astype(np.int64)
    remainder = n_schools - int(counts.sum())
    if remainder > 0:
        fraction = expected - counts
        extra = rng.choice(len(population), size=remainder, replace=False, p=fraction / fraction.sum())
        counts[extra] += 1
    return counts


def ensure_school_count_edge_cases(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Make sure some municipality has no school and some has exactly one, moving schools to the largest."""
    counts = counts.copy()
    if len(counts) < 3 or counts.sum() < 2:
        return counts
    largest = int(np.argmax(counts))
    order = [int(m) for m in np.lexsort((np.arange(len(counts)), population)) if m != largest]
    if not (counts == 0).any():
        m = next((m for m in order if counts[m] == 1), order[0])
        counts[largest] += counts[m]
        counts[m] = 0
    if not (counts == 1).any():
        m = next((m for m in order if counts[m] >= 2), None)
        if m is not None:
            counts[largest] += counts[m] - 1
            counts[m] = 1
    return counts


def simulate_pupils(
    population: np.ndarray, school_municipality: np.ndarray, profile: DemoProfile, rng: np.random.Generator
) -> np.ndarray:
    """Return pupils per school: each municipality's school-age pool split by gamma weights.

    Sizes saturate softly towards ``max_pupils`` (p / (1 + (p / max) ** 4) ** 0.25), are at least ``min_pupils``
    and together never exceed the municipality's population.
    """
    pool = population * profile.pupils_per_capita * np.exp(0.15 * rng.standard_normal(len(population)))
    weight = rng.gamma(2.5, size=len(school_municipality))
    weight_sum = np.bincount(school_municipality, weights=weight, minlength=len(population))
    pupils = pool[school_municipality] * weight / weight_sum[school_municipality]
    pupils = pupils / (1 + (pupils / profile.max_pupils) ** 4) ** 0.25
    pupils = np.clip(np.round(pupils), profile.min_pupils, profile.max_pupils).astype(np.int64)
    schools = np.bincount(school_municipality, minlength=len(population))
    fair_share = population // np.maximum(schools, 1)  # never more pupils than inhabitants
    return np.minimum(pupils, fair_share[school_municipality])


def water_fill(total: int, weight: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Split integer ``total`` over slots in proportion to ``weight`` without exceeding integer ``cap``.

    Slots that would exceed their cap are filled to it and the rest is shared again; remainders after
    flooring go to the largest fractions. Requires total <= cap.sum().
    """
    weight = np.where(cap > 0, weight, 0.0)
    if weight.sum() <= 0:
        weight = cap.astype(float)
    share = np.zeros(len(cap))
    active = weight > 0
    remaining = float(total)
    while remaining > 1e-9 and active.any():
        proposal = remaining * weight[active] / weight[active].sum()
        room = cap[active] - share[active]
        full = proposal >= room
        if not full.any():
            share[active] += proposal
            break
        indices = np.flatnonzero(active)[full]
        share[indices] = cap[indices]
        remaining -= room[full].sum()
        active[indices] = False
    counts = np.minimum(np.floor(share + 1e-9).astype(np.int64), cap)
    missing = total - int(counts.sum())
    order = np.argsort(-(share - counts), kind="stable")
    for slot in order:
        if missing <= 0:
            break
        if counts[slot] < cap[slot]:
            counts[slot] += 1
            missing -= 1
    return counts


def simulate_group_pupils(
    census_share: np.ndarray,
    population_group: np.ndarray,
    pupils: np.ndarray,
    school_municipality: np.ndarray,
    profile: DemoProfile,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return group pupils per school.

    A municipality's group pupils are binomial with share = census share x pupil factor (noisy), at most its
    group population, then spread over its schools by water-filling with weights pupils x gamma(shape) propensity: with a small shape most
    schools get few or none and a few fill up completely.
    """
    n = len(census_share)
    pupil_share = census_share * profile.group_pupil_factor * np.exp(0.35 * rng.standard_normal(n))
    pupil_share = np.minimum(pupil_share, 0.98)
    total_pupils = np.bincount(school_municipality, weights=pupils, minlength=n).astype(np.int64)
    group_total = np.minimum(rng.binomial(total_pupils, pupil_share), population_group)
    propensity = rng.gamma(profile.school_propensity_shape, size=len(pupils))
    group = np.zeros(len(pupils), dtype=np.int64)
    starts = np.searchsorted(school_municipality, np.arange(n + 1))
    for m in np.flatnonzero(total_pupils > 0):
        slots = slice(starts[m], starts[m + 1])
        group[slots] = water_fill(int(group_total[m]), pupils[slots] * propensity[slots], pupils[slots])
    return group


def ensure_group_edge_cases(
    census_share: np.ndarray,
    population_group: np.ndarray,
    pupils: np.ndarray,
    group: np.ndarray,
    school_municipality: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Guarantee a municipality with only group pupils, one whose schools have none, and a school with none.

    The all-group municipality is one with the fewest schools and the highest census share; its schools shrink
    if needed so that they hold at most a quarter of the municipality's group population. Returns new
    (pupils, group) arrays.
    """
    pupils, group = pupils.copy(), group.copy()
    n = len(census_share)
    school_count = np.bincount(school_municipality, minlength=n)
    pupil_sum = np.bincount(school_municipality, weights=pupils, minlength=n)
    group_sum = np.bincount(school_municipality, weights=group, minlength=n)
    with_schools = np.flatnonzero((school_count > 0) & (pupil_sum > 0))
    if len(with_schools) < 2:
        return pupils, group
    all_group = with_schools[group_sum[with_schools] == pupil_sum[with_schools]]
    if len(all_group) == 0:
        candidates = with_schools[school_count[with_schools] == school_count[with_schools].min()]
        chosen = int(candidates[np.argmax(census_share[candidates])])
        in_chosen = school_municipality == chosen
        school_age = max(1, int(0.25 * population_group[chosen] / school_count[chosen]))
        pupils[in_chosen] = np.minimum(pupils[in_chosen], school_age)
        group[in_chosen] = pupils[in_chosen]
        all_group = np.array([chosen])
    candidates = np.setdiff1d(with_schools, all_group)
    if not (group_sum[candidates] == 0).any() and len(candidates):
        chosen = int(candidates[np.argmin(census_share[candidates])])
        group[school_municipality == chosen] = 0
    if not (pupils == 0).any():
        in_larger = ~np.isin(school_municipality, all_group) & (school_count[school_municipality] >= 2)
        candidates = np.flatnonzero(in_larger)
        if len(candidates):
            school = int(candidates[np.argmin(pupils[candidates])])
            pupils[school] = 0
            group[school] = 0
    return pupils, group


# --------------------------------------------------------------------------------------------------------------
# Settlements and school locations
# --------------------------------------------------------------------------------------------------------------


def assign_settlements(
    school_municipality: np.ndarray, n_municipalities: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return per school its settlement number within the municipality (0 = main town) and per municipality
    the number of settlements: first school in the main town, the others there or in 1..k villages."""
    counts = np.bincount(school_municipality, minlength=n_municipalities)
    settlements = 1 + rng.binomial(np.maximum(counts - 1, 0), 0.3)
    settlement = np.zeros(len(school_municipality), dtype=np.int64)
    starts = np.searchsorted(school_municipality, np.arange(n_municipalities + 1))
    for m in np.flatnonzero(settlements > 1):
        k = settlements[m]
        rest = rng.integers(0, 2 * (k - 1), size=counts[m] - 1)
        rest = np.where(rest >= k - 1, 0, rest + 1)  # half of the other schools stay in the main town
        rest[: k - 1] = np.arange(1, k)  # every village gets at least one school
        settlement[starts[m] + 1 : starts[m + 1]] = rest
    return settlement, settlements


def points_in_cells(
    centres: np.ndarray,
    sigma: np.ndarray,
    owner: np.ndarray,
    cells_lonlat: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return rounded lon/lat per point near its metric centre and inside its (final, lon/lat) cell.

    Each point is drawn from N(centre, sigma) until its rounded lon/lat falls inside ``cells_lonlat[owner]``;
    after 40 tries it falls back to a point on the cell's surface.
    """
    result = np.full((len(centres), 2), np.nan)
    pending = np.arange(len(centres))
    scale = sigma.astype(float)
    for _ in range(40):
        if len(pending) == 0:
            break
        candidate = centres[pending] + scale[pending, None] * rng.standard_normal((len(pending), 2))
        lonlat = metric_to_lonlat(candidate)
        inside = shapely.contains_xy(cells_lonlat[owner[pending]], lonlat[:, 0], lonlat[:, 1])
        result[pending[inside]] = lonlat[inside]
        pending = pending[~inside]
        scale[pending] *= 0.8
    if len(pending):
        surface = shapely.get_coordinates(shapely.point_on_surface(cells_lonlat[owner[pending]]))
        result[pending] = np.round(surface, COORDINATE_DECIMALS)
    return result


def random_points_in_cells(cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return one uniform random point (metric) inside each cell."""
    bounds = shapely.bounds(cells)
    result = np.full((len(cells), 2), np.nan)
    pending = np.arange(len(cells))
    for _ in range(100):
        if len(pending) == 0:
            break
        x = rng.uniform(bounds[pending, 0], bounds[pending, 2])
        y = rng.uniform(bounds[pending, 1], bounds[pending, 3])
        inside = shapely.contains_xy(cells[pending], x, y)
        result[pending[inside]] = np.column_stack([x, y])[inside]
        pending = pending[~inside]
    if len(pending):
        result[pending] = shapely.get_coordinates(shapely.point_on_surface(cells[pending]))
    return result


# --------------------------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------------------------


@dataclass
class DemoData:
    """The three synthetic inputs in memory: census and schools tables, boundaries as lon/lat geometries.

    ``schools`` holds the report year; ``earlier_schools`` the earlier school years (oldest first), written to
    the same schools file before it.
    """

    profile: DemoProfile
    census: pd.DataFrame
    schools: pd.DataFrame
    boundaries: pd.DataFrame  # municipality_code, municipality_name, region_code, region_name, geometry
    earlier_schools: list[pd.DataFrame] = dataclasses.field(default_factory=list)

    def all_schools(self) -> pd.DataFrame:
        """Every school year's schools in one table, oldest year first."""
        return pd.concat([*self.earlier_schools, self.schools], ignore_index=True)


def year_value(profile: DemoProfile, start: int) -> int | str:
    """The ``year`` cell of a school year starting in ``start``: ``2023`` or ``2023/24``."""
    return f"{start}/{(start + 1) % 100:02d}" if profile.year_format == "label" else start


def simulate_earlier_year(schools: pd.DataFrame, profile: DemoProfile, years_back: int,
                          rng: np.random.Generator, closed_in: str | None = None) -> pd.DataFrame:
    """The schools of a school year ``years_back`` years before the report year, with plausible change.

    The same schools under the same ids (registries keep them), each school's pupils drifting by a few per
    cent and its group pupils redrawn binomially at its report-year share: year-to-year noise. In
    ``changing_municipalities`` municipalities (with four or more schools and 60 or more group pupils) the
    earlier year was more segregated — half of each school's group pupils handed out to the schools with the
    highest shares first — so the report year shows a desegregation; in as many others it was less
    segregated — half handed out in proportion to pupils — so the report year shows segregation grown. The
    municipality ``closed_in``, without schools in the report year, had one school then (a school that closed,
    without coordinates): a code present in one year only.
    """
    earlier = schools.copy()
    pupils = earlier["pupils_total"].to_numpy(np.int64)
    group = earlier["pupils_group"].to_numpy(np.int64)
    share = np.where(pupils > 0, group / np.maximum(pupils, 1), 0.0)
    drift = np.exp(0.04 * years_back * rng.standard_normal(len(pupils)))
    earlier_pupils = np.where(pupils > 0, np.maximum(np.round(pupils * drift), profile.min_pupils), 0).astype(np.int64)
    earlier_group = rng.binomial(earlier_pupils, share)
    municipality = earlier["municipality_code"].to_numpy()
    codes, labels = np.unique(municipality, return_inverse=True)
    n_schools = np.bincount(labels, weights=pupils > 0)
    group_sum = np.bincount(labels, weights=earlier_group)
    total_sum = np.bincount(labels, weights=earlier_pupils)
    eligible = np.flatnonzero((n_schools >= 4) & (group_sum >= 60) & (group_sum < 0.7 * total_sum))
    k = min(profile.changing_municipalities, len(eligible) // 2)
    chosen = rng.permutation(eligible)[: 2 * k]
    for number, m in enumerate(chosen):
        slots = np.flatnonzero(labels == m)
        cap = earlier_pupils[slots]
        if number < k:  # more concentrated then: desegregation since
            weight = (share[slots] + 0.01) ** 4 * np.maximum(cap, 1)
        else:  # more even then: segregation grown since
            weight = cap.astype(float)
        target = water_fill(int(earlier_group[slots].sum()), weight, cap)
        earlier_group[slots] = np.minimum((earlier_group[slots] + target) // 2 + (earlier_group[slots] + target) % 2,
                                          cap)
    earlier["pupils_total"] = earlier_pupils
    earlier["pupils_group"] = earlier_group
    earlier["year"] = year_value(profile, profile.year - years_back)
    if closed_in is not None:
        closed = earlier.iloc[[0]].copy()
        closed[profile.school_id_column] = f"{earlier[profile.school_id_column].iloc[-1]}9"
        closed["municipality_code"] = closed_in
        closed[["settlement", "lon", "lat"]] = None
        closed["pupils_total"], closed["pupils_group"] = 60, 12
        earlier = pd.concat([earlier, closed], ignore_index=True)
    return earlier


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


def build_demo(country: str, seed: int = DEFAULT_SEED, profile: DemoProfile | None = None) -> DemoData:
    """Build the synthetic census, schools and boundaries for ``country`` in memory (no files written).

    Deterministic: the same country, seed and profile always give the same tables.
    """
    profile = resolve_profile(country, profile)
    rng = np.random.default_rng(seed)
    municipalities = build_municipalities(profile, rng)
    n = len(municipalities.seeds)
    pairs = neighbour_pairs(municipalities.cells)
    neighbours = neighbour_lists(n, pairs)
    region_of, regions = assign_regions(profile, municipalities, neighbours, rng)
    languages = [regions[r][2] for r in region_of]
    main_of = main_municipalities(profile, municipalities)
    real_names = {m: profile.regions[r].main_name for r, m in main_of.items() if profile.regions[r].main_name}
    names = unique_place_names(languages, rng, reserved=real_names.values())
    for m, name in real_names.items():
        names[m] = name
    codes = municipality_codes(
        profile, region_of, [r[0] for r in regions], names, municipalities.seeds, municipalities.capital
    )
    cells_lonlat = cells_to_lonlat(municipalities.cells)

    area_km2 = shapely.area(municipalities.cells) / 1e6
    boost = centre_boosts(profile, municipalities)
    fixed_share = np.full(n, np.nan)
    for r, m in main_of.items():
        if profile.regions[r].main_population_share is not None:
            fixed_share[m] = profile.regions[r].main_population_share
    population = simulate_population(area_km2, boost, municipalities.capital, profile, rng, fixed_share)
    census_share = group_census_shares(population, pairs, profile, rng)
    population_group = rng.binomial(population, census_share)

    # Work in code order from here, so that schools are grouped by municipality.
    order = np.array(sorted(range(n), key=lambda m: codes[m]))
    counts = allocate_school_counts(population[order], profile.n_schools, profile, rng)
    if profile.ensure_edge_cases:
        counts = ensure_school_count_edge_cases(counts, population[order])
    school_slot = np.repeat(np.arange(n), counts)  # position in code order
    pupils = simulate_pupils(population[order], school_slot, profile, rng)
    group = simulate_group_pupils(census_share[order], population_group[order], pupils, school_slot, profile, rng)
    if profile.ensure_edge_cases:
        pupils, group = ensure_group_edge_cases(
            census_share[order], population_group[order], pupils, group, school_slot
        )

    census = pd.DataFrame({
        "municipality_code": [codes[m] for m in order],
        "municipality_name": [names[m] for m in order],
        "region_code": [regions[region_of[m]][0] for m in order],
        "region_name": [regions[region_of[m]][1] for m in order],
        "population_total": population[order],
        "population_group": population_group[order],
    })  # fmt: skip
    schools = build_school_table(
        profile, order[school_slot], pupils, group, municipalities, cells_lonlat, names, languages, region_of,
        [r[0] for r in regions], codes, rng,
    )  # fmt: skip
    boundaries = census[["municipality_code", "municipality_name", "region_code", "region_name"]].copy()
    boundaries["geometry"] = cells_lonlat[order]
    without_schools = sorted(set(census["municipality_code"]) - set(schools["municipality_code"]))
    earlier_rng = np.random.default_rng([seed, 1])  # its own stream: the report year stays as it was
    earlier = [simulate_earlier_year(schools, profile, back, earlier_rng, (without_schools or [None])[0])
               for back in range(profile.earlier_years, 0, -1)]
    return DemoData(profile=profile, census=census, schools=schools, boundaries=boundaries, earlier_schools=earlier)


def build_school_table(
    profile: DemoProfile,
    school_municipality: np.ndarray,
    pupils: np.ndarray,
    group: np.ndarray,
    municipalities: Municipalities,
    cells_lonlat: np.ndarray,
    names: Sequence[str],
    languages: Sequence[str],
    region_of: np.ndarray,
    region_codes: Sequence[str],
    codes: Sequence[str],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Name, place and identify the schools (given in municipality code order) and return the schools table."""
    # Settlement numbering needs schools grouped by municipality index, which code order already guarantees.
    slot_of = {int(m): i for i, m in enumerate(dict.fromkeys(school_municipality.tolist()))}
    slot = np.array([slot_of[int(m)] for m in school_municipality], dtype=np.int64)
    settlement, settlement_count = assign_settlements(slot, len(slot_of), rng)
    slot_municipality = np.array(list(slot_of), dtype=np.int64)

    village_owner = np.repeat(slot_municipality, settlement_count - 1)
    village_points = random_points_in_cells(municipalities.cells[village_owner], rng)
    village_names = unique_place_names([languages[m] for m in village_owner], rng)
    village_start = np.concatenate([[0], np.cumsum(settlement_count - 1)])

    is_main = settlement == 0
    village_index = village_start[slot] + settlement - 1
    area_km2 = shapely.area(municipalities.cells[school_municipality]) / 1e6
    town_sigma = np.minimum(0.2 * np.sqrt(area_km2), 4.0) * 1000
    centres = np.where(is_main[:, None], municipalities.seeds[school_municipality], village_points[village_index])
    sigma = np.where(is_main, town_sigma, np.minimum(town_sigma, 500.0))
    lonlat = points_in_cells(centres, sigma, school_municipality, cells_lonlat, rng)

    settlement_names = [
        settlement_label(languages[m], names[m] if main else village_names[v], main)
        for m, main, v in zip(school_municipality, is_main, village_index)
    ]
    school_names = []
    seen: dict[tuple[int, str], int] = {}
    for m, place, size in zip(school_municipality, settlement_names, pupils):
        plain_place = place.split(" ", 1)[1] if languages[m] == "bg" else place
        name = synthetic_school_name(languages[m], plain_place, int(size), rng)
        key = (int(m), name)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:  # the same name twice in a municipality: number it, as cities do
            name = f"{seen[key]} {name}" if languages[m] == "bg" else f"{name} {seen[key]}"
        school_names.append(name)
    return pd.DataFrame({
        profile.school_id_column: school_ids(profile, region_of[school_municipality], region_codes),
        "school_name": school_names,
        "municipality_code": [codes[m] for m in school_municipality],
        "settlement": settlement_names,
        "pupils_total": pupils,
        "pupils_group": group,
        "lon": lonlat[:, 0],
        "lat": lonlat[:, 1],
        "year": [year_value(profile, profile.year)] * len(pupils),
    })  # fmt: skip


# --------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------


def write_atomically(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to a temporary file beside ``path`` and move it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def csv_text(table: pd.DataFrame, sep: str) -> str:
    """Render a table as CSV text with ``\\n`` line ends and coordinates with exactly 5 decimals."""
    return table.to_csv(index=False, sep=sep, lineterminator="\n", float_format=f"%.{COORDINATE_DECIMALS}f")


def geojson_text(boundaries: pd.DataFrame) -> str:
    """Render the boundaries as an RFC 7946 GeoJSON FeatureCollection, one feature per line."""
    properties = [c for c in boundaries.columns if c != "geometry"]
    lines = []
    for record, geometry in zip(boundaries[properties].to_dict("records"), boundaries["geometry"]):
        feature = {
            "type": "Feature",
            "properties": {key: (value.item() if hasattr(value, "item") else value) for key, value in record.items()},
            "geometry": shapely.geometry.mapping(geometry),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return '{"type":"FeatureCollection","name":"municipalities","features":[\n' + ",\n".join(lines) + "\n]}\n"


def write_demo_inputs(
    country: str, out_dir: str | Path, seed: int = DEFAULT_SEED, profile: DemoProfile | None = None
) -> dict[str, Path]:
    """Write ``schools.csv``, ``census.csv`` and ``municipalities.geojson`` for ``country`` into ``out_dir``.

    ``country`` is ``bg``, ``es`` or ``be`` (built-in profiles), or any code when ``profile`` is given.
    Files are written atomically and are byte-identical for the same arguments. Bulgaria names the school id
    column ``kod_neispuo``; Spain separates CSV fields with ``;``. Returns the three paths under the keys
    ``schools``, ``census`` and ``boundaries``.
    """
    data = build_demo(country, seed, profile)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "schools": out / "schools.csv",
        "census": out / "census.csv",
        "boundaries": out / "municipalities.geojson",
    }
    write_atomically(paths["schools"], csv_text(data.all_schools(), data.profile.sep))
    write_atomically(paths["census"], csv_text(data.census, data.profile.sep))
    write_atomically(paths["boundaries"], geojson_text(data.boundaries))
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m segmap.demo bg data/raw/demo/bg [--seed N]``."""
    parser = argparse.ArgumentParser(description="Write synthetic demo inputs for one country.")
    parser.add_argument("country", choices=sorted(PROFILES))
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    arguments = parser.parse_args(argv)
    for kind, path in write_demo_inputs(arguments.country, arguments.out_dir, arguments.seed).items():
        print(f"{kind}: {path}")


if __name__ == "__main__":
    main()
