"""Demo geography: municipalities as a Voronoi tessellation of each land, grouped into contiguous regions.

Owns the projections (EPSG:4326 <-> the equal-area EPSG:3035, coordinates rounded to 5 decimals), the
sampling of seed points (uniform background plus Gaussian dense zones), Lloyd relaxation, the clipped
Voronoi cells (:class:`Municipalities`, :func:`build_municipalities`), the assignment of municipalities to
regions and the repair that keeps regions contiguous (:func:`assign_regions`), and random points inside
cells (school and village locations). Draws from the generator it is given, in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import shapely
from pyproj import Transformer

from segmap.demo.names import unique_place_names
from segmap.demo.outlines import Land
from segmap.demo.profiles import Capital, DemoProfile, centred_regions, mainland_index


METRIC_CRS = "EPSG:3035"

COORDINATE_DECIMALS = 5


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
