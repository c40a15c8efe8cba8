"""Benchmark: one full recomputation of a scenario with every override set, for both contracts.

A :class:`~analysis.scenarios.ScenarioRunner` keeps what depends only on the contract and the loaded
execution (fiche budgets, rule rates, the base ledger, the expected trajectory, the planned credits, the
indicators' attainment, the France Travail frames when no France Travail override is set): the panel builds
one and recomputes each change with it. Nothing is kept from one scenario run to the next: each run rebuilds
the consumption (CLS and France Travail), the decisions, the floor, the 2026-2027 projection, the end of the
CLS, the France Travail settlement and co-financing (the scenario changes a France Travail action) and the
indicator statuses (the scenario changes the bands). Prints the medians of the wall and CPU times (the CPU
time is less disturbed by other processes on a shared machine), and ``analysis.assess`` for reference.
Target (issue 11): under 100 ms. A benchmark, not a test: it prints, it asserts nothing.

    python bench/bench_scenarios.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from decimal import Decimal


def timed(call) -> tuple[float, float]:
    """(wall, CPU) time in seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def every_override():
    from analysis.scenarios import AvenantChange, Decision, ExecutedOverride, Scenario

    return Scenario(
        name="Toutes les modifications", threshold=0.55, tolerance=0.2, near_band=0.9, late_band=0.5,
        reduction_share=0.5, materiality_floor=Decimal("1000.00"),
        executed=(ExecutedOverride("cls", "3.1", 2024, rate=0.9),
                  ExecutedOverride("cls", "1.2", 2025, amount=Decimal("400000.00")),
                  ExecutedOverride("ft", "2.3", 2024, rate=0.9), ExecutedOverride("cls", "1.4", 2026, rate=0.5)),
        decisions=(Decision("3.3", 2024, "rejetee"), Decision("3.3", 2025, "acceptee")),
        avenants=(AvenantChange(2025, axis="3", percent=-0.1), AvenantChange(2026, action="1.1", amount=Decimal("-50000.00"))),
        projection=True, projection_rates=(("4.1", 0.7),), projection_carry_over="non_consomme",
        reduction_in_projection=True, avenant_changes_paid=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import analysis
    from analysis.formatting import format_eur
    from analysis.scenarios import ScenarioRunner, compare

    contract = analysis.load_contract()
    execution = analysis.load_execution(contract)
    scenario = every_override()
    prepare, _ = timed(lambda: ScenarioRunner(contract, execution))
    runner = ScenarioRunner(contract, execution)
    result = runner.run(scenario)  # warm-up
    analysis.assess(contract, execution)
    runs = [timed(lambda: runner.run(scenario)) for _ in range(args.runs)]
    assess = [timed(lambda: analysis.assess(contract, execution)) for _ in range(args.runs)]
    wall, cpu = (statistics.median(t[i] for t in runs) for i in (0, 1))
    assess_wall = statistics.median(t[0] for t in assess)
    total = compare(result).total(scenario.name)
    print(f"scénario avec toutes les modifications : {len(result.consumption)} lignes action-année, "
          f"projection {result.projected_years}, montant exposé CLS {format_eur(total)}")
    print(f"préparation du ScenarioRunner (une fois) : {prepare * 1000:7.1f} ms")
    print(f"run(scénario), temps écoulé              : {wall * 1000:7.1f} ms (médiane de {args.runs}, cible < 100 ms)")
    print(f"run(scénario), temps processeur          : {cpu * 1000:7.1f} ms (médiane de {args.runs})")
    print(f"analysis.assess (référence)              : {assess_wall * 1000:7.1f} ms (médiane de {args.runs})")


if __name__ == "__main__":
    main()
