"""Family 'croisement': the same quantity printed in different tables and texts."""

from __future__ import annotations

import pandas as pd

from analysis.reconciliation.base import (
    ZERO,
    _actions,
    _axis_of,
    _fiche_lines,
    _ft_state,
    _pick,
    _sum_or_none,
    _total,
    _where,
    money_check,
)

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
FUNDER_FR = {"etat": "part État (ERBM comprise)", "departement": "part Département", "total": "total"}


def _fiche_part(fiche: pd.DataFrame, part: str) -> pd.DataFrame:
    if part == "total":
        return fiche[fiche["quantity"] == "total"]
    return fiche[fiche["funder"] == part]


def check_cls_fiche_vs_annex(contract) -> list[dict]:
    """Each CLS action: fiche budget against Annexe 3 (2024 and 2025 forecasts), State money in ERBM columns included."""
    fiche = _fiche_lines(contract, "cls_fiche_budget")
    b = contract.budget
    rows = []
    for part, table, column, year in CLS_FICHE_VS_ANNEX:
        annex = _pick(b, table=table, row_type="line", column_label=column)
        for action in _actions(contract, "cls"):
            f = _fiche_part(_pick(fiche, action=action, year=year), part)
            a = _pick(annex, action=action)
            if f.empty and a.empty:
                continue
            rows.append(
                money_check(
                    f"croisement/cls/{action}/{year}/fiche_vs_{table}_{column}",
                    "croisement",
                    _sum_or_none(a) if len(a) else (ZERO if column == "C" else None),
                    _sum_or_none(f),
                    f"Action {action}, {year} : {FUNDER_FR[part]} de la fiche comparée à la colonne {column} du "
                    f"tableau {table} de l'annexe 3.",
                    convention="cls",
                    table=table,
                    axis=_axis_of(contract).get(action),
                    action=action,
                    year=year,
                    funder=None if part == "total" else part,
                    source_expected=_where(a),
                    source_computed=_where(f),
                )
            )
    for table_a, col_a, table_b, col_b in CLS_ANNEX_VS_ANNEX:
        a_rows = _pick(b, table=table_a, row_type="line", column_label=col_a)
        b_rows = _pick(b, table=table_b, row_type="line", column_label=col_b)
        for action in _actions(contract, "cls"):
            a, other = _pick(a_rows, action=action), _pick(b_rows, action=action)
            if a.empty and other.empty:
                continue
            rows.append(
                money_check(
                    f"croisement/cls/{action}/{table_a}_{col_a}_vs_{table_b}_{col_b}",
                    "croisement",
                    _sum_or_none(a) if len(a) else ZERO,
                    _sum_or_none(other) if len(other) else ZERO,
                    f"Action {action} : colonne « {col_a} » du tableau {table_a} comparée à la colonne « {col_b} » "
                    f"du tableau {table_b} (cellule vide = 0).",
                    convention="cls",
                    table=table_b,
                    axis=_axis_of(contract).get(action),
                    action=action,
                    year=2024,
                    source_expected=_where(a),
                    source_computed=_where(other),
                )
            )
    return rows


def check_cls_text_vs_tables(contract) -> list[dict]:
    """CLS State amounts in prose (per year, per axis) against the fiches and the Annexe 3 forecast."""
    ta = contract.text_amounts
    cls = ta[(ta["convention"] == "cls") & ta["scope"].isin(["contract", "axis"])]
    fiche = _fiche_lines(contract, "cls_fiche_budget")
    fiche = fiche[fiche["funder"] == "etat"].assign(action_axis=lambda d: d["action"].map(_axis_of(contract)))
    annex_a = _pick(contract.budget, table="cls_a3_prev_2024", row_type="subtotal", column_label="A")
    annex_total = _pick(contract.budget, table="cls_a3_prev_2024", row_type="total", column_label="A")
    rows = []
    for _, t in cls.sort_values(["document", "source_line"]).iterrows():
        scope = f"axe {t['axis']}" if t["scope"] == "axis" else "contrat"
        parts = _pick(fiche, year=t["year"]) if t["scope"] == "contract" else _pick(fiche, year=t["year"], action_axis=t["axis"])
        where = f"{t['document']}/{t['article']}/{t['year']}/{scope.replace(' ', '')}"
        rows.append(
            money_check(
                f"croisement/cls/texte/{where}/fiches",
                "croisement",
                t["amount_eur"],
                _sum_or_none(parts),
                f"Montant État {t['year']} ({scope}) cité dans {t['document']} (article {t['article']}) comparé à la "
                "somme des parts État des fiches action.",
                convention="cls",
                table="text_amounts",
                axis=t["axis"] if t["scope"] == "axis" else None,
                year=t["year"],
                funder="etat",
                source_expected=_where(ta[ta.index == t.name]),
                source_computed=_where(parts),
            )
        )
        if t["year"] == 2024:
            annex = annex_total if t["scope"] == "contract" else _pick(annex_a, axis=t["axis"])
            rows.append(
                money_check(
                    f"croisement/cls/texte/{where}/annexe3",
                    "croisement",
                    t["amount_eur"],
                    _sum_or_none(annex),
                    f"Montant État 2024 ({scope}) cité dans {t['document']} (article {t['article']}) comparé à la "
                    "colonne A (participation État) de l'annexe 3, prévisionnel 2024.",
                    convention="cls",
                    table="text_amounts",
                    axis=t["axis"] if t["scope"] == "axis" else None,
                    year=2024,
                    funder="etat",
                    source_expected=_where(ta[ta.index == t.name]),
                    source_computed=_where(annex),
                )
            )
    return rows


def check_ft_tables(contract) -> list[dict]:
    """France Travail: plan d'action against fiches (full cost) and financing plan against fiches (State share)."""
    b = contract.budget
    plan = _pick(b, table="ft_plan_action", row_type="line")
    fiche = _pick(_fiche_lines(contract, "ft_fiche_budget"), year=2024)
    fp = contract.financing_plan
    fp_lines = fp[(fp["row_type"] == "line") & fp["action"].notna()]
    rows = []
    for action in _actions(contract, "ft"):
        p = _pick(plan, action=action)
        cost = _pick(fiche, action=action, quantity="total")
        rows.append(
            money_check(
                f"croisement/ft/{action}/plan_vs_fiche_cout_total",
                "croisement",
                _sum_or_none(p),
                _sum_or_none(cost),
                f"Action {action} : montant du plan d'action (coût total) comparé au total 2024 de la fiche.",
                convention="ft",
                table="ft_plan_action",
                axis=_axis_of(contract).get(action),
                action=action,
                year=2024,
                source_expected=_where(p),
                source_computed=_where(cost),
            )
        )
        f = _pick(fp_lines, action=action)
        f_amounts = f[f["amount_eur"].notna()]
        state = _ft_state(_pick(fiche, action=action))
        if f_amounts.empty and state.empty:
            continue
        rows.append(
            money_check(
                f"croisement/ft/{action}/plan_financement_vs_fiche_part_etat",
                "croisement",
                _total(f_amounts["amount_eur"]) if len(f_amounts) else None,
                _sum_or_none(state) if len(state) else ZERO,
                f"Action {action} : montant du plan de financement comparé à la part État de la fiche en 2024 "
                "(colonnes État et ERBM, hors FIPE).",
                convention="ft",
                table="ft_plan_financement",
                axis=_axis_of(contract).get(action),
                action=action,
                year=2024,
                funder="etat",
                source_expected=_where(f_amounts),
                source_computed=_where(state),
            )
        )
    return rows


def check_ft_text_vs_tables(contract) -> list[dict]:
    """France Travail amounts in prose (total, per volet) against fiches and the financing plan."""
    ta = contract.text_amounts
    ft = ta[(ta["convention"] == "ft") & ta["scope"].isin(["contract", "volet"])]
    fiche = _ft_state(_pick(_fiche_lines(contract, "ft_fiche_budget"), year=2024))
    fiche = fiche.assign(volet=fiche["action"].map(_axis_of(contract)))
    fp = contract.financing_plan
    fp_totals = fp[fp["row_type"] == "total"]
    rows = []
    for _, t in ft.sort_values(["document", "source_line"]).iterrows():
        volet = t["axis"] if t["scope"] == "volet" else None
        scope = f"volet {volet}" if volet else "convention"
        parts = fiche if volet is None else _pick(fiche, volet=volet)
        key = f"{t['document']}/{scope.replace(' ', '')}"
        rows.append(
            money_check(
                f"croisement/ft/texte/{key}/fiches",
                "croisement",
                t["amount_eur"],
                _sum_or_none(parts),
                f"Montant État ({scope}) cité dans {t['document']} comparé à la somme des parts État des fiches "
                "en 2024 (hors FIPE).",
                convention="ft",
                table="text_amounts",
                axis=volet,
                year=2024,
                funder="etat",
                source_expected=_where(ta[ta.index == t.name]),
                source_computed=_where(parts),
            )
        )
        totals = fp_totals if volet is None else fp_totals[fp_totals["volet"] == volet]
        totals = totals[totals["amount_eur"].notna()]
        rows.append(
            money_check(
                f"croisement/ft/texte/{key}/plan_financement",
                "croisement",
                t["amount_eur"],
                _total(totals["amount_eur"]) if len(totals) else None,
                f"Montant État ({scope}) cité dans {t['document']} comparé au total des besoins du plan de financement.",
                convention="ft",
                table="text_amounts",
                axis=volet,
                year=2024,
                funder="etat",
                source_expected=_where(ta[ta.index == t.name]),
                source_computed=_where(totals),
            )
        )
    return rows


def check_prose_vs_prose(contract) -> list[dict]:
    """The same amount (convention, scope, axis, year) cited in several documents: each against the convention's."""
    ta = contract.text_amounts
    ta = ta[ta["scope"].isin(["contract", "axis", "volet"])]
    rows = []
    for (convention, scope, axis, year), group in ta.groupby(["convention", "scope", "axis", "year"], dropna=False, observed=True, sort=True):
        reference = group.sort_values("source_line").iloc[:1]
        for _, other in group.sort_values("source_line").iloc[1:].iterrows():
            label = f"axe/volet {axis}" if isinstance(axis, str) else "total"
            rows.append(
                money_check(
                    f"croisement/{convention}/texte/{scope}/{axis if isinstance(axis, str) else 'total'}/{year}/l{int(other['source_line'])}",
                    "croisement",
                    reference["amount_eur"].iloc[0],
                    other["amount_eur"],
                    f"Montant {label} {'' if pd.isna(year) else int(year)} cité l. {int(other['source_line'])} "
                    f"({other['document']}) comparé à celui de la l. {int(reference['source_line'].iloc[0])} "
                    f"({reference['document'].iloc[0]}).",
                    convention=convention,
                    table="text_amounts",
                    axis=axis if isinstance(axis, str) else None,
                    year=year,
                    source_expected=_where(reference),
                    source_computed=_where(ta[ta.index == other.name]),
                )
            )
    return rows
