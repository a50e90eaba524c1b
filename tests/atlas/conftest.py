"""A headless Chromium (Debian's chromium and chromium-driver, driven by Selenium) with the network off, for the
atlas's browser tests. Where Chromium is missing the tests are skipped with the reason, except in CI
(``CI=true``), where `.ci/run` installs it and a missing browser is a failure."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from segmap.atlas.browser import chromium, missing_browser

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def browser():
    missing = missing_browser()
    if missing:
        message = f"Chromium not installed ({', '.join(missing)} missing; apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": .ci/run installs it, so CI must not skip the browser tests")
        pytest.skip(message)
    with chromium() as session:
        yield session
