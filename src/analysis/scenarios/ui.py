"""The scenario panel: ipywidgets controls over a :class:`~analysis.scenarios.engine.ScenarioRunner`, for
notebook 04 and the browser app (``make app``, Voilà).

:func:`panel` builds a :class:`ScenarioPanel`; ``panel(...).widget`` is what a notebook displays. Every
control edits the current :class:`~analysis.scenarios.model.Scenario` (``ScenarioPanel.scenario``) and
every change recomputes it and redraws the total at risk, the chart, the flag table and the comparison
with the base. The logic lives in plain methods, tested by setting the controls' values from Python
(ipywidgets swallows the exceptions of its callbacks: errors are shown in French in ``status``).

CSS classes name the controls a browser test drives: ``scenario-threshold``, ``scenario-action-3-2``
(action 3.2), ``scenario-decision-3-3-2024``, ``scenario-total-value``, ``scenario-state`` (which carries
the current scenario as JSON in its ``data-scenario`` attribute).
"""

from __future__ import annotations

import html
import os
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import ipywidgets as widgets

from analysis import display, domain
from analysis.assumptions import default
from analysis.charts.scenarios import panel_png, plot_scenario_consumption
from analysis.domain import CLS, FT
from analysis.money import cents, is_missing
from analysis.scenarios.compare import compare
from analysis.scenarios.engine import ScenarioRunner
from analysis.scenarios.files import dumps, load, save, saved
from analysis.scenarios.model import MAX_RATE, Scenario, ScenarioError

#: Step of the action sliders (their starting rate is an option too: back on it, the override goes).
RATE_STEP = 0.005
#: Environment variable naming a folder (or a workbook) of real bilans for ``make app``.
EXECUTION_VARIABLE = "ANALYSIS_EXECUTION"
#: Name proposed for a new scenario.
DEFAULT_NAME = "Mon scénario"


def inputs_from_environment(contract=None):
    """(contract, execution): the bilans named by ``$ANALYSIS_EXECUTION`` when set, else the embedded
    fictitious example (``make app EXECUTION=dossier``)."""
    from analysis.loading import load_contract
    from analysis.workbooks import load_executions

    contract = contract if contract is not None else load_contract()
    return contract, load_executions(contract, os.environ.get(EXECUTION_VARIABLE) or None)


#: Columns of the panel's flag table (the justifications are shown beside their decision).
PANEL_COLUMNS = ["action", "available_state", "executed_state", "rate", "expected_rate", "flag", "amount_at_risk",
                 "amount_under_review"]
#: Compact tables that scroll sideways rather than overflow the page.
TABLE_STYLE = ("<style>.scenario-table{border-collapse:collapse;font-size:12px}.scenario-table th,.scenario-table td"
               "{padding:2px 6px;border-bottom:1px solid #ddd;text-align:right;vertical-align:top}"
               ".scenario-table th{background:#f3f3f3}</style>")


def html_table(frame) -> str:
    """A French table as compact HTML in a sideways-scrolling box."""
    body = frame.to_html(index=False, border=0, classes="scenario-table")
    return f'{TABLE_STYLE}<div style="overflow-x:auto;max-width:100%">{body}</div>'


def css_name(*parts) -> str:
    """« 3.2 » -> « 3-2 »: a CSS class fragment."""
    return "-".join(str(p).replace(".", "-") for p in parts)


# ------------------------------------------------------------------------------------------------
# The panel
# ------------------------------------------------------------------------------------------------


def grid(low: float, high: float, step: float) -> list[float]:
    """Values from ``low`` to ``high`` by ``step``, rounded (0.3, not 0.30000000000000004)."""
    return [round(low + i * step, 6) for i in range(round((high - low) / step) + 1)]


def _slider(description: str, value: float, low: float, high: float, step: float, decimals: int = 0,
            signed: bool = False) -> widgets.SelectionSlider:
    """A slider over ``low``…``high`` by ``step`` (plus ``value`` when it falls between two steps) whose readout
    is written the French way (« 60,5 % », « -10 % »): the value is exactly the option chosen."""
    values = sorted(set(grid(low, high, step)) | {round(float(value), 6)})

    def label(v: float) -> str:
        shown = display.percent(v, decimals if v in on_grid else decimals + 1)
        return ("+" if signed and v > 0 else "") + shown

    on_grid = set(grid(low, high, step))
    return widgets.SelectionSlider(options=[(label(v), v) for v in values], value=round(float(value), 6),
                                   description=description, continuous_update=False,
                                   style={"description_width": "190px"}, layout=widgets.Layout(width="98%"))


def register_slider(label: str, name: str, low: float, high: float, step: float) -> widgets.SelectionSlider:
    """A slider starting at the register's default for ``name``, labelled with its ID."""
    return _slider(f"{label} ({display.assumption_id(name)})", default(name), low, high, step)


class ScenarioPanel:
    """Controls, results and the scenario they describe (see the module docstring)."""

    def __init__(self, contract, execution, *, directory: str | Path | None = None, runner: ScenarioRunner | None = None):
        self.contract = contract
        self.runner = runner or ScenarioRunner(contract, execution)
        self.directory = Path(directory) if directory is not None else domain.SCENARIOS_DIR
        self.base = self.runner.run()
        self.result = self.base
        self.scenario = Scenario(name=DEFAULT_NAME)
        self.baselines: dict[tuple, float] = {}
        self._quiet = False
        self.build_controls()
        self.build_outputs()
        self.widget = self.layout()
        self.rebuild()

    def _repr_mimebundle_(self, **kwargs):
        """Displayed as its widget, with a short plain-text stand-in (the widget's own is long and lists the
        files saved on this machine)."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Panneau de scénarios (interactif : à ouvrir dans Jupyter ou avec `make app`)"
        return bundle

    # -- construction ---------------------------------------------------------------------------

    def build_controls(self) -> None:
        projection_ids = display.assumption_ids("projection_rate_default", "projection_carry_over", "reduction_in_projection")
        self.convention = widgets.Dropdown(options=[(domain.label("convention", c), c) for c in domain.CONVENTION_CODES],
                                           value=CLS.code, description="Convention")
        self.year = widgets.Dropdown(options=self.year_options(CLS.code), description="Année")
        self.threshold = register_slider("Seuil manifeste", "manifest_threshold", 0.3, 0.95, 0.05)
        self.tolerance = register_slider("Tolérance", "consumption_tolerance", 0.0, 0.5, 0.05)
        self.threshold.add_class("scenario-threshold")
        self.tolerance.add_class("scenario-tolerance")
        self.actions = widgets.VBox()
        self.decisions = widgets.VBox()
        self.avenants = widgets.VBox()
        self.projection = widgets.Dropdown(options=[(domain.label("projection_mode", m), m) for m in domain.PROJECTION_MODES],
                                           value="aucune", description=f"Projection ({projection_ids})",
                                           style={"description_width": "190px"}, layout=widgets.Layout(width="98%"))
        self.projection_rate = _slider("Taux projeté (uniforme)", 0.9, 0.0, 1.5, 0.05)
        self.reduction_share = register_slider("Part réduite en n+1", "reduction_share", 0.0, 1.0, 0.05)
        self.floor = widgets.BoundedFloatText(value=float(default("materiality_floor")), min=0, max=10_000_000, step=1000,
                                              description=f"Seuil de matérialité ({display.assumption_id('materiality_floor')})",
                                              style={"description_width": "190px"})
        self.name = widgets.Text(value=DEFAULT_NAME, description="Nom du scénario", style={"description_width": "120px"})
        self.save_button = widgets.Button(description="Enregistrer", icon="save")
        self.saved = widgets.Dropdown(options=self.saved_options(), description="Scénarios")
        self.load_button = widgets.Button(description="Charger", icon="folder-open")
        self.reset_button = widgets.Button(description="Revenir à la base", icon="undo")
        for control in (self.threshold, self.tolerance, self.projection, self.projection_rate, self.reduction_share,
                        self.floor):
            control.observe(self.on_setting, names="value")
        self.convention.observe(self.on_selection, names="value")
        self.year.observe(self.on_selection, names="value")
        self.save_button.on_click(lambda _b: self.save())
        self.load_button.on_click(lambda _b: self.load())
        self.reset_button.on_click(lambda _b: self.apply(Scenario(name=self.name.value or DEFAULT_NAME)))

    def build_outputs(self) -> None:
        self.status = widgets.HTML()
        self.total = widgets.HTML()
        self.total.add_class("scenario-total")
        self.chart = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.table = widgets.HTML()
        self.comparison = widgets.HTML()
        self.state = widgets.HTML()
        self.state.add_class("scenario-state")

    def layout(self) -> widgets.Widget:
        heading = widgets.HTML
        controls = widgets.VBox([
            heading("<h4>Seuils</h4>"), self.threshold, self.tolerance,
            heading("<h4>Exécution de l'année (taux de consommation des crédits État disponibles)</h4>"), self.actions,
            heading("<h4>Décision de l'État sur les justifications (article 2.2)</h4>"), self.decisions,
            self.avenants,
            heading("<h4>Projection 2026-2027, réduction en n+1, matérialité (en euros)</h4>"),
            self.projection, self.projection_rate, self.reduction_share,
            self.floor,
        ], layout=widgets.Layout(width="42%", padding="0 12px 0 0"))
        results = widgets.VBox([self.status, self.total, self.chart, self.table, self.comparison, self.state],
                               layout=widgets.Layout(width="58%"))
        top = widgets.HBox([self.convention, self.year, self.name, self.save_button, self.saved, self.load_button,
                            self.reset_button], layout=widgets.Layout(flex_flow="row wrap"))
        top.add_class("scenario-top")
        return widgets.VBox([top, widgets.HBox([controls, results])])

    # -- options ----------------------------------------------------------------------------------

    def year_options(self, convention: str) -> list[int]:
        """Years with a bilan for ``convention``, and the projected years when the projection is on."""
        reported = sorted({y for c, _, y in self.runner.rows if c == convention})
        projected = self.runner.projectable_years if convention == CLS.code and self.scenario.projection else []
        return reported + [y for y in projected if y not in reported]

    def saved_options(self) -> list[tuple[str, str]]:
        return [(p.stem, str(p)) for p in saved(self.directory)]

    @contextmanager
    def quietly(self):
        """Set controls without recomputing at each one."""
        self._quiet, before = True, self._quiet
        try:
            yield
        finally:
            self._quiet = before

    # -- per-year controls -----------------------------------------------------------------------

    def action_sliders(self) -> list[widgets.Widget]:
        convention, year = self.convention.value, self.year.value
        c = self.result.consumption
        rows = c[(c["convention"] == convention) & (c["year"] == year)]
        overrides = {o.key: o for o in self.scenario.executed}
        sliders = []
        for action, rate in zip(rows["action"], rows["rate"]):
            key = (convention, action, int(year))
            known = not is_missing(rate)
            value = float(rate) if known else 0.0
            if key not in overrides:
                self.baselines[key] = value
            label = f"Action {action}" + ("" if known else " (non renseigné)")
            slider = _slider(label, min(value, MAX_RATE), 0.0, MAX_RATE, RATE_STEP, 1)
            slider.add_class(f"scenario-action-{css_name(action)}")
            slider.observe(lambda change, key=key: self.on_action(key, change["new"]), names="value")
            sliders.append(slider)
        return sliders or [widgets.HTML("<i>Aucune action avec des crédits État cette année.</i>")]

    def decision_toggles(self) -> list[widgets.Widget]:
        year = int(self.year.value)
        if self.convention.value != CLS.code:
            return [widgets.HTML("<i>France Travail : pas de réduction en n+1, le solde du bilan final règle la "
                                 "consommation.</i>")]
        c = self.base.consumption
        texts = dict(zip(zip(c["action"], c["year"]), c["justification"]))
        current = {(d.action, d.year): d.decision for d in self.scenario.decisions}
        out = []
        for _, action, y in sorted(k for k in self.runner.justified if k[0] == CLS.code and k[2] == year):
            text = html.escape(str(texts.get((action, y)) or ""))
            toggle = widgets.ToggleButtons(options=[("À apprécier", ""), ("Opérante", "acceptee"), ("Non opérante", "rejetee")],
                                           value=current.get((action, y), ""), style={"button_width": "110px"})
            toggle.add_class(f"scenario-decision-{css_name(action, y)}")
            toggle.observe(lambda change, a=action, yy=y: self.on_decision(a, yy, change["new"]), names="value")
            out += [widgets.HTML(f"<b>Action {action}</b> : {text[:160]}"), toggle]
        return out or [widgets.HTML(f"<i>Aucune justification dans le bilan {year}.</i>")]

    def avenant_sliders(self) -> list[widgets.Widget]:
        year = int(self.year.value) + 1
        if self.convention.value != CLS.code or year > domain.CLS.end.year:
            return []
        axes = sorted({str(a) for a in self.runner.axis_of.values()}, key=lambda a: (len(a), a))
        current = {a.axis: a.percent for a in self.scenario.avenants if a.year == year and a.axis and a.percent is not None}
        ids = display.assumption_id("avenant_changes_paid")
        out = [widgets.HTML(f"<h4>Avenant {year} : variation des crédits État notifiés ({ids})</h4>")]
        for axis in axes:
            slider = _slider(f"Axe {axis}", current.get(axis, 0.0), -0.5, 0.5, 0.01, signed=True)
            slider.add_class(f"scenario-avenant-{css_name(axis, year)}")
            slider.observe(lambda change, a=axis, y=year: self.on_avenant(a, y, change["new"]), names="value")
            out.append(slider)
        return out

    def rebuild(self) -> None:
        """The results, then the per-year controls of the selected convention and year (set from them)."""
        with self.quietly():
            options = self.year_options(self.convention.value)
            if list(self.year.options) != options:
                chosen = self.year.value if self.year.value in options else options[-1 if self.convention.value == FT.code else 0]
                self.year.options = options
                self.year.value = chosen
        self.refresh()
        old = [*self.actions.children, *self.decisions.children, *self.avenants.children]
        with self.quietly():
            self.actions.children = self.action_sliders()
            self.decisions.children = self.decision_toggles()
            self.avenants.children = self.avenant_sliders()
            self.projection_rate.disabled = self.projection.value != "uniforme"
        for control in old:  # a long session in the browser app would otherwise keep every control it ever drew
            control.close()

    # -- events ------------------------------------------------------------------------------------

    def on_selection(self, _change=None) -> None:
        if not self._quiet:
            self.rebuild()

    def on_setting(self, _change=None) -> None:
        """Thresholds, projection, reduction share, floor: read every setting control into the scenario."""
        if self._quiet:
            return
        mode = self.projection.value
        projection = mode != "aucune"
        rates = tuple((a, float(self.projection_rate.value)) for a in self.runner.axis_of) if mode == "uniforme" else ()
        executed = self.scenario.executed
        if not projection:  # overrides of projected years go with the projection
            executed = tuple(o for o in executed if o.year not in self.runner.projectable_years or o.convention != CLS.code)
        floor = cents(Decimal(str(self.floor.value or 0)))
        projected_before = self.scenario.projection
        self.scenario = replace(
            self.scenario, threshold=self.changed(self.threshold.value, "manifest_threshold"),
            tolerance=self.changed(self.tolerance.value, "consumption_tolerance"),
            reduction_share=self.changed(self.reduction_share.value, "reduction_share"),
            materiality_floor=floor if floor != Decimal(str(default("materiality_floor"))) else None,
            projection=projection, projection_rates=rates, executed=executed,
        )
        if projection != projected_before:  # the projected years come and go in the year list
            self.rebuild()
        else:
            self.refresh()

    @staticmethod
    def changed(value: float, register_name: str) -> float | None:
        """A setting's value, None when it is the register's (so that the scenario records only changes)."""
        value = round(float(value), 6)
        return None if abs(value - float(default(register_name))) < 1e-9 else value

    def on_action(self, key: tuple, value: float) -> None:
        if self._quiet:
            return
        convention, action, year = key
        baseline = self.baselines.get(key)
        if baseline is not None and abs(value - baseline) < 1e-9:
            self.scenario = self.scenario.with_executed(convention, action, year)
        else:
            self.scenario = self.scenario.with_executed(convention, action, year, rate=round(float(value), 6))
        self.refresh()

    def on_decision(self, action: str, year: int, decision: str) -> None:
        if not self._quiet:
            self.scenario = self.scenario.with_decision(action, year, decision or None)
            self.refresh()

    def on_avenant(self, axis: str, year: int, percent: float) -> None:
        if not self._quiet:
            self.scenario = self.scenario.with_avenant(year, axis=axis, percent=round(float(percent), 6) or None)
            self.refresh()

    # -- results -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute the scenario and redraw every result (a French message when it cannot be computed)."""
        try:
            result = self.runner.run(replace(self.scenario, name=self.name.value.strip() or DEFAULT_NAME))
        except ValueError as exc:  # ScenarioError, or a parameter out of range
            self.status.value = f'<p class="scenario-error" style="color:#CE0500">⚠ {html.escape(str(exc))}</p>'
            return
        self.result = result
        self.status.value = ""
        convention, year = self.convention.value, int(self.year.value)
        comparison = compare(self.base, result)
        self.total.value = self.total_html(comparison)
        self.chart.value = panel_png(plot_scenario_consumption(result, self.base, convention, year))
        shown = display.scenario_year(year, year in result.projected_years)
        table = display.scenario_consumption(result, convention, year, PANEL_COLUMNS)
        self.table.value = f"<h4>Constats {domain.label('convention', convention)} {shown}</h4>" + html_table(table)
        self.comparison.value = self.comparison_html(comparison, convention, year)
        overrides = "".join(f"<li>{html.escape(h)} : {html.escape(v)}</li>" for h, v in display.scenario_overrides(self.scenario))
        self.state.value = (f'<div class="scenario-state" data-scenario="{html.escape(dumps(result.scenario), quote=True)}">'
                            f"<h4>Hypothèses du scénario</h4><ul>{overrides}</ul></div>")

    def total_html(self, comparison) -> str:
        name = comparison.names[1]
        total, base = comparison.total(name), comparison.total(comparison.names[0])
        review = comparison.total(name, "amount_under_review")
        years = sorted({int(y) for y in self.result.consumption.loc[self.result.consumption["convention"] == CLS.code, "year"]})
        period = f"{years[0]}-{years[-1]}" if years else ""
        projected = ", projection comprise" if self.result.projected_years else ""
        settlement = comparison.settlement.set_index("scenario")
        ft = ""
        if name in settlement.index:
            row = settlement.loc[name]
            outcome = (f"solde à verser par l'État {display.eur(row['balance_due'])}" if row["balance_due"] > 0
                       else f"trop-perçu à rembourser {display.eur(row['refund_due'])}")
            ft = f"<p>France Travail 2024 : {outcome}.</p>"
        fictitious = "<p><b>Exemple fictif</b> : les chiffres d'exécution sont inventés.</p>" if self.result.fictitious else ""
        return (f"{fictitious}<p style='font-size:1.25em'>Montant exposé (CLS, {period}{projected}) : "
                f"<b class='scenario-total-value'>{display.eur(total)}</b> (base : {display.eur(base)})</p>"
                f"<p>À apprécier par l'État (justifications) : {display.eur(review)}.</p>{ft}")

    def comparison_html(self, comparison, convention: str, year: int) -> str:
        if self.scenario.is_base():
            return "<h4>Comparaison avec la base</h4><p>Le scénario ne modifie rien : c'est la base.</p>"
        parts = ["<h4>Comparaison avec la base</h4>"]
        if convention == CLS.code:
            parts.append(html_table(display.scenario_exposure(comparison, years=[year])))
            if not comparison.flags.empty:
                parts += ["<h4>Constats modifiés</h4>", html_table(display.scenario_flags(comparison))]
        else:
            parts.append(html_table(display.scenario_settlement(comparison)))
        return "".join(parts)

    def reopen(self, execution=None) -> None:
        """The saved scenarios listed again and, with ``execution``, the panel on these bilans from their base (the
        browser app's page opened after its kernel was preheated, see :func:`app`)."""
        with self.quietly():
            self.saved.options = self.saved_options()
        if execution is not None:
            self.runner = ScenarioRunner(self.contract, execution)
            self.base = self.result = self.runner.run()
            self.baselines = {}
            self.apply(Scenario(name=DEFAULT_NAME))

    # -- saving and loading ------------------------------------------------------------------------

    def save(self) -> Path | None:
        """Save the current scenario under its name (``directory``); the path, or None with a French message."""
        try:
            path = save(replace(self.scenario, name=self.name.value.strip()), directory=self.directory, contract=self.contract)
        except (ScenarioError, OSError) as exc:
            self.status.value = f'<p class="scenario-error" style="color:#CE0500">⚠ {html.escape(str(exc))}</p>'
            return None
        with self.quietly():
            self.saved.options = self.saved_options()
            self.saved.value = str(path)
        self.status.value = f"<p>Scénario enregistré : {html.escape(path.name)}</p>"
        return path

    def load(self, path: str | Path | None = None) -> Scenario | None:
        """Load a saved scenario (default: the one chosen in the list) and set every control from it."""
        path = path or self.saved.value
        if not path:
            self.status.value = "<p>Aucun scénario enregistré à charger.</p>"
            return None
        try:
            scenario = self.runner.check(load(path, self.contract))
        except ScenarioError as exc:
            self.status.value = f'<p class="scenario-error" style="color:#CE0500">⚠ {html.escape(str(exc))}</p>'
            return None
        self.apply(scenario)
        self.status.value = f"<p>Scénario chargé : {html.escape(Path(path).name)}</p>"
        return scenario

    def apply(self, scenario: Scenario) -> None:
        """Make ``scenario`` the current one and set every control from it."""
        self.scenario = scenario
        with self.quietly():
            self.name.value = scenario.name
            self.threshold.value = scenario.threshold if scenario.threshold is not None else default("manifest_threshold")
            self.tolerance.value = scenario.tolerance if scenario.tolerance is not None else default("consumption_tolerance")
            self.reduction_share.value = (scenario.reduction_share if scenario.reduction_share is not None
                                          else default("reduction_share"))
            self.floor.value = float(scenario.materiality_floor or default("materiality_floor"))
            rates = {r for _, r in scenario.projection_rates}
            uniform = scenario.projection and len(scenario.projection_rates) == len(self.runner.axis_of) and len(rates) == 1
            self.projection.value = "aucune" if not scenario.projection else ("uniforme" if uniform else "dernier_taux")
            if uniform:
                self.projection_rate.value = rates.pop()
        self.rebuild()


def panel(contract=None, execution=None, *, directory: str | Path | None = None) -> ScenarioPanel:
    """The scenario panel on ``contract`` and ``execution`` (default: :func:`inputs_from_environment`)."""
    if execution is None:
        contract, execution = inputs_from_environment(contract)
    return ScenarioPanel(contract, execution, directory=directory)


# ------------------------------------------------------------------------------------------------
# The browser app (make app)
# ------------------------------------------------------------------------------------------------

#: Set to "True" by Voilà in the kernels it preheats (``make app``).
PREHEAT_VARIABLE = "VOILA_PREHEAT"


def inputs_signature() -> tuple:
    """(file, size, modification time) of each file the app reads its bilans from (``$ANALYSIS_EXECUTION``, a
    folder or a workbook, else the embedded example): it changes when a workbook is saved, added or removed."""
    path = Path(os.environ.get(EXECUTION_VARIABLE) or domain.EXAMPLES_DIR)
    try:
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    except OSError:  # missing, or changed while listed: reading it says why
        return (str(path), None)


def wait_for_page() -> bool:
    """In a kernel Voilà preheats (``make app``), wait until a browser opens the page, then True; elsewhere
    (Jupyter, nbval, a kernel started for the page) False at once.

    Voilà's ``voila.utils.wait_for_request`` does the same, but importing it imports the whole Jupyter server (3 s
    of each preheated kernel): this is its protocol (Voilà 0.5), Voilà's request information received on the
    ``voila/query`` websocket of this kernel, through tornado's client (already loaded by the kernel).
    """
    if os.environ.get(PREHEAT_VARIABLE) != "True":
        return False
    import asyncio
    import json
    import threading

    from tornado.websocket import websocket_connect

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL") or env.get("VOILA_SERVER_URL", "/")
    url = (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:{env.get('VOILA_APP_PORT', '8866')}"
           f"{base}voila/query/{env.get('VOILA_KERNEL_ID')}")
    received = []

    async def receive():
        try:
            connection = await websocket_connect(url, connect_timeout=5)
        except Exception:  # noqa: BLE001 - no Voilà to wait for (as Voilà's helper): the page is taken as opened
            return
        try:
            received.append(await connection.read_message())
        finally:
            connection.close()

    thread = threading.Thread(target=lambda: asyncio.run(receive()), daemon=True)  # the kernel's own loop is busy
    thread.start()
    thread.join()
    if received and received[0]:
        os.environ.update(json.loads(received[0]))
    return True


def app(directory: str | Path | None = None) -> ScenarioPanel:
    """The browser app: the panel on the bilans of :func:`inputs_from_environment`, displayed; scenarios saved
    under ``directory``.

    ``make app`` has Voilà run the page in preheated kernels before anyone opens it, so that the panel shows at
    once. When the page is opened, the preheated panel lists the saved scenarios again and, if a workbook changed
    since it was read, starts again on the bilans read then; bilans that could not be read beforehand are read
    when the page is opened (its error, if any, is the current one). Elsewhere the panel is simply displayed.
    """
    from IPython.display import display as show

    signature = inputs_signature()
    try:
        panel = ScenarioPanel(*inputs_from_environment(), directory=directory)
    except Exception:  # in a preheated kernel, read again when the page is opened: the error shown is the current one
        if not wait_for_page():
            raise
        panel = ScenarioPanel(*inputs_from_environment(), directory=directory)
        show(panel)
        return panel
    show(panel)
    if wait_for_page():
        try:
            panel.reopen(inputs_from_environment(panel.contract)[1] if inputs_signature() != signature else None)
        except Exception:  # bilans changed and now rejected: the error, not a panel on the former ones
            panel.widget.layout.display = "none"
            raise
    return panel
