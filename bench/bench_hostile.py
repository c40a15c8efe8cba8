"""Benchmark: each hostile or broken workbook read or refused, with its time and peak memory.

Builds every hostile workbook of tests/hostile.py in a temporary folder (nothing is kept), then reads
each one with ``analysis.read_execution`` in a fresh interpreter and prints: the file's size, what its
archive declares unpacked, the outcome (read, or the first reason of the refusal), the length of the
error message, the reading time (measured in the child, imports and contract loading excluded), the
child's whole wall time, and its peak memory (``ru_maxrss`` of that child, imports included).

Target (issue 8): any workbook up to 10 MB read or refused in under 2 s and under 300 MB. A benchmark,
not a test: it prints, it asserts nothing.

    python bench/bench_hostile.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hostile  # noqa: E402  (the builders shared with the tests)

CHILD = """
import json, sys, time
import analysis
contract = analysis.load_contract()
start = time.perf_counter()
try:
    analysis.read_execution(sys.argv[1], contract)
    outcome, size = "lu", 0
except analysis.WorkbookError as error:
    outcome, size = "refusé : " + error.problems[0].reason, len(str(error))
print(json.dumps({"seconds": time.perf_counter() - start, "outcome": outcome, "message": size}))
"""
TIME_TARGET, MEMORY_TARGET = 2.0, 300


def build_cases(folder: Path) -> list[tuple[str, Path]]:
    """Every hostile workbook, built from a valid filled CLS 2024 workbook."""
    import analysis
    from analysis.example import scenario_entries

    contract = analysis.load_contract()
    valid = analysis.export_template(contract, "cls", 2024, folder / "valide.xlsx",
                                     prefill=scenario_entries(contract, "cls", 2024))
    bomb = hostile.zip_bomb(valid, folder / "bombe_1_5_Go.xlsx")
    media = {"xl/media/image1.png": os.urandom(9_500_000)}
    return [
        ("classeur valide (référence)", valid),
        ("cellule vide mise en forme en XFD1048576", hostile.far_formatted_cell(valid, folder / "xfd.xlsx")),
        ("valeur en XFD1048576", hostile.far_formatted_cell(valid, folder / "xfd_valeur.xlsx", b"1")),
        ("bombe zip (1,5 Go décompressés)", bomb),
        ("bombe zip aux tailles mensongères", hostile.lying_sizes(bomb, folder / "menteur.xlsx")),
        ("1 000 000 lignes sous le tableau", hostile.rows_under_table(valid, folder / "million.xlsx")),
        ("100 000 lignes fautives", hostile.rows_under_table(valid, folder / "cent_mille.xlsx", 100_000, text=True)),
        ("20 000 lignes fautives", hostile.rows_under_table(valid, folder / "vingt_mille.xlsx", 20_000, text=True)),
        ("45 000 lignes fautives", hostile.rows_under_table(valid, folder / "45_mille.xlsx", 45_000, text=True)),
        ("150 000 cellules vides mises en forme", hostile.formatted_cells(valid, folder / "cellules.xlsx", 150_000)),
        ("49 000 cellules vides mises en forme", hostile.formatted_cells(valid, folder / "cellules_49k.xlsx", 49_000)),
        ("3 feuilles de 16 000 cellules mises en forme", three_sheets(valid, folder)),
        ("entités XML imbriquées (milliard de rires)",
         hostile.with_doctype(valid, folder / "rires.xlsx", hostile.BILLION_LAUGHS)),
        ("entité XML externe", hostile.with_doctype(valid, folder / "externe.xlsx", hostile.EXTERNAL_ENTITY)),
        ("classeur protégé par mot de passe", hostile.encrypted_workbook(folder / "protege.xlsx")),
        ("classeur avec macros renommé .xlsx", hostile.macro_workbook(valid, folder / "macros.xlsx")),
        ("1 100 parties dans l'archive", hostile.rewrite(valid, folder / "parties.xlsx",
                                                         extra={f"custom/{i}.xml": b"<a/>" for i in range(1100)})),
        ("image de 9,5 Mo incompressible (10 Mo)", hostile.rewrite(valid, folder / "image.xlsx", extra=media)),
    ]


def three_sheets(valid: Path, folder: Path) -> Path:
    """16 000 empty formatted cells in each of three sheets: under the limit, the most a workbook may hold."""
    path = valid
    for i, part in enumerate([hostile.FINANCE_PART, hostile.INDICATORS_PART, "xl/worksheets/sheet4.xml"]):
        path = hostile.formatted_cells(path, folder / f"trois_{i}.xlsx", 16_000, part=part)
    return path


def declared(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            return f"{sum(i.file_size for i in archive.infolist()) / 1e6:10.1f}"
    except zipfile.BadZipFile:
        return f"{'—':>10}"


def run(path: Path) -> tuple[dict, float, float]:
    """Result of the child, its wall time (s) and its peak memory (MB)."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    peak = usage.ru_maxrss / 1024
    if child.returncode != 0:
        return {"seconds": float("nan"), "outcome": f"ÉCHEC (code {child.returncode})", "message": 0}, wall, peak
    return json.loads(out.splitlines()[-1]), wall, peak


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print("Construction des classeurs hostiles…", flush=True)
        cases = build_cases(Path(tmp))
        run(cases[0][1])  # warm the file cache and the bytecode
        print(f"{'cas':44} {'Mo':>5} {'Mo décl.':>10} {'lecture':>8} {'total':>7} {'pic Mo':>7} {'message':>8}  résultat")
        worst_time = worst_memory = 0.0
        for label, path in cases:
            result, wall, peak = run(path)
            worst_time, worst_memory = max(worst_time, result["seconds"]), max(worst_memory, peak)
            print(f"{label:44} {path.stat().st_size / 1e6:5.1f} {declared(path)} {result['seconds']:7.2f}s {wall:6.2f}s "
                  f"{peak:7.0f} {result['message']:8d}  {result['outcome'][:90]}", flush=True)
    verdict = "atteinte" if worst_time < TIME_TARGET and worst_memory < MEMORY_TARGET else "NON ATTEINTE"
    print(f"pire lecture : {worst_time:.2f} s ; pire pic mémoire : {worst_memory:.0f} Mo "
          f"(cible : < {TIME_TARGET:.0f} s et < {MEMORY_TARGET} Mo) : cible {verdict}")


if __name__ == "__main__":
    main()
