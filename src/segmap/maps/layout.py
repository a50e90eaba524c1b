"""Page layout of the national maps: the legend area, the inset boxes and the scale bar position.

:func:`solve_layout` chooses, from the map geometry, the insets and the figure size alone (never the
legends' text), where the legend area goes (beside, below or inside the map frame: whichever gives the
largest map without covering land), where each inset box goes (in empty space on the side of its true
position, extending the frame there when needed) and in which empty corner the scale bar sits. So every
map of the same areas (the choropleths and the school map of a report) gets the same :class:`Layout`.

The solver is one unit (inset placement, frame extension and legend / scale bar placement depend on
each other and iterate to a fixed point).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely

from segmap.maps.draw import Box, grow_box
from segmap.maps.frames import Frame
from segmap.maps.style import GAP_IN


# Legend areas (inches) reserved beside, below or inside the map. Their size is fixed — it depends neither on
# the legend's text nor on the map type — so that the layout (figure size, map scale and position, inset
# boxes, scale bar) follows from the geometry and the insets alone and is identical on every map of a report
# (the three choropleths and the school map of a country). The legend is arranged to fit its area. The sizes
# hold the longest legends of the reports: class legends in three columns with a two-line title or a
# two-line "undefined" entry (below), or stacked (beside / inside); the school legend with its size legend.
LEGEND_SIDE_WIDTH = 2.2  # column right of the map (as tall as the map)
LEGEND_BELOW_HEIGHT = 1.1  # strip under the map ...
LEGEND_BELOW_WIDTH = 5.6  # ... at least this wide (the map's width if wider; never wider than the figure)
LEGEND_INSIDE_SIZE = (2.25, 2.15)  # box in an empty corner of the map frame
LEGEND_KINDS = ("right", "below", "inside")  # in order of preference at (nearly) equal map scale

INSET_GAP_IN = 0.05  # inches between inset boxes, land and each other
INSET_MAX_DETOUR = 0.25  # an inset may cost this share of the map scale to sit on the side of its true position
INSET_SHRINK = (1.0, 0.85, 0.7)  # sizes an inset may take (relative) when that saves map scale

LEGEND_CORNERS = ("upper right", "lower right", "upper left", "lower left")
SCALEBAR_CORNERS = ("lower left", "lower right", "upper left", "upper right")
SCALEBAR_SIZE = (1.5, 0.27)  # inches: longest bar incl. label, and height incl. the distance label
SCALEBAR_STRIP = 0.31  # inches under the map when the scale bar finds no room inside the frame
SCALEBAR_INSET_CLEARANCE = 0.25  # inches between the main scale bar and inset boxes (not read as theirs)


@dataclass
class InsetSpec:
    """Size rules of one inset box (data units of its own frame, inches for text strips)."""

    frame: Frame
    factor: float  # inset scale relative to the main scale
    label_w: float  # inches
    label_h: float  # inches
    pad: float = 0.05  # inches
    min_scale_size: float = 0.0  # smallest size (metres of the main frame) of the inset's larger side

    @property
    def scalebar(self) -> bool:
        """Own scale bar when drawn at another scale than the main map."""
        return abs(self.factor - 1) > 0.02

    def shrunk(self) -> list[InsetSpec]:
        """This inset at its full size and at the smaller sizes it may take to fit its conventional place."""
        w, h = self.frame.size
        out = [self]
        for shrink in INSET_SHRINK[1:]:
            factor = self.factor * shrink
            if max(w, h) * factor >= self.min_scale_size:
                out.append(replace(self, factor=factor))
        return out

    def strip_below(self) -> float:
        """Height (inches) kept free at the bottom of the box for the inset's scale bar."""
        return 0.27 if self.scalebar else 0.0

    def box_inches(self, scale: float) -> tuple[float, float]:
        """Box width and height in inches at main scale ``scale`` (inches per metre)."""
        w, h = self.frame.size
        s = scale * self.factor
        bw = max(w * s + 2 * self.pad, self.label_w + 2 * self.pad + 0.04, 0.75 if self.scalebar else 0.0)
        bh = h * s + 2 * self.pad + self.label_h + self.strip_below()
        return bw, bh


@dataclass
class Layout:
    """The solved page geometry (a function of the map geometry, the insets and the figure size only)."""

    kind: str  # legend area: "right", "below" or "inside"
    scale: float  # inches per metre in the main frame
    frame: Box  # main frame extent (data units)
    inset_boxes: list[Box]  # data units of the main frame
    insets: list[InsetSpec]  # the insets at the size they are drawn
    legend_corner: str | None  # for "inside" legends
    legend_box: Box | None  # data units, for "inside" legends
    scalebar: str  # "inside <corner>", "inside edge" or "below"
    scalebar_box: Box | None = None  # data units, for "inside ..." placements
    strip: float = 0.0  # inches reserved under the map for the scale bar
    content: tuple[float, float] = (0.0, 0.0)  # inches: map, strip and legend area together

    @property
    def map_size(self) -> tuple[float, float]:
        """Width and height of the main frame in inches."""
        x0, y0, x1, y1 = self.frame
        return (x1 - x0) * self.scale, (y1 - y0) * self.scale

    @property
    def legend_area(self) -> tuple[float, float]:
        """Width and height (inches) of the space reserved for the legends."""
        if self.kind == "right":
            return LEGEND_SIDE_WIDTH, self.content[1]
        if self.kind == "below":
            return self.content[0], LEGEND_BELOW_HEIGHT
        return LEGEND_INSIDE_SIZE


class Placer:
    """Finds empty places for boxes inside the main frame (no land, no other box)."""

    def __init__(self, land: np.ndarray):
        self.tree = shapely.STRtree(land)

    def free(self, box: Box, obstacles: Sequence[Box], gap: float) -> bool:
        """True when the box, grown by ``gap``, touches neither land nor an obstacle."""
        x0, y0, x1, y1 = box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap
        for o in obstacles:
            if x0 < o[2] and o[0] < x1 and y0 < o[3] and o[1] < y1:
                return False
        return self.tree.query(shapely.box(x0, y0, x1, y1), predicate="intersects").size == 0

    def free_boxes(self, boxes: Sequence[Box], obstacles: Sequence[Box], gap: float) -> list[Box]:
        """The boxes that are free (see :meth:`free`), in their order; one spatial query for all."""
        if not boxes:
            return []
        b = np.asarray(boxes, dtype=float) + np.array([-gap, -gap, gap, gap])
        ok = np.ones(len(b), dtype=bool)
        for o in obstacles:
            ok &= ~((b[:, 0] < o[2]) & (o[0] < b[:, 2]) & (b[:, 1] < o[3]) & (o[1] < b[:, 3]))
        hits, _ = self.tree.query(shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3]), predicate="intersects")
        ok[hits] = False
        return [box for box, keep in zip(boxes, ok) if keep]

    @staticmethod
    def corners(frame: Box, w: float, h: float, inset: float = 0.0) -> dict[str, Box]:
        """Boxes of size w x h in the four corners of the frame (pulled in by ``inset``)."""
        x0, y0, x1, y1 = frame
        return {
            "lower left": (x0 + inset, y0 + inset, x0 + inset + w, y0 + inset + h),
            "lower right": (x1 - inset - w, y0 + inset, x1 - inset, y0 + inset + h),
            "upper left": (x0 + inset, y1 - inset - h, x0 + inset + w, y1 - inset),
            "upper right": (x1 - inset - w, y1 - inset - h, x1 - inset, y1 - inset),
        }

    @staticmethod
    def edge_positions(frame: Box, w: float, h: float, steps: int = 24) -> list[Box]:
        """Boxes of size w x h touching the frame's edges, at ``steps + 1`` positions along each edge."""
        x0, y0, x1, y1 = frame
        if w > x1 - x0 or h > y1 - y0:
            return []
        xs = np.linspace(x0, x1 - w, steps + 1)
        ys = np.linspace(y0, y1 - h, steps + 1)
        boxes = {(float(x), y0) for x in xs} | {(float(x), y1 - h) for x in xs}
        boxes |= {(x0, float(y)) for y in ys} | {(x1 - w, float(y)) for y in ys}
        return [(x, y, x + w, y + h) for x, y in sorted(boxes)]


def _region_scale(region: tuple[float, float], frame: Box) -> float:
    """Largest scale (inches per metre) at which the frame fits the region."""
    fw, fh = frame[2] - frame[0], frame[3] - frame[1]
    return min(region[0] / fw, region[1] / fh)


@dataclass(frozen=True)
class _InsetTarget:
    """Where an inset belongs: against the edge(s) of the main frame towards its true position.

    ``anchor`` is the true centre pulled onto the original frame (the Canary Islands: its lower-left corner;
    Ceuta: the bottom edge below the Strait). A box is on the inset's side when it touches every edge of
    the frame beyond which the inset lies: the bottom edge for Ceuta and Melilla, the lower-left corner for
    the Canary Islands. Insets within the frame's span on an axis are not restricted on that axis.
    """

    anchor: tuple[float, float]
    beyond: tuple[int, int]  # -1: left of / below the frame, +1: right of / above it, 0: within its span

    @classmethod
    def of(cls, frame: Box, extent: Box) -> _InsetTarget:
        cx, cy = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
        anchor = (min(max(cx, frame[0]), frame[2]), min(max(cy, frame[1]), frame[3]))
        bx = -1 if cx < frame[0] else 1 if cx > frame[2] else 0
        by = -1 if cy < frame[1] else 1 if cy > frame[3] else 0
        return cls(anchor, (bx, by))

    def distance(self, box: Box) -> float:
        return math.hypot((box[0] + box[2]) / 2 - self.anchor[0], (box[1] + box[3]) / 2 - self.anchor[1])

    def on_side(self, box: Box, frame: Box) -> bool:
        eps = 1e-6 * max(frame[2] - frame[0], frame[3] - frame[1])
        bx, by = self.beyond
        return not (
            (bx < 0 and box[0] > frame[0] + eps)
            or (bx > 0 and box[2] < frame[2] - eps)
            or (by < 0 and box[1] > frame[1] + eps)
            or (by > 0 and box[3] < frame[3] - eps)
        )


def _place_insets(
    placer: Placer,
    frame0: Box,
    specs: Sequence[InsetSpec],
    scale: float,
    region: tuple[float, float],
) -> tuple[Box, list[Box], list[InsetSpec]]:
    """Place inset boxes in empty space on the side of their true position; grow the frame when none is free.

    Each inset goes to the free position nearest its anchor (see :class:`_InsetTarget`) among those on the
    side of its true position — the Canary Islands lower left, Ceuta and Melilla at the bottom. When no such
    position is free, the frame is extended on that side by the smallest amount that frees one; the inset
    may then be drawn smaller (INSET_SHRINK) when that costs clearly less map scale. Only when even that
    costs more than INSET_MAX_DETOUR of the scale does the inset go to a free position elsewhere.
    When a later inset extends the frame, an earlier one may no longer touch its edges (the Canary Islands
    above a strip added below the mainland for Ceuta), or an earlier extension may have become needless:
    the insets are then placed again, starting from the original frame grown on each subset of the sides
    extended in the first pass. The result with the most insets against their edges wins, then the one with
    the largest map. Returns the frame, the boxes and the inset specs with the factor each is drawn at.
    """
    targets = [_InsetTarget.of(frame0, spec.frame.extent) for spec in specs]
    reference = _region_scale(region, frame0)

    def run(start: Box) -> tuple[tuple[int, float], tuple[Box, list[Box], list[InsetSpec]]]:
        frame, boxes, placed = _place_insets_once(placer, frame0, start, specs, scale, region)
        on_side = sum(t.on_side(b, frame) for t, b in zip(targets, boxes))
        return (on_side, round(_region_scale(region, frame) / reference, 6)), (frame, boxes, placed)

    results = [run(frame0)]
    extended = results[0][1][0]
    grown = [i for i in range(4) if extended[i] != frame0[i]]
    for n in range(1, len(grown) + 1):
        for sides in itertools.combinations(grown, n):
            results.append(run(tuple(extended[i] if i in sides else frame0[i] for i in range(4))))
    return max(results, key=lambda r: r[0])[1]  # the first of equally good results


def _place_insets_once(
    placer: Placer,
    frame0: Box,
    frame: Box,
    specs: Sequence[InsetSpec],
    scale: float,
    region: tuple[float, float],
) -> tuple[Box, list[Box], list[InsetSpec]]:
    """One pass of :func:`_place_insets`, starting from ``frame`` (``frame0``: the frame of the main areas).

    Far-away territories are placed first (their place is conventional), zoom insets after them, each
    group in the given order; the boxes and specs are returned in the given order.
    """
    boxes: list[Box] = []
    placed: list[InsetSpec] = []
    order = sorted(range(len(specs)), key=lambda i: specs[i].frame.zoom)
    gap = INSET_GAP_IN / scale
    for spec in (specs[i] for i in order):
        target = _InsetTarget.of(frame0, spec.frame.extent)
        reference = _region_scale(region, frame)
        options = []  # (scale ratio, spec, frame, box) on the side of the true position
        for sized in spec.shrunk():
            bw, bh = (v / scale for v in sized.box_inches(scale))
            free = placer.free_boxes(placer.edge_positions(frame, bw, bh), boxes, gap)
            preferred = [b for b in free if target.on_side(b, frame)]
            if preferred:
                options.append((1.0, sized, frame, min(preferred, key=target.distance)))
                break  # free without extending the frame: no smaller size needed
            extended = _extend_for_box(placer, frame, bw, bh, boxes, gap, region, target, on_side=True)
            if extended is not None:
                options.append((_region_scale(region, extended[0]) / reference, sized, *extended))
        best = max((o[0] for o in options), default=0.0)
        if best >= 1 - INSET_MAX_DETOUR:
            # The largest size within 2 % of the best map scale.
            _, sized, frame, box = next(o for o in options if o[0] >= best - 0.02)
        else:
            sized = spec
            bw, bh = (v / scale for v in spec.box_inches(scale))
            free = placer.free_boxes(placer.edge_positions(frame, bw, bh), boxes, gap)
            if free:
                box = min(free, key=target.distance)
            elif options:
                _, sized, frame, box = max(options, key=lambda o: o[0])
            else:
                frame, box = _extend_for_box(placer, frame, bw, bh, boxes, gap, region, target, on_side=False)
        boxes.append(box)
        placed.append(sized)
    position = {i: k for k, i in enumerate(order)}
    return frame, [boxes[position[i]] for i in range(len(specs))], [placed[position[i]] for i in range(len(specs))]


def _extend_for_box(
    placer: Placer,
    frame: Box,
    bw: float,
    bh: float,
    boxes: list[Box],
    gap: float,
    region: tuple[float, float],
    target: _InsetTarget,
    on_side: bool,
) -> tuple[Box, Box] | None:
    """Grow the frame on one side just enough for a free box of bw x bh: nearest the inset's anchor among
    the positions within 2 % of the best map scale.

    ``on_side``: only positions on the side of the inset's true position (None when there is none).
    """
    x0, y0, x1, y1 = frame
    found = []  # (scale ratio, distance to the anchor, frame, box)
    steps = 16
    reference = _region_scale(region, frame)

    def candidate(side: str, t: float, d: float) -> tuple[Box, Box]:
        if side == "bottom":
            f = (x0, y0 - d, max(x1, x0 + bw), y1)
            x = f[0] + t * (f[2] - f[0] - bw)
            return f, (x, f[1], x + bw, f[1] + bh)
        if side == "top":
            f = (x0, y0, max(x1, x0 + bw), y1 + d)
            x = f[0] + t * (f[2] - f[0] - bw)
            return f, (x, f[3] - bh, x + bw, f[3])
        if side == "left":
            f = (x0 - d, y0, x1, max(y1, y0 + bh))
            y = f[1] + t * (f[3] - f[1] - bh)
            return f, (f[0], y, f[0] + bw, y + bh)
        f = (x0, y0, x1 + d, max(y1, y0 + bh))
        y = f[1] + t * (f[3] - f[1] - bh)
        return f, (f[2] - bw, y, f[2], y + bh)

    # Positions (side, t) whose box is free with the full extension; then, for all of them at once, the
    # smallest extension that keeps the box free (bisection).
    positions = []
    for side in ("bottom", "left", "right", "top"):
        depth = (bh if side in ("bottom", "top") else bw) + gap
        for t in np.linspace(0.0, 1.0, steps + 1):
            f, b = candidate(side, float(t), depth)
            if not on_side or target.on_side(b, f):
                positions.append((side, float(t), depth, b))
    free = set(placer.free_boxes([b for *_, b in positions], boxes, gap))
    positions = [p for p in positions if p[3] in free]
    lo = np.zeros(len(positions))
    hi = np.array([depth for _, _, depth, _ in positions])
    for _ in range(10 if positions else 0):
        mid = (lo + hi) / 2
        trial = [candidate(side, t, float(m))[1] for (side, t, _, _), m in zip(positions, mid)]
        ok = set(placer.free_boxes(trial, boxes, gap))
        fits = np.array([b in ok for b in trial])
        hi = np.where(fits, mid, hi)
        lo = np.where(fits, lo, mid)
    for (side, t, _, _), d in zip(positions, hi):
        f, b = candidate(side, t, float(d))
        found.append((round(_region_scale(region, f) / reference, 6), round(target.distance(b), 3), f, b))
    if not found:
        if on_side:
            return None
        return candidate("bottom", 0.0, bh + gap)  # a box fully below the frame is always free
    best = max(c[0] for c in found)
    _, _, f, b = min((c for c in found if c[0] >= best - 0.02), key=lambda c: (c[1], -c[0]))
    return f, b


def solve_layout(
    placer: Placer, frame0: Box, specs: Sequence[InsetSpec], region: tuple[float, float]
) -> Layout:
    """Choose the legend area, inset boxes and scale bar position that give the largest map.

    Only the geometry, the insets and the (fixed) legend areas enter, never the legend's text, so every map
    of the same areas gets the same layout. Among layouts within 3 % of the largest map scale, a legend
    beside the map is preferred to one below it, and both to one inside the frame; then the larger map,
    then the smaller figure.
    """
    candidates = [c for kind in LEGEND_KINDS if (c := _layout_for(placer, frame0, specs, kind, region))]
    if not candidates:
        raise ValueError("the map and its legend do not fit the figure; enlarge figsize")
    best = max(c.scale for c in candidates)
    return min(
        (c for c in candidates if c.scale >= 0.97 * best),
        key=lambda c: (LEGEND_KINDS.index(c.kind), -round(c.scale / best, 2), round(math.prod(c.content), 3)),
    )


def _layout_for(
    placer: Placer, frame0: Box, specs: Sequence[InsetSpec], kind: str, region: tuple[float, float]
) -> Layout | None:
    """The layout with the legend area of one kind, or None when it does not fit.

    Inset boxes and text have sizes in inches while the map has a scale in inches per metre, and each
    depends on the other, so the layout is iterated to a fixed point (usually two or three rounds).
    """
    rw, rh = region
    for strip in (0.0, SCALEBAR_STRIP):
        if kind == "right":
            avail = (rw - GAP_IN - LEGEND_SIDE_WIDTH, rh - strip)
        elif kind == "below":
            avail = (rw, rh - strip - GAP_IN - LEGEND_BELOW_HEIGHT)
        else:
            avail = (rw, rh - strip)
        if min(avail) <= 0.5:
            return None
        scale = _region_scale(avail, frame0)
        for _ in range(8):
            frame, boxes, sized = _place_insets(placer, frame0, specs, scale, avail)
            new = _region_scale(avail, frame)
            converged = abs(new - scale) <= 1e-4 * scale
            scale = new
            if converged:
                break
        corner = legend_box = None
        if kind == "inside":
            w, h = LEGEND_INSIDE_SIZE[0] / scale, LEGEND_INSIDE_SIZE[1] / scale
            pad = 0.04 / scale
            for name in LEGEND_CORNERS:
                box = placer.corners(frame, w, h, pad)[name]
                if _inside(box, frame) and placer.free(box, boxes, pad):
                    corner, legend_box = name, box
                    break
            if corner is None:
                return None
        if strip:
            placement: tuple[str, Box | None] | None = ("below", None)
        else:
            placement = _place_scalebar(placer, frame, boxes, legend_box, scale)
            if placement is None:
                continue
        map_w, map_h = (frame[2] - frame[0]) * scale, (frame[3] - frame[1]) * scale
        if kind == "right":
            content = (map_w + GAP_IN + LEGEND_SIDE_WIDTH, map_h + strip)
        elif kind == "below":
            content = (max(map_w, min(rw, LEGEND_BELOW_WIDTH)), map_h + strip + GAP_IN + LEGEND_BELOW_HEIGHT)
        else:
            content = (map_w, map_h + strip)
        content = (round(content[0], 6), round(content[1], 6))
        return Layout(kind, scale, frame, boxes, sized, corner, legend_box, *placement, strip, content)
    return None


def _inside(box: Box, frame: Box) -> bool:
    """True when the box lies within the frame."""
    return box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]


def _place_scalebar(
    placer: Placer, frame: Box, inset_boxes: list[Box], legend_box: Box | None, scale: float
) -> tuple[str, Box] | None:
    """An empty corner of the frame for the scale bar, else an empty place along an edge; None: needs a
    strip under the map. The bar keeps clear of inset boxes so that it is not read as theirs."""
    map_w = (frame[2] - frame[0]) * scale
    sb_w, sb_h = min(SCALEBAR_SIZE[0], 0.3 * map_w), SCALEBAR_SIZE[1]
    w, h, pad = sb_w / scale, sb_h / scale, 0.03 / scale
    obstacles = [grow_box(b, SCALEBAR_INSET_CLEARANCE / scale) for b in inset_boxes]
    if legend_box is not None:
        obstacles.append(legend_box)
    for name in SCALEBAR_CORNERS:
        box = placer.corners(frame, w, h, pad)[name]
        if placer.free(box, obstacles, pad):
            return f"inside {name}", box
    inner = (frame[0] + pad, frame[1] + pad, frame[2] - pad, frame[3] - pad)
    edge = placer.free_boxes(placer.edge_positions(inner, w, h), obstacles, pad)
    if edge:  # lowest first, then leftmost
        return "inside edge", min(edge, key=lambda b: (b[1], b[0]))
    return None
