"""The shared vocabulary: every code the library uses, its French label, and the repository paths.

This module is the ground floor of the library: it imports nothing from the rest of ``analysis``.
Codes (``'cls'``, ``'etat'``, ``'ecart'`` …) are what the tables hold; labels are what a person reads.
Every label a user sees comes from here (see :mod:`analysis.display`), so that a word is spelled once.

Facts of the contracts carry their source line in ``../shared/source/deliberation-cp-2024-176.txt``.
Analysis *choices* are not here: they are in the assumptions register (:mod:`analysis.assumptions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

# ------------------------------------------------------------------------------------------------
# Repository paths (computed once)
# ------------------------------------------------------------------------------------------------

#: Root of the repository (the folder holding ``data/``, ``notebooks/`` and ``src/``).
ROOT = Path(__file__).resolve().parents[2]
#: Transcribed contract tables: immutable, never written by code.
RAW_DIR = ROOT / "data" / "raw"
#: Generated, committed example inputs (the FICTITIOUS execution workbooks).
EXAMPLES_DIR = ROOT / "data" / "examples"
#: Everything the project generates (reports, figures, workbooks); git-ignored.
PROCESSED_DIR = ROOT / "data" / "processed"
#: Sub-folder of an output folder where every figure is saved (PNG and SVG).
FIGURES_SUBDIR = "figures"
#: The numbered notebooks.
NOTEBOOKS_DIR = ROOT / "notebooks"
#: The primary source, beside the repository when present.
SOURCE_FILE = ROOT.parent / "shared" / "source" / "deliberation-cp-2024-176.txt"
#: Reference tables shared by every contract package (départements, national indicators): read-only.
REFERENCE_DIR = ROOT / "data" / "reference"

# ------------------------------------------------------------------------------------------------
# Conventions
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Convention:
    """A contract model: one of the two national models a département signs (the CLS template of instruction
    DGCS/SD1B/2023/169, the France Travail model of DGEFP/DPE/2023/192), with what its money rules are (see
    ``../shared/notes/contract-rules.md``). Its figures (actions, axes, credits, rates) are a département's data,
    never this object's; its code is the only place the library names the model."""

    code: str
    label: str
    short_label: str
    start: date
    end: date
    #: How the convention groups its actions: 'axe' (CLS) or 'volet' (FT).
    grouping: str
    #: Table of the fiches actions that states the planned budget per action, year and funder.
    fiche_table: str
    #: Source line of the period.
    period_line: int
    #: The national instruction the model follows.
    national_model: str = ""
    #: Unconsumed credits may be carried into the next year (CLS: 2025 table, I = F + H); never beyond the end.
    carry_over: bool = False
    #: Under-consumption in year n may reduce the credits of n+1 (CLS art. 2.2): a flag and an exposure per
    #: action-year; without it, the year is settled by an advance and a balance (France Travail art. 6).
    reduction_n1: bool = False
    #: The group of actions the Département co-finances at a set rate (France Travail: volet 2, art. 3.3).
    cofinanced_group: str | None = None

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def grouping_label(self) -> str:
        """'Axe' or 'Volet', capitalised, for a column heading."""
        return self.grouping.capitalize()


#: The two contract models (the period is the national models'; a département's dates are its data).
CLS = Convention(
    code="cls",
    label="Contrat local des solidarités 2024-2027",
    short_label="CLS",
    start=date(2024, 1, 1),
    end=date(2027, 12, 31),
    grouping="axe",
    fiche_table="cls_fiche_budget",
    period_line=474,
    national_model="instruction DGCS/SD1B/2023/169",
    carry_over=True,
    reduction_n1=True,
)
FT = Convention(
    code="ft",
    label="Convention France Travail 2024",
    short_label="France Travail",
    start=date(2024, 1, 1),
    end=date(2024, 12, 31),
    grouping="volet",
    fiche_table="ft_fiche_budget",
    period_line=5767,
    national_model="instruction DGEFP/DPE/2023/192",
    cofinanced_group="2",
)
CONVENTIONS: dict[str, Convention] = {c.code: c for c in (CLS, FT)}
CONVENTION_CODES = list(CONVENTIONS)
CONVENTION_LABELS = {c.code: c.label for c in CONVENTIONS.values()}
CONVENTION_SHORT_LABELS = {**{c.code: c.short_label for c in CONVENTIONS.values()}, "deliberation": "Délibération"}
#: Years of each convention's period (CLS l.470-474; FT l.5765-5769).
CONVENTION_YEARS = {c.code: c.years for c in CONVENTIONS.values()}
#: The fiche-budget table of each convention.
FICHE_TABLE = {c.code: c.fiche_table for c in CONVENTIONS.values()}
FICHE_TABLES = list(FICHE_TABLE.values())

#: Day of the deliberation of the Commission permanente (n°2024-176), a fact of the source.
DELIBERATION_DATE = date(2024, 4, 15)

# ------------------------------------------------------------------------------------------------
# Tables of the source
# ------------------------------------------------------------------------------------------------

#: The CLS Annexe 3 tables (forecast 2024, execution 2024, forecast 2025).
ANNEX_TABLES = ["cls_a3_prev_2024", "cls_a3_exec_2024", "cls_a3_prev_2025"]
TABLE_LABELS = {
    "cls_fiche_budget": "CLS, budgets des fiches actions",
    "cls_a3_prev_2024": "CLS, annexe 3, prévisionnel 2024",
    "cls_a3_exec_2024": "CLS, annexe 11, exécution budgétaire 2024",
    "cls_a3_prev_2025": "CLS, annexe 3, prévisionnel 2025",
    "ft_fiche_budget": "France Travail, budgets des fiches actions",
    "ft_plan_action": "France Travail, plan d'action",
    "cls_annexe1": "CLS, annexe 1 (indicateurs locaux)",
    "cls_annexe10": "CLS, annexe 10 (indicateurs nationaux)",
    "cls_fiche_indicateurs": "CLS, indicateurs des fiches actions",
    "ft_annexe4": "France Travail, annexe 4 (indicateurs de pilotage)",
    "ft_fiche_indicateurs": "France Travail, indicateurs des fiches actions",
    "text_amounts": "Montants cités dans le texte",
    "sub_actions": "Sous-actions des fiches",
    "ft_financing_plan": "France Travail, plan de financement",
    "execution": "Bilan d'exécution",
}

# ------------------------------------------------------------------------------------------------
# Budget vocabulary
# ------------------------------------------------------------------------------------------------

FUNDER_LABELS = {"etat": "État", "departement": "Département", "autre": "Autres financeurs"}
FUNDERS = list(FUNDER_LABELS)

PHASE_LABELS = {"approved": "Prévu au contrat", "adjusted": "Ajusté par avenant", "executed": "Exécuté"}
PHASES = list(PHASE_LABELS)

ROW_TYPE_LABELS = {"line": "Ligne", "subtotal": "Sous-total", "total": "Total"}
ROW_TYPES = list(ROW_TYPE_LABELS)

#: Quantities computed from other columns of the same row (a row total, a funder's or an action's budget).
DERIVED_QUANTITIES = ["total", "budget", "funder_budget", "executed_total"]
QUANTITY_LABELS = {
    "planned": "Montant prévu",
    "allocated": "Montant alloué",
    "notified": "Crédits notifiés",
    "paid": "Crédits versés",
    "executed": "Montant réalisé",
    "unconsumed": "Crédits non consommés",
    "carry_over": "Report sur l'année suivante",
    "executed_total": "Montant total réalisé",
    "other_funders": "Autres financeurs",
    "budget": "Budget de l'action",
    "funder_budget": "Budget du financeur",
    "total": "Total",
}

#: Columns of the tidy budget table, in order.
BUDGET_COLUMNS = [
    "convention",
    "action",
    "axis",
    "year",
    "funder",
    "funder_detail",
    "phase",
    "table",
    "row_type",
    "column_label",
    "quantity",
    "amount_eur",
    "source",
    "source_line",
    "notes",
]

# ------------------------------------------------------------------------------------------------
# Indicators
# ------------------------------------------------------------------------------------------------

MEASURE_LABELS = {"baseline": "Situation de départ", "target": "Cible", "result": "Résultat"}
MEASURES = list(MEASURE_LABELS)
INDICATOR_FAMILY_LABELS = {
    "local": "Indicateur local",
    "national": "Indicateur national",
    "realisation": "Indicateur de réalisation",
    "impact": "Indicateur d'impact",
    "pilotage": "Indicateur de pilotage",
}
DIRECTION_LABELS = {"up": "Plus haut est mieux", "down": "Plus bas est mieux", "none": "Sans sens de lecture"}

# ------------------------------------------------------------------------------------------------
# Reconciliation
# ------------------------------------------------------------------------------------------------

CHECK_FAMILY_LABELS = {
    "sommes": "Sommes et totaux",
    "croisement": "Croisement des tableaux",
    "regles": "Règles chiffrées",
    "formules": "Formules des en-têtes",
    "indicateurs": "Indicateurs",
    "couverture": "Couverture (années, actions, dates)",
    "execution": "Bilans d'exécution",
}
CHECK_FAMILIES = list(CHECK_FAMILY_LABELS)
CHECK_STATUS_LABELS = {"ok": "Concordant", "ecart": "Écart", "non_verifiable": "Non vérifiable"}
CHECK_STATUSES = list(CHECK_STATUS_LABELS)
SEVERITY_LABELS = {
    "aucune": "Aucune",
    "information": "Pour information",
    "faible": "Faible",
    "moyenne": "Moyenne",
    "elevee": "Élevée",
}
SEVERITIES = list(SEVERITY_LABELS)

# ------------------------------------------------------------------------------------------------
# One place to turn any code into its label
# ------------------------------------------------------------------------------------------------

#: Labels by kind of code: ``LABELS['funder']['etat'] == 'État'``.
LABELS: dict[str, dict[str, str]] = {
    "convention": CONVENTION_SHORT_LABELS,
    "convention_long": CONVENTION_LABELS,
    "table": TABLE_LABELS,
    "funder": FUNDER_LABELS,
    "phase": PHASE_LABELS,
    "row_type": ROW_TYPE_LABELS,
    "quantity": QUANTITY_LABELS,
    "measure": MEASURE_LABELS,
    "family": {**CHECK_FAMILY_LABELS, **INDICATOR_FAMILY_LABELS},
    "check_family": CHECK_FAMILY_LABELS,
    "indicator_family": INDICATOR_FAMILY_LABELS,
    "direction": DIRECTION_LABELS,
    "status": CHECK_STATUS_LABELS,
    "severity": SEVERITY_LABELS,
}


def label(kind: str, code) -> str:
    """The French label of ``code`` of the given kind; the code itself when it has none, '' when missing."""
    if code is None or code != code:  # None or NaN
        return ""
    text = str(code)
    return LABELS[kind].get(text, text)


def grouping_label(convention: str) -> str:
    """'Axe' for the CLS, 'Volet' for France Travail."""
    return CONVENTIONS[convention].grouping_label

# ------------------------------------------------------------------------------------------------
# Display additions (issue 7, display layer): labels of table codes used by the reconciliation and
# short table labels for chart axes.
# ------------------------------------------------------------------------------------------------

TABLE_LABELS.setdefault("ft_plan_financement", "France Travail, plan de financement")
TABLE_LABELS.setdefault("ft_etat_depenses", "France Travail, état récapitulatif des dépenses")

#: Short table labels, for chart axes where the full label does not fit.
TABLE_SHORT_LABELS = {
    "cls_fiche_budget": "Fiches CLS",
    "cls_a3_prev_2024": "Annexe 3 – 2024",
    "cls_a3_exec_2024": "Annexe 3 – exécution",
    "cls_a3_prev_2025": "Annexe 3 – 2025",
    "sub_actions": "Sous-actions",
    "ft_plan_action": "Plan d'action FT",
    "ft_fiche_budget": "Fiches FT",
    "ft_plan_financement": "Plan de financement FT",
    "ft_financing_plan": "Plan de financement FT",
}
LABELS["table_short"] = TABLE_SHORT_LABELS

#: How each grouping is named in a column heading of its titles.
GROUPING_TITLE_LABELS = {"axe": "Intitulé de l'axe", "volet": "Intitulé du volet"}

# ------------------------------------------------------------------------------------------------
# Assessment of the execution by each contract's own rules (issue 9, analysis.assessment)
# ------------------------------------------------------------------------------------------------

#: Where the State amount planned for a year comes from: the latest avenant, else the contract's forecast.
PLANNED_SOURCE_LABELS = {"avenant": "Avenant", "contrat": "Contrat (prévisionnel)"}
PLANNED_SOURCES = list(PLANNED_SOURCE_LABELS)

#: Where the expected consumption rate of a year comes from.
EXPECTED_RATE_SOURCE_LABELS = {
    "contrat": "Contrat : 100 % des crédits de l'année",
    "dates_fiches": "Dates de démarrage imprimées dans la fiche",
    "declaree": "Trajectoire déclarée dans le bilan",
}
EXPECTED_RATE_SOURCES = list(EXPECTED_RATE_SOURCE_LABELS)

#: Consumption flags of the CLS (article 2.2, source lines 331-335), least to most severe; 'non_renseigne' apart.
ASSESSMENT_FLAGS = ["conforme", "a_surveiller", "justification_a_apprecier", "sous_consommation_manifeste", "non_renseigne"]
ASSESSMENT_FLAG_LABELS = {
    "conforme": "Conforme à la trajectoire attendue",
    "a_surveiller": "À surveiller : en dessous de la trajectoire, dans la marge de tolérance",
    "justification_a_apprecier": "Sous-consommation manifeste justifiée : justification à apprécier par l'État",
    "sous_consommation_manifeste": "Sous-consommation manifeste sans justification",
    "non_renseigne": "Non renseigné",
}
#: Severity rank of each flag (higher is more severe); 'non_renseigne' has none.
ASSESSMENT_FLAG_SEVERITY = {"conforme": 0, "a_surveiller": 1, "justification_a_apprecier": 2, "sous_consommation_manifeste": 3}

#: Kinds of exposure of State credits: CLS art. 2.2 (reduction in n+1, l. 331-335), CLS art. 5 (claim for
#: undue sums at the end of the contract, no carry-over beyond 31/12/2027, l. 476-492).
RISK_KIND_LABELS = {
    "reduction_n1": "Réduction possible des crédits en n+1 (CLS, art. 2.2)",
    "remboursement": "Remboursement possible des sommes indues (CLS, art. 5)",
}
RISK_KINDS = list(RISK_KIND_LABELS)

#: Status of an indicator against its target for a year.
ACHIEVEMENT_STATUS_LABELS = {
    "atteint": "Cible atteinte",
    "proche": "Proche de la cible",
    "en_retard": "En retard",
    "critique": "Critique",
    "non_renseigne": "Non renseigné",
}
ACHIEVEMENT_STATUSES = list(ACHIEVEMENT_STATUS_LABELS)

#: How an indicator's yearly value reads.
TIME_BASIS_LABELS = {
    "flux_annuel": "Flux de l'année",
    "stock_31_12": "Stock au 31 décembre",
    "cumul_depuis_2024": "Cumul depuis 2024",
}
TIME_BASES = list(TIME_BASIS_LABELS)

#: Rows of the France Travail settlement: one per volet, then the total.
SETTLEMENT_ROW_TYPE_LABELS = {"volet": "Volet", "total": "Total de la convention"}
SETTLEMENT_ROW_TYPES = list(SETTLEMENT_ROW_TYPE_LABELS)
#: Rows of the CLS end-of-contract position: one per action, then the total.
END_ROW_TYPE_LABELS = {"action": "Action", "total": "Total du contrat"}
END_ROW_TYPES = list(END_ROW_TYPE_LABELS)

#: Readings of the State share of eligible volet 2 spending (France Travail, art. 3.3 and 4.1).
FT_STATE_SHARE_READING_LABELS = {
    "moitie_cout": "50 % du coût éligible",
    "cout_moins_cofinancements": "Coût éligible moins la participation du Département et des autres financeurs",
}
FT_STATE_SHARE_READINGS = list(FT_STATE_SHARE_READING_LABELS)

#: Readings of the France Travail volet 1 forfait (art. 4.1, l. 5885-5891; H49).
FT_FORFAIT_READING_LABELS = {
    "cout_plafonne": "Coût éligible réalisé, dans la limite du forfait",
    "forfait": "Forfait entier, quel que soit le coût réalisé",
}
FT_FORFAIT_READINGS = list(FT_FORFAIT_READING_LABELS)

#: Readings of the France Travail volet 2 co-financing: with or without the valorised FSE+ (fiche 2.5).
COFINANCING_READING_LABELS = {
    "sans_fse": "Département seul",
    "avec_fse": "Département et FSE+ valorisé",
}
COFINANCING_READINGS = list(COFINANCING_READING_LABELS)
#: Bases of a co-financing share: planned (fiches) or executed (bilan).
AMOUNT_BASIS_LABELS = {"prevu": "Prévu (fiches actions)", "realise": "Réalisé (bilan)"}
AMOUNT_BASES = list(AMOUNT_BASIS_LABELS)

#: Reasons why spending is not eligible to France Travail State funding.
INELIGIBILITY_REASON_LABELS = {
    "art_4_2": "Dépense exclue par l'article 4.2 (frais généraux, de mission, prestations, investissement)",
    "hors_periode": "Dépense hors de la période de la convention (1er janvier - 31 décembre 2024)",
}
INELIGIBILITY_REASONS = list(INELIGIBILITY_REASON_LABELS)

LABELS.update({
    "planned_source": PLANNED_SOURCE_LABELS,
    "expected_rate_source": EXPECTED_RATE_SOURCE_LABELS,
    "assessment_flag": ASSESSMENT_FLAG_LABELS,
    "risk_kind": RISK_KIND_LABELS,
    "achievement_status": ACHIEVEMENT_STATUS_LABELS,
    "time_basis": TIME_BASIS_LABELS,
    "settlement_row": SETTLEMENT_ROW_TYPE_LABELS,
    "end_row": END_ROW_TYPE_LABELS,
    "ft_state_share": FT_STATE_SHARE_READING_LABELS,
    "ft_forfait_reading": FT_FORFAIT_READING_LABELS,
    "cofinancing_reading": COFINANCING_READING_LABELS,
    "amount_basis": AMOUNT_BASIS_LABELS,
    "ineligibility_reason": INELIGIBILITY_REASON_LABELS,
})

#: What a France Travail consumption row shows in place of a flag (no n+1 reduction: the balance settles it).
FLAG_NOT_APPLICABLE_LABEL = "Sans objet : convention annuelle, réglée par le solde du bilan final"

# ------------------------------------------------------------------------------------------------
# Scenario explorer (issue 11, analysis.scenarios): what-if on execution, the State's decisions on
# justifications, avenants and a 2026-2027 projection.
# ------------------------------------------------------------------------------------------------

#: Where named scenarios are saved (git-ignored, like everything under data/processed).
SCENARIOS_DIR = PROCESSED_DIR / "scenarios"

#: The State's decision on a justification of under-consumption (CLS art. 2.2: is it « opérante » ?).
SCENARIO_DECISION_LABELS = {
    "acceptee": "Justification jugée opérante par l'État",
    "rejetee": "Justification jugée non opérante par l'État",
}
SCENARIO_DECISIONS = list(SCENARIO_DECISION_LABELS)

#: The Département's share of an action's actual spending against the 50 % of CLS art. 2.2 (l. 348-350).
MINIMUM_SHARE_LABELS = {True: "conforme", False: "non conforme (article 2.2, lignes 348-350)"}
#: Header of the column that says it.
MINIMUM_SHARE_HEADER = "Règle des 50 % (article 2.2)"
#: Flag of a CLS action-year whose justification the State judges operative in a scenario: no reduction.
ACCEPTED_JUSTIFICATION_FLAG = "justification_acceptee"
ASSESSMENT_FLAG_LABELS[ACCEPTED_JUSTIFICATION_FLAG] = (
    "Sous-consommation manifeste justifiée : justification jugée opérante (scénario), pas de réduction"
)

#: How the 2026-2027 execution is projected in the scenario panel.
PROJECTION_MODE_LABELS = {
    "aucune": "Aucune projection",
    "dernier_taux": "Au rythme de la dernière année connue",
    "uniforme": "Même taux pour toutes les actions",
}
PROJECTION_MODES = list(PROJECTION_MODE_LABELS)

#: Default name of a scenario without overrides.
BASE_SCENARIO_NAME = "Base"

LABELS.update({
    "scenario_decision": SCENARIO_DECISION_LABELS,
    "projection_mode": PROJECTION_MODE_LABELS,
})

# ------------------------------------------------------------------------------------------------
# Reporting packs (issue 10): the France Travail « État des dépenses » (annexe 3 of the convention,
# source lines 9766-9951), the art. 4.2 categories of spending (lines 5901-5927), and the labels of the
# mid-term CLS pack and the France Travail final report.
# ------------------------------------------------------------------------------------------------

#: Sheet of the France Travail execution template that holds the expense statement.
EXPENSES_SHEET = "État des dépenses"

#: Types of expense of the printed « État des dépenses » model, per volet (code -> (volet, label)). The
#: model is printed over three pages whose extraction interleaves the volets (l. 9766-9951); the
#: grouping below is the reading of H40.
FT_EXPENSE_TYPES = {
    "v1_equipes_cd": ("1", "Volet 1 — Renforcement des équipes locales CD"),
    "v1_equipes_pe": ("1", "Volet 1 — Renforcement des équipes locales PE (le cas échéant)"),
    "v1_solutions_locales": ("1", "Volet 1 — Renforcement des solutions locales"),
    "v1_developpement_si": ("1", "Volet 1 — Développement SI"),
    "v2_accompagnement": ("2", "Volet 2 — Renforcement de l'accompagnement"),
    "v2_freins_sociaux": ("2", "Volet 2 — Levée des freins sociaux"),
    "v2_remobilisation": ("2", "Volet 2 — Remobilisation / entrée en parcours"),
    "v2_solutions_locales": ("2", "Volet 2 — Renforcement des solutions locales"),
    "v2_developpement_si": ("2", "Volet 2 — Développement SI"),
    "v3_equipes_cd": ("3", "Volet 3 — Renforcement des équipes locales CD/PE"),
    "v3_referencement": ("3", "Volet 3 — Référencement de l'offre de solutions locales d'accompagnement"),
    "v3_developpement_si": ("3", "Volet 3 — Développement SI"),
}
FT_EXPENSE_TYPE_LABELS = {code: text for code, (_, text) in FT_EXPENSE_TYPES.items()}

#: Categories of spending against art. 4.2 of the France Travail convention (l. 5901-5927): code ->
#: (eligible to State funding, label). Overheads, mission costs, outsourced evaluation, training or project
#: management, and investment other than IT developments for the project are not eligible.
EXPENSE_CATEGORIES = {
    "personnel": (True, "Rémunération de personnel (ingénierie, accompagnement)"),
    "accompagnement": (True, "Structure ou prestation d'accompagnement des bénéficiaires"),
    "solutions_beneficiaires": (True, "Solution ou aide directe aux bénéficiaires"),
    "developpement_si": (True, "Développement informatique répondant aux besoins du projet"),
    "frais_generaux": (False, "Frais généraux (fournitures, reprographie, locations de salles, équipement…)"),
    "frais_mission": (False, "Frais de mission (déplacements, hébergement, restauration du personnel)"),
    "prestation_exclue": (False, "Prestation d'évaluation, de formation ou de gestion de projet"),
    "investissement": (False, "Investissement (hors développements informatiques)"),
}
EXPENSE_CATEGORY_LABELS = {code: text for code, (_, text) in EXPENSE_CATEGORIES.items()}

#: Eligibility of one line of the expense statement.
ELIGIBILITY_STATUS_LABELS = {
    "eligible": "Éligible",
    "partiel": "Éligible en partie (période débordant l'année 2024)",
    "non_eligible": "Non éligible",
}
ELIGIBILITY_STATUSES = list(ELIGIBILITY_STATUS_LABELS)

#: The two packs: file names under the output folder and their titles.
PACK_FILES = {"cls": "bilan_mi_parcours_cls_{first}-{last}.xlsx", "ft": "bilan_final_ft_{year}.xlsx"}
PACK_TITLES = {
    "cls": "Rapport d'exécution du Contrat local des solidarités — période {first}-{last}",
    "ft": "Bilan final de la convention France Travail {year}",
}
#: What the Département adds by hand before the departmental deliberation (CLS art. 2.3, l. 364-388).
TO_COMPLETE_LABEL = "À compléter par le Département"
#: How the packs name a justification the State must judge (CLS art. 2.2, l. 331-335).
STATE_JUDGES_LABEL = "À apprécier par l'État"

LABELS.update({
    "expense_type": FT_EXPENSE_TYPE_LABELS,
    "expense_category": EXPENSE_CATEGORY_LABELS,
    "eligibility": ELIGIBILITY_STATUS_LABELS,
})


def output_dir(folder=None) -> Path:
    """The output folder of a run: ``folder`` when given (``--out``), else ``data/processed``."""
    return Path(folder) if folder else PROCESSED_DIR

# ------------------------------------------------------------------------------------------------
# Packs, issue 15 item 8: every value of the « Hypothèses » and « Constats » sheets in words.
# ------------------------------------------------------------------------------------------------

#: Documents of the deliberation where a figure or a rule is printed (``text_amounts``, ``rules``, ``imputations``).
DOCUMENT_LABELS = {
    "deliberation": "la délibération",
    "cls_convention": "la convention du CLS",
    "ft_convention": "la convention France Travail",
    "rapport_president": "le rapport du Président",
    "cooperation_convention": "la convention de coopération",
    "ft_plan_action": "le plan d'action France Travail",
}

#: What each check of an execution workbook verifies (the last part of its identifier).
EXECUTION_CHECK_LABELS = {
    "non_consomme": "crédits non consommés = crédits versés − montant réalisé",
    "total_realise": "montant total réalisé = somme des financeurs",
    "report_etat": "report de la part État sur l'année suivante",
    "verse_vs_avance": "crédits versés comparés à l'avance de la convention",
    "verse_vs_prevu": "crédits versés comparés au contrat",
    "indicateurs": "résultats des indicateurs jumeaux",
}

#: The values of the assumptions register (readings and methods) in words, for a pack's « Hypothèses » sheet.
ASSUMPTION_VALUE_LABELS = {
    "dates_fiches": "dates de démarrage imprimées dans les fiches",
    "contrat": "100 % des crédits de l'année",
    "debut": "début de la période imprimée",
    "milieu": "milieu de la période imprimée",
    "verse_ou_notifie": "crédits versés de l'année (à défaut notifiés) + report reçu",
    "notifie": "crédits notifiés de l'année + report reçu",
    "ecart_trajectoire": "écart sous la trajectoire attendue, plafonné aux crédits non consommés",
    "non_consomme": "crédits non consommés",
    "montant_alloue": "montant alloué par la convention",
    "verse": "avance versée",
    "moitie_cout": "50 % du coût éligible",
    "cout_moins_cofinancements": "coût éligible moins les cofinancements",
    "flux_annuel": "flux de l'année",
    "stock_31_12": "stock au 31 décembre",
    "cumul_depuis_2024": "cumul depuis 2024",
    "prorata": "au prorata des jours de 2024",
    "exclue": "dépense entière exclue",
    "incluse": "dépense entière retenue",
    "prevu_fiche": "montant prévu par la fiche action",
    "realise": "montant réalisé",
    "volet": "sur le volet entier",
    "points": "en points de pourcentage",
    "dernier_taux": "au rythme de la dernière année connue",
    "uniforme": "même taux pour toutes les actions",
    "aucun": "aucun report",
    "demi_superieur": "au centime le plus proche, demi-centime vers le haut",
    "cout_plafonne": "coût éligible réalisé, dans la limite du forfait",
    "forfait": "forfait entier, quel que soit le coût réalisé",
    "paid": "crédits versés",
    "mean": "moyenne des taux d'atteinte",
    "plafond_non_consomme": "plafonnés par les crédits non consommés de la période, chaque euro une fois",
    "somme_des_annees": "somme des années",
}
LABELS.update({"document": DOCUMENT_LABELS, "execution_check": EXECUTION_CHECK_LABELS,
               "assumption_value": ASSUMPTION_VALUE_LABELS})

# ------------------------------------------------------------------------------------------------
# National view, issue 17: many départements' contracts side by side.
# ------------------------------------------------------------------------------------------------

#: Where ``make national`` writes the FICTITIOUS national set (contracts, workbooks, cache).
NATIONAL_DIR = PROCESSED_DIR / "national"

#: The State's national envelopes for 2024, per convention: facts from outside the deliberation (public
#: sources, ``../shared/notes/contract-rules.md``): « L'effort de l'État s'élève globalement en 2024 à 260 millions
#: d'euros », 90 M€ for the solidarity contracts (instruction n° DGCS/SD1B/2023/169 du 23 novembre 2023) and
#: 170 M€ for the France Travail conventions (instruction n° DGEFP/DPE/2023/192 du 27 décembre 2023).
NATIONAL_ENVELOPES = {("cls", 2024): Decimal("90000000.00"), ("ft", 2024): Decimal("170000000.00")}
NATIONAL_ENVELOPE_TOTAL_2024 = Decimal("260000000.00")
NATIONAL_ENVELOPE_SOURCES = {
    "cls": "instruction interministérielle n° DGCS/SD1B/2023/169 du 23 novembre 2023 (Pacte des solidarités, "
           "contrats locaux des solidarités) : 90 M€ en 2024",
    "ft": "instruction n° DGEFP/DPE/2023/192 du 27 décembre 2023 (contractualisation France Travail 2024 avec les "
          "départements) : 170 M€ en 2024",
    "total": "« L'effort de l'État s'élève globalement en 2024 à 260 millions d'euros » (Banque des Territoires, "
             "« Contrats locaux des solidarités : des éléments de cadrage pour les départements et les métropoles »)",
}

#: What a national view knows of a département's workbooks over the period.
REPORTING_STATUS_LABELS = {
    "complet": "tous les bilans attendus reçus",
    "partiel": "des bilans attendus manquent",
    "aucun_bilan": "aucun bilan reçu",
}
REPORTING_STATUSES = list(REPORTING_STATUS_LABELS)
#: Levels of a national roll-up.
NATIONAL_LEVEL_LABELS = {"departement": "Département", "region": "Région", "nation": "France entière"}
NATIONAL_LEVELS = list(NATIONAL_LEVEL_LABELS)
#: How a national indicator is rolled up across départements (H54).
INDICATOR_ROLLUP_LABELS = {"somme": "somme des départements", "distribution": "distribution entre départements"}
INDICATOR_ROLLUPS = list(INDICATOR_ROLLUP_LABELS)
LABELS.update({"reporting_status": REPORTING_STATUS_LABELS, "national_level": NATIONAL_LEVEL_LABELS,
               "indicator_rollup": INDICATOR_ROLLUP_LABELS})
