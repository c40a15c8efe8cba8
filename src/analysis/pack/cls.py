"""The CLS execution report (art. 2.3, l. 364-388): per action results and statements, the financial
report, the annexed tables in the contract's layouts (Annexe 11 per year, the A-M table), the Annexe 10
indicator matrix, the open findings and a one-page synthesis. The period is a parameter: 2024-2025 (the
mid-term report, due to the préfet by 31 March 2026), a single year, or 2024-2027 (the final report).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analysis import display
from analysis.assessment.consumption import meets_minimum_share
from analysis.domain import CLS, PACK_FILES, PACK_TITLES, TO_COMPLETE_LABEL
from analysis.money import ZERO, total_or_none
from analysis.pack.base import Pack, Table, money_columns
from analysis.pack.findings import document_findings, execution_findings, finding_tables
from analysis.pack.report import MONEY, PERCENT, SHARE, action_statement, financial_report
from analysis.pack.synthesis import (
    assumptions_table,
    avenant_reductions,
    critical_indicators,
    finding_lines,
    flag_lines,
    line,
    main_gaps,
    status_lines,
    synthesis_frame,
)
from analysis.pack.tables import (
    a_to_m_columns,
    action_rows,
    annex11,
    annex11_columns,
    indicator_matrix,
    table_a_to_m,
)

#: Assumptions the CLS pack rests on (cited in its « Hypothèses » sheet and its notes).
CLS_ASSUMPTIONS = ["H04", "H15", "H16", "H17", "H19", "H20", "H21", "H22", "H25", "H26", "H27", "H28", "H29", "H42",
                   "H43"]
SHEETS = {"synthesis": "Synthèse", "actions": "Actions", "finance": "Bilan financier", "matrix": "Annexe 10 - matrice",
          "indicators": "Indicateurs des actions", "findings": "Constats à lever",
          "document": "Incohérences du document signé", "assumptions": "Hypothèses"}


#: How the matrices show a fiche indicator counted as another (H29).
SHARES_NOTE = ("Chaque indicateur est compté et reçoit un statut une seule fois. Sous un indicateur, une ligne « dont la "
               "part de la fiche action » donne la part d'une fiche dans l'indicateur national, qui en est la somme ; une "
               "ligne « repris par la fiche action » donne le même indicateur imprimé dans une fiche (mêmes libellé et "
               "chiffres, H29). Ces lignes ne sont pas comptées à nouveau.")


def _indicators_title(assessment) -> str:
    """« Les 45 indicateurs du contrat : 30 locaux (annexe 1) et 15 nationaux (annexe 10) », from the assessment."""
    cls = assessment.achievement[assessment.achievement["convention"] == CLS.code].drop_duplicates("indicator_id")
    local, national = int((cls["family"] == "local").sum()), int((cls["family"] == "national").sum())
    return (f"Les {len(cls)} indicateurs du contrat, chacun compté une fois : {local} locaux (annexe 1) et {national} "
            "nationaux (annexe 10), avec les indicateurs des fiches actions qui les reprennent")


def annex11_sheet(year: int) -> str:
    return f"Annexe 11 - {year}"


def a_to_m_sheet(year: int) -> str:
    return f"Tableau A-M {year}"


def reported_years(execution, years: list[int]) -> list[int]:
    """The years of ``years`` for which a CLS workbook was read."""
    w = execution.workbooks
    have = {int(y) for y in w.loc[w["convention"] == CLS.code, "year"]}
    return [y for y in years if y in have]


def _actions_table(contract, report: pd.DataFrame, assessment, years: list[int]) -> Table:
    over = assessment.achievement_over(years[0], years[-1]).assign(year=f"{years[0]}-{years[-1]}")
    yearly = assessment.achievement[assessment.achievement["year"].isin(years)]
    rows = []
    for axis, _, action, title in action_rows(contract, CLS.code):
        indicators = pd.concat([yearly[yearly["action"] == action], over[over["action"] == action]], ignore_index=True)
        rows.append({"Axe": axis, "Action": action, "Intitulé de l'action": title,
                     "Résultats et atteinte des objectifs (constat chiffré)":
                         action_statement(report[report["Action"] == action], indicators, years),
                     f"Impact social sur les bénéficiaires ({TO_COMPLETE_LABEL.lower()})": None,
                     f"Actions des partenaires ({TO_COMPLETE_LABEL.lower()})": None})
    notes = ("Le constat chiffré est écrit par le programme à partir des seuls chiffres des bilans (phrases types, "
             "aucun texte inventé). Les deux dernières colonnes sont à compléter par le Département avant la "
             "délibération départementale (article 2.3 du CLS).",)
    return Table(SHEETS["actions"], pd.DataFrame(rows), ("Résultats obtenus et niveau d'atteinte des objectifs, par action",),
                 notes)


def _scope(position: pd.DataFrame) -> str:
    """Over which actions a period total runs: « 11 actions », or the actions and years not reported."""
    gaps = [f"{a} : {display.list_text([str(y) for y in m])} non renseigné"
            for a, m in zip(position["action"], position["missing_years"]) if m]
    return f"{len(position)} actions" + (f", dont {display.list_text(gaps)}" if gaps else "")


def share_lines(report: pd.DataFrame, years: list[int], minimum) -> list[dict]:
    """Action-years (and actions over the period) whose Département share is under the 50 % of art. 2.2."""
    out = []
    for label in [*(str(y) for y in years), *([None] if len(years) > 1 else [])]:
        rows = report[report["Année"] == label] if label else report[report["Année"].str.startswith("Cumul")]
        shares = [v for v in rows[SHARE] if v is not None and v == v]
        under = [v for v in shares if not meets_minimum_share(v, minimum)]
        text = (f"Actions dont la part du Département est sous {display.percent(minimum, 0)} du réalisé "
                f"(article 2.2, lignes 348-350) — {label or 'sur la période'}, sur {len(shares)} renseignées")
        out.append(line("Part du Département", text, count=len(under)))
    return out


def _synthesis(report: pd.DataFrame, assessment, years: list[int], findings: tuple, reductions: dict) -> Table:
    label = f"{years[0]}-{years[-1]}"
    position = assessment.position_over(years[0], years[-1])
    yearly = report[report["Année"].isin([str(y) for y in years])]
    scope = _scope(position)
    lines = [line("Crédits", f"Crédits État disponibles {label} (reports comptés une fois ; {scope})",
                  total_or_none(position["available_state"])),
             line("Crédits", f"Montant État réalisé {label}", total_or_none(position["executed_state"])),
             line("Crédits", f"Crédits État non consommés {label}", total_or_none(position["unconsumed_state"])),
             *(line("Crédits", f"{c} {label}", total_or_none(yearly[c]))
               for c in ("Montant Département réalisé", "Autres financeurs réalisé", "Total réalisé")),
             line("Crédits", f"Montant exposé {label} (décision de l'État, non une somme due ; jamais plus que les "
                  "crédits non consommés de la période, H45)", total_or_none(position["amount_at_risk"])),
             line("Crédits", f"Montant à apprécier par l'État {label}", total_or_none(position["amount_under_review"])),
             *_reduction_lines(reductions),
             *flag_lines(assessment.consumption, years),
             *share_lines(report, years, assessment.parameters["cls_departement_min_share"])]
    for year in years:
        a = assessment.achievement
        lines += status_lines(a[(a["year"] == year) & (a["convention"] == CLS.code)], str(year), "Indicateurs")
    over = assessment.achievement_over(years[0], years[-1])
    lines += status_lines(over[over["convention"] == CLS.code], label, "Indicateurs")
    lines += main_gaps(assessment.consumption, years, reductions=reductions)
    lines += critical_indicators(over[over["convention"] == CLS.code], label)
    lines += finding_lines(*findings)
    notes = ("À transmettre au préfet de département au plus tard le 31 mars 2026, après délibération départementale "
             "(CLS, article 2.3).",) if years == [2024, 2025] else ()
    return Table(SHEETS["synthesis"], synthesis_frame(lines), (f"Bilan global {label}",), notes)


def _reduction_lines(reductions: dict) -> list[dict]:
    """Beside the amounts exposed: the credits an avenant already notified below the contract's forecast."""
    by_year = {}
    for next_year, amount in reductions.values():
        by_year[next_year] = by_year.get(next_year, ZERO) + amount
    return [line("Crédits", f"Réduction déjà appliquée par l'avenant {year} (crédits État notifiés sous la prévision du "
                 "contrat)", amount) for year, amount in sorted(by_year.items())]


def _tables_for(contract, execution, assessment, years: list[int], all_years: list[int]) -> list[Table]:
    """Annexe 11 for each year reported, and the A-M table of each year after the first."""
    out = []
    for year in years:
        out.append(Table(annex11_sheet(year), annex11(contract, execution, assessment, year),
                         ("TABLEAU FINANCIER DU CONTRAT LOCAL DES SOLIDARITÉS - Région HDF - Département du Pas-de-Calais",
                          f"Exécution budgétaire {year} à fournir au bilan (présentation de l'annexe 11)"),
                         (f"Source : bilan d'exécution {year} (classeur rempli). Cellule vide : non renseigné, jamais un "
                          "zéro ; les sous-totaux et totaux disent les actions non renseignées qu'ils laissent de côté. "
                          "Montant total réalisé = A + C, comme imprimé. Après 2024, crédits disponibles = crédits versés "
                          "+ report reçu de l'année précédente (colonne I = F + H du tableau 2025, H20) et B = crédits "
                          "disponibles − A.",),
                         tuple(annex11_columns(year))))
    for year in all_years[1:]:
        if year - 1 in years or year in years:
            out.append(Table(a_to_m_sheet(year), table_a_to_m(contract, execution, year),
                             ("TABLEAU FINANCIER RÉCAPITULATIF DU CONTRAT LOCAL DES SOLIDARITÉS - Région HDF - "
                              "Département du Pas-de-Calais", f"Prévisionnel Année {year} (colonnes A à M)"),
                             (f"A à E et montant total réalisé : bilan {year - 1} ; F et G : reports du bilan {year - 1} ; "
                              f"H : montant notifié par avenant pour {year} (à défaut crédits versés au bilan {year}, sinon "
                              "prévision du contrat) ; C, J et L : montants prévus par les fiches actions (H43) ; I = F + H, "
                              "K = G + J (imprimé « G+I » : incohérence du document signé), M = I + K + L recalculés. "
                              "Imputation chorus : article 3 du CLS (l. 415-431).",),
                             tuple(a_to_m_columns(year))))
    return out


def mid_term_pack(contract, execution, assessment, checks: pd.DataFrame, first: int = 2024, last: int = 2025) -> Pack:
    """The CLS execution report over ``first``-``last`` (default: the mid-term report 2024-2025)."""
    if not 2024 <= first <= last <= 2027:
        raise ValueError(f"période {first}-{last} hors du contrat (2024-2027)")
    all_years = list(range(first, last + 1))
    years = reported_years(execution, all_years)
    if not years:
        raise ValueError(f"aucun bilan d'exécution du CLS pour la période {first}-{last}")
    report = financial_report(contract, execution, assessment, years)
    findings = (execution_findings(checks, CLS.code), document_findings(checks, CLS.code))
    matrix_years = all_years
    tables = [
        _synthesis(report, assessment, years, findings, avenant_reductions(contract, execution, years)),
        _actions_table(contract, report, assessment, years),
        Table(SHEETS["finance"], report, (f"Bilan financier : exécution par action, par année et cumulée {first}-{last}",),
              ("Crédits disponibles = crédits versés ou notifiés de l'année + report reçu (H20). Montant exposé : écart "
               "sous la trajectoire attendue, sur lequel l'État peut agir (article 2.2, H21), pas une somme due. "
               "Justifications « à apprécier par l'État » : l'État juge si elles sont opérantes.",),
              tuple(MONEY), tuple(PERCENT), (SHARE,)),
        *_tables_for(contract, execution, assessment, years, all_years),
        Table(SHEETS["matrix"], indicator_matrix(contract, assessment.achievement, matrix_years,
                                                 shares=assessment.indicator_shares, links=("part",)),
              ("TABLEAU DES INDICATEURS NATIONAUX DES CONTRATS LOCAUX DES SOLIDARITÉS (annexe 10)",),
              ("Statut : cible atteinte, proche (≥ 85 %, H25), en retard (≥ 65 %, H26), critique, non renseigné.",
               SHARES_NOTE)),
        Table(SHEETS["indicators"], indicator_matrix(contract, assessment.achievement, matrix_years, table=None,
                                                     shares=assessment.indicator_shares),
              (_indicators_title(assessment),), (SHARES_NOTE,)),
        *finding_tables(findings, (SHEETS["findings"], SHEETS["document"])),
        Table(SHEETS["assumptions"], assumptions_table(CLS_ASSUMPTIONS), ("Hypothèses d'analyse (registre)",)),
    ]
    tables = [replace(t, money=t.money or money_columns(t.frame)) for t in tables]
    return Pack(PACK_FILES[CLS.code].format(first=first, last=last), PACK_TITLES[CLS.code].format(first=first, last=last),
                tuple(tables), bool(assessment.fictitious), {"years": years, "convention": CLS.code, "period": (first, last)})
