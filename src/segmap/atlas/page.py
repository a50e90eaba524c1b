"""The atlas page: a Bokeh map with inline BokehJS, and the HTML around it (controls, legend, figures,
region view, table view) driven by the page's own script, all in one file.

Safety: every text from the data reaches the page as JSON in a ``<script type="application/json">`` block
(``<``, ``>`` and ``&`` written as ``\\u003c`` ...) and is put into the page with ``textContent``, never as
HTML; Bokeh escapes the texts of its own document. The Content-Security-Policy allows no source at all
(``default-src 'none'``) besides the page's own scripts, named by their SHA-256 hashes (so an injected
``<script>`` or ``onerror=`` attribute cannot run), inline styles and ``data:``/``blob:`` images.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from bokeh.embed import components
from bokeh.util import serialization
from bokeh.models import ColumnDataSource, HoverTool, Range1d, TapTool, WheelZoomTool
from bokeh.plotting import figure
from bokeh.resources import Resources

from segmap.atlas.geometry import InsetBox, line_arrays, polygon_arrays
from segmap.maps.style import BORDER_COLOR, HATCH_COLOR, INSET_FRAME_COLOR, OUTLINE_COLOR

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STATIC_FILES = ("atlas.html.j2", "atlas.css", "atlas.js")
SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.S)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FIRST_MODEL_ID = 999  # Bokeh's counter of model ids at import ("p1000" is the first model)


def _deterministic(script: str, div: str) -> tuple[str, str]:
    """Bokeh's random document and element UUIDs replaced by fixed ones, numbered in order of appearance, so
    that the same inputs give the same bytes."""
    seen: dict[str, str] = {}

    def fixed(match: re.Match) -> str:
        return seen.setdefault(match.group(0), f"a0000000-0000-4000-8000-{len(seen) + 1:012d}")

    return UUID.sub(fixed, script), UUID.sub(fixed, div)


def json_for_html(data: Any) -> str:
    """JSON that can sit inside a ``<script>`` element whatever the texts hold (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace(
        "\u2028", "\\u2028").replace("\u2029", "\\u2029")


def script_hashes(html: str) -> list[str]:
    """CSP source expressions (``'sha256-...'``) of every executable inline script of ``html``."""
    out = []
    for match in SCRIPT.finditer(html):
        if "application/json" in match.group("attributes"):
            continue
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        out.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return sorted(set(out))


def content_security_policy(hashes: Sequence[str]) -> str:
    """No network source of any kind; the page's own scripts by hash; inline styles; data/blob images."""
    return ("default-src 'none'; script-src " + " ".join(hashes) + "; style-src 'unsafe-inline'; "
            "img-src data: blob:; font-src data:; connect-src 'none'; media-src 'none'; object-src 'none'; "
            "frame-src 'none'; worker-src 'none'; base-uri 'none'; form-action 'none'")


def _joined(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Arrays joined into one, NaN between them (one multi-part patch)."""
    parts = []
    for array in arrays:
        if len(array):
            parts += [array, np.full(1, np.nan, dtype=np.float32)]
    return np.concatenate(parts[:-1]) if parts else np.zeros(0, np.float32)


def map_document(polygons, columns: Mapping[str, Sequence], hatched: Mapping[str, np.ndarray], outline,
                 insets: Sequence[InsetBox], extent: Sequence[float], texts: Mapping[str, str],
                 points: Mapping[str, Sequence] | None = None):
    """The Bokeh figure: municipalities (``columns``: fill colour and hover text per polygon and indicator),
    the hatching of undefined and suppressed areas (``hatched``: per indicator key and Bokeh hatch pattern
    the mask of the polygons hatched so), region
    borders, inset frames and, where allowed, school points. Returns ``(script, div)`` of
    :func:`bokeh.embed.components`.

    ``outline`` holds the regions' polygons in the order of ``data["regions"][k]["line"]``.

    The hatching is one multi-part patch per indicator on top of the areas, not a hatch per area: BokehJS
    fills a pattern per glyph item, which made the Spanish atlas open in 3 s instead of 0.4 s."""
    serialization._simple_id = FIRST_MODEL_ID  # model ids p1000, p1001, ... whatever was built before
    xs, ys = polygon_arrays(polygons)
    source = ColumnDataSource({"xs": xs, "ys": ys, **{k: list(v) for k, v in columns.items()}},
                              name="municipalities")
    hatch_sources = []
    for number, pattern in enumerate(sorted({p for masks in hatched.values() for p in masks})):
        overlay, columns_of = {}, {}  # an indicator whose mask another one has shares its column
        for key, masks in hatched.items():
            mask = np.asarray(masks[pattern], dtype=bool)
            same = next((k for k, m in columns_of.items() if np.array_equal(m, mask)), None)
            if same is None:
                columns_of[key] = mask
                overlay[f"xs_{key}"] = [_joined([x for x, m in zip(xs, mask) if m])]
                overlay[f"ys_{key}"] = [_joined([y for y, m in zip(ys, mask) if m])]
            overlay.setdefault("columns", {})[key] = key if same is None else same
        first = next(iter(hatched))
        column = overlay.pop("columns")
        hatch_sources.append((pattern, ColumnDataSource(
            {"xs": overlay[f"xs_{column[first]}"], "ys": overlay[f"ys_{column[first]}"], **overlay},
            name=f"hatching_{number}", tags=[column])))
    x0, y0, x1, y1 = extent
    pad = 0.02 * max(x1 - x0, y1 - y0)
    plot = figure(name="map", x_range=Range1d(x0 - pad, x1 + pad, name="x_range"),
                  y_range=Range1d(y0 - pad, y1 + pad, name="y_range"), sizing_mode="stretch_both",
                  tools="pan,box_zoom,reset", toolbar_location="right", match_aspect=True,
                  background_fill_color="#ffffff", border_fill_color="#ffffff", outline_line_color=None,
                  min_border=4, output_backend="canvas")
    plot.axis.visible = False
    plot.grid.visible = False
    plot.toolbar.logo = None
    wheel = WheelZoomTool(zoom_on_axis=False)
    plot.add_tools(wheel)
    plot.toolbar.active_scroll = wheel
    areas = plot.patches(
        "xs", "ys", source=source, fill_color="fill", line_color=BORDER_COLOR, line_width=0.4,
        selection_line_color="#000000", selection_line_width=2.5, nonselection_fill_alpha=1.0,
        nonselection_line_alpha=1.0, name="areas")
    for number, (pattern, hatch_source) in enumerate(hatch_sources):
        plot.patches("xs", "ys", source=hatch_source, fill_alpha=0.0, line_alpha=0.0, hatch_pattern=pattern,
                     hatch_color=HATCH_COLOR, hatch_weight=0.6 if pattern == "/" else 1.2,
                     hatch_scale=8.0 if pattern == "/" else 6.0, name=f"hatch_layer_{number}")
    line_xs, line_ys = line_arrays(outline)
    plot.multi_line("xs", "ys", source=ColumnDataSource({"xs": line_xs, "ys": line_ys}, name="region_lines"),
                    line_color=OUTLINE_COLOR, line_width=1.1, name="regions")
    # the region chosen in the region view, drawn thick on top (the page's script fills it)
    plot.multi_line("xs", "ys", source=ColumnDataSource({"xs": [], "ys": []}, name="region_highlight"),
                    line_color="#000000", line_width=3.5, name="highlight")
    for inset in insets:
        bx0, by0, bx1, by1 = inset.box
        plot.line([bx0, bx1, bx1, bx0, bx0], [by0, by0, by1, by1, by0], line_color=INSET_FRAME_COLOR,
                  line_width=1.0)
        plot.text([bx0], [by1], text=[inset.label], text_font_size="11px", text_color="#595959",
                  text_baseline="bottom", x_offset=2, y_offset=-2)
    if points is not None and len(points.get("x", ())):
        school_source = ColumnDataSource({k: list(v) for k, v in points.items()}, name="schools")
        schools = plot.scatter("x", "y", source=school_source, size="size", fill_color="color",
                               line_color="edge", line_width=0.5, name="schools")
        plot.add_tools(HoverTool(renderers=[schools], tooltips=[(texts["field_n_schools"], "@name"),
                                                                 (texts["class_label"], "@category")]))
    plot.add_tools(HoverTool(renderers=[areas], tooltips=[(texts["hover_name"], "@name"),
                                                           (texts["field_region"], "@region"),
                                                           ("", "@hover")]),
                   TapTool(renderers=[areas]))
    return _deterministic(*components(plot))


def bokeh_javascript() -> str:
    """BokehJS itself (the core bundle only: no widgets, tables, WebGL or MathJax), to inline."""
    return "\n".join(Resources(mode="inline", components=["bokeh"]).js_raw)


def render_page(*, language: str, title: str, data: Mapping[str, Any], bokeh_script: str, bokeh_div: str,
                texts: Mapping[str, str]) -> str:
    """The whole page as one HTML text, with its CSP computed from its scripts."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                                     keep_trailing_newline=True)
    template = environment.get_template("atlas.html.j2")
    context = {
        "language": language, "title": title, "texts": texts,
        "css": jinja2.utils.markupsafe.Markup((TEMPLATE_DIR / "atlas.css").read_text(encoding="utf-8")),
        "bokeh_js": jinja2.utils.markupsafe.Markup(bokeh_javascript().replace("</script", "<\\/script")),
        "atlas_js": jinja2.utils.markupsafe.Markup((TEMPLATE_DIR / "atlas.js").read_text(encoding="utf-8")),
        "data_json": jinja2.utils.markupsafe.Markup(json_for_html(data)),
        "bokeh_script": jinja2.utils.markupsafe.Markup(bokeh_script),
        "bokeh_div": jinja2.utils.markupsafe.Markup(bokeh_div),
        "csp": "__CSP__",
    }
    html = template.render(context)
    return html.replace("__CSP__", content_security_policy(script_hashes(html)), 1)


def round_box(box: Sequence[float]) -> list[float]:
    """A bounding box in whole metres (enough to zoom to)."""
    return [float(np.floor(box[0])), float(np.floor(box[1])), float(np.ceil(box[2])), float(np.ceil(box[3]))]
