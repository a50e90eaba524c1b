"""Writing the demo inputs: ``schools.csv``, ``census.csv`` and ``municipalities.geojson``, atomically.

Owns :func:`write_demo_inputs` and the text renderings it uses (CSV with ``\\n`` line ends and coordinates
with exactly 5 decimals, GeoJSON one feature per line), so that the same country, seed and profile always
give byte-identical files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import shapely
import shapely.geometry

from segmap.demo.geography import COORDINATE_DECIMALS
from segmap.demo.model import DEFAULT_SEED, build_demo
from segmap.demo.profiles import DemoProfile


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
