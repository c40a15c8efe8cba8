"""Family 'formules': formulas printed in table headers, against numbers and column definitions."""

from __future__ import annotations

import re

from analysis.domain import CLS
from analysis.reconciliation.base import sum_or_none
from analysis.reconciliation.facts import Facts

FAMILY = "formules"


def _operands(formula: str) -> list[str]:
    return re.findall(r"[A-M]", formula)


def _definition(facts: Facts, spec: dict, operands: list[str]) -> dict:
    """Do the columns a formula names measure what the result column is said to add up?"""
    table, target, formula = spec["table"], spec["column_label"], spec["formula"]
    funder_of = {c["column_label"]: c["funder"] for c in facts.pick("table_columns", table=table)}
    operand_funders = {funder_of.get(o) for o in operands}
    if spec["funder"] is not None:
        coherent = operand_funders == {spec["funder"]}
        expectation = f"des colonnes du financeur « {spec['funder']} »"
    else:
        coherent = len({f for f in operand_funders if f is not None}) > 1
        expectation = "des colonnes de plusieurs financeurs"
    named = ", ".join(f"{o} ({funder_of.get(o) or 'total'})" for o in operands)
    scope = facts.scope(FAMILY, convention=CLS.code, table=table)
    return scope.status(
        f"formules/{table}/{target}/definition",
        coherent,
        f"La colonne {target} ({spec['meaning']}) est définie comme ({formula}) ; "
        f"elle devrait additionner {expectation}, or elle nomme : {named}.",
        (f"en-tête de la colonne {target} (l. {int(spec['source_line'])})", "définitions des colonnes " + ", ".join(operands)),
    )


def check_header_formulas(contract) -> list[dict]:
    """Evaluate every formula printed in an Annexe 3 header (e.g. 'F+H') on every printed row.

    Two checks per formula: against the numbers (blank operand cells count as zero when the result
    is printed), and against the definitions of the columns it names (a funder's budget should add
    that funder's columns only; a global budget should add every funder).
    """
    facts = Facts.of(contract)
    rows = []
    for spec in facts.rows("table_columns"):
        if spec["formula"] is None:
            continue
        table, target, formula = spec["table"], spec["column_label"], spec["formula"]
        operands = _operands(formula)
        for (row_type, action, axis), row in facts.groups(
            "budget", facts.pick("budget", table=table), "row_type", "action", "axis"
        ):
            result = [r for r in row if r["column_label"] == target]
            parts = [r for r in row if r["column_label"] in operands]
            if not result:
                continue
            where = action if action is not None else (f"axe {axis}" if axis is not None else "total")
            scope = facts.scope(FAMILY, convention=CLS.code, table=table, axis=axis, action=action, year=result[0]["year"])
            rows.append(
                scope.money(
                    f"formules/{table}/{target}/{row_type}/{where}",
                    result[0]["amount_eur"],
                    sum_or_none(parts),
                    f"Annexe 3, colonne {target} = ({formula}) imprimée en en-tête : évaluée sur la ligne {where}"
                    + (" (cellules vides = 0)." if len(parts) < len(operands) else "."),
                    (result, parts),
                )
            )
        rows.append(_definition(facts, spec, operands))
    return rows
