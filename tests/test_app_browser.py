"""The scenario app in a real browser (issue 11): Voilà serves notebook 04 on a free local port, headless
Chromium (Debian's package, driven by Playwright for Python: no browser download) moves the threshold slider and
one action slider, toggles one justification, and the total at risk on the page must be what the library
computes for that scenario. A screenshot is saved under data/processed/.

Skipped only where Chromium is absent (``.ci/run`` installs it). Voilà is stopped by its process id (its
process group, which holds its kernel) whatever happens; every wait is bounded.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from analysis.domain import NOTEBOOKS_DIR, PROCESSED_DIR, ROOT
from analysis.scenarios import Decision, ExecutedOverride, Scenario, ScenarioRunner, compare, loads

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
#: Flags that work offline here, as root, without a display.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
NOTEBOOK = NOTEBOOKS_DIR / "04_scenarios.ipynb"
SCREENSHOT = PROCESSED_DIR / "app_scenarios.png"
START_TIMEOUT, PAGE_TIMEOUT, UPDATE_TIMEOUT = 90, 180_000, 60_000

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent (paquet Debian « chromium »)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Voilà s'est arrêté (code {process.returncode})")
        try:
            with urllib.request.urlopen(url + "api", timeout=5):
                return
        except urllib.error.HTTPError:  # the server answers (without running the notebook, which the page does)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"Voilà ne répond pas sur {url} après {timeout} s")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("voila") / "voila.log").open("w")
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_EXECUTION"}  # the embedded example
    process = subprocess.Popen(
        [sys.executable, "-m", "voila", str(NOTEBOOK), f"--port={port}", "--no-browser", "--Voila.ip=127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, START_TIMEOUT)
        yield url
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # Voilà's own process group: the server and its kernel
            process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def euros(text: str) -> Decimal:
    return Decimal(text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", "."))


def share(text: str) -> float:
    """« 60,5 % » -> 0.605."""
    return round(float(text.replace("\u00a0", "").replace(" ", "").replace("%", "").replace(",", ".")) / 100, 6)


def press(page, selector: str, key: str, times: int) -> None:
    handle = page.locator(f"{selector} .noUi-handle")
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)


def wait_for_state(page, fragment: str) -> None:
    page.wait_for_function("f => (document.querySelector('[data-scenario]')?.getAttribute('data-scenario') || '')"
                           ".includes(f)", arg=fragment, timeout=UPDATE_TIMEOUT)


def test_scenario_app_in_headless_chromium(app_url, contract, execution):
    runner = ScenarioRunner(contract, execution)
    base_total = compare(runner.run()).total("Base")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1250})
            page.goto(app_url, timeout=PAGE_TIMEOUT)
            total = page.locator(".scenario-total-value")
            total.wait_for(timeout=PAGE_TIMEOUT)
            assert euros(total.inner_text()) == base_total
            assert "import " not in page.inner_text("body")  # Voilà shows no code

            press(page, ".scenario-threshold", "ArrowRight", 2)
            wait_for_state(page, '"threshold"')
            threshold = share(page.inner_text(".scenario-threshold .widget-readout"))
            press(page, ".scenario-action-3-2", "ArrowRight", 20)
            wait_for_state(page, '"executed"')
            rate = share(page.inner_text(".scenario-action-3-2 .widget-readout"))
            page.locator(".scenario-decision-3-3-2024 button", has_text="Non opérante").click()
            wait_for_state(page, '"rejetee"')

            expected = Scenario(name="Mon scénario", threshold=threshold,
                                executed=(ExecutedOverride("cls", "3.2", 2024, rate=rate),),
                                decisions=(Decision("3.3", 2024, "rejetee"),))
            shown = loads(page.locator("[data-scenario]").get_attribute("data-scenario"), contract)
            assert shown == expected and threshold == 0.75 and rate != 0.506
            library_total = compare(runner.run(expected)).total("Mon scénario")
            assert library_total != base_total
            assert euros(total.inner_text()) == library_total

            page.locator(".scenario-top").evaluate("e => e.scrollIntoView({block: 'start'})")
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
            assert SCREENSHOT.stat().st_size > 50_000
        finally:
            browser.close()
