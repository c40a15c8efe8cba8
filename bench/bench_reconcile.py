"""Benchmark: cost of ``reconcile(contract)`` as a ratio to ``load_contract()``, both timed in one process.

After a warm-up of each, times ``load_contract()`` and ``reconcile(contract)`` alternately over several
runs and prints their medians and the ratio of the medians. Target (issue 7): ratio <= 3 (about 27
before the reconciliation worked on indexed records). A benchmark, not a test: it prints, it asserts
nothing.

    python bench/bench_reconcile.py [--runs 15] [--execution]

With ``--execution`` the fictitious execution example is reconciled too (``reconcile(contract, execution)``).
"""

from __future__ import annotations

import argparse
import statistics
import time


def timed(call) -> float:
    """Wall time (s) of one call."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--execution", action="store_true", help="reconcile the fictitious execution example too")
    args = parser.parse_args()

    import analysis
    from analysis.reconciliation import reconcile

    contract = analysis.load_contract()
    execution = analysis.load_execution(contract) if args.execution else None
    reconcile(contract, execution)  # warm-up: imports, caches, first allocations
    loads, reconciles = [], []
    for _ in range(args.runs):
        loads.append(timed(analysis.load_contract))
        reconciles.append(timed(lambda: reconcile(contract, execution)))
    load_t, reconcile_t = statistics.median(loads), statistics.median(reconciles)
    checks = len(reconcile(contract, execution))
    label = "reconcile(contrat, exécution)" if execution is not None else "reconcile(contrat)"
    print(f"load_contract()                : {load_t * 1000:7.1f} ms (médiane de {args.runs})")
    print(f"{label:<31}: {reconcile_t * 1000:7.1f} ms (médiane de {args.runs}, {checks} contrôles)")
    print(f"ratio reconcile()/load_contract() : {reconcile_t / load_t:.2f} (cible <= 3)")


if __name__ == "__main__":
    main()
