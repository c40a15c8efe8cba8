"""Issue 16, the command line: ``--out`` checked before any notebook, write failures and Ctrl+C said in French
(exit codes 2, 1 and 130), never a traceback, and the previous results left whole by a run that does not finish.

The runs use small notebooks written here (a kernel starts for each: a few seconds), and stub the reading of the
workbooks where it does not matter.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis import report, xlsx
from analysis.domain import ROOT


def notebook(folder: Path, name: str = "01_essai", body: str = "print('bonjour')") -> Path:
    """A notebook with a parameters cell (``sortie``) that writes ``a.txt`` in its output folder, then ``body``."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("sortie = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from pathlib import Path\nPath(sortie, 'a.txt').write_text('nouveau')\nprint(sortie)"),
        nbformat.v4.new_code_cell(body)])
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def previous_results(out: Path) -> dict:
    """An output folder holding the results of an earlier run."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "01_essai.html").write_text("ancienne page", encoding="utf-8")
    (out / "a.txt").write_text("ancien", encoding="utf-8")
    return {p.name: p.read_bytes() for p in out.iterdir()}


def files(out: Path) -> dict:
    return {p.name: p.read_bytes() for p in out.iterdir()}


def leftovers(out: Path) -> list:
    """The run's own folders left beside (or inside) the output folder."""
    return [p.name for p in [*out.parent.iterdir(), *out.iterdir()] if "rapport-en-cours" in p.name]


def run_report(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "analysis", "report", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, check=False, **kwargs)


@pytest.fixture
def quick(monkeypatch):
    """The inputs' reading (the embedded example, several seconds) stubbed: these runs do not read workbooks."""
    monkeypatch.setattr(report, "check_inputs", lambda execution: {})


# ------------------------------------------------------------------------------------------------
# --out is checked before any notebook runs
# ------------------------------------------------------------------------------------------------


def test_out_naming_a_file_is_refused_before_any_notebook(tmp_path):
    (tmp_path / "sortie").write_text("un fichier", encoding="utf-8")
    start = time.monotonic()
    done = run_report("--out", tmp_path / "sortie")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "aucun notebook exécuté" in done.stderr and "c'est un fichier, pas un dossier" in done.stderr
    assert time.monotonic() - start < 60 and not done.stdout
    done = run_report("--out", tmp_path / "sortie" / "dessous")
    assert done.returncode == 2 and "est un fichier, pas un dossier" in done.stderr and "Traceback" not in done.stderr


def test_a_folder_that_cannot_be_written_is_refused_before_any_notebook(tmp_path, monkeypatch, capsys, quick):
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(kwargs.get("dir")))

    ran = []
    monkeypatch.setattr(report.tempfile, "mkstemp", refused)
    monkeypatch.setattr(report, "build", lambda *a, **k: ran.append(1))
    assert report.main(["--out", str(tmp_path / "sortie")]) == 2
    said = capsys.readouterr().err
    assert "impossible d'écrire dans" in said and "accès refusé" in said and not ran


@pytest.mark.skipif(os.geteuid() == 0, reason="l'administrateur écrit même dans un dossier en lecture seule")
def test_a_read_only_folder_is_refused_before_any_notebook(tmp_path):
    out = tmp_path / "sortie"
    out.mkdir()
    out.chmod(0o555)
    try:
        done = run_report("--out", out)
    finally:
        out.chmod(0o755)
    assert done.returncode == 2 and "impossible d'écrire dans" in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------------------------------------
# A run writes into a folder of its own, then moves its files into place
# ------------------------------------------------------------------------------------------------


def test_the_notebooks_write_into_the_runs_folder_and_the_files_are_moved_into_place(tmp_path, capsys, quick):
    path = notebook(tmp_path)
    out = tmp_path / "sortie"
    previous_results(out)
    assert report.main([str(path), "--out", str(out)]) == 0
    assert (out / "a.txt").read_text(encoding="utf-8") == "nouveau"
    page = (out / "01_essai.html").read_text(encoding="utf-8")
    assert ".sortie.rapport-en-cours" in page  # the notebook received the run's folder as ``sortie``
    assert leftovers(out) == []
    said = capsys.readouterr().out
    assert f"{out / 'a.txt'}" in said and f"{out / '01_essai.html'}" in said


class HalfWrite:
    """A file that writes half of what it is given, then fails as a full disk would."""

    def __init__(self, fd):
        self.stream = open(fd, "wb")  # noqa: SIM115

    def write(self, data):
        self.stream.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()


def test_a_full_disk_during_the_run_is_said_in_french_and_the_previous_results_stay(tmp_path, monkeypatch, capsys, quick):
    path = notebook(tmp_path)
    out = tmp_path / "sortie"
    before = previous_results(out)
    fdopen = os.fdopen

    def half(fd, mode="r", *args, **kwargs):  # the atomic writes of the report only (others write text)
        return HalfWrite(fd) if mode == "wb" else fdopen(fd, mode, *args, **kwargs)

    monkeypatch.setattr(xlsx.os, "fdopen", half)
    assert report.main([str(path), "--out", str(out)]) == 1
    said = capsys.readouterr().err
    assert "Rapport non produit : écriture impossible" in said and "01_essai.html" in said and "(disque plein)" in said
    assert "les résultats précédents sont intacts" in said and "Traceback" not in said
    assert files(out) == before and leftovers(out) == []


def test_a_failed_move_puts_every_previous_file_back(tmp_path, monkeypatch, capsys, quick):
    path = notebook(tmp_path)
    out = tmp_path / "sortie"
    before = previous_results(out)
    replace, moves = os.replace, []

    def failing(source, target):
        if "nouveau" in Path(source).parts and Path(target).is_relative_to(out):  # a move of the run's files into place
            moves.append(source)
            if len(moves) == 2:
                raise OSError(28, "No space left on device", str(target))
        return replace(source, target)

    monkeypatch.setattr(report.os, "replace", failing)
    assert report.main([str(path), "--out", str(out)]) == 1
    said = capsys.readouterr().err
    assert "mise en place des résultats impossible" in said and "rien n'a été modifié" in said
    assert files(out) == before and leftovers(out) == []


def test_a_failing_notebook_leaves_the_previous_results(tmp_path, capsys, quick):
    path = notebook(tmp_path, body="1 / 0")
    out = tmp_path / "sortie"
    before = previous_results(out)
    assert report.main([str(path), "--out", str(out)]) == 1
    said = capsys.readouterr().err
    assert "ZeroDivisionError" in said and "les résultats précédents sont intacts" in said
    assert files(out) == before and leftovers(out) == []


# ------------------------------------------------------------------------------------------------
# Ctrl+C
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wait", [0.0, 2.0], ids=["au_demarrage_du_noyau", "pendant_une_cellule"])
def test_ctrl_c_stops_the_run_with_exit_130_and_leaves_the_previous_results(tmp_path, wait):
    path = notebook(tmp_path, body="import time\nfor _ in range(1200):\n    time.sleep(0.1)")
    out = tmp_path / "sortie"
    before = previous_results(out)
    child = subprocess.Popen([sys.executable, "-m", "analysis", "report", str(path), "--out", str(out)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = child.stdout.readline()  # « [1/1] 01_essai : exécution … », once the inputs are read
    assert "exécution" in line, line
    time.sleep(wait)
    start = time.monotonic()
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=120)
    assert time.monotonic() - start < 30  # not the two minutes of the cell
    assert child.returncode == 130, stderr
    assert "Rapport interrompu (Ctrl+C) : rien n'a été modifié" in stderr and "Traceback" not in stderr
    assert "Rapport écrit" not in stdout
    assert files(out) == before and leftovers(out) == []


def test_ctrl_c_while_the_files_are_moved_finishes_the_move_then_says_so(tmp_path, monkeypatch, capsys, quick):
    path = notebook(tmp_path)
    out = tmp_path / "sortie"
    previous_results(out)
    replace = os.replace

    def interrupted(source, target):
        if "nouveau" in Path(source).parts and Path(target).is_relative_to(out):
            os.kill(os.getpid(), signal.SIGINT)  # held until every file is in place
        return replace(source, target)

    monkeypatch.setattr(report.os, "replace", interrupted)
    assert report.main([str(path), "--out", str(out)]) == 130
    said = capsys.readouterr().err
    assert "menée à son terme" in said and "contient les résultats complets" in said
    assert (out / "a.txt").read_text(encoding="utf-8") == "nouveau" and leftovers(out) == []


def test_the_up_front_check_of_a_hostile_workbook_is_quick(contract, tmp_path):
    """The reading before the first notebook hung with the reader on a 40 000-digit number (62 s per cell)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from hostile import long_numbers

    from analysis.example import scenario_entries
    from analysis.workbooks import export_template

    folder = tmp_path / "bilans"
    folder.mkdir()
    valid = export_template(contract, "cls", 2024, tmp_path / "valide.xlsx", prefill=scenario_entries(contract, "cls", 2024))
    long_numbers(valid, folder / "bilan_cls_2024.xlsx", ["I5", "I6", "I7", "I8", "I9"])
    start = time.monotonic()
    done = run_report("--execution", folder, "--out", tmp_path / "sortie")
    assert time.monotonic() - start < 60
    assert done.returncode == 2 and "Traceback" not in done.stderr and "aucun notebook exécuté" in done.stderr
    assert "bilan_cls_2024.xlsx, feuille « Exécution financière », cellule I5" in done.stderr
    assert "nombre illisible dans le fichier" in done.stderr and not (tmp_path / "sortie").exists()
