"""The browser app's kernel side (``analysis.scenarios.ui.app``, ``make app``): without Voilà the panel is simply
displayed; in a kernel Voilà preheats, the page is run before anyone opens it, and what changed meanwhile (saved
scenarios, workbooks) is read when it is opened. The opening of the page is simulated here (``wait_for_page``);
tests/test_app_browser.py goes through the real Voilà.
"""

import shutil

import pytest

from analysis.domain import EXAMPLES_DIR
from analysis.scenarios import Scenario, save, ui

CLS_2024, CLS_2025, FT_2024 = (f"execution_FICTIVE_{name}.xlsx" for name in ("cls_2024", "cls_2025", "ft_2024"))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A folder of workbooks named by $ANALYSIS_EXECUTION: CLS 2024 and France Travail 2024."""
    folder = tmp_path / "bilans"
    folder.mkdir()
    for name in (CLS_2024, FT_2024):
        shutil.copy2(EXAMPLES_DIR / name, folder / name)
    monkeypatch.setenv(ui.EXECUTION_VARIABLE, str(folder))
    monkeypatch.delenv(ui.PREHEAT_VARIABLE, raising=False)
    return folder


def opened_page(monkeypatch, meanwhile):
    """Simulate a preheated kernel: ``meanwhile`` happens between the preheating and the opening of the page."""
    calls = []

    def wait():
        calls.append(meanwhile())
        return True

    monkeypatch.setattr(ui, "wait_for_page", wait)
    return calls


def years(panel) -> set[int]:
    return {int(y) for y in panel.runner.execution.workbooks["year"]}


def test_without_voila_the_panel_is_displayed_at_once(folder, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    assert ui.wait_for_page() is False
    panel = ui.app(tmp_path / "scenarios")
    assert shown == [panel] and years(panel) == {2024}


def test_the_signature_changes_with_the_workbooks(folder):
    before = ui.inputs_signature()
    assert before == ui.inputs_signature() and len(before) == 2
    shutil.copy2(EXAMPLES_DIR / CLS_2025, folder / CLS_2025)
    assert ui.inputs_signature() != before


def test_a_workbook_added_before_the_page_is_opened_is_read(folder, tmp_path, monkeypatch):
    calls = opened_page(monkeypatch, lambda: shutil.copy2(EXAMPLES_DIR / CLS_2025, folder / CLS_2025))
    panel = ui.app(tmp_path / "scenarios")
    assert len(calls) == 1 and years(panel) == {2024, 2025}
    assert 2025 in list(panel.year.options) and panel.scenario.is_base()


def test_a_scenario_saved_before_the_page_is_opened_is_listed(folder, tmp_path, monkeypatch):
    directory = tmp_path / "scenarios"
    opened_page(monkeypatch, lambda: save(Scenario(name="Sauvé entre-temps", threshold=0.5), directory=directory))
    panel = ui.app(directory)
    assert [label for label, _ in panel.saved.options] == ["sauve-entre-temps"]
    assert years(panel) == {2024}  # the workbooks did not change: the preheated panel is kept


def test_workbooks_unreadable_while_preheating_are_read_when_the_page_is_opened(tmp_path, monkeypatch):
    folder = tmp_path / "bilans"
    monkeypatch.setenv(ui.EXECUTION_VARIABLE, str(folder))  # not there yet
    calls = opened_page(monkeypatch, lambda: shutil.copytree(EXAMPLES_DIR, folder))
    panel = ui.app(tmp_path / "scenarios")
    assert len(calls) == 1 and years(panel) == {2024, 2025}


def test_workbooks_still_unreadable_when_the_page_is_opened_raise(tmp_path, monkeypatch):
    monkeypatch.setenv(ui.EXECUTION_VARIABLE, str(tmp_path / "absent"))
    opened_page(monkeypatch, lambda: None)
    with pytest.raises(FileNotFoundError):
        ui.app(tmp_path / "scenarios")


def test_reopen_on_other_bilans_starts_from_their_base(folder, tmp_path, contract):
    panel = ui.app(tmp_path / "scenarios")
    panel.threshold.value = 0.5
    assert not panel.scenario.is_base()
    shutil.copy2(EXAMPLES_DIR / CLS_2025, folder / CLS_2025)
    panel.reopen(ui.inputs_from_environment(contract)[1])
    assert panel.scenario.is_base() and panel.threshold.value == pytest.approx(0.65) and years(panel) == {2024, 2025}
