"""Family 'execution': execution reports (phase 'executed') against themselves and the contract."""

from __future__ import annotations

from analysis.assumptions import default
from analysis.domain import FICHE_TABLE
from analysis.reconciliation.base import sum_or_none
from analysis.reconciliation.facts import Facts

FAMILY = "execution"


def _execution_lines(facts: Facts, execution) -> list[dict]:
    facts.rows("execution", execution.budget)
    return facts.pick("execution", phase="executed", row_type="line")


def _of(rows: list[dict], quantity: str, funder: str | None = None) -> list[dict]:
    return [r for r in rows if r["quantity"] == quantity and (funder is None or r["funder"] == funder)]


def _arithmetic(scope, check_key: str, year: int, g: list[dict], carry: list[dict]) -> list[dict]:
    """The checks of one action and year of a report (see :func:`check_execution_arithmetic`)."""
    action = scope.action
    state = [r for r in g if r["funder"] == "etat"]
    paid, executed, unconsumed = sum_or_none(_of(state, "paid")), sum_or_none(_of(state, "executed")), _of(state, "unconsumed")
    printed_total = _of(g, "executed_total")
    rows = []
    if unconsumed:
        rows.append(
            scope.at(funder="etat").money(
                f"{check_key}/non_consomme",
                sum_or_none(unconsumed),
                None if paid is None or executed is None else paid - executed,
                f"Action {action}, {year} : crédits État non consommés comparés aux crédits versés moins le montant réalisé.",
                (unconsumed, [r for r in state if r["quantity"] in ("paid", "executed")]),
            )
        )
    if printed_total:
        parts = [r for r in _of(g, "executed") if r["funder"] is not None]
        rows.append(
            scope.money(
                f"{check_key}/total_realise",
                sum_or_none(printed_total),
                sum_or_none(parts),
                f"Action {action}, {year} : montant total réalisé comparé à la somme des montants réalisés par financeur.",
                (printed_total, parts),
            )
        )
    if carry and unconsumed:
        rows.append(
            scope.at(funder="etat").money(
                f"{check_key}/report_etat",
                sum_or_none(carry),
                sum_or_none(unconsumed),
                f"Action {action}, {year} : le report de la part État sur {year + 1} ne peut dépasser les "
                "crédits État non consommés.",
                (carry, unconsumed),
                at_least=True,
            )
        )
    return rows


def check_execution_arithmetic(contract, execution) -> list[dict]:
    """Per action and year: unconsumed = paid - executed (State), total executed = sum of funders,
    State carry-over at most the unconsumed State credits."""
    facts = Facts.of(contract)
    lines = _execution_lines(facts, execution)
    rows = []
    for (convention, action, year), g in facts.groups("execution", lines, "convention", "action", "year", dropna=True):
        year = int(year)
        carry = [
            r
            for r in facts.pick(
                "execution", phase="executed", row_type="line", convention=convention, action=action, year=year + 1
            )
            if r["quantity"] == "carry_over" and r["funder"] == "etat"
        ]
        scope = facts.action_scope(FAMILY, convention, action, table="execution", year=year)
        rows.extend(_arithmetic(scope, f"execution/{convention}/{action}/{year}", year, g, carry))
    return rows


def check_execution_vs_contract(contract, execution) -> list[dict]:
    """State credits paid, as reported, against the State amount the contract plans for that year (fiche).

    The report asks for every State credit paid: FIPE included for FT action 2.4 (H09), ERBM included
    for the CLS (H04).
    """
    facts = Facts.of(contract)
    paid = _of(_execution_lines(facts, execution), "paid", "etat")
    rows = []
    for (convention, action, year), g in facts.groups("execution", paid, "convention", "action", "year", dropna=True):
        fiche = facts.pick("budget", table=FICHE_TABLE[convention], row_type="line", action=action, year=year)
        if convention == "ft":
            state = facts.ft_state(fiche, include_fipe=facts.choices.execution_paid_includes_fipe)
        else:
            state = facts.cls_state(fiche)
        scope = facts.action_scope(FAMILY, convention, action, table="execution", year=year, funder="etat")
        rows.append(
            scope.money(
                f"execution/{convention}/{action}/{int(year)}/verse_vs_prevu",
                sum_or_none(state),
                sum_or_none(g),
                f"Action {action}, {int(year)} : crédits État versés (rapport d'exécution) comparés à la part État prévue "
                "par la fiche action.",
                (state, g),
            )
        )
    return rows


def _twin_relations(facts: Facts) -> list[tuple[str, list[str]]]:
    """(whole, parts) of the twin indicators: an Annexe 10 indicator and the fiche indicators that refer to
    it (their sum), and the Annexe 1 / fiche pairs of the register (H29)."""
    fiche = [i for i in facts.pick("indicators", table="cls_fiche_indicateurs") if i["ref_indicator"] is not None]
    relations = [(ref, sorted(i["indicator_id"] for i in g)) for (ref,), g in facts.groups("indicators", fiche, "ref_indicator")]
    pairs = [p.split("=") for p in default("twin_indicators").split(";")]
    return relations + [(a.strip(), [b.strip()]) for a, b in pairs]


def check_twin_indicator_results(contract, execution) -> list[dict]:
    """Twin indicators (the same quantity printed in Annexe 1, a fiche and Annexe 10) must report the same
    result: an Annexe 10 result equals the sum of its fiches' results, an Annexe 1 result its fiche twin's (H29)."""
    facts = Facts.of(contract)
    facts.rows("execution_results", execution.indicator_values)
    reported: dict[tuple, list[dict]] = {}
    for r in facts.rows("execution_results"):
        if r["value"] is not None:
            reported.setdefault((r["indicator_id"], int(r["year"])), []).append(r)
    rows = []
    for whole, parts in _twin_relations(facts):
        years = sorted({y for i, y in reported if i in (whole, *parts)})
        for year in years:
            own = reported.get((whole, year), [])
            members = [r for p in parts for r in reported.get((p, year), [])]
            complete = own and all((p, year) in reported for p in parts)
            scope = facts.scope(FAMILY, convention="cls", table="execution", year=year)
            rows.append(scope.units(
                f"execution/indicateurs/{whole}/{year}",
                own[-1]["value"] if own else None,
                sum(r["value"] for r in members) if complete else None,
                f"Indicateur {whole}, résultat {year} : comparé au résultat de son jumeau ({' + '.join(parts)}), "
                "qui compte la même chose.",
                (own, members),
            ))
    return rows


EXECUTION_CHECKS = [check_execution_arithmetic, check_execution_vs_contract, check_twin_indicator_results]
