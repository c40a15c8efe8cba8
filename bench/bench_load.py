"""Benchmark: cost of ``load_contract()`` in a fresh process, as a ratio to a bare ``import pandas``.

Prints the median wall time and peak memory of each command over several runs, and their ratios.
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
import statistics
import subprocess
import sys
import time

BASELINE = "import pandas"
LOAD = "import analysis; analysis.load_contract()"


def run_once(code: str) -> float:
    """Wall time (s) of one fresh interpreter running ``code``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def peak_memory(code: str) -> int:
    """Peak RSS (KiB) of one fresh interpreter running ``code``, as it reports itself."""
    probe = f"{code}\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[-1])


def measure(code: str, runs: int) -> tuple[float, int]:
    """Median wall time over ``runs`` fresh processes, and peak memory."""
    return statistics.median(run_once(code) for _ in range(runs)), peak_memory(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compileall.compile_dir(importlib.util.find_spec("analysis").submodule_search_locations[0], quiet=1)
    run_once(LOAD)  # warm the file cache
    base_t, base_m = measure(BASELINE, args.runs)
    load_t, load_m = measure(LOAD, args.runs)
    print(f"import pandas            : {base_t * 1000:7.0f} ms  {base_m / 1024:6.1f} Mio")
    print(f"load_contract() (complet): {load_t * 1000:7.0f} ms  {load_m / 1024:6.1f} Mio")
    print(f"ratio temps   : {load_t / base_t:.2f} (cible <= 1.2)")
    print(f"ratio mémoire : {load_m / base_m:.2f}")


if __name__ == "__main__":
    main()
