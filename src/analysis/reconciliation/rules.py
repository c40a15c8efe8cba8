"""Family 'regles': co-financing, advance and revenue rules."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.formatting import format_percent
from analysis.reconciliation.base import (
    ZERO,
    _axis_of,
    _fiche_lines,
    _ft_state,
    _pick,
    _sum_or_none,
    _total,
    _where,
    money_check,
)

HALF = Decimal("0.5")


def _half(amount):
    return None if amount is None else (amount * HALF).quantize(Decimal("0.01"))


def check_cls_department_share(contract) -> list[dict]:
    """CLS: the Département brings at least 50 % of each action's credits, in every table and year."""
    b = contract.budget
    rows = []
    specs = [("cls_fiche_budget", "departement", "total")]
    for table, dept_col, total_col in [("cls_a3_prev_2024", "B", "F"), ("cls_a3_prev_2025", "K", "M")]:
        specs.append((table, dept_col, total_col))
    for table, dept_spec, total_spec in specs:
        t = _pick(b, table=table, row_type="line")
        for (action, year), g in t.groupby(["action", "year"], sort=True):
            if table == "cls_fiche_budget":
                dept, total = g[g["funder"] == dept_spec], g[g["quantity"] == total_spec]
            else:
                dept, total = g[g["column_label"] == dept_spec], g[g["column_label"] == total_spec]
            if total.empty:
                continue
            rows.append(
                money_check(
                    f"regles/cls/part_departement/{table}/{action}/{int(year)}",
                    "regles",
                    _half(_sum_or_none(total)),
                    _sum_or_none(dept) if len(dept) else ZERO,
                    f"Action {action}, {int(year)} ({table}) : le Département doit apporter au moins 50 % des crédits "
                    "de l'action (article 2.2 du CLS).",
                    at_least=True,
                    convention="cls",
                    table=table,
                    axis=_axis_of(contract).get(action),
                    action=action,
                    year=year,
                    funder="departement",
                    source_expected=_where(total),
                    source_computed=_where(dept),
                )
            )
    return rows


def check_ft_cofinancing(contract) -> list[dict]:
    """FT volet 2: co-financing of 50 % of the actions' total cost, overall and per action (reported separately).

    Co-financing is what is not State money of the convention (Département and other co-financers);
    only actions with a France Travail amount in the plan d'action count.
    """
    fiche = _pick(_fiche_lines(contract, "ft_fiche_budget"), year=2024)
    plan = _pick(contract.budget, table="ft_plan_action", row_type="line")
    funded = sorted(a for a, v in zip(plan["action"], plan["amount_eur"]) if v > 0 and _axis_of(contract).get(a) == "2")
    rows = []
    costs, cofin = [], []
    for action in funded:
        g = _pick(fiche, action=action)
        cost = _sum_or_none(g[g["quantity"] == "total"])
        co = (cost or ZERO) - (_sum_or_none(_ft_state(g)) or ZERO)
        costs.append(cost or ZERO)
        cofin.append(co)
        rows.append(
            money_check(
                f"regles/ft/cofinancement_50/{action}",
                "regles",
                _half(cost),
                co,
                f"Action {action} (volet 2) : part cofinancée hors État comparée à 50 % du coût total de l'action "
                "(la convention fixe ce taux sur la globalité du volet : écart par action signalé pour information).",
                severity="faible",
                at_least=True,
                convention="ft",
                table="ft_fiche_budget",
                axis="2",
                action=action,
                year=2024,
                source_expected=_where(g[g["quantity"] == "total"]),
                source_computed=_where(g[g["funder"].notna()]),
            )
        )
    rows.append(
        money_check(
            "regles/ft/cofinancement_50/volet2",
            "regles",
            _half(_total(costs)),
            _total(cofin),
            "Volet 2 dans sa globalité : part cofinancée hors État comparée à 50 % du coût total des actions "
            f"financées ({', '.join(funded)}).",
            at_least=True,
            convention="ft",
            table="ft_fiche_budget",
            axis="2",
            year=2024,
        )
    )
    return rows


def _rule_value(contract, convention: str, needle: str) -> Decimal | None:
    r = contract.rules
    hit = r[(r["convention"] == convention) & r["rule"].str.contains(needle, case=False, regex=False) & r["value"].notna()]
    return Decimal(hit["value"].iloc[0]) / 100 if len(hit) else None


def check_ft_advance_and_revenue(contract) -> list[dict]:
    """FT advance = 60 % of the State amount; the deliberation's revenue = State amounts of both contracts (2024)."""
    ta = contract.text_amounts
    ft_total = _pick(ta, convention="ft", document="ft_convention", scope="contract")
    advance = _pick(ta, convention="ft", scope="advance")
    rate = _rule_value(contract, "ft", "avance à la signature")
    rows = [
        money_check(
            "regles/ft/avance_60",
            "regles",
            advance["amount_eur"].iloc[0] if len(advance) else None,
            (ft_total["amount_eur"].iloc[0] * rate).quantize(Decimal("0.01")) if len(ft_total) and rate else None,
            "Avance France Travail : montant imprimé comparé au taux d'avance de l'article 6 "
            f"({format_percent(rate) if rate else 'non trouvé dans rules.csv'}) appliqué au montant État de la convention.",
            convention="ft",
            table="text_amounts",
            year=2024,
            funder="etat",
            source_expected=_where(advance),
            source_computed=_where(ft_total),
        )
    ]
    cls_2024 = _pick(ta, convention="cls", document="cls_convention", scope="contract", year=2024)
    cls_2024 = cls_2024.sort_values("source_line").iloc[:1]
    for _, revenue in _pick(ta, scope="revenue").iterrows():
        if "Inscrit" in revenue["label"]:
            continue  # the amount already booked before the deliberation: not the contracts' revenue
        parts = pd.concat([cls_2024, ft_total])
        rows.append(
            money_check(
                f"regles/recette/{revenue['document']}/l{int(revenue['source_line'])}",
                "regles",
                revenue["amount_eur"],
                _sum_or_none(parts),
                f"Recette inscrite ({revenue['document']}) comparée à la somme des montants État 2024 du CLS et de la "
                "convention France Travail.",
                convention="deliberation",
                table="text_amounts",
                year=2024,
                funder="etat",
                source_expected=_where(ta[ta.index == revenue.name]),
                source_computed=_where(parts),
            )
        )
    return rows
