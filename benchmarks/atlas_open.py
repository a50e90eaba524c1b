"""Atlas sizes and opening times: every built atlas (``outputs/*/atlas/*.html``) opened in headless Chromium
with the network off, three times each, in one run.

Prints, per atlas, the file size and the median time to ready: from navigation start to the moment the page
is parsed, BokehJS has drawn the map and gone idle, and the page's controls are wired (the ``data-ready``
attribute the atlas sets). With ``--screenshots DIR`` it also saves, per atlas, the overview, a search (the
municipality with the most group pupils in the published table) and a region view as PNG files to look at.

Usage::

    .venv/bin/python benchmarks/atlas_open.py                       # after `make demo`
    .venv/bin/python benchmarks/atlas_open.py --screenshots /tmp/atlas-shots
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from pathlib import Path

import numpy as np

from segmap.atlas.browser import chromium, missing_browser
from segmap.files import read_csv
from segmap.maps.classes import as_float

REPO = Path(__file__).resolve().parents[1]
RUNS = 3


def biggest_municipality(country: str) -> tuple[str, str | None]:
    """Name and region code of the municipality with the most group pupils (the search of the screenshot)."""
    table = read_csv(REPO / "outputs" / country / "published" / "municipality_indices.csv")
    row = table.iloc[int(np.nanargmax(np.nan_to_num(as_float(table["pupils_group"]), nan=-1.0)))]
    return str(row["municipality_name"]), str(row["region_code"])


def screenshots(browser, path: Path, folder: Path) -> None:
    from selenium.webdriver.support.ui import Select

    stem = path.stem
    browser.open(path)
    browser.driver.save_screenshot(str(folder / f"{stem}_overview.png"))
    name, region = biggest_municipality(path.parents[1].name)
    browser.search(name)
    browser.driver.save_screenshot(str(folder / f"{stem}_search.png"))
    browser.open(path)
    select = Select(browser.driver.find_element("id", "region-select"))
    index = browser.driver.execute_script(
        "var d = JSON.parse(document.getElementById('atlas-data').textContent);"
        "var code = arguments[0]; return d.regions.findIndex(function (r) { return r.code === code; });", region)
    select.select_by_value(str(index))
    browser.driver.find_element("id", "indicator-dissimilarity").click()
    browser.driver.save_screenshot(str(folder / f"{stem}_region.png"))
    browser.driver.execute_script("document.getElementById('region-view').scrollIntoView()")
    browser.driver.save_screenshot(str(folder / f"{stem}_region_table.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screenshots", type=Path, help="folder for PNG screenshots of every atlas")
    args = parser.parse_args(argv)
    if missing_browser():
        print(f"Chromium is not installed ({', '.join(missing_browser())}); apt-get install chromium chromium-driver")
        return 1
    atlases = sorted((REPO / "outputs").glob("*/atlas/*.html"))
    if not atlases:
        print("no atlas built: run `make demo` first")
        return 1
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}; "
          f"median of {RUNS} openings, network off")
    print(f"{'atlas':<28} {'MB':>6} {'ready (ms)':>11} {'all runs (ms)':>22}")
    with chromium() as browser:
        for path in atlases:
            times = [browser.open(path) for _ in range(RUNS)]
            errors = browser.errors()
            print(f"{path.name:<28} {path.stat().st_size / 1e6:>6.1f} {statistics.median(times):>11.0f} "
                  f"{', '.join(f'{t:.0f}' for t in times):>22}" + (f"  errors: {errors}" if errors else ""))
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                screenshots(browser, path, args.screenshots)
    return 0


if __name__ == "__main__":
    sys.exit(main())
