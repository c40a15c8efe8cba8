"""The scenario panel without a browser (issue 11): controls set from Python edit the scenario, and the displayed
total at risk is what the library computes for that scenario."""

import html
import json
import re
from decimal import Decimal

import pytest

from analysis import display
from analysis.assumptions import default
from analysis.scenarios import AvenantChange, Decision, ExecutedOverride, Scenario, ScenarioRunner, compare, loads, save
from analysis.scenarios.ui import ScenarioPanel


@pytest.fixture(scope="module")
def runner(contract, execution):
    return ScenarioRunner(contract, execution)


@pytest.fixture
def app(contract, execution, runner, tmp_path):
    return ScenarioPanel(contract, execution, directory=tmp_path, runner=runner)


def euros(text: str) -> Decimal:
    """« 1 234 567,89 € » -> Decimal('1234567.89')."""
    return Decimal(text.replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", "."))


def displayed_total(app) -> Decimal:
    return euros(re.search(r"class='scenario-total-value'>(.*?)</b>", app.total.value).group(1))


def library_total(runner, scenario) -> Decimal:
    comparison = compare(runner.run(scenario))
    return comparison.total(comparison.names[0])


def slider(app, action):
    return next(s for s in app.actions.children if s.description.startswith(f"Action {action}"))


def test_starts_on_the_base_with_the_register_defaults(app, runner):
    assert app.scenario.is_base() and app.year.options == (2024, 2025)
    assert app.threshold.value == default("manifest_threshold") and app.tolerance.value == default("consumption_tolerance")
    assert displayed_total(app) == Decimal("337847.60") == library_total(runner, Scenario())
    assert [s.description for s in app.actions.children][:2] == ["Action 1.1", "Action 1.2"]
    assert slider(app, "3.2").value == pytest.approx(0.506) and slider(app, "3.2").label == "50,60 %"
    assert app.threshold.label == "65 %"
    assert "Exemple fictif" in app.total.value and bytes(app.chart.value).startswith(b"\x89PNG")


def test_each_control_edits_the_scenario_and_the_total_follows(app, runner):
    app.threshold.value = 0.55
    assert app.scenario.threshold == 0.55
    slider(app, "1.4").value = 0.2
    assert app.scenario.executed == (ExecutedOverride("cls", "1.4", 2024, rate=0.2),)
    toggle = app.decisions.children[3]  # 2024: 3.1, 3.3, 4.1 (label, toggle)
    assert "3.3" in app.decisions.children[2].value
    toggle.value = "rejetee"
    assert app.scenario.decisions == (Decision("3.3", 2024, "rejetee"),)
    app.avenants.children[2].value = -0.1  # axis 3 of the 2025 avenant
    assert app.scenario.avenants == (AvenantChange(2025, axis="3", percent=-0.1),)
    app.floor.value = 60000
    assert app.scenario.materiality_floor == Decimal("60000.00")
    expected = library_total(runner, app.scenario)
    assert displayed_total(app) == expected
    assert expected != Decimal("337847.60")
    state = re.search(r'data-scenario="(.*?)"', app.state.value, re.S).group(1)
    assert loads(html.unescape(state)).executed == app.scenario.executed


def test_a_slider_back_at_its_start_removes_the_override(app):
    start = slider(app, "3.2").value
    slider(app, "3.2").value = 0.9
    assert app.scenario.executed
    slider(app, "3.2").value = start  # the starting rate is one of the slider's values
    assert app.scenario.executed == ()
    assert slider(app, "3.2").label == "50,60 %" and "60,0 %" in [label for label, _ in slider(app, "3.2").options]
    app.decisions.children[3].value = "acceptee"
    app.decisions.children[3].value = ""
    assert app.scenario.decisions == ()


def test_reduction_share_changes_the_estimate_not_the_total(app):
    app.reduction_share.value = 0.5
    assert app.scenario.reduction_share == 0.5 and displayed_total(app) == Decimal("337847.60")
    assert "168\u00a0923,80\u00a0€" in app.comparison.value or "39\u00a0520,00\u00a0€" in app.comparison.value


def test_projection_adds_the_years_and_takes_their_overrides_away(app, runner):
    app.projection.value = "dernier_taux"
    assert app.year.options == (2024, 2025, 2026, 2027) and app.scenario.projection
    app.year.value = 2026
    slider(app, "1.2").value = 0.3
    assert ExecutedOverride("cls", "1.2", 2026, rate=0.3) in app.scenario.executed
    assert displayed_total(app) == library_total(runner, app.scenario)
    assert "projection comprise" in app.total.value and "2026 (projection)" in app.table.value
    app.projection.value = "uniforme"
    app.projection_rate.value = 0.5
    assert set(r for _, r in app.scenario.projection_rates) == {0.5} and len(app.scenario.projection_rates) == 11
    app.projection.value = "aucune"
    assert app.year.options == (2024, 2025) and app.year.value in (2024, 2025)
    assert app.scenario.executed == () and not app.scenario.projection


def test_an_impossible_setting_is_explained_in_french(app):
    before = app.total.value
    app.threshold.value = 0.9  # above 1 - tolerance (85 %)
    assert "au-dessus de la borne de conformité" in app.status.value and app.total.value == before
    app.threshold.value = 0.6
    assert app.status.value == ""


def test_save_reset_and_load(app, tmp_path):
    app.name.value = "Réunion préfecture"
    app.threshold.value = 0.6
    slider(app, "3.2").value = 0.7
    path = app.save()
    assert path == tmp_path / "reunion-prefecture.json" and path.is_file()
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "Réunion préfecture"
    saved_scenario = app.scenario
    app.reset_button.click()
    assert app.scenario.is_base() and app.threshold.value == default("manifest_threshold")
    assert app.load(path) is not None
    assert app.scenario == loads(path.read_text(encoding="utf-8"))
    assert app.scenario.executed == saved_scenario.executed and app.threshold.value == 0.6
    assert slider(app, "3.2").value == pytest.approx(0.7)


def test_loading_a_bad_file_shows_a_french_error(app, tmp_path):
    bad = tmp_path / "abime.json"
    bad.write_text('{"format": "analysis.scenario", "version": 1, "name": "x", "threshold": "haut"}', encoding="utf-8")
    assert app.load(bad) is None
    assert "abime.json" in app.status.value and "threshold" in app.status.value and app.scenario.is_base()
    other = save(Scenario(name="Ailleurs", decisions=(Decision("1.1", 2024, "rejetee"),)), tmp_path / "ailleurs.json")
    assert app.load(other) is None and "aucune justification" in app.status.value


def test_france_travail(app, runner):
    app.convention.value = "ft"
    assert app.year.options == (2024,) and app.avenants.children == ()
    assert "pas de réduction en n+1" in app.decisions.children[0].value
    slider(app, "2.3").value = 1.0
    assert app.scenario.executed == (ExecutedOverride("ft", "2.3", 2024, rate=1.0),)
    result = runner.run(app.scenario)
    balance = result.settlement[result.settlement["row_type"] == "total"]["balance_due"].iloc[0]
    assert f"solde à verser par l'État {display.eur(balance)}" in app.total.value


def test_the_app_reads_the_bilans_named_by_the_environment(monkeypatch, contract):
    from analysis.domain import EXAMPLES_DIR
    from analysis.scenarios.ui import EXECUTION_VARIABLE, inputs_from_environment

    monkeypatch.setenv(EXECUTION_VARIABLE, str(EXAMPLES_DIR / "execution_FICTIVE_cls_2024.xlsx"))
    _, execution = inputs_from_environment(contract)
    assert list(execution.workbooks["file"]) == ["execution_FICTIVE_cls_2024.xlsx"]
    monkeypatch.delenv(EXECUTION_VARIABLE)
    _, execution = inputs_from_environment(contract)
    assert len(execution.workbooks) == 3
