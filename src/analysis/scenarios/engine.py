"""Running a scenario: the rules of :func:`analysis.assess`, on the execution with the scenario's overrides.

:func:`run` returns a :class:`ScenarioAssessment`, an :class:`~analysis.assessment.Assessment` that also
holds the scenario and the years it projected. The base scenario gives exactly ``assess``'s frames. The
overrides act where the rules read them, and nowhere else:

- avenant changes (H39) replace the State credits notified (and, when recorded, paid) of the CLS
  action-years they cover, and the credits planned over 2024-2027 of the end-of-contract position;
- executed amounts (or rates of the credits available) replace the State amount executed; when less is
  left unconsumed than the bilan carried over, the carry-over is cut to the unconsumed credits, and the
  next year receives what is carried;
- the State's decision on a justification turns « justification à apprécier » into
  « justification acceptée » (no reduction: the justification is operative, CLS art. 2.2) or into
  « sous-consommation manifeste » (the amount under review becomes the amount at risk); the claim for
  undue sums of 2027 (art. 5) does not depend on it;
- thresholds and tolerance (H15, H16) flag the consumption, the bands (H25, H26) grade the indicators;
- the materiality floor (H35) sets to zero an amount at risk or under review below it;
- the projection adds the CLS years after the last bilan, each action consuming its projection rate
  (H36) of its credits: the year's credits (avenant or contract, after the scenario's avenant change)
  less the reduced share (H02, H38) of last year's exposure, plus the carry-over (H37).

:class:`ScenarioRunner` keeps what depends only on the contract and the loaded execution (fiche budgets,
rule rates, the base ledger, the expected trajectory, the planned credits, the indicators' attainment),
so that a panel recomputes a scenario in a fraction of ``assess``'s time.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from analysis.assessment import Assessment, resolve_parameters
from analysis.assessment.achievement import achievement_frame, share_frame, status
from analysis.assessment.cofinancing import cofinancing_frame
from analysis.assessment.consumption import CONSUMPTION_COLUMNS, classify, consumption_frame, exposure
from analysis.assessment.eligibility import ineligible_of, statement_eligibility
from analysis.assessment.expected import expected_rates
from analysis.assessment.ledger import (
    LEDGER_COLUMNS,
    available_state,
    build_ledger,
    contract_state,
    missing,
    planned_by_year,
    planned_state,
)
from analysis.assessment.settlement import end_of_contract_frame, ft_facts, settlement_frame
from analysis.domain import ACCEPTED_JUSTIFICATION_FLAG, CLS, CONVENTIONS, FT
from analysis.money import ZERO, cents
from analysis.scenarios.model import (
    AvenantChange,
    Decision,
    ExecutedOverride,
    Scenario,
    ScenarioError,
    contract_actions,
    setting,
    validate,
)

#: The parameters of :func:`analysis.assess` a scenario sets; the others keep the register's value.
SCENARIO_PARAMETERS = ("threshold", "tolerance", "near_band", "late_band")


def action_key(code) -> tuple:
    """An action code as numbers, for sorting ('1.10' after '1.9')."""
    return tuple(int(p) if p.isdigit() else p for p in str(code).split("."))


@dataclass(frozen=True)
class ScenarioAssessment(Assessment):
    """An :class:`~analysis.assessment.Assessment` under a scenario: the same frames, plus ``scenario``
    and ``projected_years`` (CLS years computed by the projection, not reported by a bilan)."""

    scenario: Scenario
    projected_years: tuple[int, ...]


class PreparedContract:
    """A contract whose fiche budgets and rule rates are read once; every other attribute is the contract's."""

    def __init__(self, contract):
        self.contract = contract
        self.budgets: dict[str, pd.DataFrame] = {}
        self.rates: dict[str, Decimal] = {}
        self.known_actions = contract_actions(contract)

    def planned_budget(self, convention: str) -> pd.DataFrame:
        if convention not in self.budgets:
            self.budgets[convention] = self.contract.planned_budget(convention)
        return self.budgets[convention]

    def rule_rate(self, name: str):
        if name not in self.rates:
            self.rates[name] = self.contract.rule_rate(name)
        return self.rates[name]

    def __getattr__(self, name):
        if name == "contract":
            raise AttributeError(name)
        return getattr(self.contract, name)


# ------------------------------------------------------------------------------------------------
# Avenant changes (H39)
# ------------------------------------------------------------------------------------------------


def changed_amounts(bases: dict[str, Decimal], change) -> dict[str, Decimal]:
    """New credits of the actions in ``bases`` ({action: credits}) under one avenant change: a percent
    applies to each; an amount goes to the action, or is shared on an axis in proportion to the credits
    (equal shares when they are all zero), the last action taking the remaining cents. Never below 0."""
    if change.percent is not None:
        factor = Decimal(repr(float(change.percent)))
        return {a: max(cents(b * (1 + factor)), ZERO) for a, b in bases.items()}
    total = sum(bases.values(), ZERO)
    out, left = {}, change.amount
    for i, (action, base) in enumerate(bases.items()):
        if i == len(bases) - 1:
            part = left
        else:
            part = cents(change.amount * (base / total if total else Decimal(1) / len(bases)))
        out[action], left = max(base + part, ZERO), left - part
    return out


def apply_avenants(planned: dict, scenario: Scenario, axis_of: dict) -> dict:
    """(action, year) -> (credits, source) after the scenario's avenant changes (source 'avenant');
    ``planned`` from :func:`~analysis.assessment.ledger.planned_by_year` (CLS). H39 (``avenant_changes_paid``)
    decides whether the paid credits of a reported year follow (see :func:`apply_reported`)."""
    out = dict(planned)
    for change in scenario.avenants:
        actions = [change.action] if change.action else [a for a, ax in axis_of.items() if str(ax) == change.axis]
        bases = {a: out.get((a, change.year), (ZERO, "contrat"))[0] for a in actions}
        for action, amount in changed_amounts(bases, change).items():
            out[(action, change.year)] = (amount, "avenant")
    return out


# ------------------------------------------------------------------------------------------------
# Overrides on the reported years
# ------------------------------------------------------------------------------------------------


def _set_credits(frame: pd.DataFrame, i: int, amount: Decimal, paid_follows: bool) -> None:
    """Notified credits of ledger row ``i`` set to ``amount``; the paid credits, when recorded, change by the
    same amount (H39, ``avenant_changes_paid``)."""
    change = amount - planned_state(frame.loc[i])[0]
    frame.at[i, "notified_state"] = amount
    paid = frame.at[i, "paid_state"]
    if paid_follows and not missing(paid):
        frame.at[i, "paid_state"] = max(paid + change, ZERO)


def _cap_carry(frame: pd.DataFrame, i: int, position: dict, params) -> tuple | None:
    """Cut the carry-over of row ``i`` to its unconsumed credits; the key of the next year's row when cut."""
    row = frame.loc[i]
    executed = row["executed_state"]
    if missing(executed) or missing(row["carried_out_state"]):
        return None
    unconsumed = max(available_state(row, planned_state(row)[0], params) - executed, ZERO)
    if row["carried_out_state"] <= unconsumed:
        return None
    frame.at[i, "carried_out_state"] = unconsumed
    following = (row["convention"], row["action"], int(row["year"]) + 1)
    if following in position:
        frame.at[position[following], "carried_in_state"] = unconsumed
        return following
    return None


def apply_reported(ledger: pd.DataFrame, scenario: Scenario, changed: dict, params) -> pd.DataFrame:
    """The ledger of the reported years under the scenario: the avenant credits ``changed`` ((action, year)
    -> (credits, source), from :func:`apply_avenants`), then the executed amounts, year by year, with
    carry-overs cut where less is left unconsumed than was carried."""
    if not changed and not scenario.executed:
        return ledger
    frame = ledger.copy()
    keys = list(zip(frame["convention"], frame["action"], frame["year"].astype(int)))
    position = {k: i for i, k in enumerate(keys)}
    paid_follows = setting(scenario, "avenant_changes_paid")
    touched = set()
    for (action, year), (amount, _) in changed.items():
        if (CLS.code, action, year) in position:
            _set_credits(frame, position[(CLS.code, action, year)], amount, paid_follows)
            touched.add((CLS.code, action, year))
    overrides = {o.key: o for o in scenario.executed}
    for key in sorted(keys, key=lambda k: k[2]):
        i = position[key]
        if key in overrides:
            row = frame.loc[i]
            frame.at[i, "executed_state"] = executed_amount(overrides[key], available_state(row, planned_state(row)[0], params))
            touched.add(key)
        if key in touched:
            following = _cap_carry(frame, i, position, params)
            if following:
                touched.add(following)
    return frame


def executed_amount(override, available: Decimal) -> Decimal:
    """The executed amount an override sets: its amount, or its rate of the credits available."""
    return override.amount if override.amount is not None else cents(Decimal(repr(float(override.rate))) * available)


# ------------------------------------------------------------------------------------------------
# Decisions, materiality floor
# ------------------------------------------------------------------------------------------------


def apply_decisions(consumption: pd.DataFrame, decisions) -> pd.DataFrame:
    """The State's decisions on justifications (see the module docstring); the frame is changed in place."""
    if not decisions:
        return consumption
    keys = list(zip(consumption["convention"], consumption["action"], consumption["year"]))
    position = {k: i for i, k in enumerate(keys)}
    for d in decisions:
        i = position.get(d.key)
        if i is None or consumption.at[i, "flag"] != "justification_a_apprecier":
            continue
        reduction = consumption.at[i, "risk_kind"] != "remboursement"
        if d.decision == "acceptee":
            consumption.at[i, "flag"] = ACCEPTED_JUSTIFICATION_FLAG
            if reduction:
                consumption.at[i, "amount_under_review"], consumption.at[i, "risk_kind"] = ZERO, None
        else:
            consumption.at[i, "flag"] = "sous_consommation_manifeste"
            if reduction:
                review = consumption.at[i, "amount_under_review"]
                consumption.at[i, "amount_at_risk"], consumption.at[i, "amount_under_review"] = review, ZERO
    return consumption


def apply_floor(consumption: pd.DataFrame, floor: Decimal) -> pd.DataFrame:
    """Amounts at risk or under review below the materiality ``floor`` (H35) set to zero (``risk_kind``
    None when nothing is left); the frame is changed in place."""
    if floor <= 0 or consumption.empty:
        return consumption
    risk = [ZERO if a < floor else a for a in consumption["amount_at_risk"]]
    review = [ZERO if a < floor else a for a in consumption["amount_under_review"]]
    kinds = [k if (r > 0 or v > 0) else None for k, r, v in zip(consumption["risk_kind"], risk, review)]
    consumption["amount_at_risk"] = pd.Series(risk, index=consumption.index, dtype=object)
    consumption["amount_under_review"] = pd.Series(review, index=consumption.index, dtype=object)
    consumption["risk_kind"] = pd.Series(kinds, index=consumption.index, dtype=consumption["risk_kind"].dtype)
    return consumption


# ------------------------------------------------------------------------------------------------
# Projection of the CLS years after the last bilan (H36-H38)
# ------------------------------------------------------------------------------------------------


def projection_rates(consumption: pd.DataFrame, scenario: Scenario, actions) -> dict[str, float]:
    """Projection rate per CLS action: the scenario's, else (H36, ``projection_rate_default``
    'dernier_taux') the rate of the last year whose executed amount is known, else 100 %."""
    last: dict[str, tuple[int, float]] = {}
    for convention, action, year, rate in zip(consumption["convention"], consumption["action"], consumption["year"],
                                              consumption["rate"]):
        if convention == CLS.code and not missing(rate) and (action not in last or year > last[action][0]):
            last[action] = (year, float(rate))
    given = dict(scenario.projection_rates)
    if setting(scenario, "projection_rate_default") != "dernier_taux":  # pragma: no cover - the register's only reading
        last = {}
    return {a: float(given.get(a, last.get(a, (None, 1.0))[1])) for a in actions}


def projected_credits(action: str, year: int, credits: dict, previous, scenario: Scenario) -> tuple[Decimal, str]:
    """Credits of a projected year: the year's credits (avenant or contract, after the scenario's change)
    less the reduced share (H02) of the previous year's exposure to an n+1 reduction (H38). ``previous``:
    the previous year's consumption row of the action, or None."""
    amount, source = credits.get((action, year), (ZERO, "contrat"))
    if previous is None or not setting(scenario, "reduction_in_projection") or previous["risk_kind"] != "reduction_n1":
        return amount, source
    reduction = cents(Decimal(repr(float(setting(scenario, "reduction_share")))) * previous["amount_at_risk"])
    return (max(amount - reduction, ZERO), "avenant") if reduction > 0 else (amount, source)


def projected_row(key: tuple, axis: str, credits: tuple, carried_in, executed, contract_planned: dict, params,
                  carry_reading: str) -> dict:
    """One ledger row of a projected year: ``executed`` is an amount (an override) or a rate (a float) of the
    credits available; the unconsumed credits are carried to the next year (H37, ``projection_carry_over``),
    never beyond the end of the contract (art. 5)."""
    convention, action, year = key
    amount, source = credits
    row = {c: None for c in LEDGER_COLUMNS} | {
        "convention": convention, "axis": axis, "action": action, "year": year,
        "planned_contract": contract_planned.get(key), "notified_state": amount if source == "avenant" else None,
        "carried_in_state": carried_in, "declared_rate": float("nan"),
    }
    available = available_state(row, planned_state(row)[0], params)
    row["executed_state"] = cents(Decimal(repr(executed)) * available) if isinstance(executed, float) else executed
    unconsumed = max(available - row["executed_state"], ZERO)
    row["carried_out_state"] = ZERO if year == CLS.end.year or carry_reading != "non_consomme" else unconsumed
    return row


def projected_consumption(row: dict, expected: tuple, params, floor: Decimal) -> dict:
    """The consumption row of a projected ledger row, by the rules of
    :func:`~analysis.assessment.consumption.consumption_frame` for a row without justification, declared
    trajectory nor Département amount (:func:`classify`, :func:`exposure`), then the floor (H35).
    Built directly so that each year can pass its exposure on to the next (a test checks it agrees with
    ``consumption_frame``)."""
    planned, source = planned_state(row)
    available = available_state(row, planned, params)
    executed = row["executed_state"]
    unconsumed = max(available - executed, ZERO)
    rate = float(executed / available) if available > 0 else float("nan")
    flag = classify(rate, expected[0], False, params.threshold, params.tolerance)
    at_risk, review, kind = exposure(flag, int(row["year"]), expected[0], available, executed, unconsumed, params)
    at_risk, review = (ZERO if at_risk < floor else at_risk), (ZERO if review < floor else review)
    return {
        **row, "planned_state": planned, "planned_state_source": source, "available_state": available,
        "unconsumed_state": unconsumed, "rate": rate, "expected_rate": expected[0], "expected_rate_source": expected[1],
        "departement_share": float("nan"), "justification": None, "flag": flag, "amount_at_risk": at_risk,
        "amount_under_review": review, "risk_kind": kind if (at_risk > 0 or review > 0) else None,
    }


def row_key(row: dict) -> tuple[str, str, int]:
    return row["convention"], row["action"], int(row["year"])


# ------------------------------------------------------------------------------------------------
# The runner
# ------------------------------------------------------------------------------------------------


class ScenarioRunner:
    """Runs scenarios on one contract and one loaded execution (:meth:`run`), keeping what they share."""

    def __init__(self, contract, execution):
        self.contract = PreparedContract(contract)
        self.execution = execution
        base = resolve_parameters()
        self.base_parameters = base
        self.ledger = build_ledger(self.contract, execution, base)
        trajectory = expected_rates(self.contract, base)
        self.expected = {(c, a, int(y)): (r, s) for c, a, y, r, s in trajectory.itertuples(index=False)}
        self.contract_planned, _ = contract_state(self.contract, base)
        self.planned = planned_by_year(self.contract, execution, base, CLS.code)
        acts = contract.actions[contract.actions["convention"] == CLS.code]
        self.axis_of = dict(zip(acts["action"], acts["axis"]))
        self.achievement = achievement_frame(self.contract, execution, base, None)
        self.shares = share_frame(self.contract, execution, base, None)
        _, advance, volet2_rate = ft_facts(self.contract)
        self.facts = {"cls_departement_min_share": self.contract.rule_rate("cls_departement_min_share"),
                      "ft_volet2_departement_cofinancing": volet2_rate, "ft_advance": advance, "time_bases": {}}
        self.fictitious = bool(execution.workbooks["fictitious"].any())
        # France Travail's settlement and co-financing read only its 2024 rows, which only an executed
        # override of a France Travail action changes: kept for the scenarios that leave them alone.
        self.expenses = statement_eligibility(execution, base.straddling)
        self.ineligible = ineligible_of(self.expenses)
        self.settlement = settlement_frame(self.contract, self.ledger, base, ineligible=self.ineligible)
        self.cofinancing = cofinancing_frame(self.contract, self.ledger, base)
        led = self.ledger
        self.rows = set(zip(led["convention"], led["action"], led["year"].astype(int)))
        justified = [not (missing(j) or not str(j).strip()) or not (missing(g) or not str(g).strip())
                     for j, g in zip(led["justification"], led["gap_reason"])]
        self.justified = {k for k, j in zip(zip(led["convention"], led["action"], led["year"].astype(int)), justified) if j}
        cls_years = [y for c, _, y in self.rows if c == CLS.code]
        self.last_cls_year = max(cls_years) if cls_years else None

    @property
    def projectable_years(self) -> list[int]:
        """CLS years after the last bilan, which a projection computes."""
        start = CLS.start.year if self.last_cls_year is None else self.last_cls_year + 1
        return list(range(start, CLS.end.year + 1))

    def check(self, scenario: Scenario) -> Scenario:
        """``scenario`` checked against the contract and the loaded execution (French :class:`ScenarioError`)."""
        validate(scenario, self.contract, actions=self.contract.known_actions)
        projected = set(self.projectable_years) if scenario.projection else set()
        for i, o in enumerate(scenario.executed):
            if o.key not in self.rows and not (o.convention == CLS.code and o.year in projected):
                label = CONVENTIONS[o.convention].short_label
                raise ScenarioError(f"executed[{i}]", f"aucune ligne de crédits État pour l'action {o.action} ({label}) "
                                    f"en {o.year} : année sans bilan chargé ni projection, ou action sans crédits État "
                                    "de la convention")
        for i, d in enumerate(scenario.decisions):
            if d.key not in self.justified:
                raise ScenarioError(f"decisions[{i}]", f"aucune justification du Département pour l'action {d.action} "
                                    f"en {d.year} dans les bilans chargés")
        return scenario

    def parameters(self, scenario: Scenario):
        return resolve_parameters(**{name: getattr(scenario, name) for name in SCENARIO_PARAMETERS})

    def consumption(self, ledger: pd.DataFrame, scenario: Scenario, params) -> pd.DataFrame:
        """Consumption, flags and exposure of ``ledger``'s rows, with the decisions and the floor applied."""
        frame = apply_decisions(consumption_frame(ledger, self.expected, params), scenario.decisions)
        return apply_floor(frame, setting(scenario, "materiality_floor"))

    def project(self, consumption: pd.DataFrame, scenario: Scenario, params, credits: dict) -> tuple:
        """(consumption with the projected years, credits of every year, projected years)."""
        years = self.projectable_years if self.last_cls_year is not None else []
        if not years:
            return consumption, credits, ()
        rates = projection_rates(consumption, scenario, list(self.axis_of))
        fields = ("convention", "action", "year", "risk_kind", "amount_at_risk", "carried_out_state")
        previous = {r["action"]: r for r in (dict(zip(fields, values)) for values in zip(*(consumption[f] for f in fields)))
                    if r["convention"] == CLS.code and r["year"] == self.last_cls_year}
        credits, rows, floor = dict(credits), [], setting(scenario, "materiality_floor")
        for year in years:
            current = {}
            for action, axis in self.axis_of.items():
                row = self.projected((CLS.code, action, year), str(axis), credits, previous.get(action), rates[action], scenario,
                                     params)
                if row is not None:
                    rows.append(projected_consumption(row, self.expected.get(row_key(row), (1.0, "contrat")), params, floor))
                    current[action] = rows[-1]
            previous = current
        frame = pd.DataFrame(rows, columns=CONSUMPTION_COLUMNS)
        frame = frame.astype({c: consumption[c].dtype for c in frame.columns if frame[c].dtype != consumption[c].dtype})
        n_cls = int((consumption["convention"] == CLS.code).sum())  # CLS rows come first (sorted by convention)
        combined = pd.concat([consumption.iloc[:n_cls], frame, consumption.iloc[n_cls:]], ignore_index=True)
        return combined, credits, tuple(years)

    def projected(self, key: tuple, axis: str, credits: dict, previous: dict | None, rate: float, scenario: Scenario,
                  params) -> dict | None:
        """The ledger row of one projected action-year (None when it has neither credits nor carry-in);
        ``credits`` gets the year's credits."""
        _, action, year = key
        carried = None if previous is None or missing(previous["carried_out_state"]) else previous["carried_out_state"]
        if (action, year) not in credits and not carried:
            return None
        credits[(action, year)] = projected_credits(action, year, credits, previous, scenario)
        override = next((o for o in scenario.executed if o.key == key), None)
        executed = float(rate) if override is None else (
            override.amount if override.amount is not None else float(override.rate))
        return projected_row(key, axis, credits[(action, year)], carried, executed, self.contract_planned, params,
                             setting(scenario, "projection_carry_over"))

    def achievement_for(self, params) -> pd.DataFrame:
        """The indicators' frame, graded with the scenario's bands (H25, H26)."""
        frame = self.achievement.copy()
        base = self.base_parameters
        if (params.near_band, params.late_band) != (base.near_band, base.late_band):
            frame["status"] = [status(a, params.near_band, params.late_band) for a in frame["attainment"]]
        return frame

    def run(self, scenario: Scenario | None = None) -> ScenarioAssessment:
        """The assessment of the execution under ``scenario`` (default: the base, which is ``assess``'s)."""
        scenario = self.check(scenario if scenario is not None else Scenario())
        params = self.parameters(scenario)
        credits = apply_avenants(self.planned, scenario, self.axis_of)
        changed = {k: v for k, v in credits.items() if v[0] != self.planned.get(k, (ZERO, None))[0]}
        ledger = apply_reported(self.ledger, scenario, changed, params)
        consumption = self.consumption(ledger, scenario, params)
        projected = ()
        if scenario.projection:
            consumption, credits, projected = self.project(consumption, scenario, params, credits)
        ft_changed = any(o.convention == FT.code for o in scenario.executed)
        return ScenarioAssessment(
            consumption=consumption,
            settlement=(settlement_frame(self.contract, ledger, params, ineligible=self.ineligible) if ft_changed
                        else self.settlement.copy()),
            end_of_contract=end_of_contract_frame(consumption, credits, self.axis_of),
            cofinancing=cofinancing_frame(self.contract, ledger, params) if ft_changed else self.cofinancing.copy(),
            achievement=self.achievement_for(params),
            indicator_shares=self.shares.copy(),
            expenses=self.expenses.copy(),
            parameters={**params.as_dict(), **self.facts},
            fictitious=self.fictitious,
            scenario=scenario,
            projected_years=projected,
        )


def run(contract, execution, scenario: Scenario | None = None) -> ScenarioAssessment:
    """The assessment of ``execution`` against ``contract`` under ``scenario`` (default: the base, equal to
    :func:`analysis.assess`'s). For many scenarios on the same data, keep a :class:`ScenarioRunner`."""
    return ScenarioRunner(contract, execution).run(scenario)


def illustrative_scenarios(runner: ScenarioRunner) -> tuple[Scenario | None, Scenario | None]:
    """Two scenarios built from the loaded bilans, to show what a scenario is (notebook 04): (CLS, France
    Travail), None where the bilans hold nothing to vary.

    CLS: in the last year loaded, the action with the most State credits available consumes 60 % of them;
    the State rejects the first justification left for it to assess (art. 2.2); the next avenant cuts that action's
    axis by 10 %; the years after the last bilan follow this year's pace (H36-H38); the State reduces half of
    what is exposed (H02). France Travail: the action with the most credits spends 90 % of them.
    """
    led = runner.ledger
    cls = led[(led["convention"] == CLS.code) & (led["year"] == runner.last_cls_year)]
    cls_scenario = None
    if len(cls):
        top = cls.assign(_a=[available_state(r, planned_state(r)[0], runner.base_parameters) for _, r in cls.iterrows()])
        top = top.sort_values("_a", ascending=False, kind="stable").iloc[0]
        year = int(top["year"])
        c = runner.run().consumption
        review = c[(c["convention"] == CLS.code) & (c["flag"] == "justification_a_apprecier")]
        decisions = tuple(Decision(str(a), int(y), "rejetee") for a, y in zip(review["action"][:1], review["year"][:1]))
        avenants = (AvenantChange(year + 1, axis=str(top["axis"]), percent=-0.10),) if year < CLS.end.year else ()
        cls_scenario = Scenario(
            name=f"Action {top['action']} à 60 % en {year}, axe {top['axis']} réduit",
            description="Scénario d'illustration du notebook 04, tiré des bilans lus.",
            executed=(ExecutedOverride(CLS.code, str(top["action"]), year, rate=0.6),), decisions=decisions,
            avenants=avenants, projection=year < CLS.end.year, reduction_share=0.5)
    ft = led[led["convention"] == FT.code]
    ft_scenario = None
    if len(ft):
        top = ft.assign(_a=[available_state(r, planned_state(r)[0], runner.base_parameters) for _, r in ft.iterrows()])
        top = top.sort_values("_a", ascending=False, kind="stable").iloc[0]
        ft_scenario = Scenario(name=f"France Travail : action {top['action']} à 90 %",
                               executed=(ExecutedOverride(FT.code, str(top["action"]), int(top["year"]), rate=0.9),))
    return cls_scenario, ft_scenario
