"""Family 'regles': co-financing, advance and revenue rules.

Contract figures come from ``rules.csv`` by their ``rule_id`` (``contract.rule_rate``); analysis
choices from the assumptions register (H05-H07, through :class:`~analysis.reconciliation.facts.Choices`).
"""

from __future__ import annotations

from decimal import Decimal

from analysis.domain import CLS, FICHE_TABLE, FT
from analysis.formatting import format_percent
from analysis.money import ZERO, cents
from analysis.reconciliation.base import sum_or_none, total
from analysis.reconciliation.facts import Facts

FAMILY = "regles"
#: The France Travail volet whose actions the Département co-finances (convention, article 3.3, l. 5819-5823).
COFINANCED_VOLET = FT.cofinanced_group
#: Funds printed as a valorisation, not as money paid: « FSE+ (valorisation) » of fiche 2.5 (l. 8144-8150).
VALORISED_FUNDS = {"FSE+"}
#: The revenue line of the president's report printed as already booked (« Inscrit », l. 11031): not the
#: contracts' revenue, so not compared (S03).
BOOKED_REVENUE = "Inscrit"


def _share(amount, rate: Decimal):
    return None if amount is None else cents(amount * rate)


def check_cls_department_share(contract) -> list[dict]:
    """CLS: the Département brings at least 50 % of each action's credits, in every table and year.

    Rule ``cls_departement_min_share`` of rules.csv (convention, article 2.2, l. 348).
    """
    facts = Facts.of(contract)
    rate = facts.contract.rule_rate("cls_departement_min_share")
    specs = [(FICHE_TABLE[CLS.code], None, None), ("cls_a3_prev_2024", "B", "F"), ("cls_a3_prev_2025", "K", "M")]
    rows = []
    for table, dept_column, total_column in specs:
        lines = facts.pick("budget", table=table, row_type="line")
        for (action, year), g in facts.groups("budget", lines, "action", "year", dropna=True):
            if dept_column is None:  # a fiche: the Département's column and the row total
                dept, cost = [r for r in g if r["funder"] == "departement"], [r for r in g if r["quantity"] == "total"]
            else:
                dept, cost = (
                    [r for r in g if r["column_label"] == dept_column],
                    [r for r in g if r["column_label"] == total_column],
                )
            if not cost:
                continue
            scope = facts.action_scope(FAMILY, CLS.code, action, table=table, year=year, funder="departement")
            rows.append(
                scope.money(
                    f"regles/cls/part_departement/{table}/{action}/{int(year)}",
                    _share(sum_or_none(cost), rate),
                    sum_or_none(dept) if dept else ZERO,
                    f"Action {action}, {int(year)} ({table}) : le Département doit apporter au moins {format_percent(rate)} "
                    "des crédits de l'action (article 2.2 du CLS).",
                    (cost, dept),
                    at_least=True,
                )
            )
    return rows


def _cofinanced_actions(facts: Facts) -> list[str]:
    """Actions of volet 2 with a France Travail amount in the plan d'action (2.4 and 2.8 have none)."""
    plan = facts.pick("budget", table="ft_plan_action", row_type="line")
    return sorted(r["action"] for r in plan if r["amount_eur"] > 0 and facts.axis_of.get(r["action"]) == COFINANCED_VOLET)


def _cofinancing(facts: Facts, fiche: list[dict]) -> dict:
    """One action's 2024 fiche: cost (``None`` when not printed), the cost the rule counts, State share
    (H05) and co-financing.

    Co-financing is what is not State money of the convention (Département and other co-financers);
    valorised FSE+ counts in the cost and in the co-financing when H07 says so.
    """
    cost = sum_or_none([r for r in fiche if r["quantity"] == "total"])
    valorised = total([r for r in fiche if r["funder_detail"] in VALORISED_FUNDS])
    counted = cost if cost is None or facts.choices.ft_cofinancing_counts_fse else cost - valorised
    state = sum_or_none(facts.ft_state(fiche)) or ZERO
    return {"cost": cost, "counted": counted, "state": state, "cofinancing": (counted or ZERO) - state}


def check_ft_cofinancing(contract) -> list[dict]:
    """FT volet 2: the Département co-finances 50 % of the actions' total cost (rule
    ``ft_volet2_departement_cofinancing``, convention article 3.3, l. 5821; report l. 11007).

    The rule is judged on the whole volet (H06): per action, a State share that departs from 50 % either
    way is reported for information. The Département's own share, with and without the valorised FSE+
    (H07), is reported for information too.
    """
    facts = Facts.of(contract)
    rate = facts.contract.rule_rate("ft_volet2_departement_cofinancing")
    per_action = facts.choices.ft_cofinancing_scope != "volet"
    funded = _cofinanced_actions(facts)
    rows, figures = [], []
    for action in funded:
        fiche = facts.pick("budget", table=FICHE_TABLE[FT.code], row_type="line", year=2024, action=action)
        f = _cofinancing(facts, fiche)
        figures.append(f)
        state_share = format_percent(f["state"] / f["counted"], 1) if f["counted"] else "non calculable"
        scope = facts.action_scope(FAMILY, FT.code, action, table=FICHE_TABLE[FT.code], year=2024)
        rows.append(
            scope.money(
                f"regles/ft/cofinancement_50/{action}",
                _share(f["counted"], rate),
                f["cofinancing"],
                f"Action {action} (volet 2) : part cofinancée hors État comparée à {format_percent(rate)} du coût total de "
                f"l'action ; part de l'État : {state_share}"
                + (
                    "."
                    if per_action
                    else " (la convention fixe ce taux sur la globalité du volet : un écart par action, dans un sens "
                    "ou dans l'autre, est signalé pour information)."
                ),
                ([r for r in fiche if r["quantity"] == "total"], [r for r in fiche if r["funder"] is not None]),
                severity=None if per_action else "information",
                at_least=per_action,
            )
        )
    scope = facts.scope(FAMILY, convention=FT.code, table=FICHE_TABLE[FT.code], axis=COFINANCED_VOLET, year=2024)
    rows.append(
        scope.money(
            "regles/ft/cofinancement_50/volet2",
            _share(total(f["counted"] or ZERO for f in figures), rate),
            total(f["cofinancing"] for f in figures),
            f"Volet 2 dans sa globalité : part cofinancée hors État comparée à {format_percent(rate)} du coût total des "
            f"actions financées ({', '.join(funded)}).",
            at_least=True,
        )
    )
    rows.extend(_department_own_share(facts, scope, funded, figures, rate))
    return rows


def _department_own_share(facts: Facts, scope, funded: list[str], figures: list[dict], rate: Decimal) -> list[dict]:
    """The Département's own share of volet 2, with and without the valorised FSE+ (H07), for information."""
    cost = total(f["cost"] or ZERO for f in figures)
    fiche = [r for a in funded for r in facts.pick("budget", table=FICHE_TABLE[FT.code], row_type="line", year=2024, action=a)]
    dept = [r for r in fiche if r["funder"] == "departement"]
    valorised = [r for r in fiche if r["funder_detail"] in VALORISED_FUNDS]
    rows = []
    for key, parts, text in (
        ("departement_avec_fse", dept + valorised, "part du Département, FSE+ valorisé compris"),
        ("departement_sans_fse", dept, "part du Département seule, sans le FSE+ valorisé"),
    ):
        amount = total(parts)
        share = format_percent(amount / cost, 1) if cost else "non calculable"
        rows.append(
            scope.at(funder="departement").money(
                f"regles/ft/cofinancement_50/volet2/{key}",
                _share(cost, rate),
                amount,
                f"Volet 2 ({', '.join(funded)}) : {text} ({share} du coût total, valorisation comprise) comparée à "
                f"{format_percent(rate)} de ce coût ; la règle compte tout le cofinancement hors État : constat donné "
                "pour information.",
                ([r for r in fiche if r["quantity"] == "total"], parts),
                severity="information",
                at_least=True,
            )
        )
    return rows


def check_ft_advance_and_revenue(contract) -> list[dict]:
    """FT advance = 60 % of the State amount (rule ``ft_advance_rate``, article 6, l. 5953); the
    deliberation's revenue = State amounts of both contracts in 2024 (l. 97, 11031)."""
    facts = Facts.of(contract)
    rate = facts.contract.rule_rate("ft_advance_rate")
    ft_total = facts.pick("text_amounts", convention=FT.code, document="ft_convention", scope="contract")
    advance = facts.pick("text_amounts", convention=FT.code, scope="advance")
    scope = facts.scope(FAMILY, convention=FT.code, table="text_amounts", year=2024, funder="etat")
    rows = [
        scope.money(
            "regles/ft/avance_60",
            advance[0]["amount_eur"] if advance else None,
            cents(ft_total[0]["amount_eur"] * rate) if ft_total else None,
            f"Avance France Travail : montant imprimé comparé au taux d'avance de l'article 6 ({format_percent(rate)}) "
            "appliqué au montant État de la convention.",
            (advance, ft_total),
        )
    ]
    cls_2024 = facts.pick("text_amounts", convention=CLS.code, document="cls_convention", scope="contract", year=2024)
    parts = facts.sort("text_amounts", cls_2024, "source_line")[:1] + ft_total
    for revenue in facts.pick("text_amounts", scope="revenue"):
        if BOOKED_REVENUE in revenue["label"]:
            continue  # the amount already booked before the deliberation: not the contracts' revenue
        rows.append(
            scope.at(convention="deliberation").money(
                f"regles/recette/{revenue['document']}/l{int(revenue['source_line'])}",
                revenue["amount_eur"],
                sum_or_none(parts),
                f"Recette inscrite ({revenue['document']}) comparée à la somme des montants État 2024 du CLS et de la "
                "convention France Travail.",
                ([revenue], parts),
            )
        )
    return rows
