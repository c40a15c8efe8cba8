"""Family 'formules': formulas printed in table headers, against numbers and column definitions."""

from __future__ import annotations

import re

import pandas as pd

from analysis.reconciliation.base import (
    _total,
    _where,
    money_check,
)


def _operands(formula: str) -> list[str]:
    return re.findall(r"[A-M]", formula)


def check_header_formulas(contract) -> list[dict]:
    """Evaluate every formula printed in an Annexe 3 header (e.g. 'F+H') on every printed row.

    Two checks per formula: against the numbers (blank operand cells count as zero when the result
    is printed), and against the definitions of the columns it names (a funder's budget should add
    that funder's columns only; a global budget should add every funder).
    """
    cols = contract.table_columns
    b = contract.budget
    rows = []
    for _, spec in cols[cols["formula"].notna()].iterrows():
        table, target, formula = spec["table"], spec["column_label"], spec["formula"]
        operands = _operands(formula)
        t = b[b["table"] == table]
        key = ["row_type", "action", "axis"]
        for (row_type, action, axis), row in t.groupby(key, observed=True, dropna=False, sort=True):
            result = row[row["column_label"] == target]
            parts = row[row["column_label"].isin(operands)]
            if result.empty:
                continue
            scope = action if isinstance(action, str) else (f"axe {axis}" if isinstance(axis, str) else "total")
            rows.append(
                money_check(
                    f"formules/{table}/{target}/{row_type}/{scope}",
                    "formules",
                    result["amount_eur"].iloc[0],
                    _total(parts["amount_eur"]) if len(parts) else None,
                    f"Annexe 3, colonne {target} = ({formula}) imprimée en en-tête : évaluée sur la ligne {scope}"
                    + (" (cellules vides = 0)." if len(parts) < len(operands) else "."),
                    convention="cls",
                    table=table,
                    axis=axis if isinstance(axis, str) else None,
                    action=action if isinstance(action, str) else None,
                    year=result["year"].iloc[0],
                    source_expected=_where(result),
                    source_computed=_where(parts),
                )
            )
        # Definition check: do the named columns measure what the result column is said to add up?
        spec_funders = dict(zip(cols.loc[cols["table"] == table, "column_label"], cols.loc[cols["table"] == table, "funder"]))
        operand_funders = {spec_funders.get(o) for o in operands}
        target_funder = spec["funder"]
        if pd.notna(target_funder):
            coherent = operand_funders == {target_funder}
            expectation = f"des colonnes du financeur « {target_funder} »"
        else:
            coherent = len({f for f in operand_funders if isinstance(f, str)}) > 1
            expectation = "des colonnes de plusieurs financeurs"
        named = ", ".join(f"{o} ({spec_funders.get(o) if isinstance(spec_funders.get(o), str) else 'total'})" for o in operands)
        rows.append(
            {
                "check_id": f"formules/{table}/{target}/definition",
                "family": "formules",
                "convention": "cls",
                "table": table,
                "status": "ok" if coherent else "ecart",
                "severity": "aucune" if coherent else "moyenne",
                "source_expected": f"en-tête de la colonne {target} (l. {int(spec['source_line'])})",
                "source_computed": "définitions des colonnes " + ", ".join(operands),
                "explication": f"La colonne {target} ({spec['meaning']}) est définie comme ({formula}) ; "
                f"elle devrait additionner {expectation}, or elle nomme : {named}.",
            }
        )
    return rows
