"""Synthetic names: places, schools and settlements in the national style of each demo language.

Owns the word lists and the functions that draw names from them with a given random generator
(:func:`synthetic_place_name`, :func:`unique_place_names`, :func:`synthetic_school_name`) and how a
settlement is written (:func:`settlement_label`). ``LANGUAGES`` lists the languages known (bg, es, fr, nl, en).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np


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
