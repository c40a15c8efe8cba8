"""Benchmark: cost of ``load_contract()`` in a fresh process, as a ratio to a bare ``import pandas``.

Prints the median wall time (and CPU time) and the peak memory of each command over several runs,
and their ratios. The two commands alternate run by run, so that a busy machine weighs on both alike.
Target (issues 2 and 7): time ratio <= 1.2. A benchmark, not a test: it prints, it asserts nothing.

Before measuring, the library's bytecode is compiled once (as ``pip install`` does for pandas): a fresh
interpreter then reads ``__pycache__`` instead of recompiling the sources, which it would do on every
run where ``PYTHONDONTWRITEBYTECODE`` is set.

    python bench/bench_load.py [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import resource
import statistics
import subprocess
import sys
import time

BASELINE = "import pandas"
LOAD = "import analysis; analysis.load_contract()"


def run_once(code: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system, s) of one fresh interpreter running ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def peak_memory(code: str) -> int:
    """Peak RSS (KiB) of one fresh interpreter running ``code``, as it reports itself."""
    probe = f"{code}\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[-1])


def measure(runs: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU times of each command over ``runs`` fresh processes.

    The two commands alternate, so that a load on the machine weighs on both alike.
    """
    times: dict[str, list[tuple[float, float]]] = {BASELINE: [], LOAD: []}
    for _ in range(runs):
        for code, samples in times.items():
            samples.append(run_once(code))
    return {code: tuple(statistics.median(column) for column in zip(*samples)) for code, samples in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compileall.compile_dir(importlib.util.find_spec("analysis").submodule_search_locations[0], quiet=1)
    run_once(LOAD)  # warm the file cache
    medians = measure(args.runs)
    (base_t, base_cpu), (load_t, load_cpu) = medians[BASELINE], medians[LOAD]
    base_m, load_m = peak_memory(BASELINE), peak_memory(LOAD)
    print(f"import pandas            : {base_t * 1000:7.0f} ms (CPU {base_cpu * 1000:5.0f} ms)  {base_m / 1024:6.1f} Mio")
    print(f"load_contract() (complet): {load_t * 1000:7.0f} ms (CPU {load_cpu * 1000:5.0f} ms)  {load_m / 1024:6.1f} Mio")
    print(f"ratio temps   : {load_t / base_t:.2f} (cible <= 1.2 ; temps CPU : {load_cpu / base_cpu:.2f})")
    print(f"ratio mémoire : {load_m / base_m:.2f}")


if __name__ == "__main__":
    main()
