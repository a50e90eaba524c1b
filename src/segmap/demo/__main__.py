"""``python -m segmap.demo bg data/raw/demo/bg [--seed N]``: see :mod:`segmap.demo.cli`."""

from segmap.demo.cli import main

main()
