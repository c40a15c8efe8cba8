"""Reconciliation: every printed figure checked against the others, with the gap in euros.

``reconcile(contract)`` returns one row per check (see :data:`CHECK_COLUMNS`). Each family of checks
is a small function taking the :class:`~analysis.loading.Contract` and returning check rows; they
never alter the figures. Status is 'ok', 'ecart' (the figures disagree) or 'non_verifiable' (one side
is not printed). Explanations are in French: they are read by analysts.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from analysis.formatting import format_eur

ZERO = Decimal("0.00")

CHECK_COLUMNS = [
    "check_id",
    "family",
    "convention",
    "table",
    "axis",
    "action",
    "year",
    "funder",
    "expected",
    "computed",
    "gap_eur",
    "gap_units",
    "status",
    "severity",
    "source_expected",
    "source_computed",
    "explication",
]

STATUSES = ["ok", "ecart", "non_verifiable"]
SEVERITIES = ["aucune", "faible", "moyenne", "elevee"]
FAMILIES = ["sommes", "croisement", "regles", "formules", "indicateurs", "couverture"]

#: Above this gap (in euros) an 'ecart' is of high severity.
HIGH_GAP_EUR = Decimal("1000")


def _where(rows: pd.DataFrame) -> str:
    """A short provenance for a set of figures: their sources' first entry and line numbers."""
    if rows.empty:
        return ""
    lines = sorted({int(v) for v in rows["source_line"].dropna()})
    shown = ", ".join(str(v) for v in lines[:6]) + (" …" if len(lines) > 6 else "")
    first = str(rows["source"].iloc[0])
    return f"{first} (l. {shown})" if len(rows) == 1 else f"{first} … (l. {shown})"


def _total(values) -> Decimal:
    return sum((v for v in values if v is not None and v == v), ZERO)


def money_check(check_id, family, expected, computed, explication, *, severity=None, **scope) -> dict:
    """One money check: status from the two amounts (None = not printed)."""
    if expected is None or computed is None:
        status, gap = "non_verifiable", None
    else:
        gap = computed - expected
        status = "ok" if gap == 0 else "ecart"
    if severity is None:
        severity = {"ok": "aucune", "non_verifiable": "faible"}.get(status)
        if severity is None:
            severity = "elevee" if abs(gap) >= HIGH_GAP_EUR else "moyenne"
    return {
        "check_id": check_id,
        "family": family,
        "expected": expected,
        "computed": computed,
        "gap_eur": gap,
        "status": status,
        "severity": "aucune" if status == "ok" else severity,
        "explication": explication,
        **scope,
    }


def as_frame(rows: list[dict]) -> pd.DataFrame:
    """Check rows as a typed DataFrame in :data:`CHECK_COLUMNS` order."""
    frame = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    frame["family"] = pd.Categorical(frame["family"], categories=FAMILIES)
    frame["status"] = pd.Categorical(frame["status"], categories=STATUSES)
    frame["severity"] = pd.Categorical(frame["severity"], categories=SEVERITIES, ordered=True)
    frame["year"] = pd.array(frame["year"].tolist(), dtype="Int64")
    for col in ("expected", "computed", "gap_eur"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["gap_units"] = pd.array(frame["gap_units"].tolist(), dtype="Float64")
    for col in ("check_id", "convention", "table", "axis", "action", "funder", "source_expected", "source_computed", "explication"):
        frame[col] = pd.array([None if v is None or v != v else str(v) for v in frame[col]], dtype="str")
    return frame


# --------------------------------------------------------------------------------------------
# Family 'sommes': printed sub-totals and totals against their parts.
# --------------------------------------------------------------------------------------------

FICHE_TABLES = ["cls_fiche_budget", "ft_fiche_budget"]
ANNEX_TABLES = ["cls_a3_prev_2024", "cls_a3_exec_2024", "cls_a3_prev_2025"]


def _year_label(year) -> str:
    return "Total pluriannuel" if pd.isna(year) else str(int(year))


def check_fiche_row_totals(contract) -> list[dict]:
    """Each fiche budget row: the printed Total column against the sum of the funder columns."""
    b = contract.budget
    rows = []
    fiches = b[b["table"].isin(FICHE_TABLES)]
    for (table, action, year), row in fiches.groupby(["table", "action", "year"], observed=True, dropna=False, sort=True):
        total = row[row["quantity"] == "total"]
        parts = row[row["funder"].notna()]
        printed = total["amount_eur"].iloc[0] if len(total) else None
        label = _year_label(year)
        rows.append(
            money_check(
                f"sommes/{table}/{action}/{label}/ligne",
                "sommes",
                printed,
                _total(parts["amount_eur"]) if len(parts) else None,
                f"Fiche {action}, ligne {label} : la colonne Total imprimée "
                + ("est comparée à la somme des financeurs." if len(total) else "n'est pas imprimée."),
                convention=row["convention"].iloc[0],
                table=table,
                action=action,
                year=year,
                source_expected=_where(total),
                source_computed=_where(parts),
            )
        )
    return rows


def check_fiche_column_totals(contract) -> list[dict]:
    """Each fiche's printed multi-year Total row against the sum of its year rows, column by column."""
    b = contract.budget
    fiches = b[b["table"].isin(FICHE_TABLES)]
    rows = []
    for (table, action, column), col in fiches.groupby(["table", "action", "column_label"], observed=True, sort=True):
        total = col[col["row_type"] == "total"]
        years = col[col["row_type"] == "line"]
        if total.empty and years.empty:
            continue
        rows.append(
            money_check(
                f"sommes/{table}/{action}/total/{column}",
                "sommes",
                total["amount_eur"].iloc[0] if len(total) else None,
                _total(years["amount_eur"]),
                f"Fiche {action}, colonne « {column} » : ligne Total imprimée "
                + ("comparée à la somme des années imprimées." if len(total) else "absente."),
                convention=col["convention"].iloc[0],
                table=table,
                action=action,
                funder=col["funder"].iloc[0],
                source_expected=_where(total),
                source_computed=_where(years),
            )
        )
    return rows


def check_annex_subtotals(contract) -> list[dict]:
    """Annexe 3 tables: axis sub-totals against their actions, totals against sub-totals and actions.

    A blank cell of the printed table counts as zero.
    """
    b = contract.budget
    axis_of = dict(zip(contract.actions["action"], contract.actions["axis"]))
    rows = []
    for table in ANNEX_TABLES:
        t = b[b["table"] == table]
        lines = t[t["row_type"] == "line"].assign(action_axis=lambda d: d["action"].map(axis_of))
        for _, sub in t[t["row_type"] == "subtotal"].sort_values(["axis", "column_label"]).iterrows():
            parts = lines[(lines["action_axis"] == sub["axis"]) & (lines["column_label"] == sub["column_label"])]
            rows.append(
                money_check(
                    f"sommes/{table}/axe{sub['axis']}/{sub['column_label']}",
                    "sommes",
                    sub["amount_eur"],
                    _total(parts["amount_eur"]),
                    f"Annexe 3, sous-total de l'axe {sub['axis']}, colonne « {sub['column_label']} » : "
                    "comparé à la somme des actions de l'axe (cellule vide = 0).",
                    convention="cls",
                    table=table,
                    axis=sub["axis"],
                    year=sub["year"],
                    funder=sub["funder"],
                    source_expected=_where(t[t.index == sub.name]),
                    source_computed=_where(parts),
                )
            )
        subtotals = t[t["row_type"] == "subtotal"]
        for _, tot in t[t["row_type"] == "total"].sort_values("column_label").iterrows():
            for kind, parts in (
                ("sous-totaux", subtotals[subtotals["column_label"] == tot["column_label"]]),
                ("actions", lines[lines["column_label"] == tot["column_label"]]),
            ):
                rows.append(
                    money_check(
                        f"sommes/{table}/total/{tot['column_label']}/{kind}",
                        "sommes",
                        tot["amount_eur"],
                        _total(parts["amount_eur"]),
                        f"Annexe 3, total général, colonne « {tot['column_label']} » : comparé à la somme des {kind} "
                        "(cellule vide = 0).",
                        convention="cls",
                        table=table,
                        year=tot["year"],
                        funder=tot["funder"],
                        source_expected=_where(t[t.index == tot.name]),
                        source_computed=_where(parts),
                    )
                )
    return rows


def check_ft_plan_total(contract) -> list[dict]:
    """France Travail plan d'action: printed TOTAL against the sum of the action amounts."""
    b = contract.budget
    plan = b[b["table"] == "ft_plan_action"]
    total = plan[plan["row_type"] == "total"]
    parts = plan[plan["row_type"] == "line"]
    return [
        money_check(
            "sommes/ft_plan_action/total",
            "sommes",
            total["amount_eur"].iloc[0] if len(total) else None,
            _total(parts["amount_eur"]),
            "Plan d'action France Travail : TOTAL imprimé comparé à la somme des montants des actions.",
            convention="ft",
            table="ft_plan_action",
            year=2024,
            source_expected=_where(total),
            source_computed=_where(parts),
        )
    ]


def check_financing_plan(contract) -> list[dict]:
    """France Travail financing plan: sub-totals, volet totals and ceilings."""
    fp = contract.financing_plan.sort_values(["volet", "line_no"])
    rows = []
    for volet, v in fp.groupby("volet", observed=True):
        lines = v[v["row_type"] == "line"]
        subtotals = v[v["row_type"] == "subtotal"]
        for _, sub in subtotals.iterrows():
            parts = lines[(lines["section"] == sub["section"]) & (lines["line_no"] < sub["line_no"])]
            kind = "lignes de la rubrique"
            if parts.empty:  # a block total printed after its rubrics' sub-totals
                parts = subtotals[(subtotals["line_no"] < sub["line_no"]) & (subtotals["section"] != sub["section"])]
                kind = "sous-totaux qui le précèdent"
            if sub["amount_eur"] is None and _total(parts["amount_eur"]) == 0:
                continue  # an empty template block: nothing printed on either side
            rows.append(
                money_check(
                    f"sommes/ft_plan_financement/volet{volet}/{int(sub['line_no'])}",
                    "sommes",
                    sub["amount_eur"],
                    _total(parts["amount_eur"]),
                    f"Plan de financement volet {volet}, « {sub['label']} » ({sub['section']}) : comparé à la somme des {kind}.",
                    convention="ft",
                    table="ft_plan_financement",
                    axis=volet,
                    year=2024,
                    source_expected=_where(v[v.index == sub.name]),
                    source_computed=_where(parts),
                )
            )
        total = v[v["row_type"] == "total"]
        ceiling = v[v["row_type"] == "ceiling"]
        printed_total = total["amount_eur"].iloc[0] if len(total) else None
        if printed_total is None and _total(lines["amount_eur"]) == 0:
            continue
        rows.append(
            money_check(
                f"sommes/ft_plan_financement/volet{volet}/total",
                "sommes",
                printed_total,
                _total(lines["amount_eur"]),
                f"Plan de financement volet {volet} : total des besoins comparé à la somme des lignes.",
                convention="ft",
                table="ft_plan_financement",
                axis=volet,
                year=2024,
                source_expected=_where(total),
                source_computed=_where(lines),
            )
        )
        rows.append(
            money_check(
                f"sommes/ft_plan_financement/volet{volet}/plafond",
                "sommes",
                ceiling["amount_eur"].iloc[0] if len(ceiling) else None,
                printed_total,
                f"Plan de financement volet {volet} : total des besoins comparé au plafond départemental.",
                convention="ft",
                table="ft_plan_financement",
                axis=volet,
                year=2024,
                source_expected=_where(ceiling),
                source_computed=_where(total),
            )
        )
    return rows


def check_sub_actions(contract) -> list[dict]:
    """Sub-action amounts of a fiche against the fiche's annual total (first year of the fiche)."""
    b = contract.budget
    fiche_totals = b[b["table"].isin(FICHE_TABLES) & (b["row_type"] == "line") & (b["quantity"] == "total")]
    rows = []
    for action, subs in contract.sub_actions.groupby("action", sort=True):
        totals = fiche_totals[fiche_totals["action"] == action].sort_values("year")
        first = totals.iloc[:1]
        amounts = [a for a in subs["amount_eur"] if a is not None]
        rows.append(
            money_check(
                f"sommes/sous_actions/{action}",
                "sommes",
                first["amount_eur"].iloc[0] if len(first) else None,
                _total(amounts) if amounts else None,
                f"Fiche {action} : somme des montants des sous-actions comparée au total annuel de la fiche"
                + (f" ({int(first['year'].iloc[0])})." if len(first) else " (non imprimé).")
                + ("" if amounts else " Aucun montant de sous-action n'est imprimé."),
                convention=subs["convention"].iloc[0],
                table="sub_actions",
                action=action,
                year=first["year"].iloc[0] if len(first) else None,
                source_expected=_where(first),
                source_computed=_where(subs[subs["amount_eur"].notna()]),
            )
        )
    return rows


def check_text_sums(contract) -> list[dict]:
    """Amounts in prose: per-axis (CLS) and per-volet (FT) amounts against the stated contract total."""
    ta = contract.text_amounts
    rows = []
    for (document, article, year), group in ta.groupby(["document", "article", "year"], dropna=False, sort=True):
        total = group[group["scope"] == "contract"]
        parts = group[group["scope"].isin(["axis", "volet"])]
        if total.empty or parts.empty:
            continue
        convention = total["convention"].iloc[0]
        kind = "axes" if convention == "cls" else "volets"
        rows.append(
            money_check(
                f"sommes/texte/{document}/{article}/{kind}",
                "sommes",
                total["amount_eur"].iloc[0],
                _total(parts["amount_eur"]),
                f"{document}, article {article} : montant total comparé à la somme des montants par {kind[:-1]}.",
                convention=convention,
                table="text_amounts",
                year=year,
                source_expected=_where(total),
                source_computed=_where(parts),
            )
        )
    return rows


# --------------------------------------------------------------------------------------------
# Family 'formules': formulas printed in table headers, against numbers and column definitions.
# --------------------------------------------------------------------------------------------

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


CHECKS = [
    check_fiche_row_totals,
    check_fiche_column_totals,
    check_annex_subtotals,
    check_ft_plan_total,
    check_financing_plan,
    check_sub_actions,
    check_text_sums,
    check_header_formulas,
]


def reconcile(contract, checks=None) -> pd.DataFrame:
    """Run every check family on ``contract``; one row per check, in a stable order."""
    rows = []
    for check in checks or CHECKS:
        rows.extend(check(contract))
    frame = as_frame(rows)
    duplicated = frame["check_id"][frame["check_id"].duplicated()]
    if len(duplicated):
        raise RuntimeError(f"check_id en double : {sorted(set(duplicated))}")
    return frame


def findings(checks: pd.DataFrame) -> pd.DataFrame:
    """The checks that are not 'ok', largest gap in euros first."""
    out = checks[checks["status"] != "ok"].copy()
    out["_abs"] = [abs(g) if g is not None else Decimal(-1) for g in out["gap_eur"]]
    return out.sort_values(["_abs", "check_id"], ascending=[False, True]).drop(columns="_abs").reset_index(drop=True)


def describe(check: pd.Series) -> str:
    """One French sentence for a check row, with both figures."""
    if pd.isna(check["expected"]) and pd.isna(check["computed"]):
        return check["explication"]
    return (
        f"{check['explication']} Imprimé : {format_eur(check['expected'])} ; "
        f"recalculé : {format_eur(check['computed'])} ; écart : {format_eur(check['gap_eur'])}."
    )
