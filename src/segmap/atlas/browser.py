"""A headless Chromium driven by Selenium, for checking atlases the way a reader opens them: the network off,
the console and every request recorded. Used by the browser tests and ``benchmarks/atlas_open.py``; needs the
``selenium`` package (a test dependency) and Debian's ``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Flags that keep Chromium from calling home (update checks, sync, field trials) on a closed network.
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--lang=en-GB")


def missing_browser() -> list[str]:
    """The Chromium files that are not installed (empty when the browser can run)."""
    return [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]


class Browser:
    """One Chromium session: open a file offline, wait for the atlas, read the console and the requests."""

    def __init__(self, driver):
        self.driver = driver

    def open(self, path: str | Path, timeout: float = 30.0) -> float:
        """Open ``path`` with the network off; return the atlas's time to ready (ms from navigation start:
        the page parsed, the map drawn and idle, the controls wired)."""
        self.driver.get("about:blank")
        self.driver.get_log("browser")
        self.driver.get_log("performance")
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
        self.driver.get(Path(path).resolve().as_uri())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = self.driver.execute_script("return document.body && document.body.getAttribute('data-ready')")
            if ready:
                return float(ready)
            time.sleep(0.02)
        raise AssertionError(f"{Path(path).name}: the atlas was not ready within {timeout} s; "
                             f"console: {self.console()}")

    def console(self) -> list[dict]:
        return self.driver.get_log("browser")

    def errors(self) -> list[str]:
        return [entry["message"] for entry in self.console() if entry["level"] in ("SEVERE", "ERROR")]

    def requests(self) -> list[str]:
        """URLs of every request the opened page made, itself included (from the DevTools performance log;
        the browser's own pages, such as its new-tab page, are not the atlas's)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                if not message["params"].get("documentURL", "").startswith("chrome://"):
                    urls.append(message["params"]["request"]["url"])
        return urls

    def remote_requests(self) -> list[str]:
        """The requests that would leave the file: anything but ``file:``, ``data:`` and ``blob:`` URLs."""
        return [url for url in self.requests() if not url.startswith(("file://", "data:", "blob:"))]

    def text(self, css: str) -> str | None:
        return self.driver.execute_script(
            "var n = document.querySelector(arguments[0]); return n ? n.textContent : null;", css)

    def search(self, query: str) -> None:
        """Type ``query`` into the search box and press Enter (the first match is chosen)."""
        from selenium.webdriver.common.keys import Keys

        field = self.driver.find_element("id", "search")
        field.clear()
        field.send_keys(query)
        field.send_keys(Keys.ENTER)

    def figures(self, panel: str = "details-figures") -> dict[str, str]:
        """The figures a panel shows, by field (``name``, ``group_share``, ``map_class``, ...)."""
        return self.driver.execute_script(
            "var out = {}; document.querySelectorAll('#' + arguments[0] + ' dd[data-field]').forEach("
            "function (dd) { out[dd.getAttribute('data-field')] = dd.textContent; }); return out;", panel)


@contextmanager
def chromium(width: int = 1400, height: int = 1000) -> Iterator[Browser]:
    """A headless Chromium session with a fresh profile, quit and removed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--window-size={width},{height}"):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="segmap-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get("about:blank")
        yield Browser(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
