"""The scenario app in a real browser (issues 11 and 14): the app is started as ``make app`` starts it (the
Makefile's own recipe, with this interpreter, on a free local port: Voilà serves notebooks/app_scenarios.ipynb from
preheated kernels). Headless Chromium (Debian's package, driven by Playwright for Python: no browser download)
checks that the panel comes first on the page, moves the threshold slider and one action slider, toggles one
justification, and the total at risk on the page must be what the library computes for that scenario. A scenario
saved on that page is listed on the next page, although its kernel was preheated before the save. A screenshot is
saved under data/processed/.

Skipped only where Chromium or make is absent (``.ci/run`` installs Chromium). The app is stopped by its process
group (make and Voilà, which stops its kernels) whatever happens; every wait is bounded. Timings are not tested
here: bench/bench_app.py measures them.
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

from analysis.domain import PROCESSED_DIR, ROOT, SCENARIOS_DIR
from analysis.scenarios import Decision, ExecutedOverride, Scenario, ScenarioRunner, compare, loads
from analysis.scenarios.files import file_name

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
#: Flags that work offline here, as root, without a display.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
MAKE = shutil.which("make")
SCREENSHOT = PROCESSED_DIR / "app_scenarios.png"
START_TIMEOUT, PAGE_TIMEOUT, UPDATE_TIMEOUT, STOP_TIMEOUT = 90, 180_000, 60_000, 60

#: A scenario saved by the test (and removed after it).
SAVED_NAME = "Essai du navigateur"

pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent (paquet Debian « chromium »)"),
              pytest.mark.skipif(MAKE is None, reason="make absent")]


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
    env = {k: v for k, v in os.environ.items() if k not in ("ANALYSIS_EXECUTION", "EXECUTION", "MAKEFLAGS", "MAKELEVEL")}
    # `make app` on the embedded example, with this interpreter; -o: never (re)install the project from a test
    process = subprocess.Popen(
        [MAKE, "--no-print-directory", "-o", ".venv/.installed-stamp", "app", f"APP_PORT={port}", "EXECUTION=",
         f"PY={sys.executable}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, START_TIMEOUT)
        yield url
    finally:
        deadline = time.monotonic() + STOP_TIMEOUT
        try:
            os.killpg(process.pid, signal.SIGTERM)  # make and Voilà, which stops its kernels
            process.wait(timeout=STOP_TIMEOUT)
            while time.monotonic() < deadline:  # until no process of the group is left
                os.killpg(process.pid, 0)
                time.sleep(0.2)
            os.killpg(process.pid, signal.SIGKILL)
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


@pytest.fixture
def saved_path():
    path = SCENARIOS_DIR / file_name(SAVED_NAME)
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)


def open_app(browser, url):
    page = browser.new_page(viewport={"width": 1500, "height": 1250})
    page.goto(url, timeout=PAGE_TIMEOUT)
    page.locator(".scenario-total-value").wait_for(timeout=PAGE_TIMEOUT)
    return page


def saved_names(page) -> list[str]:
    return page.locator(".widget-dropdown", has_text="Scénarios").locator("option").all_inner_texts()


def test_scenario_app_in_headless_chromium(app_url, contract, execution, saved_path):
    runner = ScenarioRunner(contract, execution)
    base_total = compare(runner.run()).total("Base")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_app(browser, app_url)
            total = page.locator(".scenario-total-value")
            assert euros(total.inner_text()) == base_total
            assert "import " not in page.inner_text("body")  # Voilà shows no code
            prose = page.get_by_role("heading", name="Explorer des scénarios")
            assert page.locator(".scenario-top").bounding_box()["y"] < prose.bounding_box()["y"]  # the panel first
            assert "FICTIFS" in page.inner_text("body") and saved_path.stem not in saved_names(page)

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

            page.locator(".widget-text", has_text="Nom du scénario").locator("input").fill(SAVED_NAME)
            page.locator("button", has_text="Enregistrer").click()
            page.get_by_text("Scénario enregistré").wait_for(timeout=UPDATE_TIMEOUT)
            assert saved_path.is_file() and saved_path.stem in saved_names(page)

            again = open_app(browser, app_url)  # its kernel was preheated before the save: it lists it all the same
            assert saved_path.stem in saved_names(again)
            assert euros(again.locator(".scenario-total-value").inner_text()) == base_total
        finally:
            browser.close()
