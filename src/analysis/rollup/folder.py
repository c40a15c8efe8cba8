"""The national view of a folder (``contracts/<code>/`` and ``executions/<code>/``), with a cache of every read.

:func:`national_from_folder` reads the national set that ``make national`` writes (or any folder laid out the same
way: one contract package per INSEE code, one folder of execution workbooks per code), assesses each département
and rolls them up (:func:`~analysis.rollup.view.roll_up`).

**The cache** (``<folder>/cache/`` by default) keeps, in the project's tidy format (typed tables, exact amounts:
:mod:`~analysis.rollup.store`):

- each workbook as read (``workbooks/<code>/<key>.json``: the frames of :class:`analysis.Execution`), keyed by the
  SHA-256 of the workbook's bytes, its name, the SHA-256 of its département's contract package and the library's
  fingerprint (its version and the SHA-256 of its code and register): a workbook whose bytes change is read again,
  an entry no workbook uses any more is deleted;
- each département's results (``results/<code>.json``: :func:`~analysis.rollup.results.departement_results`), keyed
  by the same digests of all its inputs, the period, the parameters and whether the reconciliation is asked.

A run where nothing changed reads the results and rolls them up; a run where one workbook changed reads that
workbook again and assesses its département only. Each département's work (read, assess, reconcile) runs in
``workers`` processes (default: the processors this process may use); the roll-up is one pass over all of them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from analysis.assessment import resolve_parameters
from analysis.domain import NATIONAL_DIR
from analysis.loading import load_contract
from analysis.reference import departement_codes_in_order, departement_problem
from analysis.rollup.results import RESULT_TABLES, departement_results
from analysis.rollup.store import read_tables, write_tables
from analysis.rollup.view import NationalView, parse_period, roll_up
from analysis.validation import DESCRIPTOR
from analysis.workbooks import Execution, WorkbookError, WorkbookProblem, read_execution
from analysis.workbooks.archive import lock_file
from analysis.workbooks.frames import EXECUTION_FIELDS

CACHE_SUBDIR = "cache"


@cache
def library_fingerprint() -> str:
    """The library's version and the SHA-256 of its code and register: any change to the library is a new
    fingerprint, so that nothing it computed before is read back."""
    import analysis

    package = Path(analysis.__file__).parent
    digest = hashlib.sha256(analysis.__version__.encode())
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".toml", ".json") and p.is_file()):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def package_digest(folder: Path) -> str:
    """SHA-256 of a contract package: the names and bytes of its files."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def workbook_files(folder: Path) -> list[Path]:
    """The workbooks of a département's folder, as :func:`analysis.load_execution` reads them: ``*.xlsx`` whatever
    the case, in name order, without a spreadsheet program's lock files."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".xlsx" and not lock_file(p.name) and p.is_file())


def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Job:
    """One département's work: what to read, for which period and parameters, where to cache."""

    code: str
    contract_dir: Path
    files: tuple  # (path, digest) of each workbook
    contract_digest: str
    first: int
    last: int
    parameters: dict
    reconcile: bool
    cache_dir: Path | None
    result_key: str


def _read_workbook(job: Job, contract, path: Path, digest: str, used: set) -> tuple[Execution, bool]:
    """One workbook: from the cache when its entry matches, else read (and cached). Returns (execution, read)."""
    key = _key("classeur", path.name, digest, job.contract_digest, library_fingerprint())
    entry = job.cache_dir / "workbooks" / job.code / f"{key}.json" if job.cache_dir is not None else None
    used.add(f"{key}.json")
    if entry is not None:
        tables = read_tables(entry, key)
        if tables is not None and set(tables) == set(EXECUTION_FIELDS):
            return Execution(**tables), False
    execution = read_execution(path, contract)
    if entry is not None:
        write_tables(entry, {name: getattr(execution, name) for name in EXECUTION_FIELDS}, key)
    return execution, True


def _duplicates(code: str, execution: Execution) -> list[WorkbookProblem]:
    """Two workbooks of a folder for the same convention and year are refused (their credits would count twice)."""
    w = execution.workbooks
    seen, problems = {}, []
    for file, convention, year in zip(w["file"], w["convention"].astype(str), w["year"]):
        first = seen.setdefault((convention, int(year)), file)
        if first != file:
            problems.append(WorkbookProblem(f"{code}/{file}", None, None, None,
                                            f"même convention et même exercice ({convention}, {int(year)}) que « {first} » : "
                                            "n'en garder qu'un dans le dossier"))
    return problems


def _prune(folder: Path, used: set) -> None:
    """Delete the cache entries of a département that no workbook uses any more (a changed or removed file)."""
    if folder.is_dir():
        for entry in folder.glob("*.json"):
            if entry.name not in used:
                entry.unlink(missing_ok=True)


def run_job(job: Job) -> tuple[str, dict | None, dict, list]:
    """One département: its contract, its workbooks (cached reads), its assessment and results (cached).
    Returns (code, results or None when a workbook is refused, counts, problems)."""
    contract = load_contract(job.contract_dir)
    if contract.departement is not None and contract.departement != job.code:
        problem = WorkbookProblem(job.code, None, None, None, f"le dossier du contrat « {job.code} » contient le contrat du "
                                  f"département {contract.departement}")
        return job.code, None, {}, [problem]
    executions, problems, counts, used = [], [], {"read": 0, "cached": 0}, set()
    for path, digest in job.files:
        try:
            execution, read = _read_workbook(job, contract, Path(path), digest, used)
        except WorkbookError as exc:
            problems += [WorkbookProblem(f"{job.code}/{p.file}", p.sheet, p.cell, p.value, p.reason) for p in exc.problems]
            continue
        executions.append(execution)
        counts["read" if read else "cached"] += 1
    if job.cache_dir is not None:
        _prune(job.cache_dir / "workbooks" / job.code, used)
    execution = Execution.concat(executions) if executions else None
    problems += _duplicates(job.code, execution) if execution is not None else []
    if problems:
        return job.code, None, counts, problems
    params = resolve_parameters(**job.parameters)
    results = departement_results(job.code, contract, execution, job.first, job.last, params, reconcile=job.reconcile)
    if job.cache_dir is not None:
        write_tables(job.cache_dir / "results" / f"{job.code}.json", results, job.result_key)
    return job.code, results, counts, []


def _run(jobs: list[Job], workers: int) -> list:
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            return list(pool.map(run_job, jobs, chunksize=1))
    return [run_job(job) for job in jobs]


def default_workers() -> int:
    """The processors this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not every system says
        return max(1, os.cpu_count() or 1)


def _codes(contracts_dir: Path, executions_dir: Path, codes) -> tuple[list[str], list[WorkbookProblem]]:
    """The départements of the folder (INSEE order), and a problem for a folder of workbooks without a contract."""
    if not contracts_dir.is_dir():
        raise FileNotFoundError(f"dossier des contrats introuvable : {contracts_dir}")
    present = {p.name for p in contracts_dir.iterdir() if (p / DESCRIPTOR).is_file()}
    order = {c: n for n, c in enumerate(departement_codes_in_order())}
    unknown = sorted(c for c in present if c not in order)
    if unknown:
        raise ValueError(f"dossier(s) de contrat non nommé(s) par un code INSEE : {', '.join(unknown)} "
                         f"({departement_problem(unknown[0])})")
    wanted = present if codes is None else present & set(codes)
    problems = []
    if executions_dir.is_dir():
        for sub in sorted(p for p in executions_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if sub.name not in present and workbook_files(sub):
                problems.append(WorkbookProblem(sub.name, None, None, None, "bilans d'un département sans contrat dans "
                                                f"{contracts_dir.name}/ : ils ne peuvent pas être lus"))
    return sorted(wanted, key=order.get), problems


def _cache_dir(folder: Path, cache_option) -> Path | None:
    if cache_option is False or cache_option is None:
        return None
    return folder / CACHE_SUBDIR if cache_option is True else Path(cache_option)


def _plan(code: str, folder: Path, cache_dir: Path | None, first: int, last: int, params: dict, reconcile: bool) -> Job:
    contract_dir = folder / "contracts" / code
    files = tuple((str(p), file_digest(p)) for p in workbook_files(folder / "executions" / code))
    contract_digest = package_digest(contract_dir)
    key = _key("resultats", code, library_fingerprint(), contract_digest, [(Path(p).name, d) for p, d in files], first,
               last, params, reconcile)
    return Job(code, contract_dir, files, contract_digest, first, last, params, reconcile, cache_dir, key)


def national_from_folder(folder=None, period=None, *, cache=True, workers: int | None = None, reconcile: bool = True,
                         codes=None, **parameters) -> NationalView:
    """The national view of ``folder`` (default ``data/processed/national``: ``contracts/<code>/`` and
    ``executions/<code>/``), through the cache (``cache``: True for ``<folder>/cache``, a folder, or False).

    ``period``, ``parameters``: as :func:`~analysis.rollup.view.national`; ``reconcile`` adds the reconciliation's
    counts; ``codes`` restricts to some départements; ``workers``: processes for the départements to assess
    (default: every processor this process may use). A refused workbook stops everything: one
    :class:`analysis.WorkbookError` lists every problem of every département (« 62/bilan.xlsx »), nothing is rolled up.
    The view's ``loading`` says what was read and what came from the cache.
    """
    start = time.perf_counter()
    folder = Path(folder) if folder is not None else NATIONAL_DIR
    first, last = parse_period(period)
    params = resolve_parameters(**parameters).as_dict()
    cache_dir = _cache_dir(folder, cache)
    order, problems = _codes(folder / "contracts", folder / "executions", codes)
    results, jobs = {}, []
    for code in order:
        job = _plan(code, folder, cache_dir, first, last, params, reconcile)
        cached = read_tables(cache_dir / "results" / f"{code}.json", job.result_key) if cache_dir is not None else None
        if cached is not None and set(cached) == set(RESULT_TABLES):
            results[code] = cached
        else:
            jobs.append(job)
    counts = {"read": 0, "cached": 0}
    for code, computed, done, found in _run(jobs, workers or default_workers()):
        problems += found
        for k, v in done.items():
            counts[k] += v
        if computed is not None:
            results[code] = computed
    if problems:
        raise WorkbookError(problems)
    view = roll_up({code: results[code] for code in order}, first, last, params)
    loading = {"departements": len(order), "assessed": len(jobs), "from_cache": len(order) - len(jobs),
               "workbooks": sum(len(j.files) for j in jobs) if jobs else None, "workbooks_read": counts["read"],
               "workbooks_cached": counts["cached"], "seconds": time.perf_counter() - start}
    return dataclasses.replace(view, loading=loading)


def main(argv=None) -> None:
    """``python -m analysis.rollup.folder``: the national view of a folder, through its cache (``make national``)."""
    import argparse

    parser = argparse.ArgumentParser(description="Vue nationale d'un dossier (contrats et bilans), par le cache.")
    parser.add_argument("--dossier", default=None, help=f"dossier du jeu national (défaut : {NATIONAL_DIR})")
    parser.add_argument("--periode", default=None, help="période du CLS, ex. 2024-2025 (défaut : H53)")
    args = parser.parse_args(argv)
    view = national_from_folder(args.dossier, args.periode)
    done = view.loading
    print(f"{done['departements']} départements ({view.first}-{view.last}) : {done['assessed']} évalués, "
          f"{done['from_cache']} repris du cache ; {done['workbooks_read']} classeurs lus, {done['workbooks_cached']} "
          f"repris du cache ; {done['seconds']:.1f} s")


if __name__ == "__main__":
    main()
