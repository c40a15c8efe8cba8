"""The contract workbook's layout (issue 17): which sheet holds what, built once for writing and reading.

The contract workbook is the national template a département's contract is typed into: one workbook per
département, holding the CLS (model DGCS/SD1B/2023/169), the France Travail convention (model
DGEFP/DPE/2023/192), or both in one workbook (a « convention globale unique »). Its sheets:

- « Actions » — one numbered line per action: contract, axis (CLS) or volet (France Travail) and its label,
  action code and title;
- « Crédits » — one numbered line per action, year and funder: État, Département or another funder, with
  the funder's detail (ERBM, FIPE, CAF, FSE+…) and the amount;
- « Indicateurs nationaux » (CLS) — the 15 national indicators, codes and labels locked
  (``data/reference/indicateurs_nationaux_cls.csv``): baseline at 31/12/2023 and yearly targets;
- « Indicateurs » — one numbered line per other indicator: code, action, label, family, unit, direction,
  national indicator it refers to, baseline and yearly targets;
- « Volets France Travail » (France Travail) — the State ceiling of each volet (art. 4.1);
- « Règles et dates » — one numbered line per rule: the rates the library applies (Département's minimum
  share, France Travail advance and volet 2 co-financing), signature, avenant and end dates;
- « Lisez-moi » and the hidden « _modele » (template, version, département, models).

Every line of the numbered sheets also has an optional source reference (text and line) and notes. The
sheets use the execution workbook's :class:`~analysis.workbooks.layout.Sheet`, :class:`Column` and
:class:`Row`, so that they are read by the same machinery (:mod:`~analysis.workbooks.grid`,
:mod:`~analysis.workbooks.structure`, :mod:`~analysis.workbooks.parsing`).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.assumptions import default
from analysis.domain import CLS, CONVENTION_SHORT_LABELS, FT, FUNDER_LABELS
from analysis.reference import national_indicators
from analysis.workbooks.layout import Column, Row, Sheet

#: Identifier and version of the contract template, written in the hidden sheet and checked on reading.
CONTRACT_TEMPLATE_ID = "analysis.contract"
CONTRACT_TEMPLATE_VERSION = "1"

SHEET_README = "Lisez-moi"
SHEET_ACTIONS = "Actions"
SHEET_CREDITS = "Crédits"
SHEET_NATIONAL = "Indicateurs nationaux"
SHEET_INDICATORS = "Indicateurs"
SHEET_VOLETS = "Volets France Travail"
SHEET_RULES = "Règles et dates"
SHEET_META = "_modele"

#: Numbered lines of each sheet (H51; the Pas-de-Calais contract uses 19, 110, 52 and 14 of them).
LINES = {SHEET_ACTIONS: 100, SHEET_CREDITS: int(default("contract_workbook_credit_lines")), SHEET_INDICATORS: 200,
         SHEET_RULES: 60}
#: Year of the baseline (« situation au 31/12/2023 » of both national models) and years of the targets (the CLS
#: runs 2024-2027; France Travail 2024, volet 3 to 2025): H50.
BASELINE_YEAR = int(default("contract_baseline_year"))
TARGET_YEARS = tuple(range(BASELINE_YEAR + 1, BASELINE_YEAR + 5))
#: The models a workbook may hold, in order.
MODELS = (CLS.code, FT.code)

#: Choice labels -> codes (what a person picks -> what the tables hold).
FUNDER_CHOICES = {FUNDER_LABELS[code]: code for code in ("etat", "departement", "autre")}
FAMILY_CHOICES = {"local": "local", "national (part d'une action)": "national", "réalisation": "realisation",
                  "impact": "impact", "pilotage": "pilotage"}
DIRECTION_CHOICES = {"hausse attendue": "up", "baisse attendue": "down", "sans objet": "none"}
UNIT_CHOICES = {"pourcentage": "pourcentage", "jours": "jours", "mois": "mois", "date": "date"}
#: The volets of the France Travail convention (art. 4.1).
VOLETS = {
    "1": "Volet 1 — préparer la mise en œuvre de la réforme (forfait)",
    "2": "Volet 2 — étoffer l'offre de solutions d'insertion locales (cofinancé)",
    "3": "Volet 3 — renouveler l'accompagnement des allocataires du RSA (par avenant)",
}


def convention_choices(models: tuple[str, ...]) -> dict[str, str]:
    """The convention labels a workbook of ``models`` offers -> their codes ('CLS' -> 'cls')."""
    return {CONVENTION_SHORT_LABELS[m]: m for m in models}


def parse_models(model) -> tuple[str, ...]:
    """'cls', 'ft', 'cls+ft' (or a sequence of them) -> the models in order; a French ValueError otherwise."""
    parts = model.replace(" ", "").split("+") if isinstance(model, str) else list(model) if model is not None else []
    if not parts or any(p not in MODELS for p in parts) or len(set(parts)) != len(parts):
        shown = str(model)[:40]
        raise ValueError(f"modèle de contrat inconnu « {shown} » (attendu : « cls », « ft » ou « cls+ft » pour une "
                         "convention globale unique)")
    return tuple(m for m in MODELS if m in parts)


# --------------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------------

_SOURCE = (
    Column("source", "Source (facultatif) : document, article, page", "text", width=36),
    Column("source_line", "Ligne de la source (facultatif)", "number", width=10),
    Column("notes", "Notes", "text", width=36),
)


def _convention(models) -> Column:
    return Column("convention", "Contrat", "choice", width=14, choices=tuple(convention_choices(models)))


def _targets() -> tuple:
    return (Column("baseline", f"Situation au 31/12/{BASELINE_YEAR}", "number", width=12),
            *(Column(f"target_{y}", f"Cible {y}", "number", width=11) for y in TARGET_YEARS))


def _numbered(name: str, title: str, columns: tuple) -> Sheet:
    rows = tuple(Row("line", str(n), None, None, {"line": str(n)}) for n in range(1, LINES[name] + 1))
    return Sheet(name, title, "line", (Column("line", "N°", "key", width=6), *columns), rows)


#: The numbered sheets: title, then each column (field, header, kind, width, choices); « CONVENTION » stands for
#: the contract column of the workbook's models, « TARGETS » for the baseline and yearly targets.
CONVENTION, TARGETS = "<convention>", "<targets>"
NUMBERED = {
    SHEET_ACTIONS: ("Actions du contrat, par axe (CLS) ou volet (France Travail)", (
        CONVENTION,
        ("axis", "Axe (CLS) ou volet (France Travail) : numéro", "text", 10, None),
        ("axis_label", "Intitulé de l'axe ou du volet", "text", 40, None),
        ("action", "Code de l'action (ex. 1.1)", "text", 10, None),
        ("title", "Intitulé de l'action", "text", 50, None))),
    SHEET_CREDITS: ("Crédits prévus par action, année et financeur (fiches actions)", (
        CONVENTION,
        ("action", "Code de l'action", "text", 10, None),
        ("year", "Année", "number", 8, None),
        ("funder", "Financeur", "choice", 16, tuple(FUNDER_CHOICES)),
        ("funder_detail", "Précision du financeur (ERBM, FIPE, CAF, FSE+…)", "text", 22, None),
        ("amount", "Montant prévu (€)", "money", 16, None))),
    SHEET_INDICATORS: ("Indicateurs locaux, de réalisation et de pilotage : situation de départ et cibles", (
        CONVENTION,
        ("indicator_id", "Code de l'indicateur", "text", 14, None),
        ("action", "Action (vide : tout le contrat)", "text", 9, None),
        ("label", "Libellé de l'indicateur", "text", 50, None),
        ("family", "Famille", "choice", 16, tuple(FAMILY_CHOICES)),
        ("unit", "Unité (nombre, %, ETP, jours…)", "text", 10, None),
        ("direction", "Sens", "choice", 14, tuple(DIRECTION_CHOICES)),
        ("ref_indicator", "Part de l'indicateur national (code)", "text", 12, None),
        TARGETS)),
    SHEET_RULES: ("Règles chiffrées et dates du contrat (taux, signature, avenants, fin de période)", (
        ("rule_id", "Identifiant (minuscules, chiffres, _)", "text", 30, None),
        CONVENTION,
        ("rule", "Règle", "text", 50, None),
        ("value", "Valeur (nombre ; 50 % pour un pourcentage)", "number", 12, None),
        ("date", "Date", "date", 12, None),
        ("unit", "Unité", "choice", 12, tuple(UNIT_CHOICES)),
        ("document", "Document (vide : la convention)", "text", 16, None),
        ("article", "Article", "text", 12, None))),
}


def _numbered_sheet(name: str, models) -> Sheet:
    """One numbered sheet of :data:`NUMBERED`, its contract column offering ``models``."""
    title, specs = NUMBERED[name]
    columns = []
    for spec in specs:
        if spec == CONVENTION:
            columns.append(_convention(models))
        elif spec == TARGETS:
            columns.extend(_targets())
        else:
            field, header, kind, width, choices = spec
            columns.append(Column(field, header, kind, width=width, **({"choices": choices} if choices else {})))
    return _numbered(name, title, (*columns, *_SOURCE))


def _national() -> Sheet:
    vocabulary = national_indicators()
    columns = (
        Column("indicator_id", "Code", "key", width=10),
        Column("axis", "Axe", "label", width=6),
        Column("theme", "Thématique", "label", width=30),
        Column("label", "Indicateur national", "label", width=50),
        Column("unit", "Unité", "label", width=9),
        *_targets(),
        *_SOURCE,
    )
    rows = tuple(Row("line", code, None, None, {"indicator_id": code, "axis": axis, "theme": theme, "label": label,
                                                 "unit": unit})
                 for code, axis, theme, label, unit in zip(vocabulary["code"], vocabulary["axe"], vocabulary["thematique"],
                                                           vocabulary["libelle"], vocabulary["unite"]))
    return Sheet(SHEET_NATIONAL, "Les 15 indicateurs nationaux du CLS (modèle national) : situation de départ et cibles",
                 "indicator_id", columns, rows)


def _volets() -> Sheet:
    columns = (
        Column("line", "Volet", "key", width=6),
        Column("label", "Intitulé", "label", width=50),
        Column("ceiling", "Plafond de l'État (article 4.1), €", "money", width=18),
        *_SOURCE,
    )
    rows = tuple(Row("line", volet, None, None, {"line": volet, "label": label}) for volet, label in VOLETS.items())
    return Sheet(SHEET_VOLETS, "Convention France Travail : plafond de la participation de l'État par volet", "line",
                 columns, rows)


@dataclass(frozen=True)
class ContractTemplate:
    """The layout of a contract workbook for ``models`` ('cls', 'ft' or both) and a département."""

    models: tuple
    departement: str
    sheets: dict

    @property
    def data_sheets(self) -> list[Sheet]:
        return list(self.sheets.values())


def build_contract_template(models: tuple[str, ...], departement: str) -> ContractTemplate:
    """The sheets of a contract workbook of ``models`` (see the module docstring), in order."""
    sheets = [_numbered_sheet(SHEET_ACTIONS, models), _numbered_sheet(SHEET_CREDITS, models)]
    if CLS.code in models:
        sheets.append(_national())
    sheets.append(_numbered_sheet(SHEET_INDICATORS, models))
    if FT.code in models:
        sheets.append(_volets())
    sheets.append(_numbered_sheet(SHEET_RULES, models))
    return ContractTemplate(models, departement, {s.name: s for s in sheets})


#: The rules a blank template proposes, per model: (rule_id, rule, value, date, unit, article). Rates and
#: dates of the national models as the Pas-de-Calais deliberation prints them (l. 348, 388, 474, 5767,
#: 5821, 5953); France Travail volet 3 runs to 31/12/2025 (instruction of 23 May 2024). To check against
#: the signed contract; the rates of the first line of each model are required.
DEFAULT_RULES = {
    CLS.code: (
        ("cls_departement_min_share", "Le Département apporte au moins ce pourcentage des crédits de chaque action",
         50, None, "pourcentage", "2.2"),
        ("cls_signature", "date de signature de la convention", None, None, "date", None),
        ("cls_avenant_2025", "date de l'avenant fixant les crédits de l'État pour 2025", None, None, "date", "3"),
        ("cls_avenant_2026", "date de l'avenant fixant les crédits de l'État pour 2026", None, None, "date", "3"),
        ("cls_avenant_2027", "date de l'avenant fixant les crédits de l'État pour 2027", None, None, "date", "3"),
        ("cls_midterm_report_due", "rapport d'exécution à mi-parcours transmis au préfet au plus tard le", None,
         "2026-03-31", "date", "2.3"),
        ("cls_end", "fin de la période de la convention", None, "2027-12-31", "date", "4"),
    ),
    FT.code: (
        ("ft_advance_rate", "avance à la signature, en part du montant prévisionnel de l'article 4.1", 60, None,
         "pourcentage", "6"),
        ("ft_volet2_departement_cofinancing", "Le Département cofinance le coût total des actions du volet 2 à hauteur de",
         50, None, "pourcentage", "3.3"),
        ("ft_signature", "date de signature de la convention", None, None, "date", None),
        ("ft_volet3_avenant", "date de l'avenant du volet 3", None, None, "date", None),
        ("ft_end", "fin de la période de la convention", None, "2024-12-31", "date", "2"),
        ("ft_volet3_end", "fin de la période du volet 3 (prolongée par l'instruction du 23 mai 2024)", None,
         "2025-12-31", "date", None),
    ),
}
#: The rules every contract of a model must have, with a value (the rates the library applies).
REQUIRED_RULES = {CLS.code: ("cls_departement_min_share",), FT.code: ("ft_advance_rate", "ft_volet2_departement_cofinancing")}
