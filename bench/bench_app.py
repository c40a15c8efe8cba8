"""Benchmark: how long the scenario app (``make app``) takes to show an interactive panel in a real browser.

Starts the app exactly as ``make app`` does (the Makefile target itself, on a free localhost port, on the embedded
example), waits until Voilà answers and has settled (its preheated kernels have run the page as far as they can
before it is opened: the server and its kernels then use under 5 % of a core for a second), then opens the page
several times in headless Chromium (Debian's package, driven by Playwright for Python: no browser download), one
page after the other in the same browser, as a user reloading the page, the first one with an empty cache. Each
load is timed from navigation start (``performance.now()`` in the page) until the panel is interactive: the
threshold slider's handle is visible and the total at risk shows a figure; the time the page took to arrive from
the server is printed beside it. The last page also moves the threshold slider and waits for the recomputed
scenario, to check that the kernel answers.

Prints each load and their median. Target (issue 14): under 3 s. A benchmark, not a test: it prints, it asserts
nothing. The app is stopped by its process group (make and Voilà, which stops its kernels) whatever happens.

    python bench/bench_app.py [--runs 5] [--pause 3] [APP_KERNELS=0 …]   (make variables, to compare)
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
#: The panel is interactive: the threshold slider's handle is visible and the total shows a figure.
INTERACTIVE = """() => {
  const handle = document.querySelector('.scenario-threshold .noUi-handle');
  const total = document.querySelector('.scenario-total-value');
  const shown = handle && handle.getBoundingClientRect().width > 0 && total && /\\d/.test(total.textContent);
  return shown ? performance.now() : false;
}"""
START_TIMEOUT, PAGE_TIMEOUT = 120, 180_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int, log: Path, variables: list[str]) -> subprocess.Popen:
    """``make app`` on the embedded example (with make ``variables``), in its own process group (stopped with
    :func:`stop`); -o: the project is never (re)installed by a benchmark."""
    env = {k: v for k, v in os.environ.items() if k not in ("ANALYSIS_EXECUTION", "EXECUTION", "MAKEFLAGS", "MAKELEVEL")}
    command = ["make", "--no-print-directory", "-o", ".venv/.installed-stamp", "app", f"APP_PORT={port}", "EXECUTION=",
               *variables]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process: subprocess.Popen, timeout: float = 60) -> None:
    """SIGTERM to the app's process group (make and Voilà, which stops its kernels), then wait until the whole
    group is gone (SIGKILL after ``timeout`` s): nothing keeps running after the benchmark."""
    deadline = time.monotonic() + timeout
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
        while time.monotonic() < deadline:
            os.killpg(process.pid, 0)  # raises once no process of the group is left
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by ``root`` and its descendants (make, Voilà, its kernels), read in /proc."""
    parents, used = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    tree, grew = {root}, True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return sum(used.get(pid, 0.0) for pid in tree)


def wait_until_ready(url: str, process: subprocess.Popen, log: Path) -> float:
    """Seconds from now until Voilà answers and has settled: its preheated kernels have run the notebook as far as
    they can before a page is opened (the server and its kernels then use less than 5 % of a core over 1 s)."""
    start = time.perf_counter()
    deadline = start + START_TIMEOUT
    answered, before = False, None
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"make app s'est arrêté (code {process.returncode}) :\n{log.read_text()[-2000:]}")
        if not answered:
            try:
                with urllib.request.urlopen(url + "api", timeout=5):
                    answered = True
            except urllib.error.HTTPError:  # the server answers
                answered = True
            except OSError:
                pass
        if answered:
            cpu = tree_cpu(process.pid)
            if before is not None and cpu - before < 0.05:
                return time.perf_counter() - start - 1.0
            before = cpu
        time.sleep(1.0)
    raise TimeoutError(f"Voilà n'est pas prêt sur {url} après {START_TIMEOUT} s")


def open_panel(context, url: str) -> tuple[float, float, object]:
    """Seconds from navigation start until the panel is interactive and until the page was received, and the page."""
    page = context.new_page()
    page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT)
    ready = page.wait_for_function(INTERACTIVE, polling=50, timeout=PAGE_TIMEOUT)
    received = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseEnd")
    return ready.json_value() / 1000, received / 1000, page


def recompute(page) -> float:
    """Seconds from a move of the threshold slider until the page shows the recomputed scenario."""
    page.locator(".scenario-threshold .noUi-handle").focus()
    start = time.perf_counter()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => (document.querySelector('[data-scenario]')?.getAttribute('data-scenario') || '')"
                           ".includes('threshold')", polling=50, timeout=PAGE_TIMEOUT)
    return time.perf_counter() - start


def seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " s"


def measure(url: str, runs: int, pause: float) -> tuple[list[float], float]:
    from playwright.sync_api import sync_playwright

    times, answer = [], float("nan")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1250})
            for run in range(runs):
                elapsed, received, page = open_panel(context, url)
                times.append(elapsed)
                print(f"  chargement {run + 1} : {seconds(elapsed)} (page reçue du serveur en {seconds(received)})", flush=True)
                if run == runs - 1:
                    answer = recompute(page)
                page.close(run_before_unload=True)
                time.sleep(pause)
        finally:
            browser.close()
    return times, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="pages ouvertes l'une après l'autre")
    parser.add_argument("--pause", type=float, default=3.0, help="secondes entre la fermeture d'une page et la suivante")
    parser.add_argument("variables", nargs="*", metavar="VARIABLE=VALEUR",
                        help="variables de make app, pour comparer (APP_KERNELS=0 : sans noyau préchauffé)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("Chromium absent (paquet Debian « chromium ») : mesure impossible")

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "voila.log"
        process = start_app(port, log, args.variables)
        try:
            ready = wait_until_ready(url, process, log)
            print(f"make app : serveur prêt en {seconds(ready)} (noyaux préchauffés compris) ; {args.runs} pages ouvertes "
                  f"l'une après l'autre, {seconds(args.pause)} après la fermeture de la précédente", flush=True)
            times, answer = measure(url, args.runs, args.pause)
        finally:
            stop(process)
    print(f"recalcul après un déplacement du curseur de seuil : {seconds(answer)}")
    print(f"ouverture du panneau : {seconds(statistics.median(times))} (cible : 3 s ; médiane de {len(times)} "
          f"chargements, du début de la navigation au panneau interactif ; le plus long : {seconds(max(times))})")


if __name__ == "__main__":
    main()
