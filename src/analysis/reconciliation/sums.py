"""Family 'sommes': printed sub-totals and totals against their parts."""

from __future__ import annotations

from analysis.domain import ANNEX_TABLES, CLS, FICHE_TABLE, FT
from analysis.reconciliation.base import FINANCING_PLAN_TABLE, same, sum_or_none, total
from analysis.reconciliation.facts import Facts

FAMILY = "sommes"


def _year_label(year) -> str:
    return "Total pluriannuel" if year is None else str(int(year))


def _fiche_rows(facts: Facts) -> list[dict]:
    tables = set(FICHE_TABLE.values())
    return [r for r in facts.rows("budget") if r["table"] in tables]


def check_fiche_row_totals(contract) -> list[dict]:
    """Each fiche budget row: the printed Total column against the sum of the funder columns."""
    facts = Facts.of(contract)
    rows = []
    for (table, action, year), row in facts.groups("budget", _fiche_rows(facts), "table", "action", "year"):
        printed = [r for r in row if r["quantity"] == "total"]
        parts = [r for r in row if r["funder"] is not None]
        label = _year_label(year)
        scope = facts.scope(FAMILY, convention=row[0]["convention"], table=table, action=action, year=year)
        rows.append(scope.money(
            f"sommes/{table}/{action}/{label}/ligne", printed[0]["amount_eur"] if printed else None, sum_or_none(parts),
            f"Fiche {action}, ligne {label} : la colonne Total imprimée "
            + ("est comparée à la somme des financeurs." if printed else "n'est pas imprimée."), (printed, parts)))
    return rows


def check_fiche_column_totals(contract) -> list[dict]:
    """Each fiche's printed multi-year Total row against the sum of its year rows, column by column."""
    facts = Facts.of(contract)
    rows = []
    for (table, action, column), col in facts.groups(
        "budget", _fiche_rows(facts), "table", "action", "column_label", dropna=True
    ):
        printed = [r for r in col if r["row_type"] == "total"]
        years = [r for r in col if r["row_type"] == "line"]
        if not printed and not years:
            continue
        scope = facts.scope(FAMILY, convention=col[0]["convention"], table=table, action=action, funder=col[0]["funder"])
        rows.append(scope.printed_total(
            f"sommes/{table}/{action}/total/{column}", printed, years,
            f"Fiche {action}, colonne « {column} » : ligne Total imprimée "
            + ("comparée à la somme des années imprimées." if printed else "absente.")))
    return rows


def check_annex_subtotals(contract) -> list[dict]:
    """Annexe 3 tables: axis sub-totals against their actions, totals against sub-totals and actions.

    A blank cell of the printed table counts as zero.
    """
    facts = Facts.of(contract)
    rows = []
    for table in ANNEX_TABLES:
        subtotals = facts.sort("budget", facts.pick("budget", table=table, row_type="subtotal"), "axis", "column_label")
        for sub in subtotals:
            lines = facts.pick("budget", table=table, row_type="line", column_label=sub["column_label"])
            parts = [r for r in lines if same(facts.axis_of.get(r["action"]), sub["axis"])]
            scope = facts.scope(FAMILY, convention=CLS.code, table=table, axis=sub["axis"], year=sub["year"],
                                funder=sub["funder"])
            rows.append(scope.printed_total(
                f"sommes/{table}/axe{sub['axis']}/{sub['column_label']}", [sub], parts,
                f"Annexe 3, sous-total de l'axe {sub['axis']}, colonne « {sub['column_label']} » : "
                "comparé à la somme des actions de l'axe (cellule vide = 0)."))
        for tot in facts.sort("budget", facts.pick("budget", table=table, row_type="total"), "column_label"):
            scope = facts.scope(FAMILY, convention=CLS.code, table=table, year=tot["year"], funder=tot["funder"])
            column = tot["column_label"]
            for kind, parts in (
                ("sous-totaux", facts.pick("budget", table=table, row_type="subtotal", column_label=column)),
                ("actions", facts.pick("budget", table=table, row_type="line", column_label=column)),
            ):
                rows.append(scope.printed_total(
                    f"sommes/{table}/total/{column}/{kind}", [tot], parts,
                    f"Annexe 3, total général, colonne « {column} » : comparé à la somme des {kind} (cellule vide = 0)."))
    return rows


def check_ft_plan_total(contract) -> list[dict]:
    """France Travail plan d'action: printed TOTAL against the sum of the action amounts."""
    facts = Facts.of(contract)
    printed = facts.pick("budget", table="ft_plan_action", row_type="total")
    parts = facts.pick("budget", table="ft_plan_action", row_type="line")
    scope = facts.scope(FAMILY, convention=FT.code, table="ft_plan_action", year=2024)
    return [scope.printed_total("sommes/ft_plan_action/total", printed, parts,
                                "Plan d'action France Travail : TOTAL imprimé comparé à la somme des montants des actions.")]


def _financing_subtotals(scope, volet, lines: list[dict], subtotals: list[dict]) -> list[dict]:
    """Each printed sub-total of one volet of the financing plan against its rubric's lines (or, for a
    block total printed after its rubrics' sub-totals, against the sub-totals before it)."""
    rows = []
    for sub in subtotals:
        parts = [r for r in lines if same(r["section"], sub["section"]) and r["line_no"] < sub["line_no"]]
        kind = "lignes de la rubrique"
        if not parts:
            parts = [r for r in subtotals if r["line_no"] < sub["line_no"] and not same(r["section"], sub["section"])]
            kind = "sous-totaux qui le précèdent"
        if sub["amount_eur"] is None and total(parts) == 0:
            continue  # an empty template block: nothing printed on either side
        rows.append(
            scope.money(
                f"sommes/ft_plan_financement/volet{volet}/{int(sub['line_no'])}",
                sub["amount_eur"],
                total(parts),
                f"Plan de financement volet {volet}, « {sub['label']} » ({sub['section']}) : comparé à la somme des {kind}.",
                ([sub], parts),
            )
        )
    return rows


def check_financing_plan(contract) -> list[dict]:
    """France Travail financing plan: sub-totals, volet totals and ceilings."""
    facts = Facts.of(contract)
    plan = facts.sort("financing_plan", facts.rows("financing_plan"), "volet", "line_no")
    rows = []
    for (volet,), v in facts.groups("financing_plan", plan, "volet", dropna=True):
        by_type = {kind: [r for r in v if r["row_type"] == kind] for kind in ("line", "subtotal", "total", "ceiling")}
        lines, printed, ceiling = by_type["line"], by_type["total"], by_type["ceiling"]
        scope = facts.scope(FAMILY, convention=FT.code, table=FINANCING_PLAN_TABLE, axis=volet, year=2024)
        rows.extend(_financing_subtotals(scope, volet, lines, by_type["subtotal"]))
        printed_total = printed[0]["amount_eur"] if printed else None
        if printed_total is None and total(lines) == 0:
            continue
        rows.append(
            scope.money(
                f"sommes/ft_plan_financement/volet{volet}/total",
                printed_total,
                total(lines),
                f"Plan de financement volet {volet} : total des besoins comparé à la somme des lignes.",
                (printed, lines),
            )
        )
        rows.append(
            scope.money(
                f"sommes/ft_plan_financement/volet{volet}/plafond",
                ceiling[0]["amount_eur"] if ceiling else None,
                printed_total,
                f"Plan de financement volet {volet} : total des besoins comparé au plafond départemental.",
                (ceiling, printed),
            )
        )
    return rows


def check_sub_actions(contract) -> list[dict]:
    """Sub-action amounts of a fiche against the fiche's annual total (first year of the fiche)."""
    facts = Facts.of(contract)
    fiche_tables = set(FICHE_TABLE.values())
    rows = []
    for (action,), subs in facts.groups("sub_actions", facts.rows("sub_actions"), "action", dropna=True):
        totals = [r for r in facts.pick("budget", action=action, row_type="line", quantity="total") if r["table"] in fiche_tables]
        first = facts.sort("budget", totals, "year")[:1]
        amounts = [s for s in subs if s["amount_eur"] is not None]
        year = first[0]["year"] if first else None
        scope = facts.scope(FAMILY, convention=subs[0]["convention"], table="sub_actions", action=action, year=year)
        rows.append(
            scope.money(
                f"sommes/sous_actions/{action}",
                first[0]["amount_eur"] if first else None,
                sum_or_none(amounts),
                f"Fiche {action} : somme des montants des sous-actions comparée au total annuel de la fiche"
                + (f" ({int(year)})." if first else " (non imprimé).")
                + ("" if amounts else " Aucun montant de sous-action n'est imprimé."),
                (first, amounts),
            )
        )
    return rows


def check_text_sums(contract) -> list[dict]:
    """Amounts in prose: per-axis (CLS) and per-volet (FT) amounts against the stated contract total."""
    facts = Facts.of(contract)
    rows = []
    for (document, article, year), group in facts.groups(
        "text_amounts", facts.rows("text_amounts"), "document", "article", "year"
    ):
        printed = [r for r in group if r["scope"] == "contract"]
        parts = [r for r in group if r["scope"] in ("axis", "volet")]
        if not printed or not parts:
            continue
        convention = printed[0]["convention"]
        kind = "axes" if convention == CLS.code else "volets"
        scope = facts.scope(FAMILY, convention=convention, table="text_amounts", year=year)
        rows.append(
            scope.money(
                f"sommes/texte/{document}/{article}/{kind}",
                printed[0]["amount_eur"],
                total(parts),
                f"{document}, article {article} : montant total comparé à la somme des montants par {kind[:-1]}.",
                (printed, parts),
            )
        )
    return rows
