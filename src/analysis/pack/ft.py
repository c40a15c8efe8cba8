"""The France Travail final report (art. 3.2, l. 5795-5806; due three months after the end of the
convention, i.e. 31/03/2025): the implementation report of the plan d'actions (l. 5801: per action, what
the workbooks report and room for the Département's text), the expense statement in the layout of annexe 3
(l. 9766-9951), its eligibility line by line (art. 4.2, l. 5901-5927; dates within 2024, H41), the eligible
spending per volet and action, the settlement (advance, due, balance or refund, art. 6, l. 5949-5966; both
readings of volet 2, H24, and of the volet 1 forfait, H49), the consumption per action, the co-financing of
volet 2, the indicators of Annexe 4, the execution findings to clear and the signed document's own
inconsistencies.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analysis import display
from analysis.domain import (
    ACHIEVEMENT_STATUS_LABELS,
    ELIGIBILITY_STATUS_LABELS,
    EXPENSE_CATEGORY_LABELS,
    FT,
    FT_EXPENSE_TYPES,
    INELIGIBILITY_REASON_LABELS,
    PACK_FILES,
    PACK_TITLES,
    TO_COMPLETE_LABEL,
)
from analysis.money import ZERO, total_or_none
from analysis.pack.base import Pack, Table, money_columns
from analysis.pack.findings import document_findings, execution_findings, finding_tables
from analysis.pack.synthesis import (
    assumptions_table,
    finding_lines,
    line,
    status_lines,
    synthesis_frame,
)
from analysis.pack.tables import Amounts, action_rows, indicator_matrix

FT_ASSUMPTIONS = ["H05", "H23", "H24", "H25", "H26", "H34", "H40", "H41", "H49"]
SHEETS = {"synthesis": "Synthèse", "plan": "Mise en œuvre du plan d'actions", "statement": "État des dépenses",
          "eligibility": "Éligibilité ligne à ligne", "eligible": "Dépenses éligibles", "settlement": "Solde",
          "consumption": "Consommation", "cofinancing": "Cofinancement volet 2", "indicators": "Indicateurs (annexe 4)",
          "fiches": "Indicateurs des fiches", "findings": "Constats à lever", "document": "Incohérences du document signé",
          "assumptions": "Hypothèses"}
#: The settlement's columns in the pack: both readings of volet 2 (H24) and of the volet 1 forfait (H49).
SETTLEMENT_COLUMNS = [*display.SETTLEMENT_DISPLAY_COLUMNS, "ft_forfait_reading", "due_forfait_alternative",
                      "balance_due_forfait_alternative", "refund_due_forfait_alternative"]
#: With two readings side by side, the volet 2 one is named.
SETTLEMENT_RENAMES = {display.HEADERS[c]: display.HEADERS[c].replace("(autre lecture)", "(autre lecture du volet 2)")
                      for c in ("due_alternative", "balance_due_alternative", "refund_due_alternative")}
PLAN_MONEY = ["Montant État réalisé", "Montant Département réalisé", "Autres financeurs réalisé",
              "Coût réalisé (tous financeurs)"]
PLAN_TEXT = f"Bilan de mise en œuvre de l'action ({TO_COMPLETE_LABEL.lower()})"
STATEMENT_COLUMNS = ["Volet et type de dépense", "Fiche action", "Nature de la dépense", "Unité (si pertinent)",
                     "Nombre d'unités", "Coût unitaire", "Date ou période", "Objet de la dépense", "Montant"]


def period_text(start, end) -> str:
    if end is None or (isinstance(end, float) and end != end) or end == start:
        return start.strftime("%d/%m/%Y")
    return f"du {start.strftime('%d/%m/%Y')} au {end.strftime('%d/%m/%Y')}"


def _text(value):
    return None if value is None or (isinstance(value, float) and value != value) or value is pd.NA else value


def statement_table(expenses: pd.DataFrame) -> pd.DataFrame:
    """The expense statement in the layout of annexe 3: per volet, per type of expense its lines and total,
    then the volet's total, and the total of the statement."""
    rows = []
    for volet in ("1", "2", "3"):
        rows.append({"Volet et type de dépense": f"VOLET {volet}", "row_type": "heading"})
        volet_total = []
        for code, (v, label) in FT_EXPENSE_TYPES.items():
            if v != volet:
                continue
            kind = label.split(" — ", 1)[1]
            lines = expenses[expenses["expense_type"] == code].sort_values("line")
            rows.append({"Volet et type de dépense": f"Dépenses : {kind}", "row_type": "heading"})
            for r in lines.to_dict("records"):
                rows.append({"Volet et type de dépense": None, "Fiche action": r["action"], "Nature de la dépense": r["nature"],
                             "Unité (si pertinent)": _text(r["unit"]), "Nombre d'unités": _text(r["units"]),
                             "Coût unitaire": _text(r["unit_cost"]), "Date ou période": period_text(r["start"], _text(r["end"])),
                             "Objet de la dépense": _text(r["purpose"]), "Montant": r["amount_eur"], "row_type": "line"})
            total = total_or_none(lines["amount_eur"])
            volet_total.append(total)
            rows.append({"Volet et type de dépense": f"TOTAL : {kind}", "Montant": total, "row_type": "subtotal"})
        rows.append({"Volet et type de dépense": f"TOTAL DES DÉPENSES AU TITRE DU VOLET {volet}",
                     "Montant": total_or_none(volet_total), "row_type": "total"})
    rows.append({"Volet et type de dépense": "TOTAL DE L'ÉTAT DES DÉPENSES", "Montant": total_or_none(expenses["amount_eur"]),
                 "row_type": "total"})
    frame = pd.DataFrame(rows, columns=[*STATEMENT_COLUMNS, "row_type"])
    return frame.astype({"Coût unitaire": object, "Montant": object})


def eligibility_table(lines: pd.DataFrame) -> pd.DataFrame:
    """Each line of the statement with its eligible and ineligible amounts and the reason."""
    return pd.DataFrame({
        "N° de ligne": lines["line"].astype(int).tolist(), "Volet": lines["volet"].tolist(),
        "Fiche action": lines["action"].tolist(),
        "Nature de la dépense": lines["nature"].tolist(),
        "Catégorie (article 4.2)": [EXPENSE_CATEGORY_LABELS[c] for c in lines["category"]],
        "Date ou période": [period_text(s, _text(e)) for s, e in zip(lines["start"], lines["end"])],
        "Jours": lines["days"].tolist(), "Jours en 2024": lines["days_in_period"].tolist(),
        "Montant": lines["amount_eur"].tolist(), "Montant éligible": lines["eligible_eur"].tolist(),
        "Montant non éligible": lines["ineligible_eur"].tolist(),
        "Motif": [None if r is None or r != r else INELIGIBILITY_REASON_LABELS[r] for r in lines["reason"]],
        "Éligibilité": [ELIGIBILITY_STATUS_LABELS[s] for s in lines["eligibility"]],
    }).astype({"Montant": object, "Montant éligible": object, "Montant non éligible": object})


def _eligible_row(volet, action, title, executed, lines: pd.DataFrame) -> dict:
    own = lines[lines["action"] == action]
    by = {reason: total_or_none(own.loc[own["reason"] == reason, "ineligible_eur"]) for reason in ("art_4_2", "hors_periode")}
    return {"Volet": volet, "Fiche action": action, "Intitulé de l'action": title, "Coût réalisé (bilan financier)": executed,
            "Total de l'état des dépenses": total_or_none(own["amount_eur"]), "Non éligible : article 4.2": by["art_4_2"],
            "Non éligible : hors de l'année 2024": by["hors_periode"], "Coût éligible": total_or_none(own["eligible_eur"]),
            "row_type": "line"}


def eligible_table(contract, execution, lines: pd.DataFrame) -> pd.DataFrame:
    """Per volet and action: the executed cost, the statement's total, what is not eligible and why, the
    eligible cost; an action funded by the FIPE fund only (outside the convention, H05) is left out."""
    amounts = Amounts(contract, execution, FT.code)
    acts = contract.actions[contract.actions["convention"] == FT.code]
    rows, money = [], ["Coût réalisé (bilan financier)", "Total de l'état des dépenses", "Non éligible : article 4.2",
                       "Non éligible : hors de l'année 2024", "Coût éligible"]
    outside = contract.actions_outside(FT.code)
    for volet, group in acts.groupby("axis", sort=True, observed=True):
        members = []
        for action, title in zip(group["action"], group["title"]):
            if action in outside:
                continue
            executed = total_or_none(amounts.get(action, FT.start.year, "executed", f) for f in ("etat", "departement", "autre"))
            members.append(_eligible_row(str(volet), action, title, executed, lines))
        rows += members + [{"Volet": str(volet), "Fiche action": f"Sous-total volet {volet}", "row_type": "subtotal",
                            **{m: total_or_none(r[m] for r in members) for m in money}}]
    every = [r for r in rows if r["row_type"] == "line"]
    rows.append({"Fiche action": "Total de la convention", "row_type": "total",
                 **{m: total_or_none(r[m] for r in every) for m in money}})
    return pd.DataFrame(rows).astype({m: object for m in money})


def _indicator_text(rows: pd.DataFrame) -> str | None:
    """« « label » : résultat 10 711 pour une cible de 15 000 (en retard) », one sentence per indicator."""
    out = []
    for r in rows.to_dict("records"):
        unit = "\u00a0%" if r["unit"] == "pourcentage" else ""
        result = "non renseigné" if display.is_missing(r["result"]) else f"{display.number(r['result'])}{unit}"
        target = "" if display.is_missing(r["target"]) else f" pour une cible de {display.number(r['target'])}{unit}"
        status = ACHIEVEMENT_STATUS_LABELS[r["status"]].lower()
        out.append(f"« {r['label']} » : {result}{target} ({status})" if result != "non renseigné"
                   else f"« {r['label']} » : résultat non renseigné{target}")
    return " ; ".join(out) + "." if out else None


def plan_table(contract, execution, achievement: pd.DataFrame) -> pd.DataFrame:
    """« Bilan de mise en œuvre du plan d'actions » (art. 3.2, l. 5801): per action of the plan, what the
    workbook reports (amounts executed by funder, the indicators with their result and status) and an empty
    column for the Département's text. Action 2.4 is financed by the FIPE fund, outside the convention (H05):
    its indicators are given, its amounts are not counted."""
    amounts = Amounts(contract, execution, FT.code)
    year = FT.start.year
    rows, fipe = [], contract.actions_outside(FT.code)
    for volet, _, action, title in action_rows(contract, FT.code):
        own = achievement[(achievement["action"] == action) & (achievement["year"] == year)]
        outside = action in fipe
        executed = [None if outside else amounts.get(action, year, "executed", f) for f in ("etat", "departement", "autre")]
        text = _indicator_text(own)
        if outside:
            text = "Action financée par le fonds FIPE, hors de la convention : montants non repris. " + (text or "")
        rows.append({"Volet": volet, "Fiche action": action, "Intitulé de l'action": title,
                     **dict(zip(PLAN_MONEY, [*executed, total_or_none(executed)])),
                     "Indicateurs 2024 : résultat et statut": text, PLAN_TEXT: None, "row_type": "line"})
    rows.append({"Fiche action": "Total de la convention", "row_type": "total",
                 **{m: total_or_none(r[m] for r in list(rows)) for m in PLAN_MONEY}})
    frame = pd.DataFrame(rows, columns=["Volet", "Fiche action", "Intitulé de l'action", *PLAN_MONEY,
                                        "Indicateurs 2024 : résultat et statut", PLAN_TEXT, "row_type"])
    return frame.astype({m: object for m in PLAN_MONEY})


def _synthesis(settlement: pd.DataFrame, lines: pd.DataFrame, achievement: pd.DataFrame, findings: tuple) -> Table:
    total = settlement[settlement["row_type"] == "total"].iloc[0] if not settlement.empty else None
    def excluded(reason):
        return total_or_none(lines.loc[lines["reason"] == reason, "ineligible_eur"]) or ZERO

    out = [line("Dépenses", "Total de l'état des dépenses", total_or_none(lines["amount_eur"])),
           line("Dépenses", "Non éligible : article 4.2", excluded("art_4_2")),
           line("Dépenses", "Non éligible : hors de l'année 2024", excluded("hors_periode"))]
    if total is not None:
        out += [line("Solde (article 6)", "Coût éligible réalisé (tous financeurs)", total["eligible_executed"]),
                line("Solde (article 6)", "Dû par l'État (chaque volet plafonné)", total["due"]),
                line("Solde (article 6)", "Avance versée à la signature", total["advance"]),
                line("Solde (article 6)", "Solde à verser par l'État", total["balance_due"]),
                line("Solde (article 6)", "Trop-perçu à rembourser à l'État", total["refund_due"]),
                *(line("Autre lecture du forfait du volet 1", text, total[column]) for text, column in (
                    ("Dû par l'État", "due_forfait_alternative"),
                    ("Solde à verser par l'État", "balance_due_forfait_alternative"),
                    ("Trop-perçu à rembourser à l'État", "refund_due_forfait_alternative")))]
    out += status_lines(achievement, str(FT.start.year), "Indicateurs")
    out += finding_lines(*findings)
    notes = (display.settlement_summary(settlement), display.forfait_summary(settlement),
             "Bilan final à produire au plus tard trois mois après la fin de la convention, soit le 31 mars 2025 "
             "(article 3.2 ; le texte renvoie à « l'article 3 », alors que la durée de la convention est fixée à "
             "l'article 2).")
    return Table(SHEETS["synthesis"], synthesis_frame(out), ("Synthèse du bilan final",), notes)


def ft_final_pack(contract, execution, assessment, checks: pd.DataFrame) -> Pack:
    """The France Travail final report for 2024 (see the module docstring); each expense's eligibility is the
    assessment's (:attr:`analysis.Assessment.expenses`)."""
    w = execution.workbooks
    if not ((w["convention"] == FT.code) & (w["year"] == FT.start.year)).any():
        raise ValueError("aucun bilan d'exécution France Travail 2024 : le bilan final ne peut pas être établi")
    expenses = execution.expenses[(execution.expenses["convention"] == FT.code) & (execution.expenses["year"] == FT.start.year)]
    lines = assessment.expenses
    achievement = assessment.achievement[(assessment.achievement["convention"] == FT.code)
                                         & (assessment.achievement["year"] == FT.start.year)]
    findings = (execution_findings(checks, FT.code), document_findings(checks, FT.code))
    ft_rows = assessment.consumption[assessment.consumption["convention"] == FT.code]
    consumption = display.assessment_consumption(ft_rows, ["axis", "action", "year", "planned_state", "available_state",
                                                           "executed_state", "rate", "executed_departement",
                                                           "departement_share", "assessment_flag"], numbers=False)
    frames = [
        _synthesis(assessment.settlement, lines, achievement, findings),
        Table(SHEETS["plan"], plan_table(contract, execution, assessment.achievement),
              ("Bilan de mise en œuvre du plan d'actions (article 3.2)",),
              ("Montants réalisés et résultats des indicateurs : bilan France Travail 2024 (classeur rempli). Cellule "
               "vide : non renseigné, jamais un zéro. La dernière colonne est à rédiger par le Département (actions "
               "menées, partenaires, difficultés) avant la transmission.",), tuple(PLAN_MONEY)),
        Table(SHEETS["statement"], statement_table(expenses),
              ("État des dépenses contractualisation pour l'insertion et l'emploi 2024 (annexe 3)",),
              ("Modèle de l'annexe 3 (l. 9766-9951), lu par volet et type de dépense (H40) ; la fiche action est "
               "ajoutée au modèle.",)),
        Table(SHEETS["eligibility"], eligibility_table(lines), ("Éligibilité de chaque dépense au financement de l'État",),
              ("Article 4.2 (l. 5901-5927) : frais généraux, frais de mission, prestations d'évaluation, de formation ou "
               "de gestion de projet et investissements hors développements informatiques ne sont pas éligibles. Période "
               "débordant 2024 : éligible au prorata des jours de 2024 (H41).",)),
        Table(SHEETS["eligible"], eligible_table(contract, execution, lines), ("Dépenses éligibles par volet et par action",),
              ("L'action 2.4 (fonds FIPE, hors convention, H05) est écartée.",)),
        Table(SHEETS["settlement"], display.settlement(assessment.settlement, SETTLEMENT_COLUMNS, numbers=False).rename(
                  columns=SETTLEMENT_RENAMES).assign(
                  row_type=["total" if kind == "total" else "line" for kind in assessment.settlement["row_type"]]),
              ("Solde de la convention : avance, dû, solde ou trop-perçu (article 6)",),
              ("Le solde se calcule une fois, sur le total ; la part de l'avance par volet n'est qu'un affichage. Deux "
               "lectures sont données à côté : celle de la part État du volet 2 (H24) et celle du forfait du volet 1 "
               "(H49 : coût éligible dans la limite de 135 000 €, ou les 135 000 € entiers).",)),
        Table(SHEETS["consumption"], consumption, ("Consommation des crédits État par action",),
              ("Pas de réduction en n+1 ni de report : convention annuelle, réglée par le solde du bilan final.",),
              percent=("Taux de consommation", "Part du Département dans le réalisé")),
        Table(SHEETS["cofinancing"], display.cofinancing(assessment.cofinancing, numbers=False),
              ("Cofinancement du volet 2 par le Département (article 3.3 : 50 % du coût total)",),
              percent=("Part du coût total", "Minimum (article 3.3)")),
        Table(SHEETS["indicators"], indicator_matrix(contract, assessment.achievement, [FT.start.year], "ft_annexe4", FT.code),
              ("Indicateurs de pilotage (annexe 4)",),
              ("Unité : celle de la cible imprimée ; l'objectif du second indicateur est imprimé en pourcentage "
               "(« 100% d'orientations notifiées », l. 10202), son résultat se lit en points de pourcentage (H34).",)),
        Table(SHEETS["fiches"], indicator_matrix(contract, assessment.achievement, [FT.start.year], None, FT.code),
              ("Indicateurs des fiches actions et de l'annexe 4",)),
        *finding_tables(findings, (SHEETS["findings"], SHEETS["document"])),
        Table(SHEETS["assumptions"], assumptions_table(FT_ASSUMPTIONS), ("Hypothèses d'analyse (registre)",)),
    ]
    tables = tuple(replace(t, money=t.money or money_columns(t.frame)) for t in frames)
    return Pack(PACK_FILES[FT.code].format(year=FT.start.year), PACK_TITLES[FT.code].format(year=FT.start.year), tables,
                bool(assessment.fictitious), {"years": [FT.start.year], "convention": FT.code,
                                              "period": (FT.start.year, FT.end.year), "departement": contract.departement,
                                              "transcribed": not contract.text_amounts.empty})
