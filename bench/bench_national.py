"""Scale of the national view (issue 17): load, reconcile, assess and roll up 10, 50 and 101 contracts.

The national set of ``make national`` (written first if absent): 101 FICTITIOUS départements, four CLS years and the
France Travail year, 466 workbooks. For each size, two runs, each in a new Python process (interpreter start and
imports included), through :func:`analysis.national_from_folder` with the reconciliation:

- **à froid**: an empty cache, every contract package and every workbook read, every département assessed
  (in as many processes as this machine gives, ``workers``);
- **en cache**: the same run again, nothing changed since: the results come from the cache (keyed by the SHA-256 of
  every input and the library's fingerprint), then the roll-up.

Targets on the project's machine (2 shared processors): under 30 s cold and under 5 s cached for 101 contracts, the
cost growing linearly with the number of contracts. The last line reads
``101 contrats : à froid X s, en cache Y s``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis.domain import NATIONAL_DIR  # noqa: E402
from analysis.formatting import format_number  # noqa: E402

SIZES = (10, 50, 101)
TARGETS = {"cold": 30.0, "cached": 5.0}
RUN = """
import json, sys, time
start = time.perf_counter()
from analysis.rollup.folder import national_from_folder
codes = json.loads(sys.argv[3])
view = national_from_folder(sys.argv[1], cache=sys.argv[2], codes=codes, reconcile=True)
done = dict(view.loading, departements_view=len(view.departements), in_process=time.perf_counter() - start)
print(json.dumps(done))
"""


def ensure_set(folder: Path) -> None:
    if not (folder / "contracts").is_dir():
        print("Jeu national absent : écriture (make national), environ 2 minutes …", flush=True)
        subprocess.run([sys.executable, "-m", "analysis.synthetic", "--out", str(folder)], check=True)


def codes_of(folder: Path) -> list[str]:
    from analysis.reference import departement_codes_in_order

    present = {p.name for p in (folder / "contracts").iterdir() if p.is_dir()}
    return [c for c in departement_codes_in_order() if c in present]


def timed_run(folder: Path, cache: Path, codes: list[str]) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUN, str(folder), str(cache), json.dumps(codes)], capture_output=True,
                          text=True, check=True)
    return time.perf_counter() - start, json.loads(done.stdout.strip().splitlines()[-1])


def seconds(value: float) -> str:
    return f"{format_number(value, 1)} s"


def main() -> int:
    folder = NATIONAL_DIR
    ensure_set(folder)
    load = ", ".join(format_number(x, 2) for x in os.getloadavg())
    print(f"Charge de la machine au départ (1, 5, 15 min) : {load} ; {os.cpu_count()} processeurs", flush=True)
    every = codes_of(folder)
    rows = []
    for size in SIZES:
        codes = every[:size]
        with tempfile.TemporaryDirectory(prefix="cache-national-") as cache:
            cold, first = timed_run(folder, Path(cache), codes)
            cached, second = timed_run(folder, Path(cache), codes)
        assert first["workbooks_read"] == first["workbooks"] and second["assessed"] == 0, (first, second)
        rows.append((size, cold, cached, first["workbooks_read"]))
        print(f"{size:>3} contrats ({first['workbooks_read']} classeurs lus) : à froid {seconds(cold)} "
              f"({format_number(1000 * cold / size, 0)} ms par contrat), en cache {seconds(cached)}", flush=True)
    (small, cold_small, _, _), (big, cold_big, cached_big, _) = rows[0], rows[-1]
    marginal = (cold_big - cold_small) / (big - small)
    print(f"Coût marginal à froid : {format_number(1000 * marginal, 0)} ms par contrat "
          f"({seconds(cold_small)} pour {small}, {seconds(cold_big)} pour {big} : linéaire si la droite passe par les trois "
          f"points ; 50 contrats : {seconds(rows[1][1])}, attendu {seconds(cold_small + marginal * (rows[1][0] - small))})")
    ok = cold_big < TARGETS["cold"] and cached_big < TARGETS["cached"]
    print(f"Cibles : moins de {seconds(TARGETS['cold'])} à froid et de {seconds(TARGETS['cached'])} en cache pour "
          f"{big} contrats : {'atteintes' if ok else 'NON atteintes'}")
    print(f"{big} contrats : à froid {seconds(cold_big)}, en cache {seconds(cached_big)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
