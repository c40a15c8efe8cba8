"""Family 'croisement': the same quantity printed in different tables and texts."""

from __future__ import annotations

from analysis.domain import CLS, FICHE_TABLE, FT, label
from analysis.money import ZERO
from analysis.reconciliation.base import FINANCING_PLAN_TABLE, sum_or_none
from analysis.reconciliation.facts import Facts

FAMILY = "croisement"

#: (fiche quantity, Annexe 3 table, Annexe 3 column, year): fiche figures compared with Annexe 3 columns.
CLS_FICHE_VS_ANNEX = [
    ("etat", "cls_a3_prev_2024", "A", 2024),
    ("departement", "cls_a3_prev_2024", "B", 2024),
    ("total", "cls_a3_prev_2024", "F", 2024),
    ("etat", "cls_a3_prev_2025", "H", 2025),
    ("departement", "cls_a3_prev_2025", "J", 2025),
    ("total", "cls_a3_prev_2025", "M", 2025),
]
#: (table, column, table, column): the same Annexe 3 quantity in two tables.
CLS_ANNEX_VS_ANNEX = [
    ("cls_a3_prev_2024", "A", "cls_a3_exec_2024", "Crédits État versés 2024"),
    ("cls_a3_exec_2024", "Crédits État versés 2024", "cls_a3_prev_2025", "A"),
    ("cls_a3_prev_2024", "B", "cls_a3_prev_2025", "C"),
    ("cls_a3_prev_2024", "C", "cls_a3_prev_2025", "E"),
]
#: The execution table of 2024 (annexe 11, l. 4753-4953) and the 2025 table (l. 4955-5235) both print
#: the execution of 2024 on their sub-total and total rows; their columns are paired by (funder, quantity)
#: as table_columns.csv defines them.
EXECUTION_TABLE, TABLE_2025 = "cls_a3_exec_2024", "cls_a3_prev_2025"
FUNDER_FR = {"etat": "part État (ERBM comprise)", "departement": "part Département", "total": "total"}


def _fiche_part(facts: Facts, fiche: list[dict], part: str) -> list[dict]:
    if part == "total":
        return [r for r in fiche if r["quantity"] == "total"]
    if part == "etat":
        return facts.cls_state(fiche)
    return [r for r in fiche if r["funder"] == part]


def check_cls_fiche_vs_annex(contract) -> list[dict]:
    """Each CLS action: fiche budget against Annexe 3 (2024 and 2025 forecasts), State money in ERBM
    columns included (H04), and the same Annexe 3 quantity in two of its tables (blank cell = 0)."""
    facts = Facts.of(contract)
    rows = []
    for part, table, column, year in CLS_FICHE_VS_ANNEX:
        for action in facts.actions(CLS.code):
            f = _fiche_part(
                facts, facts.pick("budget", table=FICHE_TABLE[CLS.code], row_type="line", action=action, year=year), part
            )
            a = facts.pick("budget", table=table, row_type="line", column_label=column, action=action)
            if not f and not a:
                continue
            scope = facts.action_scope(FAMILY, CLS.code, action, table=table, year=year, funder=None if part == "total" else part)
            rows.append(
                scope.money(
                    f"croisement/cls/{action}/{year}/fiche_vs_{table}_{column}",
                    sum_or_none(a) if a else (ZERO if column == "C" else None),
                    sum_or_none(f),
                    f"Action {action}, {year} : {FUNDER_FR[part]} de la fiche comparée à la colonne {column} du "
                    f"tableau {table} de l'annexe 3.",
                    (a, f),
                )
            )
    for table_a, col_a, table_b, col_b in CLS_ANNEX_VS_ANNEX:
        for action in facts.actions(CLS.code):
            a = facts.pick("budget", table=table_a, row_type="line", column_label=col_a, action=action)
            other = facts.pick("budget", table=table_b, row_type="line", column_label=col_b, action=action)
            if not a and not other:
                continue
            scope = facts.action_scope(FAMILY, CLS.code, action, table=table_b, year=2024)
            rows.append(
                scope.money(
                    f"croisement/cls/{action}/{table_a}_{col_a}_vs_{table_b}_{col_b}",
                    sum_or_none(a) if a else ZERO,
                    sum_or_none(other) if other else ZERO,
                    f"Action {action} : colonne « {col_a} » du tableau {table_a} comparée à la colonne « {col_b} » "
                    f"du tableau {table_b} (cellule vide = 0).",
                    (a, other),
                )
            )
    return rows


def _paired_columns(facts: Facts) -> list[tuple[dict, dict]]:
    """Columns of the execution table and of the 2025 table that measure the same (funder, quantity)."""
    columns = facts.rows("table_columns")
    later = {(c["funder"], c["quantity"]): c for c in columns if c["table"] == TABLE_2025 and c["quantity"] is not None}
    return [
        (c, later[(c["funder"], c["quantity"])])
        for c in columns
        if c["table"] == EXECUTION_TABLE and (c["funder"], c["quantity"]) in later
    ]


def check_cls_execution_vs_2025(contract) -> list[dict]:
    """CLS: the execution of 2024 printed on the sub-total and total rows of the execution table
    (annexe 11) against the same quantity in the 2025 table (e.g. the « montant total réalisé au
    31/12/2024 », S31). Only cells printed in both tables are compared (H12); per action, the
    execution table prints the credits paid only, checked by :func:`check_cls_fiche_vs_annex`."""
    facts = Facts.of(contract)
    blank_is_zero = facts.choices.execution_blank_cells_compared
    rows = []
    for col_a, col_b in _paired_columns(facts):
        key = "_".join(v for v in (col_a["funder"], col_a["quantity"]) if v)
        what = label("quantity", col_a["quantity"]) + (f" ({label('funder', col_a['funder'])})" if col_a["funder"] else "")
        printed = facts.pick("budget", table=TABLE_2025, row_type="subtotal", column_label=col_b["column_label"])
        for b in printed + facts.pick("budget", table=TABLE_2025, row_type="total", column_label=col_b["column_label"]):
            a = facts.pick(
                "budget", table=EXECUTION_TABLE, row_type=b["row_type"], axis=b["axis"], column_label=col_a["column_label"]
            )
            if not a and not blank_is_zero:
                continue
            level = f"axe {b['axis']}" if b["axis"] else "total"
            scope = facts.scope(FAMILY, convention=CLS.code, table=TABLE_2025, axis=b["axis"], year=2024, funder=col_a["funder"])
            rows.append(
                scope.money(
                    f"croisement/cls/{level.replace(' ', '')}/{EXECUTION_TABLE}_vs_{TABLE_2025}/{key}",
                    sum_or_none(a) if a else ZERO,
                    b["amount_eur"],
                    f"{what} 2024, {level} : colonne « {col_a['column_label']} » du tableau d'exécution 2024 (annexe 11) "
                    f"comparée à la colonne « {col_b['column_label']} » du tableau prévisionnel 2025"
                    + (" (cellule vide = 0)." if blank_is_zero else "."),
                    (a, [b]),
                )
            )
    return rows


def check_cls_text_vs_tables(contract) -> list[dict]:
    """CLS State amounts in prose (per year, per axis) against the fiches and the Annexe 3 forecast."""
    facts = Facts.of(contract)
    fiche = facts.cls_state(facts.pick("budget", table=FICHE_TABLE[CLS.code], row_type="line"))
    texts = [t for t in facts.pick("text_amounts", convention=CLS.code) if t["scope"] in ("contract", "axis")]
    rows = []
    for t in facts.sort("text_amounts", texts, "document", "source_line"):
        by_axis = t["scope"] == "axis"
        named = f"axe {t['axis']}" if by_axis else "contrat"
        parts = [r for r in fiche if r["year"] == t["year"] and (not by_axis or facts.axis_of.get(r["action"]) == t["axis"])]
        key = f"{t['document']}/{t['article']}/{t['year']}/{named.replace(' ', '')}"
        scope = facts.scope(
            FAMILY, convention=CLS.code, table="text_amounts", axis=t["axis"] if by_axis else None, year=t["year"], funder="etat"
        )
        cited = f"Montant État {t['year']} ({named}) cité dans {t['document']} (article {t['article']}) comparé à la "
        compared = [("fiches", parts, "somme des parts État des fiches action.")]
        if t["year"] == 2024:
            where = {"row_type": "subtotal", "axis": t["axis"]} if by_axis else {"row_type": "total"}
            annex = facts.pick("budget", table="cls_a3_prev_2024", column_label="A", **where)
            compared.append(("annexe3", annex, "colonne A (participation État) de l'annexe 3, prévisionnel 2024."))
        for suffix, other, text in compared:
            rows.append(
                scope.money(
                    f"croisement/cls/texte/{key}/{suffix}", t["amount_eur"], sum_or_none(other), cited + text, ([t], other)
                )
            )
    return rows


def check_ft_tables(contract) -> list[dict]:
    """France Travail: plan d'action against fiches (full cost) and financing plan against fiches (State
    share, without the FIPE fund: H05)."""
    facts = Facts.of(contract)
    rows = []
    for action in facts.actions(FT.code):
        fiche = facts.pick("budget", table=FICHE_TABLE[FT.code], row_type="line", year=2024, action=action)
        plan = facts.pick("budget", table="ft_plan_action", row_type="line", action=action)
        cost = [r for r in fiche if r["quantity"] == "total"]
        scope = facts.action_scope(FAMILY, FT.code, action, table="ft_plan_action", year=2024)
        rows.append(
            scope.money(
                f"croisement/ft/{action}/plan_vs_fiche_cout_total",
                sum_or_none(plan),
                sum_or_none(cost),
                f"Action {action} : montant du plan d'action (coût total) comparé au total 2024 de la fiche.",
                (plan, cost),
            )
        )
        amounts = [r for r in facts.pick("financing_plan", row_type="line", action=action) if r["amount_eur"] is not None]
        state = facts.ft_state(fiche)
        if not amounts and not state:
            continue
        rows.append(
            scope.at(table=FINANCING_PLAN_TABLE, funder="etat").money(
                f"croisement/ft/{action}/plan_financement_vs_fiche_part_etat",
                sum_or_none(amounts),
                sum_or_none(state) if state else ZERO,
                f"Action {action} : montant du plan de financement comparé à la part État de la fiche en 2024 "
                "(colonnes État et ERBM, hors FIPE).",
                (amounts, state),
            )
        )
    return rows


def check_ft_text_vs_tables(contract) -> list[dict]:
    """France Travail amounts in prose (total, per volet) against fiches and the financing plan."""
    facts = Facts.of(contract)
    fiche = facts.ft_state(facts.pick("budget", table=FICHE_TABLE[FT.code], row_type="line", year=2024))
    plan_totals = [r for r in facts.pick("financing_plan", row_type="total") if r["amount_eur"] is not None]
    texts = [t for t in facts.pick("text_amounts", convention=FT.code) if t["scope"] in ("contract", "volet")]
    rows = []
    for t in facts.sort("text_amounts", texts, "document", "source_line"):
        volet = t["axis"] if t["scope"] == "volet" else None
        named = f"volet {volet}" if volet else "convention"
        parts = [r for r in fiche if volet is None or facts.axis_of.get(r["action"]) == volet]
        totals = [r for r in plan_totals if volet is None or r["volet"] == volet]
        key = f"{t['document']}/{named.replace(' ', '')}"
        scope = facts.scope(FAMILY, convention=FT.code, table="text_amounts", axis=volet, year=2024, funder="etat")
        cited = f"Montant État ({named}) cité dans {t['document']} comparé "
        for suffix, other, text in (
            ("fiches", parts, "à la somme des parts État des fiches en 2024 (hors FIPE)."),
            ("plan_financement", totals, "au total des besoins du plan de financement."),
        ):
            rows.append(
                scope.money(
                    f"croisement/ft/texte/{key}/{suffix}", t["amount_eur"], sum_or_none(other), cited + text, ([t], other)
                )
            )
    return rows


def check_prose_vs_prose(contract) -> list[dict]:
    """The same amount (convention, scope, axis, year) cited in several documents: each against the first."""
    facts = Facts.of(contract)
    texts = [t for t in facts.rows("text_amounts") if t["scope"] in ("contract", "axis", "volet")]
    rows = []
    for (convention, kind, axis, year), group in facts.groups("text_amounts", texts, "convention", "scope", "axis", "year"):
        reference, *others = facts.sort("text_amounts", group, "source_line")
        named = f"axe/volet {axis}" if axis is not None else "total"
        key = f"croisement/{convention}/texte/{kind}/{axis if axis is not None else 'total'}/{year}"
        scope = facts.scope(FAMILY, convention=convention, table="text_amounts", axis=axis, year=year)
        for other in others:
            rows.append(
                scope.money(
                    f"{key}/l{int(other['source_line'])}",
                    reference["amount_eur"],
                    other["amount_eur"],
                    f"Montant {named} {'' if year is None else int(year)} cité l. {int(other['source_line'])} "
                    f"({other['document']}) comparé à celui de la l. {int(reference['source_line'])} "
                    f"({reference['document']}).",
                    ([reference], [other]),
                )
            )
    return rows
