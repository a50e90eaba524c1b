"""Stage ``publish``: the shareable copies of the index tables (:func:`segmap.report.privacy.published_table`)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from segmap.files import read_csv, write_csv
from segmap.report import privacy


def publish_tables(tables_in: Mapping[str, str | Path], tables_out: Mapping[str, str | Path], *, min_cell: int,
                   publish_school_names: bool) -> None:
    """Write the shareable copy of the index tables (:func:`segmap.report.privacy.published_table`)."""
    for key in tables_out:
        table = read_csv(tables_in[key])
        write_csv(privacy.published_table(table, min_cell, publish_school_names), tables_out[key])
