"""Family 'sommes': printed sub-totals and totals against their parts."""

from __future__ import annotations

import pandas as pd

from analysis.reconciliation.base import (
    ANNEX_TABLES,
    FICHE_TABLES,
    _total,
    _where,
    money_check,
)


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
