"""Logging for the Snakemake scripts: one log file per job, a readable error on the console."""

from __future__ import annotations

import logging
import sys
from typing import Callable

from segmap.errors import DiskFullError, InputError


def run_logged(log_path: str, stage: Callable[[], None]) -> None:
    """Run ``stage`` with logging to ``log_path``; on bad input print the problems and exit 1.

    Input problems (:class:`~segmap.errors.InputError`) are user errors: they are printed without a
    traceback, naming file, row, column and id; so is a full disk (:class:`~segmap.errors.DiskFullError`),
    naming the file being written. Anything else is a bug and keeps its traceback.
    """
    logging.basicConfig(
        filename=log_path,
        filemode="w",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.captureWarnings(True)
    try:
        stage()
    except (InputError, DiskFullError) as error:
        logging.getLogger("segmap").error("%s", error)
        print(f"segmap: {error}", file=sys.stderr)
        sys.exit(1)
    except Exception:
        logging.getLogger("segmap").exception("stage failed")
        raise
