"""Reading a filled workbook: strict validation of every sheet, recomputation, and the resulting frames."""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from analysis.formatting import format_eur
from analysis.loading import BUDGET_COLUMNS
from analysis.summaries import CONVENTION_LABELS
from analysis.workbooks.errors import WorkbookError, WorkbookProblem
from analysis.workbooks.layout import (
    HEADER_ROW,
    MONEY_KINDS,
    REQUIRED_SHEETS,
    SHEET_AMENDMENT,
    SHEET_FINANCE,
    SHEET_INDICATORS,
    SHEET_META,
    SUMMED_KINDS,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    ZERO,
    Column,
    Sheet,
    Template,
    _build_template,
    _compute_sheet,
    _expected,
    _is_input,
    _letter,
)
from analysis.workbooks.parsing import _PARSERS, _Bad, _plain, _show, _show_expected

#: Value of the ``table`` column of every budget row read from a workbook.
WORKBOOK_TABLE = "execution_workbook"

#: Inputs involved in the consistency checks of a financial line.
CROSS_CHECKED = ("paid", "executed_etat", "carry_over_etat")


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Execution:
    """What execution workbooks report, as tidy DataFrames.

    Attributes
    ----------
    budget : same columns and dtypes as ``Contract.budget``; ``phase`` 'executed' (or 'adjusted' for
        the State amounts notified by amendment for the next year), ``table`` 'execution_workbook',
        ``quantity`` 'paid', 'executed', 'unconsumed', 'executed_total', 'carry_over' or 'notified';
        sub-totals and totals recomputed by the library (``row_type`` 'subtotal' / 'total');
        ``source`` names the file, sheet and cell; ``source_line`` is NA.
    indicator_values : same columns as ``Contract.indicator_values``, ``measure`` 'result'; the
        analyst's comment is in ``notes``.
    justifications : convention, action, year, gap_reason, justification, ramp_up_rate, source.
    warnings : file, sheet, cell, value, reason — formula values cached by the spreadsheet program
        that disagree with the library's recomputation (the recomputed value is kept).
    formulas : every formula cell: file, sheet, cell, key, field, recomputed, cached, agrees.
    workbooks : one row per workbook read: file, convention, year, template_version, fictitious,
        calculated (whether a spreadsheet program had saved formula results).
    """

    budget: pd.DataFrame
    indicator_values: pd.DataFrame
    justifications: pd.DataFrame
    warnings: pd.DataFrame
    formulas: pd.DataFrame
    workbooks: pd.DataFrame

    @staticmethod
    def concat(executions: list[Execution]) -> Execution:
        """Stack several executions (e.g. one per workbook) into one."""
        if not executions:
            raise ValueError("aucune exécution à assembler")
        fields = ["budget", "indicator_values", "justifications", "warnings", "formulas", "workbooks"]
        return Execution(**{
            f: pd.concat([getattr(e, f) for e in executions], ignore_index=True) for f in fields
        })


def _typed_like(records: list[dict], like: pd.DataFrame, columns: list[str], extra_categories=None) -> pd.DataFrame:
    """A DataFrame with the same columns and dtypes as ``like`` (categories kept, NA for missing)."""
    out = {}
    for col in columns:
        values = [r.get(col) for r in records]
        dtype = like[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            categories = list(dtype.categories) + [c for c in (extra_categories or {}).get(col, []) if c not in dtype.categories]
            out[col] = pd.Categorical(values, categories=categories)
        elif str(dtype) == "Int64":
            out[col] = pd.array(values, dtype="Int64")
        elif str(dtype) == "Float64":
            out[col] = pd.array(values, dtype="Float64")
        elif col == "amount_eur":
            out[col] = pd.Series(values, dtype=object)
        else:
            out[col] = pd.array(values, dtype="str")
    return pd.DataFrame(out, columns=columns)


def _norm_text(value) -> str:
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _norm_formula(text: str) -> str:
    return re.sub(r"[\s$]", "", text).upper()


def _key_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _norm_text(value)


def _same_locked(actual, expected, column: Column) -> bool:
    if isinstance(expected, str) and expected.startswith("="):
        return isinstance(actual, str) and _norm_formula(actual) == _norm_formula(expected)
    if expected is None:
        return actual is None or (isinstance(actual, str) and actual.strip() == "")
    if isinstance(expected, str):
        return isinstance(actual, str) and _norm_text(actual) == _norm_text(expected)
    if isinstance(actual, bool) or not isinstance(actual, (int, float, Decimal)):
        return False
    tolerance = Decimal("0.005") if column.kind in MONEY_KINDS else Decimal("0.000000001")
    return abs(Decimal(repr(actual) if isinstance(actual, float) else actual) - Decimal(str(expected))) <= tolerance


def _cached_agrees(cached, recomputed, column: Column) -> bool:
    if recomputed is None:
        return cached is None or (isinstance(cached, str) and cached == "")
    if isinstance(cached, bool) or not isinstance(cached, (int, float, Decimal)):
        return False
    if column.kind in MONEY_KINDS:
        return abs(Decimal(repr(cached) if isinstance(cached, float) else cached) - recomputed) < Decimal("0.005")
    return abs(float(cached) - float(recomputed)) <= 1e-9 * max(1.0, abs(float(recomputed)))


class _Reader:
    """One pass over one workbook, collecting problems; builds the frames only if there are none."""

    def __init__(self, path: Path, contract, convention, year):
        self.path = Path(path)
        self.file = self.path.name
        self.contract = contract
        self.want_convention = convention
        self.want_year = year
        self.problems: list[WorkbookProblem] = []
        self.warnings: list[WorkbookProblem] = []

    def problem(self, sheet, cell, value, reason) -> None:
        self.problems.append(WorkbookProblem(self.file, sheet, cell, _show(value), reason))

    def fail(self):
        raise WorkbookError(self.problems)

    # -- opening -----------------------------------------------------------------------------------

    def open(self):
        from openpyxl import load_workbook

        if not self.path.is_file():
            self.problem(None, None, None, "fichier introuvable")
            self.fail()
        if self.path.suffix.lower() != ".xlsx":
            self.problem(None, None, None, f"extension « {self.path.suffix} » non prise en charge : enregistrer le classeur au format .xlsx")
            self.fail()
        data = self.path.read_bytes()
        if not data:
            self.problem(None, None, None, "fichier vide (0 octet) : ce n'est pas un classeur")
            self.fail()
        if not zipfile.is_zipfile(io.BytesIO(data)):
            self.problem(None, None, None, "ce fichier n'est pas un classeur Excel .xlsx (format non reconnu, "
                                           "peut-être un autre type de fichier renommé) : l'enregistrer au format .xlsx")
            self.fail()
        try:
            self.wb = load_workbook(io.BytesIO(data), data_only=False)
            self.cached = load_workbook(io.BytesIO(data), data_only=True)
        except Exception as exc:  # openpyxl raises many kinds of errors on broken files
            self.problem(None, None, None, f"classeur .xlsx illisible ou endommagé ({type(exc).__name__}) : "
                                           "l'ouvrir et l'enregistrer à nouveau au format .xlsx")
            self.fail()

    # -- metadata ----------------------------------------------------------------------------------

    def read_meta(self) -> Template:
        names = self.wb.sheetnames
        for name in REQUIRED_SHEETS:
            if name not in names:
                found = ", ".join(f"« {n} »" for n in names if n not in REQUIRED_SHEETS)
                extra = f" (feuilles inattendues : {found})" if found else ""
                what = "feuille masquée des métadonnées du modèle" if name == SHEET_META else "feuille"
                self.problem(name, None, None, f"{what} absente : supprimée ou renommée{extra}")
        convention, year, fictitious = self.want_convention, self.want_year, False
        version = None
        if SHEET_META in names:
            ws = self.wb[SHEET_META]
            meta = {}
            for row in ws.iter_rows(min_row=1, max_col=2):
                if row[0].value is not None:
                    meta[_norm_text(row[0].value)] = (row[1].value, row[1].coordinate)
            def get(key):
                if key not in meta:
                    self.problem(SHEET_META, None, None, f"métadonnée « {key} » absente : le classeur ne provient pas du modèle")
                    return None, None
                return meta[key]
            ident, cell = get("modele")
            if ident is not None and _norm_text(ident) != TEMPLATE_ID:
                self.problem(SHEET_META, cell, ident, "ce classeur n'est pas un modèle d'exécution produit par le projet")
            version, cell = get("version")
            if version is not None and _key_text(version) != TEMPLATE_VERSION:
                self.problem(SHEET_META, cell, _key_text(version),
                             f"version du modèle non prise en charge (attendue : {TEMPLATE_VERSION}) : repartir d'un modèle à jour")
            found_convention, cell = get("convention")
            if found_convention is not None:
                found_convention = _norm_text(found_convention)
                if found_convention not in CONVENTION_LABELS:
                    self.problem(SHEET_META, cell, found_convention, "convention inconnue")
                    found_convention = None
                elif self.want_convention is not None and found_convention != self.want_convention:
                    self.problem(SHEET_META, cell, found_convention,
                                 f"classeur de la convention « {CONVENTION_LABELS[found_convention]} » alors que "
                                 f"« {CONVENTION_LABELS.get(self.want_convention, self.want_convention)} » est attendue")
                convention = found_convention or convention
            found_year, cell = get("annee")
            if found_year is not None:
                try:
                    found_year = int(_key_text(found_year))
                except ValueError:
                    self.problem(SHEET_META, cell, str(found_year), "année du classeur illisible")
                    found_year = None
                if found_year is not None and self.want_year is not None and found_year != int(self.want_year):
                    self.problem(SHEET_META, cell, str(found_year),
                                 f"classeur de l'exercice {found_year} alors que l'exercice {int(self.want_year)} est attendu")
                year = found_year if found_year is not None else year
            flag = meta.get("fictif", (None, None))[0]
            fictitious = _norm_text(flag).lower() == "oui"
        if convention is None or year is None:
            self.problem(SHEET_META, None, None, "convention ou exercice du classeur inconnus : impossible de le contrôler")
            self.fail()
        try:
            template = _build_template(self.contract, convention, year)
        except ValueError as exc:
            self.problem(SHEET_META, None, f"{convention} {year}", str(exc))
            self.fail()
        self.version = TEMPLATE_VERSION if version is None else _key_text(version)
        self.fictitious = fictitious
        return template

    # -- one data sheet ----------------------------------------------------------------------------

    def check_merged(self, ws, sheet: Sheet) -> None:
        for merged in sorted(ws.merged_cells.ranges, key=str):
            if merged.max_row < HEADER_ROW:
                continue
            cols = [sheet.columns[c - 1] for c in range(merged.min_col, merged.max_col + 1) if c <= len(sheet.columns)]
            inputs = [c.header for c in cols if c.is_input]
            where = f" sur des colonnes de saisie ({', '.join(f'« {h} »' for h in inputs)})" if inputs else " dans le tableau"
            self.problem(sheet.name, str(merged), None, f"cellules fusionnées{where} : annuler la fusion")

    def check_headers(self, ws, sheet: Sheet) -> bool:
        """False when the columns are shifted (the data cannot be located)."""
        expected = [_norm_text(h) for h in sheet.headers]
        width = max(len(expected), ws.max_column)

        def row_values(r):
            return [_norm_text(ws.cell(r, c).value) for c in range(1, width + 1)]

        actual = row_values(HEADER_ROW)
        if actual[: len(expected)] == expected and not any(actual[len(expected):]):
            return True
        for r in range(1, HEADER_ROW + 8):
            if r != HEADER_ROW and row_values(r)[: len(expected)] == expected:
                self.problem(sheet.name, f"A{HEADER_ROW}", ws.cell(HEADER_ROW, 1).value,
                             f"en-têtes trouvés ligne {r} au lieu de la ligne {HEADER_ROW} : une ligne a été insérée ou "
                             "supprimée au-dessus du tableau")
                return False
        first = next(i for i in range(width) if (actual[i] if i < len(actual) else "") != (expected[i] if i < len(expected) else ""))
        cell = f"{_letter(first + 1)}{HEADER_ROW}"
        if first < len(expected):
            rest = expected[first:]
            if actual[first + 1: first + 1 + len(rest)] == rest:
                self.problem(sheet.name, cell, ws.cell(HEADER_ROW, first + 1).value,
                             f"colonne insérée : les en-têtes sont décalés d'une colonne vers la droite à partir de "
                             f"{cell} (« {sheet.headers[first]} » attendu ici)")
                return False
            if actual[first: first + len(rest) - 1] == rest[1:]:
                self.problem(sheet.name, cell, ws.cell(HEADER_ROW, first + 1).value,
                             f"colonne « {sheet.headers[first]} » supprimée : les en-têtes suivants sont décalés vers la gauche")
                return False
        for i in range(width):
            found = actual[i] if i < len(actual) else ""
            want = expected[i] if i < len(expected) else ""
            if found != want:
                cell = f"{_letter(i + 1)}{HEADER_ROW}"
                if i >= len(expected):
                    self.problem(sheet.name, cell, ws.cell(HEADER_ROW, i + 1).value, "colonne inattendue à droite du tableau")
                else:
                    self.problem(sheet.name, cell, ws.cell(HEADER_ROW, i + 1).value,
                                 f"en-tête modifié ou renommé : « {sheet.headers[i]} » attendu")
        return True

    def align_rows(self, ws, sheet: Sheet) -> tuple[dict, bool]:
        """Map expected row index -> actual row number by the key column; report structural problems."""
        key_col = sheet.index_of(sheet.key_field) + 1
        ncols = len(sheet.columns)
        last = HEADER_ROW
        for r, values in enumerate(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True), start=HEADER_ROW + 1):
            if any(v is not None and not (isinstance(v, str) and v.strip() == "") for v in values):
                last = r
        actual_rows = list(range(HEADER_ROW + 1, last + 1))
        actual = [_key_text(ws.cell(r, key_col).value) for r in actual_rows]
        expected = [row.key for row in sheet.rows]
        known = set(expected)
        key_letter = _letter(key_col)
        # a key seen twice: the later row is the copy
        first_seen: dict[str, int] = {}
        kept_rows, kept = [], []
        for r, k in zip(actual_rows, actual):
            if k and k in first_seen:
                self.problem(sheet.name, f"{key_letter}{r}", k,
                             f"ligne en double : « {k} » figure déjà en {key_letter}{first_seen[k]} "
                             "(ne pas copier ni insérer de lignes)")
                continue
            if k:
                first_seen[k] = r
            kept_rows.append(r)
            kept.append(k)
        actual_rows, actual = kept_rows, kept
        if sheet.key_field == "action":
            what = "action"
            known_elsewhere = set(self.contract.actions["action"])
        else:
            what = "indicateur"
            known_elsewhere = set(self.contract.indicators["indicator_id"])
        conv_label = CONVENTION_LABELS[self.template.convention]

        def row_has_content(r):
            return any(ws.cell(r, c).value not in (None, "") for c in range(1, ncols + 1))

        def classify(r, k, wanted):
            cell = f"{key_letter}{r}"
            if k == "":
                if wanted is not None:
                    self.problem(sheet.name, cell, None, f"code effacé : « {wanted} » attendu (ligne vidée ou supprimée ?)")
                elif row_has_content(r):
                    self.problem(sheet.name, cell, None, "ligne ajoutée dans ou sous le tableau : ne pas insérer de lignes")
                return
            if k not in known:
                if k in known_elsewhere:
                    reason = f"{what} inconnu{'e' if what == 'action' else ''} pour la convention « {conv_label} » (code d'une autre convention)"
                else:
                    reason = f"{what} inconnu{'e' if what == 'action' else ''} pour la convention « {conv_label} »"
                self.problem(sheet.name, cell, k, reason)
            elif wanted is not None:
                self.problem(sheet.name, cell, k, f"ligne déplacée ou code modifié : « {wanted} » attendu ici")
            else:
                self.problem(sheet.name, cell, k, "ligne déplacée : ne pas insérer ni déplacer de lignes")

        mapping: dict[int, int] = {}
        matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for k in range(i2 - i1):
                    mapping[i1 + k] = actual_rows[j1 + k]
                continue
            if tag in ("replace", "insert"):
                for offset, j in enumerate(range(j1, j2)):
                    wanted = expected[i1 + offset] if tag == "replace" and i1 + offset < i2 else None
                    classify(actual_rows[j], actual[j], wanted)
            if tag in ("replace", "delete"):
                surplus = range(i1 + (j2 - j1), i2) if tag == "replace" else range(i1, i2)
                for i in surplus:
                    where = actual_rows[j1] if j1 < len(actual_rows) else sheet.row_number(i)
                    if expected[i] not in first_seen:
                        self.problem(sheet.name, f"{key_letter}{where}", None,
                                     f"ligne « {expected[i]} » supprimée ou déplacée : elle est absente du tableau")
        # content to the right of the table
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=ncols + 1):
            for cell in row:
                if cell.value is not None and not (isinstance(cell.value, str) and cell.value.strip() == ""):
                    self.problem(sheet.name, cell.coordinate, cell.value, "contenu hors du tableau : à supprimer")
        # formulas refer to fixed rows: they can be checked only if no row has moved
        intact = all(r == sheet.row_number(i) for i, r in mapping.items())
        return mapping, intact

    def read_sheet(self, sheet: Sheet):
        ws = self.wb[sheet.name]
        cached_ws = self.cached[sheet.name]
        self.check_merged(ws, sheet)
        if not self.check_headers(ws, sheet):
            return None
        mapping, intact = self.align_rows(ws, sheet)
        inputs = {}
        failed = set()
        for index, r in mapping.items():
            row = sheet.rows[index]
            for j, column in enumerate(sheet.columns, start=1):
                cell = ws.cell(r, j)
                value = cell.value
                if _is_input(row, column):
                    try:
                        inputs[(index, column.field)] = _PARSERS[column.kind](value)
                    except _Bad as exc:
                        failed.add((index, column.field))
                        self.problem(sheet.name, cell.coordinate, value, str(exc))
                    except (InvalidOperation, ValueError):
                        failed.add((index, column.field))
                        self.problem(sheet.name, cell.coordinate, value, "valeur illisible")
                    continue
                expected = _expected(sheet, index, column)
                is_formula = isinstance(expected, str) and expected.startswith("=")
                if is_formula and not intact:
                    continue  # formulas follow moved rows; the structural problem is already reported
                if not _same_locked(value, expected, column):
                    if is_formula and not (isinstance(value, str) and value.startswith("=")):
                        reason = f"formule remplacée par une valeur : ne pas modifier les cellules calculées (formule attendue : {expected})"
                    elif is_formula:
                        reason = f"formule modifiée (formule attendue : {expected})"
                    else:
                        reason = f"cellule verrouillée modifiée : « {_show_expected(expected, column)} » attendu"
                    self.problem(sheet.name, cell.coordinate, value, reason)
        values = _compute_sheet(sheet, inputs)
        self.cross_checks(sheet, values, {i for i in mapping if not any((i, f) in failed for f in CROSS_CHECKED)})
        formulas = []
        if intact:
            for index, row in enumerate(sheet.rows):
                r = sheet.row_number(index)
                for j, column in enumerate(sheet.columns, start=1):
                    if row.kind == "line" and not column.is_formula:
                        continue
                    if row.kind != "line" and not (column.is_formula or column.kind in SUMMED_KINDS):
                        continue
                    cached = cached_ws.cell(r, j).value
                    formulas.append({
                        "sheet": sheet.name, "cell": f"{_letter(j)}{r}", "key": row.key, "field": column.field,
                        "column": column, "recomputed": values.get((index, column.field)), "cached": cached,
                    })
        return {"sheet": sheet, "values": values, "inputs": inputs, "formulas": formulas}

    def cross_checks(self, sheet: Sheet, values: dict, rows: set) -> None:
        """Consistency of a line's amounts (skipped for lines whose amounts could not be read)."""
        if sheet.name != SHEET_FINANCE:
            return
        fields = {c.field for c in sheet.columns}
        for index, row in enumerate(sheet.rows):
            if row.kind != "line" or index not in rows:
                continue
            unconsumed = values.get((index, "unconsumed_etat"))
            paid = values.get((index, "paid"))
            executed = values.get((index, "executed_etat"))
            if unconsumed is not None and unconsumed < 0:
                self.problem(sheet.name, sheet.cell(index, "executed_etat"), executed,
                             f"le montant État réalisé dépasse les crédits État versés ({sheet.cell(index, 'paid')} : "
                             f"{format_eur(paid or ZERO)}) : les crédits non consommés seraient négatifs")
            if "carry_over_etat" in fields:
                carry = values.get((index, "carry_over_etat"))
                available = unconsumed if unconsumed is not None and unconsumed > 0 else ZERO
                if carry is not None and carry > available:
                    self.problem(sheet.name, sheet.cell(index, "carry_over_etat"), carry,
                                 f"le report part État dépasse les crédits État non consommés "
                                 f"({sheet.cell(index, 'unconsumed_etat')} : {format_eur(available)})")

    # -- frames ------------------------------------------------------------------------------------

    def source(self, sheet: str, cell: str) -> str:
        return f"{self.file}, feuille « {sheet} », cellule {cell}"

    def frames(self, results: dict) -> Execution:
        template = self.template
        conv, year = template.convention, template.year
        budget, indicator_values, justifications, formulas = [], [], [], []
        calculated = any(f["cached"] is not None for res in results.values() for f in res["formulas"])
        for name in (SHEET_FINANCE, SHEET_AMENDMENT):
            sheet, values = results[name]["sheet"], results[name]["values"]
            for index, row in enumerate(sheet.rows):
                for column in sheet.columns:
                    if column.quantity is None:
                        continue
                    amount = values.get((index, column.field))
                    if row.kind == "line" and amount is None:
                        continue
                    if row.kind != "line":
                        members = row.members if row.kind == "subtotal" else [m for s in row.members for m in sheet.rows[s].members]
                        if all(values.get((m, column.field)) is None for m in members):
                            continue
                    budget.append({
                        "convention": conv, "action": row.action, "axis": row.axis, "year": year + column.year_offset,
                        "funder": column.funder, "funder_detail": None, "phase": column.phase, "table": WORKBOOK_TABLE,
                        "row_type": row.kind, "column_label": column.label, "quantity": column.quantity,
                        "amount_eur": amount, "source": self.source(sheet.name, sheet.cell(index, column.field)),
                        "source_line": None, "notes": values.get((index, "comment")) if row.kind == "line" else None,
                    })
            if name == SHEET_FINANCE:
                for index, row in enumerate(sheet.rows):
                    if row.kind != "line":
                        continue
                    ramp = values.get((index, "ramp_up"))
                    reason = values.get((index, "gap_reason"))
                    text = values.get((index, "justification"))
                    if ramp is None and reason is None and text is None:
                        continue
                    justifications.append({
                        "convention": conv, "action": row.action, "year": year, "gap_reason": reason,
                        "justification": text, "ramp_up_rate": ramp,
                        "source": self.source(sheet.name, f"{sheet.cell(index, 'ramp_up')}:{sheet.cell(index, 'justification')}"),
                    })
        sheet, values = results[SHEET_INDICATORS]["sheet"], results[SHEET_INDICATORS]["values"]
        for index, row in enumerate(sheet.rows):
            result = values.get((index, "result"))
            comment = values.get((index, "comment"))
            if result is None and comment is None:
                continue
            cell = sheet.cell(index, "result")
            raw = self.wb[sheet.name][cell].value
            text = raw.strip() if isinstance(raw, str) else (None if result is None else _plain(result))
            indicator_values.append({
                "indicator_id": row.key, "year": year, "measure": "result", "value": result, "value_text": text,
                "source": self.source(sheet.name, cell), "source_line": None, "notes": comment,
            })
        for res in results.values():
            for f in res["formulas"]:
                agrees = _cached_agrees(f["cached"], f["recomputed"], f["column"]) if calculated else True
                formulas.append({
                    "file": self.file, "sheet": f["sheet"], "cell": f["cell"], "key": f["key"], "field": f["field"],
                    "recomputed": f["recomputed"], "cached": f["cached"], "agrees": agrees,
                })
                if not agrees:
                    shown = f["column"]
                    self.warnings.append(WorkbookProblem(
                        self.file, f["sheet"], f["cell"], _show(f["cached"]),
                        "valeur enregistrée par le tableur différente de la valeur recalculée "
                        f"(« {_show_expected(f['recomputed'], shown)} ») : la valeur recalculée est retenue"))
        c = self.contract
        budget_frame = _typed_like(budget, c.budget, BUDGET_COLUMNS, {"table": [WORKBOOK_TABLE]})
        iv_frame = _typed_like(indicator_values, c.indicator_values, list(c.indicator_values.columns))
        just_frame = pd.DataFrame({
            "convention": pd.Categorical([j["convention"] for j in justifications], categories=list(CONVENTION_LABELS)),
            "action": pd.array([j["action"] for j in justifications], dtype="str"),
            "year": pd.array([j["year"] for j in justifications], dtype="Int64"),
            "gap_reason": pd.array([j["gap_reason"] for j in justifications], dtype="str"),
            "justification": pd.array([j["justification"] for j in justifications], dtype="str"),
            "ramp_up_rate": pd.array([j["ramp_up_rate"] for j in justifications], dtype="Float64"),
            "source": pd.array([j["source"] for j in justifications], dtype="str"),
        })
        warn_frame = pd.DataFrame(
            [{"file": w.file, "sheet": w.sheet, "cell": w.cell, "value": w.value, "reason": w.reason} for w in self.warnings],
            columns=["file", "sheet", "cell", "value", "reason"],
        ).astype("str")
        formula_frame = pd.DataFrame(formulas, columns=["file", "sheet", "cell", "key", "field", "recomputed", "cached", "agrees"])
        formula_frame["agrees"] = formula_frame["agrees"].astype(bool)
        workbooks = pd.DataFrame({
            "file": pd.array([self.file], dtype="str"),
            "convention": pd.Categorical([conv], categories=list(CONVENTION_LABELS)),
            "year": pd.array([year], dtype="Int64"),
            "template_version": pd.array([self.version], dtype="str"),
            "fictitious": [bool(self.fictitious)],
            "calculated": [bool(calculated)],
        })
        return Execution(budget_frame, iv_frame, just_frame, warn_frame, formula_frame, workbooks)

    def run(self) -> Execution:
        self.open()
        self.template = self.read_meta()
        results = {}
        for sheet in self.template.data_sheets:
            if sheet.name in self.wb.sheetnames:
                result = self.read_sheet(sheet)
                if result is not None:
                    results[sheet.name] = result
        if self.problems:
            self.fail()
        return self.frames(results)


def read_execution(path, contract, convention: str | None = None, year: int | None = None) -> Execution:
    """Load a filled execution workbook into tidy frames (see :class:`Execution`).

    ``convention`` and ``year``, when given, must match the workbook (recorded in its hidden sheet):
    a workbook for another contract or year is rejected. Raises :class:`WorkbookError` listing every
    problem (sheet, cell, value, reason, in French); nothing is loaded in that case.
    """
    return _Reader(Path(path), contract, convention, year).run()
