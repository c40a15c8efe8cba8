"""A scenario is plain data: the overrides an analyst applies to the loaded execution, and nothing else.

:class:`Scenario` holds, each optional (None or empty = as in the base):

- ``executed``: the State amount executed by an action in a year, as an amount in euros or as a rate of
  the credits available that year (:class:`ExecutedOverride`);
- ``decisions``: the State's decision on a CLS justification of under-consumption, 'acceptee' (judged
  « opérante », CLS art. 2.2: no reduction) or 'rejetee' (:class:`Decision`);
- ``threshold``, ``tolerance`` (H15, H16) and the indicator bands ``near_band``, ``late_band`` (H25, H26);
- ``reduction_share``: the share of the exposed credits the State reduces in n+1 (H02);
- ``avenants``: a change of the State credits notified for a CLS year (2025-2027), per axis or action,
  in percent or in euros (:class:`AvenantChange`, H39);
- ``projection``: whether the CLS years after the last bilan (2026, 2027) are projected, at a rate per
  action (``projection_rates``; an action not given runs at its last known rate, H36), with the
  carry-over of H37 and the n+1 reduction of H38;
- ``materiality_floor``: an amount at risk (or under review) below it is ignored (H35).

:func:`validate` checks a scenario against the contract (French :class:`ScenarioError` naming the field);
:mod:`~analysis.scenarios.files` saves and loads it as a small JSON file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal

from analysis.assumptions import resolve
from analysis.domain import BASE_SCENARIO_NAME, CLS, CONVENTION_YEARS, CONVENTIONS, FT, SCENARIO_DECISIONS
from analysis.money import cents

#: Scenario setting -> its assumption in the register (the default when the scenario leaves it None).
REGISTER_NAMES = {
    "threshold": "manifest_threshold",  # H15
    "tolerance": "consumption_tolerance",  # H16
    "near_band": "near_band",  # H25
    "late_band": "late_band",  # H26
    "reduction_share": "reduction_share",  # H02
    "materiality_floor": "materiality_floor",  # H35
    "projection_rate_default": "projection_rate_default",  # H36
    "projection_carry_over": "projection_carry_over",  # H37
    "reduction_in_projection": "reduction_in_projection",  # H38
    "avenant_changes_paid": "avenant_changes_paid",  # H39
}
#: Readings of the projected carry-over (H37).
CARRY_OVER_READINGS = ("non_consomme", "aucun")
#: Largest executed rate a scenario may set (150 % of the credits available: over-consumption is possible).
MAX_RATE = 1.5
#: Largest amount in euros a scenario may hold (a typing error beyond).
MAX_AMOUNT = Decimal("1000000000")


class ScenarioError(ValueError):
    """A scenario that cannot be used, in French: the file (when read from one), the field and the reason."""

    def __init__(self, field_name: str | None, reason: str, file: str | None = None):
        self.field, self.reason, self.file = field_name, reason, file
        where = f"fichier de scénario « {file} »" if file else "scénario"
        if field_name:
            where += f", champ « {field_name} »"
        super().__init__(f"{where} : {reason}")

    def in_file(self, file: str) -> ScenarioError:
        """The same error, naming the file it comes from."""
        return ScenarioError(self.field, self.reason, file)


@dataclass(frozen=True)
class ExecutedOverride:
    """The State amount executed by ``action`` of ``convention`` in ``year``: ``amount`` (euros) or ``rate``
    (executed / available credits of the year), exactly one of them."""

    convention: str
    action: str
    year: int
    amount: Decimal | None = None
    rate: float | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return self.convention, self.action, self.year


@dataclass(frozen=True)
class Decision:
    """The State's decision on the justification of CLS ``action`` in ``year``: 'acceptee' or 'rejetee'."""

    action: str
    year: int
    decision: str

    @property
    def key(self) -> tuple[str, str, int]:
        return CLS.code, self.action, self.year


@dataclass(frozen=True)
class AvenantChange:
    """A change of the State credits the avenant notifies for CLS ``year``: on one ``axis`` or one
    ``action`` (exactly one), by ``percent`` (-0.1 = cut by 10 %) or by ``amount`` (euros, signed)."""

    year: int
    axis: str | None = None
    action: str | None = None
    percent: float | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class Scenario:
    """Overrides of the base execution (see the module docstring); every field empty is the base."""

    name: str = BASE_SCENARIO_NAME
    description: str = ""
    threshold: float | None = None
    tolerance: float | None = None
    near_band: float | None = None
    late_band: float | None = None
    reduction_share: float | None = None
    materiality_floor: Decimal | None = None
    executed: tuple[ExecutedOverride, ...] = ()
    decisions: tuple[Decision, ...] = ()
    avenants: tuple[AvenantChange, ...] = ()
    projection: bool = False
    projection_rates: tuple[tuple[str, float], ...] = ()
    projection_carry_over: str | None = None
    reduction_in_projection: bool | None = None
    avenant_changes_paid: bool | None = None

    def is_base(self) -> bool:
        """Whether the scenario changes nothing (its name and description aside)."""
        return replace(self, name=BASE_SCENARIO_NAME, description="") == Scenario()

    def with_executed(self, convention: str, action: str, year: int, *, amount=None, rate=None) -> Scenario:
        """This scenario with the executed amount of one action-year set (both None: the override removed)."""
        key = (convention, action, int(year))
        kept = tuple(o for o in self.executed if o.key != key)
        if amount is None and rate is None:
            return replace(self, executed=kept)
        return replace(self, executed=(*kept, ExecutedOverride(convention, action, int(year), amount, rate)))

    def with_decision(self, action: str, year: int, decision: str | None) -> Scenario:
        """This scenario with the State's decision on one CLS justification (None: no decision)."""
        kept = tuple(d for d in self.decisions if (d.action, d.year) != (action, int(year)))
        return replace(self, decisions=kept if decision is None else (*kept, Decision(action, int(year), decision)))

    def with_avenant(self, year: int, *, axis=None, action=None, percent=None, amount=None) -> Scenario:
        """This scenario with the avenant change of one axis or action for ``year`` (no change: removed)."""
        kept = tuple(a for a in self.avenants if (a.year, a.axis, a.action) != (int(year), axis, action))
        if not percent and not amount:
            return replace(self, avenants=kept)
        return replace(self, avenants=(*kept, AvenantChange(int(year), axis, action, percent, amount)))


def setting(scenario: Scenario, name: str):
    """The value of a scenario setting: the scenario's when set, else the register's default
    (:data:`REGISTER_NAMES`: H02, H15, H16, H25, H26, H35-H39)."""
    value = getattr(scenario, name, None)
    if name == "materiality_floor":
        return cents(Decimal(str(resolve(value, "materiality_floor"))))
    if name == "projection_rate_default":
        return resolve(None, "projection_rate_default")
    return resolve(value, REGISTER_NAMES[name])


# ------------------------------------------------------------------------------------------------
# Validation against the contract
# ------------------------------------------------------------------------------------------------


def _share(field_name: str, value, low: float = 0.0, high: float = 1.0) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise ScenarioError(field_name, f"un nombre entre {low:g} et {high:g} est attendu, pas {value!r}")


def _amount(field_name: str, value, signed: bool = False) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise ScenarioError(field_name, f"un montant en euros (Decimal) est attendu, pas {value!r}")
    if value != cents(value):
        raise ScenarioError(field_name, f"montant {value} : au plus deux décimales (centimes)")
    if not signed and value < 0:
        raise ScenarioError(field_name, f"montant négatif {value} : un montant positif ou nul est attendu")


def contract_actions(contract) -> dict[str, dict[str, str]]:
    """convention -> {action: axis} of the contract."""
    acts = contract.actions
    return {c: dict(zip(acts.loc[acts["convention"] == c, "action"], acts.loc[acts["convention"] == c, "axis"].astype(str)))
            for c in CONVENTIONS}


def _year(field_name: str, year, convention: str, allowed=None) -> None:
    allowed = list(allowed if allowed is not None else CONVENTION_YEARS[convention])
    if isinstance(year, bool) or not isinstance(year, int) or year not in allowed:
        label = CONVENTIONS[convention].short_label
        raise ScenarioError(field_name, f"année {year!r} refusée ({label} : {', '.join(map(str, allowed))})")


def _action(field_name: str, action, convention: str, known: dict) -> None:
    if action not in known[convention]:
        label = CONVENTIONS[convention].short_label
        raise ScenarioError(field_name, f"action « {action} » inconnue ({label})")


def _check_executed(overrides, known: dict) -> None:
    seen = set()
    for i, o in enumerate(overrides):
        where = f"executed[{i}]"
        if o.convention not in CONVENTIONS:
            raise ScenarioError(f"{where}.convention", f"convention « {o.convention} » inconnue (attendu : cls ou ft)")
        _action(f"{where}.action", o.action, o.convention, known)
        _year(f"{where}.year", o.year, o.convention)
        if (o.amount is None) == (o.rate is None):
            raise ScenarioError(where, "indiquer soit un montant (amount), soit un taux (rate), pas les deux ni aucun")
        _amount(f"{where}.amount", o.amount)
        _share(f"{where}.rate", o.rate, 0.0, MAX_RATE)
        if o.key in seen:
            raise ScenarioError(where, f"action {o.action} ({o.year}) déjà modifiée plus haut")
        seen.add(o.key)


def _check_decisions(decisions, known: dict) -> None:
    seen = set()
    for i, d in enumerate(decisions):
        where = f"decisions[{i}]"
        if d.action in known[FT.code] and d.action not in known[CLS.code]:
            raise ScenarioError(f"{where}.action", f"action « {d.action} » de France Travail : la convention n'a pas de "
                                "réduction en n+1, l'État n'a pas de justification à apprécier")
        _action(f"{where}.action", d.action, CLS.code, known)
        _year(f"{where}.year", d.year, CLS.code)
        if d.decision not in SCENARIO_DECISIONS:
            raise ScenarioError(f"{where}.decision", f"décision « {d.decision} » inconnue (attendu : acceptee ou rejetee)")
        if d.key in seen:
            raise ScenarioError(where, f"décision sur l'action {d.action} ({d.year}) déjà donnée plus haut")
        seen.add(d.key)


def _check_avenants(changes, known: dict) -> None:
    seen = set()
    axes = set(known[CLS.code].values())
    for i, a in enumerate(changes):
        where = f"avenants[{i}]"
        _year(f"{where}.year", a.year, CLS.code, [y for y in CLS.years if y > CLS.start.year])
        if (a.axis is None) == (a.action is None):
            raise ScenarioError(where, "indiquer soit un axe (axis), soit une action (action) du CLS")
        if a.axis is not None and a.axis not in axes:
            raise ScenarioError(f"{where}.axis", f"axe « {a.axis} » inconnu pour le CLS (attendu : {', '.join(sorted(axes))})")
        if a.action is not None:
            _action(f"{where}.action", a.action, CLS.code, known)
        if (a.percent is None) == (a.amount is None):
            raise ScenarioError(where, "indiquer soit un pourcentage (percent), soit un montant (amount), pas les deux ni aucun")
        _share(f"{where}.percent", a.percent, -1.0, 1.0)
        _amount(f"{where}.amount", a.amount, signed=True)
        axis = a.axis if a.axis is not None else known[CLS.code][a.action]
        if (a.year, axis) in seen or (a.year, a.axis, a.action) in seen:
            raise ScenarioError(where, f"changement en double pour {a.year} (même axe ou action d'un axe déjà modifié)")
        seen |= {(a.year, axis)} if a.axis is not None else {(a.year, None, a.action), (a.year, axis)}


def validate(scenario: Scenario, contract, *, actions: dict | None = None) -> Scenario:
    """``scenario`` when every field is usable with ``contract``, else a French :class:`ScenarioError`
    (``actions``: :func:`contract_actions` of the contract, when already known)."""
    if not isinstance(scenario.name, str) or not scenario.name.strip():
        raise ScenarioError("name", "un nom de scénario non vide est attendu")
    for name in ("threshold", "tolerance", "near_band", "late_band", "reduction_share"):
        _share(name, getattr(scenario, name))
    _amount("materiality_floor", scenario.materiality_floor)
    known = actions if actions is not None else contract_actions(contract)
    _check_executed(scenario.executed, known)
    _check_decisions(scenario.decisions, known)
    _check_avenants(scenario.avenants, known)
    rates = dict(scenario.projection_rates)
    if len(rates) != len(scenario.projection_rates):
        raise ScenarioError("projection_rates", "une action y figure deux fois")
    for action, rate in scenario.projection_rates:
        _action(f"projection_rates.{action}", action, CLS.code, known)
        _share(f"projection_rates.{action}", rate, 0.0, MAX_RATE)
    if scenario.projection_carry_over not in (None, *CARRY_OVER_READINGS):
        raise ScenarioError("projection_carry_over", f"lecture « {scenario.projection_carry_over} » inconnue "
                            f"(attendu : {', '.join(CARRY_OVER_READINGS)})")
    if not isinstance(scenario.projection, bool):
        raise ScenarioError("projection", f"vrai ou faux (true / false) attendu, pas {scenario.projection!r}")
    for name in ("reduction_in_projection", "avenant_changes_paid"):
        value = getattr(scenario, name)
        if value is not None and not isinstance(value, bool):
            raise ScenarioError(name, f"vrai ou faux (true / false) attendu, pas {value!r}")
    return scenario
