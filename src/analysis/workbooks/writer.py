"""Writing the template: styles, validations, protection, sheets, read-me, metadata.

Saved with :func:`analysis.xlsx.save_workbook` (fixed metadata, byte-identical on rerun, atomic), with
the project's shared header style and number formats. Text from the contract or from prefill entries
is written as text (:func:`analysis.xlsx.set_value`); the only formulas are the template's own.

:func:`fill_template` never copies the workbook it is given: it reads what was typed in its input cells
(:func:`~analysis.workbooks.reader.read_inputs`, with the reader's bounds and French errors) and writes
the template again with those values and the new entries, so that nothing else of the file it was given
(a planted formula, a link, a hidden part) can reach the file it writes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from analysis.domain import CLS, CONVENTION_LABELS
from analysis.workbooks.layout import (
    GAP_REASONS,
    HEADER_ROW,
    MONEY_KINDS,
    SHEET_AMENDMENT,
    SHEET_EXPENSES,
    SHEET_FINANCE,
    SHEET_INDICATORS,
    SHEET_LISTS,
    SHEET_META,
    SHEET_README,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    Sheet,
    Template,
    build_template,
    clean,
    exercise_year,
    expected_content,
    is_formula_cell,
    is_input_cell,
)
from analysis.xlsx import (
    MONEY_FORMAT,
    NUMBER_FORMAT,
    PERCENT_FORMAT,
    TEXT_FORMAT,
    column_letter,
    header_fill,
    header_font,
    save_workbook,
    set_formula,
    set_value,
    wrap_alignment,
)

# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color="A6A6A6")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "header_fill": header_fill(),
        "header_font": header_font(),
        "input_fill": PatternFill("solid", fgColor="FFF2CC"),
        "locked_fill": PatternFill("solid", fgColor="F2F2F2"),
        "formula_fill": PatternFill("solid", fgColor="E2EFDA"),
        "total_fill": PatternFill("solid", fgColor="D9D9D9"),
        "bold": Font(bold=True),
        "title_font": Font(bold=True, size=14, color="1F3864"),
        "notice_font": Font(bold=True, size=12, color="C00000"),
        "wrap": wrap_alignment(),
        "header_align": Alignment(wrap_text=True, vertical="center", horizontal="center"),
        "unlocked": Protection(locked=False),
    }


#: Number format of a date cell (shown the French way).
DATE_FORMAT = "DD/MM/YYYY"


def _list_validations(sheet: Sheet) -> dict:
    """A list validation per 'choice' column with its own values, read from the hidden sheet of lists."""
    from openpyxl.worksheet.datavalidation import DataValidation

    out = {}
    for j, column in enumerate(c for c in sheet.columns if c.choices):
        letter = column_letter(j + 1)
        out[column.field] = DataValidation(
            type="list", formula1=f"'{SHEET_LISTS}'!${letter}$2:${letter}${len(column.choices) + 1}", allow_blank=True,
            showErrorMessage=True, showInputMessage=True, errorTitle="Valeur invalide", error="Choisir une valeur dans la liste.",
            promptTitle=column.header[:32], prompt="Choisir dans la liste.")
    return out


def _date_validation():
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet.datavalidation import DataValidation

    first, last = (int(to_excel(d)) for d in (datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)))
    return DataValidation(type="date", operator="between", formula1=str(first), formula2=str(last), allow_blank=True,
                          showErrorMessage=True, showInputMessage=True, errorTitle="Date invalide",
                          error="Saisir une date (ex. 15/03/2024).", promptTitle="Date",
                          prompt="Date au format JJ/MM/AAAA. Pour une période, saisir aussi la fin de période.")


def _validations(sheet: Sheet):
    from openpyxl.worksheet.datavalidation import DataValidation

    money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           showErrorMessage=True, showInputMessage=True, errorTitle="Montant invalide",
                           error="Saisir un montant en euros, positif ou nul, au centime près (ex. 618000 ou 618000,50).",
                           promptTitle="Montant en euros",
                           prompt="Montant positif ou nul, au centime près. Laisser vide si inconnu.")
    number = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, showInputMessage=True, errorTitle="Valeur invalide",
                            error="Saisir un nombre positif ou nul.", promptTitle="Résultat",
                            prompt="Nombre positif ou nul, dans l'unité de l'indicateur. Laisser vide si inconnu.")
    rate = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True,
                          showErrorMessage=True, showInputMessage=True, errorTitle="Taux invalide",
                          error="Saisir un taux entre 0 % et 100 % (ex. 50 %).", promptTitle="Taux",
                          prompt="Part du budget annuel que l'action doit atteindre cette année (ex. 50 %).")
    text = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="2000", allow_blank=True,
                          showErrorMessage=True, errorTitle="Texte trop long", error="2 000 caractères au plus.")
    choice = DataValidation(type="list", formula1='"' + ",".join(GAP_REASONS) + '"', allow_blank=True,
                            showErrorMessage=True, showInputMessage=True, errorTitle="Motif invalide",
                            error="Choisir un motif dans la liste.", promptTitle="Motif de l'écart",
                            prompt="Choisir dans la liste ; préciser dans la colonne Justification.")
    return {"money": money, "number": number, "rate": rate, "text": text, "choice": choice, "date": _date_validation(),
            **_list_validations(sheet)}


def _protect(ws) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # analysts may resize columns and rows
    ws.protection.formatRows = False


def _write_title(ws, styles, title: str, instructions: str, notice: str | None) -> None:
    set_value(ws.cell(1, 1), title).font = styles["title_font"]
    set_value(ws.cell(2, 1), instructions).font = styles["bold"]
    if notice:
        set_value(ws.cell(3, 1), notice).font = styles["notice_font"]


def _number_format(column) -> str:
    if column.kind in MONEY_KINDS:
        return MONEY_FORMAT
    if column.kind in ("rate", "calc_rate"):
        return PERCENT_FORMAT
    if column.kind in ("key", "label", "text", "choice"):
        return TEXT_FORMAT
    if column.kind == "date":
        return DATE_FORMAT
    return NUMBER_FORMAT


def _write_headers(ws, sheet: Sheet, styles) -> None:
    for j, column in enumerate(sheet.columns, start=1):
        cell = set_value(ws.cell(HEADER_ROW, j), column.header)
        cell.font, cell.fill, cell.alignment, cell.border = (
            styles["header_font"], styles["header_fill"], styles["header_align"], styles["border"])
        ws.column_dimensions[column_letter(j)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 62


def _write_body_cell(cell, sheet: Sheet, index: int, column, styles, validations) -> None:
    """One cell below the headers: an unlocked yellow input, or a locked value or formula."""
    row = sheet.rows[index]
    cell.border = styles["border"]
    if is_input_cell(row, column):
        cell.protection = styles["unlocked"]
        cell.fill = styles["input_fill"]
        validations[column.field if column.choices else column.kind].add(cell.coordinate)
        if column.kind in ("text", "choice"):
            cell.alignment = styles["wrap"]
    else:
        formula = is_formula_cell(row, column)
        content = expected_content(sheet, index, column)
        if formula:
            set_formula(cell, content)
        else:
            set_value(cell, content)
        cell.fill = styles["formula_fill"] if formula else styles["locked_fill"]
        if row.kind != "line":
            cell.fill = styles["total_fill"]
            cell.font = styles["bold"]
        if column.kind in ("key", "label"):
            cell.alignment = styles["wrap"]
    cell.number_format = _number_format(column)


def _write_data_sheet(wb, sheet: Sheet, styles, instructions: str, notice: str | None):
    ws = wb.create_sheet(sheet.name)
    _write_title(ws, styles, sheet.title, instructions, notice)
    validations = _validations(sheet)
    _write_headers(ws, sheet, styles)
    for index in range(len(sheet.rows)):
        for j, column in enumerate(sheet.columns, start=1):
            _write_body_cell(ws.cell(sheet.row_number(index), j), sheet, index, column, styles, validations)
    for dv in validations.values():
        if dv.sqref.ranges:
            ws.add_data_validation(dv)
    ws.freeze_panes = f"D{HEADER_ROW + 1}"  # headers and the three identifying columns stay visible
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _protect(ws)
    return ws


def _write_lists(wb, template: Template) -> None:
    """The hidden sheet of the choice lists of the expense statement (one column per list, header first)."""
    if SHEET_EXPENSES not in template.sheets:
        return
    ws = wb.create_sheet(SHEET_LISTS)
    for j, column in enumerate(c for c in template.sheets[SHEET_EXPENSES].columns if c.choices):
        set_value(ws.cell(1, j + 1), column.header)
        for i, choice in enumerate(column.choices, start=2):
            set_value(ws.cell(i, j + 1), choice)
    ws.sheet_state = "hidden"
    _protect(ws)


EXPENSE_INSTRUCTIONS = ("Une ligne par dépense, dans l'ordre du modèle de l'annexe 3 : volet et type de dépense, fiche "
                        "action, nature, catégorie au regard de l'article 4.2, date ou période, objet et montant. "
                        "Lignes vides : ignorées. Voir « Lisez-moi ».")


def _expense_readme(template: Template) -> list[tuple]:
    if SHEET_EXPENSES not in template.sheets:
        return []
    return [("text", f"« {SHEET_EXPENSES} » (bilan final, article 3.2 et annexe 3 de la convention) : une ligne par "
                     "dépense, avec le volet et le type de dépense du modèle, la fiche action à laquelle elle se "
                     "rattache, sa nature, sa catégorie au regard de l'article 4.2 (frais généraux, frais de mission, "
                     "prestations d'évaluation, de formation ou de gestion de projet et investissements hors "
                     "développements informatiques ne sont pas éligibles au financement de l'État), l'unité, le "
                     "nombre d'unités et le coût unitaire si pertinent, la date ou la période (début et fin), l'objet "
                     "et le montant. Une ligne commencée doit être complète ; montant = nombre d'unités × coût "
                     "unitaire quand les deux sont saisis ; la fiche action doit appartenir au volet choisi. "
                     "L'éligibilité (catégorie, dates dans l'année 2024) est contrôlée ligne par ligne à la relecture.")]


def _readme_lines(template: Template, notice: str | None) -> list[tuple]:
    c, y = template.convention, template.year
    label = CONVENTION_LABELS[c]
    carry = (f", les montants à reporter sur {y + 1} (parts État et Département)" if c == CLS.code else
             " ; les crédits État versés sont l'avance de l'article 6 (60 %), le montant réalisé peut la dépasser : "
             "le solde est réglé sur le bilan final")
    lines = [
        ("title", f"Bilan d'exécution {y} — {label}"),
    ]
    if notice:
        lines.append(("notice", notice))
    lines += [
        ("pair", "Convention", label),
        ("pair", "Code de la convention", c),
        ("pair", "Exercice", y),
        ("pair", "Version du modèle", TEMPLATE_VERSION),
        ("blank",),
        ("head", "Ce qu'il faut remplir (cellules jaunes)"),
        ("text", f"« {SHEET_FINANCE} » : pour chaque action, les crédits État versés en {y}, les montants "
                 f"réalisés au 31/12/{y} (part État A, part Département C, autres financeurs){carry} ; le taux "
                 "de montée en charge prévu si l'action démarre progressivement ; en cas d'écart au prévu, le "
                 "motif (liste) et une justification."),
        ("text", f"« {SHEET_INDICATORS} » : le résultat {y} de chaque indicateur et un commentaire. La situation "
                 "de départ et la cible du contrat sont rappelées et verrouillées."),
        ("text", f"« {SHEET_AMENDMENT} » : le montant État notifié pour {y + 1} par avenant, action par action, "
                 "et la référence de l'avenant."),
        *_expense_readme(template),
        ("blank",),
        ("head", "Unités et saisie"),
        ("text", "Montants en euros, au centime près, positifs ou nuls. « 618000 », « 618000,5 » ou "
                 "« 618 000,50 € » sont acceptés."),
        ("text", "Taux en pourcentage : « 50 % » (ou 0,5). Résultats d'indicateurs dans l'unité indiquée."),
        ("text", "Laisser vide ce qui n'est pas connu : une cellule vide n'est pas un zéro. Saisir 0 pour un "
                 "montant nul."),
        ("text", "Cellules jaunes : saisie. Cellules grises : rappel du contrat, verrouillées. Cellules vertes : "
                 "calculées par formule (B = versés − A ; total réalisé ; taux ; sous-totaux)."),
        ("blank",),
        ("head", "Contrôles à la relecture"),
        ("text", "Le classeur est relu par le programme (analysis.read_execution). Les colonnes calculées et "
                 "les sous-totaux sont recalculés par le programme : les valeurs affichées par le tableur ne "
                 "sont jamais reprises telles quelles, et un écart éventuel est signalé."),
        ("text", "Le classeur est refusé, avec la liste complète des problèmes (feuille, cellule, valeur, "
                 "raison), en cas de : texte dans une cellule de nombre, montant ou résultat négatif, code "
                 "d'action ou d'indicateur inconnu, ligne en double, cellule verrouillée ou formule modifiée, "
                 "feuille manquante ou renommée, en-tête modifié ou décalé, cellules fusionnées, "
                 + ("montant État réalisé supérieur aux crédits versés, report supérieur aux crédits non consommés, "
                    if c == CLS.code else "")
                 + "classeur d'une autre année ou d'une autre convention."),
        ("text", "Un classeur refusé n'est pas chargé du tout : corriger les cellules citées et le renvoyer."),
        ("blank",),
        ("head", "À ne pas faire"),
        ("text", "Insérer, supprimer ou déplacer des lignes, des colonnes ou des feuilles ; fusionner des "
                 "cellules ; modifier les formules ou les cellules grises ; coller des formules dans les "
                 "cellules jaunes (coller des valeurs)."),
        ("text", "La protection des feuilles et du classeur n'a pas de mot de passe : elle évite les erreurs "
                 "de manipulation, elle ne protège pas les données."),
    ]
    return lines


def _write_readme(wb, template: Template, styles, notice: str | None) -> None:
    ws = wb.create_sheet(SHEET_README, 0)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 110
    r = 1
    for line in _readme_lines(template, notice):
        kind = line[0]
        if kind == "title":
            set_value(ws.cell(r, 1), line[1]).font = styles["title_font"]
        elif kind == "notice":
            set_value(ws.cell(r, 1), line[1]).font = styles["notice_font"]
        elif kind in ("pair", "head"):
            set_value(ws.cell(r, 1), line[1]).font = styles["bold"]
            if kind == "pair":
                set_value(ws.cell(r, 2), line[2]).alignment = styles["wrap"]
        elif kind == "text":
            set_value(ws.cell(r, 2), line[1]).alignment = styles["wrap"]
            ws.row_dimensions[r].height = 15 * max(1, -(-len(line[1]) // 120))
        r += 1
    _protect(ws)


def _write_meta(wb, template: Template, fictitious: bool) -> None:
    ws = wb.create_sheet(SHEET_META)
    rows = [
        ("cle", "valeur"),
        ("modele", TEMPLATE_ID),
        ("version", TEMPLATE_VERSION),
        ("convention", template.convention),
        ("annee", template.year),
        ("fictif", "oui" if fictitious else "non"),
    ]
    for r, (key, value) in enumerate(rows, start=1):
        set_value(ws.cell(r, 1), key)
        set_value(ws.cell(r, 2), value)
    ws.sheet_state = "hidden"
    _protect(ws)


def export_template(contract, convention: str, year: int, path, prefill=None, *, notice: str | None = None,
                    fictitious: bool = False) -> Path:
    """Write the execution template of ``convention`` ('cls' or 'ft') for ``year`` to ``path`` (.xlsx).

    ``prefill`` optionally fills input cells: an :class:`Execution` (e.g. a workbook read earlier) or
    a DataFrame of entries with columns ``sheet``, ``key`` (action code or indicator id), ``field``
    (see :func:`template_layout`) and ``value`` (a number, a Decimal, or text as an analyst would type
    it; text is stored as text, never as a formula). ``notice`` is printed in red on every sheet (e.g.
    to say the figures are fictitious); ``fictitious`` is recorded in the hidden sheet. Returns the
    path written (atomically: a failed write leaves any previous file as it was).
    """
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    template = build_template(contract, convention, exercise_year(year))
    styles = _styles()
    wb = Workbook()
    wb.remove(wb.active)
    _write_readme(wb, template, styles, notice)
    instructions = ("Saisir dans les cellules jaunes (montants en euros, au centime près). Cellules grises : "
                    "verrouillées ; cellules vertes : calculées. Voir « Lisez-moi ».")
    for sheet in template.data_sheets:
        _write_data_sheet(wb, sheet, styles, EXPENSE_INSTRUCTIONS if sheet.name == SHEET_EXPENSES else instructions, notice)
    _write_lists(wb, template)
    _write_meta(wb, template, fictitious)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    if prefill is not None:
        if not isinstance(prefill, pd.DataFrame):
            prefill = execution_entries(prefill, contract, convention, template.year)
        _write_entries(wb, template, prefill)
    return save_workbook(wb, path)


def _write_entries(wb, template: Template, entries: pd.DataFrame) -> None:
    missing = {"sheet", "key", "field", "value"} - set(entries.columns)
    if missing:
        raise ValueError("entrées de remplissage : colonnes manquantes " + ", ".join(sorted(missing)))
    for sheet_name, key, field, value in zip(entries["sheet"], entries["key"], entries["field"], entries["value"]):
        if sheet_name not in template.sheets:
            raise ValueError(f"entrée de remplissage : feuille inconnue « {sheet_name} »")
        sheet = template.sheets[sheet_name]
        index = next((i for i, row in enumerate(sheet.rows) if row.key == str(key) and row.kind == "line"), None)
        if index is None:
            raise ValueError(f"entrée de remplissage : ligne « {key} » absente de la feuille « {sheet_name} »")
        try:
            column = sheet.columns[sheet.index_of(field)]
        except KeyError:
            raise ValueError(f"entrée de remplissage : colonne « {field} » absente de la feuille « {sheet_name} »") from None
        if not column.is_input:
            raise ValueError(f"entrée de remplissage : « {field} » n'est pas une colonne de saisie")
        set_value(wb[sheet_name][sheet.cell(index, field)], _entry_value(value, sheet_name, key, field))


_ENTRY_TYPES = (str, bool, int, float, Decimal, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)


def _entry_value(value, sheet: str, key, field: str):
    """A fill entry's value as written: text stays text (never a formula), numbers and dates as such."""
    if isinstance(value, str):
        return value
    value = clean(value)
    if hasattr(value, "item") and not isinstance(value, _ENTRY_TYPES):  # numpy scalars
        value = value.item()
    if value is not None and not isinstance(value, _ENTRY_TYPES):
        raise ValueError(f"entrée de remplissage « {sheet} », « {key} », « {field} » : valeur de type "
                         f"{type(value).__name__} impossible à écrire (nombre, texte ou date attendu)")
    return value


def fill_template(path, contract, entries: pd.DataFrame, out=None) -> Path:
    """Write ``entries`` (sheet, key, field, value) into the input cells of an exported template.

    The values are written as given (numbers, Decimals or text; text is stored as text, never as a
    formula); they are not checked here (:func:`read_execution` does). The workbook is read as strictly
    and within the same bounds as by :func:`read_execution` (:class:`WorkbookError`, in French, naming the
    cells): what was typed in its input cells is kept (entries for the same cell replace it), and the
    template is written again, with its own formulas only. A formula in an input cell, or anywhere but in
    the template's calculated cells, is refused with its cell; so is anything that writing the template
    again would lose (an added sheet, row or column, content beyond the table). Saves to ``out``
    (default: in place), atomically: a failed save leaves the workbook as it was.
    """
    from analysis.workbooks.reader import read_inputs

    path = Path(path)
    meta, notice, typed = read_inputs(path, contract)
    template = meta.template
    prefill = pd.concat([pd.DataFrame(typed, columns=["sheet", "key", "field", "value"], dtype=object), entries],
                        ignore_index=True) if typed else entries
    return export_template(contract, template.convention, template.year, out if out is not None else path,
                           prefill=prefill, notice=notice, fictitious=meta.fictitious)


_FINANCE_FIELDS = {
    ("paid", "etat"): "paid",
    ("executed", "etat"): "executed_etat",
    ("executed", "departement"): "executed_departement",
    ("executed", "autre"): "executed_autre",
    ("carry_over", "etat"): "carry_over_etat",
    ("carry_over", "departement"): "carry_over_departement",
}


def execution_entries(execution, contract, convention: str, year: int) -> pd.DataFrame:
    """The fill entries (sheet, key, field, value) that reproduce ``execution`` in a ``year`` template."""
    template = build_template(contract, convention, year)
    finance_fields = {c.field for c in template.sheets[SHEET_FINANCE].columns}
    records = []
    b = execution.budget
    b = b[(b["convention"] == convention) & (b["row_type"] == "line") & b["action"].notna()]
    for _, row in b.iterrows():
        quantity, funder, yr = row["quantity"], clean(row["funder"]), int(row["year"])
        if quantity == "notified" and row["phase"] == "adjusted" and yr == year + 1:
            records.append((SHEET_AMENDMENT, row["action"], "notified", row["amount_eur"]))
            if clean(row["notes"]) is not None:
                records.append((SHEET_AMENDMENT, row["action"], "comment", row["notes"]))
            continue
        field = _FINANCE_FIELDS.get((quantity, funder))
        offset = 1 if quantity == "carry_over" else 0
        if row["phase"] == "executed" and field in finance_fields and yr == year + offset:
            records.append((SHEET_FINANCE, row["action"], field, row["amount_eur"]))
    ids = set(contract.indicators.loc[contract.indicators["convention"] == convention, "indicator_id"])
    iv = execution.indicator_values
    iv = iv[(iv["measure"] == "result") & (iv["year"] == year) & iv["indicator_id"].isin(ids)]
    for _, row in iv.iterrows():
        if clean(row["value"]) is not None:
            records.append((SHEET_INDICATORS, row["indicator_id"], "result", float(row["value"])))
        if clean(row["notes"]) is not None:
            records.append((SHEET_INDICATORS, row["indicator_id"], "comment", row["notes"]))
    j = execution.justifications
    j = j[(j["convention"] == convention) & (j["year"] == year)]
    for _, row in j.iterrows():
        for field, column in (("ramp_up", "ramp_up_rate"), ("gap_reason", "gap_reason"), ("justification", "justification")):
            value = clean(row[column])
            if value is not None:
                records.append((SHEET_FINANCE, row["action"], field, float(value) if field == "ramp_up" else value))
    return pd.DataFrame(records, columns=["sheet", "key", "field", "value"])
