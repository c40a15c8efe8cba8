"""Benchmark: each hostile or broken workbook read or refused, with its time and peak memory.

Builds every hostile workbook of tests/hostile.py in a temporary folder (nothing is kept), then reads
each one in a fresh interpreter and prints: the file's size, what its archive declares unpacked, the
outcome (read, or the first reason of the refusal), the length of the error message, the reading time
(measured in the child, imports and contract loading excluded), the child's whole wall time, and its peak
memory (``ru_maxrss`` of that child, imports included). Three kinds of reading:

- « lecture » : ``analysis.read_execution`` (issue 8, and issue 16's numbers and shared formulas);
- « remplissage » : ``analysis.fill_template`` on the hostile workbook (issue 16: it read any file with
  openpyxl, without bounds);
- « contrat » : ``analysis.load_contract`` on a copy of the contract's data with one hostile CSV file
  (issue 16: 9 Mo of blank lines, cells that made a pattern backtrack).

Target (issues 8 and 16): any file up to 10 MB read or refused in under 2 s and under 300 MB. A benchmark,
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
import json, sys, tempfile, time
import pandas as pd
import analysis
kind, path = sys.argv[1], sys.argv[2]
contract = analysis.load_contract()
entries = pd.DataFrame([("Exécution financière", "1.1", "paid", 1000)], columns=["sheet", "key", "field", "value"])
start = time.perf_counter()
try:
    with tempfile.TemporaryDirectory() as folder:
        if kind == "lecture":
            analysis.read_execution(path, contract)
        elif kind == "remplissage":
            analysis.fill_template(path, contract, entries, out=folder + "/rempli.xlsx")
        else:
            analysis.load_contract(path)
    outcome, size = "lu", 0
except (analysis.WorkbookError, analysis.ContractDataError) as error:
    outcome, size = "refusé : " + str(error.problems[0]).split(" : ", 1)[-1], len(str(error))
print(json.dumps({"seconds": time.perf_counter() - start, "outcome": outcome, "message": size}))
"""
TIME_TARGET, MEMORY_TARGET = 2.0, 300


def build_cases(folder: Path) -> list[tuple[str, Path] | tuple[str, Path, str]]:
    """Every hostile file: workbooks built from valid filled workbooks (CLS 2024, France Travail 2024), copies of
    the contract's data. A case is (label, path) for a reading, or (label, path, kind)."""
    import analysis
    from analysis.example import scenario_entries

    contract = analysis.load_contract()
    valid = analysis.export_template(contract, "cls", 2024, folder / "valide.xlsx",
                                     prefill=scenario_entries(contract, "cls", 2024))
    bomb = hostile.zip_bomb(valid, folder / "bombe_1_5_Go.xlsx")
    media = {"xl/media/image1.png": os.urandom(9_500_000)}
    return [*issue_8(folder, valid, bomb, media), *issue_16(folder, contract, valid)]


def issue_8(folder: Path, valid: Path, bomb: Path, media: dict) -> list:
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


def issue_16(folder: Path, contract, valid: Path) -> list:
    """Issue 16: costs per cell, shared formulas, fill_template's inputs, the contract loader's files."""
    import shutil

    import analysis
    from analysis.example import scenario_entries
    from analysis.loading import DEFAULT_DATA_DIR

    ft = analysis.export_template(contract, "ft", 2024, folder / "ft.xlsx", prefill=scenario_entries(contract, "ft", 2024))
    money = ["I5", "I6", "I7", "I8", "I9"]  # « A — Montant État réalisé » of the first five actions

    def data(name: str, change) -> Path:
        target = folder / name
        shutil.copytree(DEFAULT_DATA_DIR, target)
        change(target)
        return target

    return [
        ("nombre de 40 000 chiffres et une lettre", hostile.long_numbers(valid, folder / "chiffres_1.xlsx", money[:1])),
        ("5 nombres de 40 000 chiffres et une lettre", hostile.long_numbers(valid, folder / "chiffres_5.xlsx", money)),
        ("texte de 40 000 chiffres et une lettre",
         hostile.inline_texts(valid, folder / "texte.xlsx", {"H5": "1" * 40_000 + "x"})),
        ("France Travail valide (référence)", ft),
        ("formule partagée de 210 Ko sur 1 430 cellules",
         hostile.shared_formula(ft, folder / "partagee_210k.xlsx", 210_000, range(5, 148), range(13, 23))),
        ("formule partagée de 8 000 car. sur 1 430 cellules",
         hostile.shared_formula(ft, folder / "partagee_8k.xlsx", 8_000, range(5, 148), range(13, 23))),
        ("remplissage : classeur valide (référence)", valid, "remplissage"),
        ("remplissage : formules DDE et HYPERLINK plantées", hostile.planted_formulas(
            valid, folder / "piege.xlsx", {"H5": b"cmd|' /C calc'!A0", "C6": b'HYPERLINK("http://x.invalid","x")'}),
         "remplissage"),
        ("remplissage : milliard de rires", hostile.with_doctype(valid, folder / "rires_f.xlsx", hostile.BILLION_LAUGHS),
         "remplissage"),
        ("remplissage : 500 000 cellules vides mises en forme",
         hostile.formatted_cells(valid, folder / "cellules_500k.xlsx", 500_000, per_row=50), "remplissage"),
        ("contrat : données intactes (référence)", DEFAULT_DATA_DIR, "contrat"),
        ("contrat : rules.csv et 9 Mo de lignes vides", data("lignes_vides", hostile.blank_lines), "contrat"),
        ("contrat : 900 cellules de 9 992 caractères", data("longues", hostile.long_number_cells), "contrat"),
    ]


def three_sheets(valid: Path, folder: Path) -> Path:
    """16 000 empty formatted cells in each of three sheets: under the limit, the most a workbook may hold."""
    path = valid
    for i, part in enumerate([hostile.FINANCE_PART, hostile.INDICATORS_PART, "xl/worksheets/sheet4.xml"]):
        path = hostile.formatted_cells(path, folder / f"trois_{i}.xlsx", 16_000, part=part)
    return path


def declared(path: Path) -> str:
    if path.is_dir():
        return f"{'—':>10}"
    try:
        with zipfile.ZipFile(path) as archive:
            return f"{sum(i.file_size for i in archive.infolist()) / 1e6:10.1f}"
    except zipfile.BadZipFile:
        return f"{'—':>10}"


def size(path: Path) -> float:
    """Megabytes of a file, or of the CSV files of a folder."""
    return (sum(p.stat().st_size for p in path.glob("*")) if path.is_dir() else path.stat().st_size) / 1e6


def run(path: Path, kind: str = "lecture") -> tuple[dict, float, float]:
    """Result of the child, its wall time (s) and its peak memory (MB)."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, kind, str(path)], stdout=subprocess.PIPE, text=True)
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
        print(f"{'cas':50} {'Mo':>5} {'Mo décl.':>10} {'lecture':>8} {'total':>7} {'pic Mo':>7} {'message':>8}  résultat")
        worst_time = worst_memory = 0.0
        for label, path, *kind in cases:
            result, wall, peak = run(path, *kind)
            worst_time, worst_memory = max(worst_time, result["seconds"]), max(worst_memory, peak)
            print(f"{label:50} {size(path):5.1f} {declared(path)} {result['seconds']:7.2f}s {wall:6.2f}s "
                  f"{peak:7.0f} {result['message']:8d}  {result['outcome'][:90]}", flush=True)
    verdict = "atteinte" if worst_time < TIME_TARGET and worst_memory < MEMORY_TARGET else "NON ATTEINTE"
    print(f"pire lecture : {worst_time:.2f} s ; pire pic mémoire : {worst_memory:.0f} Mo "
          f"(cible : < {TIME_TARGET:.0f} s et < {MEMORY_TARGET} Mo) : cible {verdict}")


if __name__ == "__main__":
    main()
