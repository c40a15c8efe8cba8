"""The reconciliation findings of a pack, for reading: the execution gaps the Département must clear, apart
from the signed document's own inconsistencies, which nobody can clear.

- :func:`execution_findings` — « Constats à lever »: the checks of the execution workbooks (family
  'execution') that are not 'ok': a figure of a bilan that disagrees with the others or with the contract,
  or that cannot be checked. The Département corrects its workbook or explains the gap before sending.
- :func:`document_findings` — « Incohérences du document signé »: the checks of the contract alone (sums,
  cross-checks, rules, formulas, indicators, coverage) that are not 'ok': misprints and contradictions of the
  deliberation itself (``data/raw/README.md`` § 4), transcribed as printed and never corrected. For
  information: they explain a figure, nothing is to be cleared.

Every cell is French: the check is named by its family and the tables it compares (never its identifier),
and the explanation's codes (indicator identifiers, table and document codes, funder codes) are written in
words (:func:`readable`). Money columns are exact Decimals.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.domain import (
    CHECK_FAMILY_LABELS,
    CHECK_STATUS_LABELS,
    DOCUMENT_LABELS,
    EXECUTION_CHECK_LABELS,
    FUNDER_LABELS,
    SEVERITY_LABELS,
    TABLE_LABELS,
)
from analysis.pack.base import Table

SEVERITY_ORDER = {"elevee": 0, "moyenne": 1, "faible": 2, "information": 3, "aucune": 4}
EXECUTION_FAMILY = "execution"

#: Columns of the two sheets (money: the three amounts).
EXECUTION_COLUMNS = ["Contrôle", "Action", "Année", "Montant du bilan", "Montant recalculé ou attendu", "Écart (€)",
                     "Statut", "Gravité", "Explication"]
DOCUMENT_COLUMNS = ["Contrôle", "Action", "Année", "Montant imprimé", "Montant comparé", "Écart (€)", "Statut", "Gravité",
                    "Explication"]
FINDING_MONEY = ("Montant du bilan", "Montant recalculé ou attendu", "Montant imprimé", "Montant comparé", "Écart (€)")

#: Titles and notes of the two sheets.
FINDINGS_NOTES = {
    "clear_title": "Constats des bilans d'exécution à lever avant transmission",
    "clear": ("Écarts entre les chiffres des bilans d'exécution, ou entre un bilan et le contrat, et chiffres qui n'ont "
              "pas pu être vérifiés : le Département corrige son bilan ou explique l'écart avant la transmission."),
    "none": "Aucun constat : les chiffres des bilans concordent entre eux et avec le contrat.",
    "document_title": "Incohérences du document signé (pour information)",
    "document": ("Coquilles et contradictions de la délibération elle-même (sommes, tableaux qui se contredisent, "
                 "formules, dates) : les chiffres sont transcrits tels qu'imprimés, jamais corrigés. Elles expliquent "
                 "un chiffre ; ni le Département ni l'État ne peuvent les lever dans ce bilan."),
    "none_document": "Aucune incohérence relevée dans le document signé.",
}

_INDICATOR = re.compile(r"\b(?:cls|ft)-([LNFP])-(?:(\d\.\d)-)?(\d+)\b")
_FUNDER = re.compile(r"(?<=[(« ])(etat|departement|autre)(?=[) »])")
#: A word (each run of word characters read once, whatever the text): a table or a document code is one word.
_WORD = re.compile(r"\w++")
#: « période 2024-2024 »: a literal first, found by a fast scan.
_SAME_YEAR_PERIOD = re.compile(r"période ([0-9]{4})-\1\b")


def _indicator_words(match: re.Match) -> str:
    kind, action, number = match.group(1), match.group(2), int(match.group(3))
    if kind == "N":
        return f"national n°{number}"
    if kind == "P":
        return f"de pilotage n°{number}"
    return f"n°{number} de l'action {action}"


def readable(text) -> str:
    """``text`` with its codes in words: an indicator identifier (« cls-L-3.2-2 » → « n°2 de l'action 3.2 »,
    « cls-N-04 » → « national n°4 »), a table or document code (« cls_convention » → « la convention du
    CLS » ; a table's code by its label in quotes), a funder code in quotes or brackets (« departement » →
    « Département »), « la période 2024-2024 » → « l'année 2024 »."""
    if pd.isna(text):
        return ""
    out = _INDICATOR.sub(_indicator_words, str(text))
    out = _WORD.sub(_code_words, out)
    out = _FUNDER.sub(lambda m: FUNDER_LABELS[m.group(1)], out)
    return _SAME_YEAR_PERIOD.sub(lambda m: "année " + m.group(1), out).replace("la année ", "l'année ")


def _code_words(match) -> str:
    """A table code by its label in quotes, a document code by its label, any other word as it is."""
    word = match.group()
    if word in TABLE_LABELS:
        return f"« {TABLE_LABELS[word]} »"
    return DOCUMENT_LABELS.get(word, word)


def _table_words(code: str) -> str:
    return TABLE_LABELS.get(code, DOCUMENT_LABELS.get(code, code))


def check_label(check_id: str, family: str, table) -> str:
    """Which check, in French: its family, then the tables it compares (« … contre … ») or the table it
    reads; for a bilan's check, what it verifies."""
    head = CHECK_FAMILY_LABELS.get(family, family)
    parts = check_id.split("/")
    if family == EXECUTION_FAMILY:
        kind = "indicateurs" if parts[1] == "indicateurs" else parts[-1]
        return f"{head} : {EXECUTION_CHECK_LABELS.get(kind, readable(kind))}"
    compared = next((p for p in parts if "_vs_" in p), None)
    if compared:
        left, right = compared.split("_vs_", 1)
        if left in TABLE_LABELS and right in TABLE_LABELS:
            return f"{head} : {_table_words(left)} contre {_table_words(right)}"
    where = "" if pd.isna(table) else _table_words(str(table))
    return f"{head} : {where}" if where else head


def _open(checks: pd.DataFrame, convention: str) -> pd.DataFrame:
    own = checks[(checks["status"] != "ok") & (checks["convention"].astype(str) == convention)].copy()
    own["_order"] = [SEVERITY_ORDER.get(str(s), 5) for s in own["severity"]]
    own["_gap"] = [-abs(float(g)) if g is not None and g == g else 0.0 for g in own["gap_eur"]]
    return own.sort_values(["_order", "_gap", "check_id"], kind="stable")


def _frame(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({
        columns[0]: [check_label(c, str(f), t) for c, f, t in zip(rows["check_id"], rows["family"], rows["table"])],
        columns[1]: [None if pd.isna(a) else str(a) for a in rows["action"]],
        columns[2]: [None if pd.isna(y) else int(y) for y in rows["year"]],
        columns[3]: list(rows["expected"]), columns[4]: list(rows["computed"]), columns[5]: list(rows["gap_eur"]),
        columns[6]: [CHECK_STATUS_LABELS.get(str(s), str(s)) for s in rows["status"]],
        columns[7]: [SEVERITY_LABELS.get(str(s), str(s)) for s in rows["severity"]],
        columns[8]: [readable(e) for e in rows["explication"]],
    }, columns=columns)
    money = columns[3:6]
    for column in money:
        out[column] = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in out[column]]
    return out.astype({c: object for c in money}).astype({columns[2]: "Int64"})


def execution_findings(checks: pd.DataFrame, convention: str) -> pd.DataFrame:
    """The checks of the execution workbooks of ``convention`` still open, most severe first, for reading."""
    own = _open(checks, convention)
    return _frame(own[own["family"].astype(str) == EXECUTION_FAMILY], EXECUTION_COLUMNS)


def document_findings(checks: pd.DataFrame, convention: str) -> pd.DataFrame:
    """The inconsistencies of the signed document for ``convention`` (checks of the contract alone that are
    not 'ok'), most severe first, for reading."""
    own = _open(checks, convention)
    return _frame(own[own["family"].astype(str) != EXECUTION_FAMILY], DOCUMENT_COLUMNS)


def or_nothing(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """``frame``, or one row saying ``text`` in its first column when it is empty (a printed sheet is never blank)."""
    if len(frame):
        return frame
    out = pd.DataFrame([{frame.columns[0]: text}], columns=frame.columns).astype(object)
    return out.astype({c: "Int64" for c in frame.columns if str(frame[c].dtype) == "Int64"})


def finding_tables(findings: tuple, sheets: tuple) -> list[Table]:
    """The two sheets of a pack from ``findings`` (:func:`execution_findings`, :func:`document_findings`) and
    their names ``sheets`` (« Constats à lever », « Incohérences du document signé »)."""
    to_clear, document = findings
    return [Table(sheets[0], or_nothing(to_clear, FINDINGS_NOTES["none"]), (FINDINGS_NOTES["clear_title"],),
                  (FINDINGS_NOTES["clear"],), FINDING_MONEY),
            Table(sheets[1], or_nothing(document, FINDINGS_NOTES["none_document"]), (FINDINGS_NOTES["document_title"],),
                  (FINDINGS_NOTES["document"],), FINDING_MONEY)]
