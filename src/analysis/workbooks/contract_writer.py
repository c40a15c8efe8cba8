"""Writing the contract workbook (issue 17): the blank national template of a département, or an existing
contract written into it (see :mod:`~analysis.workbooks.contract_layout` for the sheets).

Saved with :func:`analysis.xlsx.save_workbook` (fixed metadata, byte-identical on rerun, atomic). Every value
is written with :func:`analysis.xlsx.set_value` (text stays text, never a formula): the workbook has no formula
at all. Input cells are yellow and unlocked; the sheets are protected without password (against mistakes,
not a security measure).
"""

from __future__ import annotations

import datetime

from analysis.domain import CONVENTION_SHORT_LABELS
from analysis.reference import check_departement, departement_name
from analysis.workbooks.contract_layout import (
    BASELINE_YEAR,
    CONTRACT_TEMPLATE_ID,
    CONTRACT_TEMPLATE_VERSION,
    DEFAULT_RULES,
    MODELS,
    SHEET_ACTIONS,
    SHEET_CREDITS,
    SHEET_INDICATORS,
    SHEET_META,
    SHEET_NATIONAL,
    SHEET_README,
    SHEET_RULES,
    SHEET_VOLETS,
    ContractTemplate,
    build_contract_template,
    parse_models,
)
from analysis.workbooks.layout import HEADER_ROW, Sheet
from analysis.xlsx import (
    MONEY_FORMAT,
    NUMBER_FORMAT,
    TEXT_FORMAT,
    column_letter,
    header_fill,
    header_font,
    save_workbook,
    set_value,
    wrap_alignment,
)

DATE_FORMAT = "DD/MM/YYYY"


# --------------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------------


def _styles() -> dict:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color="A6A6A6")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin), "header_fill": header_fill(),
        "header_font": header_font(), "input_fill": PatternFill("solid", fgColor="FFF2CC"),
        "locked_fill": PatternFill("solid", fgColor="F2F2F2"), "bold": Font(bold=True),
        "title_font": Font(bold=True, size=14, color="1F3864"), "wrap": wrap_alignment(),
        "header_align": Alignment(wrap_text=True, vertical="center", horizontal="center"),
        "unlocked": Protection(locked=False),
    }


def _validations(sheet: Sheet) -> dict:
    """One data validation per input column (a list for a choice column), keyed by field."""
    from openpyxl.worksheet.datavalidation import DataValidation

    out = {}
    for column in sheet.columns:
        common = {"allow_blank": True, "showErrorMessage": True, "errorTitle": "Valeur invalide"}
        if column.kind == "choice":
            out[column.field] = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                                               error="Choisir une valeur dans la liste.", **common)
        elif column.kind in ("money", "number"):
            out[column.field] = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                                               error="Saisir un nombre positif ou nul.", **common)
        elif column.kind == "text":
            out[column.field] = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="2000",
                                               error="2 000 caractères au plus.", **common)
    return out


def _number_format(kind: str) -> str:
    return {"money": MONEY_FORMAT, "date": DATE_FORMAT, "number": NUMBER_FORMAT}.get(kind, TEXT_FORMAT)


def _protect(ws) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _write_sheet(wb, sheet: Sheet, entries: dict, styles: dict) -> None:
    """A data sheet: title, instructions, headers on row 4, then one row per template row."""
    ws = wb.create_sheet(sheet.name)
    set_value(ws.cell(1, 1), sheet.title).font = styles["title_font"]
    set_value(ws.cell(2, 1), "Saisir dans les cellules jaunes ; cellules grises verrouillées. Voir « Lisez-moi ».").font = (
        styles["bold"])
    for j, column in enumerate(sheet.columns, start=1):
        cell = set_value(ws.cell(HEADER_ROW, j), column.header)
        cell.font, cell.fill, cell.alignment, cell.border = (styles["header_font"], styles["header_fill"],
                                                             styles["header_align"], styles["border"])
        ws.column_dimensions[column_letter(j)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 62
    validations = _validations(sheet)
    for index, row in enumerate(sheet.rows):
        for j, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(sheet.row_number(index), j)
            cell.border, cell.number_format = styles["border"], _number_format(column.kind)
            if column.is_input:
                cell.protection, cell.fill = styles["unlocked"], styles["input_fill"]
                set_value(cell, entries.get((sheet.name, row.key, column.field)))
                if column.field in validations:
                    validations[column.field].add(cell.coordinate)
            else:
                cell.fill = styles["locked_fill"]
                set_value(cell, row.values.get(column.field))
            if column.kind in ("text", "label"):
                cell.alignment = styles["wrap"]
    for validation in validations.values():
        if validation.sqref.ranges:
            ws.add_data_validation(validation)
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _protect(ws)


def _readme_lines(template: ContractTemplate) -> list[tuple[str, str]]:
    models = " et ".join(CONVENTION_SHORT_LABELS[m] for m in template.models)
    code = template.departement
    return [
        ("title", f"Contrat de l'État et du Département — {departement_name(code)} ({code}) — {models}"),
        ("text", "Ce classeur est le modèle national du contrat à saisir une fois, d'après le contrat signé : il est "
                 "relu par analysis.read_contract_workbook, qui en fait le paquet du contrat (write_contract_package)."),
        ("head", "Feuilles"),
        ("text", f"« {SHEET_ACTIONS} » : une ligne par action (contrat, numéro et intitulé de l'axe ou du volet, code "
                 "et intitulé de l'action). Les axes se numérotent comme dans le contrat signé (1 à 4)."),
        ("text", f"« {SHEET_CREDITS} » : une ligne par action, année et financeur (État, Département, autres "
                 "financeurs), avec la précision du financeur (ERBM, FIPE, CAF, FSE+…) et le montant prévu."),
        ("text", f"« {SHEET_NATIONAL} » (CLS) : les 15 indicateurs nationaux, à renseigner (situation au "
                 f"31/12/{BASELINE_YEAR} et cibles) ; leurs codes sont communs à tous les départements."),
        ("text", f"« {SHEET_INDICATORS} » : les autres indicateurs (locaux, réalisation, pilotage), avec leur unité, "
                 "leur sens, leur situation de départ et leurs cibles ; un indicateur de fiche qui est la part d'un "
                 "indicateur national en donne le code."),
        ("text", f"« {SHEET_VOLETS} » (France Travail) : le plafond de la participation de l'État de chaque volet."),
        ("text", f"« {SHEET_RULES} » : les taux du contrat (part minimale du Département, avance et cofinancement "
                 "France Travail), les dates de signature, d'avenant et de fin ; les valeurs pré-remplies sont celles "
                 "des modèles nationaux, à vérifier sur le contrat signé."),
        ("head", "Saisie"),
        ("text", "Montants en euros au centime près (« 618000 », « 618 000,00 € ») ; pourcentages « 50 % » ou 50 ; "
                 "dates JJ/MM/AAAA. Une cellule vide n'est pas un zéro. Source, ligne et notes sont facultatives."),
        ("text", "Le classeur est refusé en bloc, avec la liste des cellules en cause, en cas de formule, de texte dans "
                 "un nombre, de code inconnu ou en double, de ligne incomplète ou de règle obligatoire absente."),
        ("text", "Ne pas insérer, supprimer ni déplacer de lignes, de colonnes ou de feuilles."),
    ]


def _write_readme(wb, template: ContractTemplate, styles: dict) -> None:
    ws = wb.create_sheet(SHEET_README, 0)
    ws.column_dimensions["A"].width = 120
    for r, (kind, text) in enumerate(_readme_lines(template), start=1):
        cell = set_value(ws.cell(r, 1), text)
        if kind in ("title", "head"):
            cell.font = styles["title_font"] if kind == "title" else styles["bold"]
        cell.alignment = styles["wrap"]
    _protect(ws)


def _write_meta(wb, template: ContractTemplate) -> None:
    ws = wb.create_sheet(SHEET_META)
    rows = [("cle", "valeur"), ("modele", CONTRACT_TEMPLATE_ID), ("version", CONTRACT_TEMPLATE_VERSION),
            ("departement", template.departement), ("modeles", "+".join(template.models))]
    for r, (key, value) in enumerate(rows, start=1):
        set_value(ws.cell(r, 1), key)
        cell = set_value(ws.cell(r, 2), value)
        cell.number_format = TEXT_FORMAT
    ws.sheet_state = "hidden"
    _protect(ws)


def _write(template: ContractTemplate, entries: dict, path):
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    styles = _styles()
    wb = Workbook()
    wb.remove(wb.active)
    _write_readme(wb, template, styles)
    for sheet in template.data_sheets:
        _write_sheet(wb, sheet, entries, styles)
    _write_meta(wb, template)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    return save_workbook(wb, path)


# --------------------------------------------------------------------------------------------------
# The blank template, and a contract written into it
# --------------------------------------------------------------------------------------------------


def _default_rules(models: tuple[str, ...]) -> dict:
    entries = {}
    rows = [(m, rule) for m in models for rule in DEFAULT_RULES[m]]
    for n, (model, (rule_id, text, value, day, unit, article)) in enumerate(rows, start=1):
        values = {"rule_id": rule_id, "convention": CONVENTION_SHORT_LABELS[model], "rule": text, "value": value,
                  "date": datetime.date.fromisoformat(day) if day else None, "unit": unit, "article": article}
        entries.update({(SHEET_RULES, str(n), field): v for field, v in values.items() if v is not None})
    return entries


def export_contract_template(path, model, departement: str):
    """Write the blank contract workbook of ``model`` ('cls', 'ft', or 'cls+ft' for a « convention globale
    unique ») for the département ``departement`` (INSEE code, e.g. '62') to ``path`` (.xlsx): the national
    template to fill, its 15 national indicators and the national models' rates and dates pre-filled. A
    French ``ValueError`` for an unknown model or département. Returns the path written (atomically)."""
    template = build_contract_template(parse_models(model), check_departement(departement))
    return _write(template, _default_rules(template.models), path)


def export_contract_workbook(contract, path):
    """Write ``contract`` into the contract workbook of its models and département (``contract.departement``)
    at ``path``: :func:`~analysis.workbooks.contract_reader.read_contract_workbook` reads it back with every
    figure unchanged. A French ``ValueError`` names what the workbook cannot hold (a result printed in the
    contract, a target outside 2024-2027, more lines than a sheet has). Returns the path written."""
    from analysis.workbooks.contract_entries import contract_entries

    models = parse_models([m for m in MODELS if (contract.actions["convention"] == m).any()])
    template = build_contract_template(models, check_departement(contract.departement))
    return _write(template, contract_entries(contract, template), path)

