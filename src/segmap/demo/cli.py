"""The demo's command line: ``python -m segmap.demo bg data/raw/demo/bg [--seed N]``.

Owns :func:`main`; ``python -m segmap.demo`` runs it (:mod:`segmap.demo.__main__`).
"""

from __future__ import annotations

import argparse
from typing import Sequence

from segmap.demo.model import DEFAULT_SEED
from segmap.demo.profiles import PROFILES
from segmap.demo.writing import write_demo_inputs


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
