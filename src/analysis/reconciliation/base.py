"""Shared pieces of the reconciliation: the check-row schema, check builders and look-ups."""

from decimal import Decimal

import pandas as pd

ZERO = Decimal("0.00")

CHECK_COLUMNS = [
    "check_id",
    "family",
    "convention",
    "table",
    "axis",
    "action",
    "year",
    "funder",
    "expected",
    "computed",
    "gap_eur",
    "gap_units",
    "status",
    "severity",
    "source_expected",
    "source_computed",
    "explication",
]

STATUSES = ["ok", "ecart", "non_verifiable"]
SEVERITIES = ["aucune", "faible", "moyenne", "elevee"]
FAMILIES = ["sommes", "croisement", "regles", "formules", "indicateurs", "couverture", "execution"]

#: Above this gap (in euros) an 'ecart' is of high severity.
HIGH_GAP_EUR = Decimal("1000")


def _where(rows: pd.DataFrame) -> str:
    """A short provenance for a set of figures: their sources' first entry and line numbers."""
    if rows.empty:
        return ""
    lines = sorted({int(v) for v in rows["source_line"].dropna()})
    shown = ", ".join(str(v) for v in lines[:6]) + (" …" if len(lines) > 6 else "")
    first = str(rows["source"].iloc[0])
    return f"{first} (l. {shown})" if len(rows) == 1 else f"{first} … (l. {shown})"


def _total(values) -> Decimal:
    return sum((v for v in values if v is not None and v == v), ZERO)


def money_check(check_id, family, expected, computed, explication, *, severity=None, at_least=False, **scope) -> dict:
    """One money check: status from the two amounts (None = not printed).

    With ``at_least=True`` (a minimum rule, e.g. 'at least 50 %'), a computed amount above the
    expected one is 'ok'; the gap is still reported.
    """
    if expected is None or computed is None:
        status, gap = "non_verifiable", None
    else:
        gap = computed - expected
        status = "ok" if gap == 0 or (at_least and gap > 0) else "ecart"
    if severity is None:
        severity = {"ok": "aucune", "non_verifiable": "faible"}.get(status)
        if severity is None:
            severity = "elevee" if abs(gap) >= HIGH_GAP_EUR else "moyenne"
    elif status == "non_verifiable":
        severity = "faible"
    return {
        "check_id": check_id,
        "family": family,
        "expected": expected,
        "computed": computed,
        "gap_eur": gap,
        "status": status,
        "severity": "aucune" if status == "ok" else severity,
        "explication": explication,
        **scope,
    }


def as_frame(rows: list[dict]) -> pd.DataFrame:
    """Check rows as a typed DataFrame in :data:`CHECK_COLUMNS` order."""
    frame = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    frame["family"] = pd.Categorical(frame["family"], categories=FAMILIES)
    frame["status"] = pd.Categorical(frame["status"], categories=STATUSES)
    frame["severity"] = pd.Categorical(frame["severity"], categories=SEVERITIES, ordered=True)
    frame["year"] = pd.array(frame["year"].tolist(), dtype="Int64")
    for col in ("expected", "computed", "gap_eur"):
        frame[col] = pd.Series([None if pd.isna(v) else v for v in frame[col]], index=frame.index, dtype=object)
    frame["gap_units"] = pd.array(frame["gap_units"].tolist(), dtype="Float64")
    for col in ("check_id", "convention", "table", "axis", "action", "funder", "source_expected", "source_computed", "explication"):
        frame[col] = pd.array([None if v is None or v != v else str(v) for v in frame[col]], dtype="str")
    return frame


FICHE_TABLES = ["cls_fiche_budget", "ft_fiche_budget"]
ANNEX_TABLES = ["cls_a3_prev_2024", "cls_a3_exec_2024", "cls_a3_prev_2025"]


def unit_check(check_id, expected, computed, explication, **scope) -> dict:
    """One check on indicator values (in units, not euros)."""
    if expected is None or computed is None or pd.isna(expected) or pd.isna(computed):
        status, gap = "non_verifiable", None
    else:
        gap = float(computed) - float(expected)
        status = "ok" if gap == 0 else "ecart"
    return {
        "check_id": check_id,
        "family": "indicateurs",
        "gap_units": gap,
        "status": status,
        "severity": {"ok": "aucune", "ecart": "moyenne", "non_verifiable": "faible"}[status],
        "explication": explication + ("" if gap is None else f" Imprimé : {expected:g} ; comparé : {computed:g}."),
        **scope,
    }


def _status_row(check_id, ok: bool, explication, *, severity="moyenne", **scope) -> dict:
    return {
        "check_id": check_id,
        "family": "couverture",
        "status": "ok" if ok else "ecart",
        "severity": "aucune" if ok else severity,
        "explication": explication,
        **scope,
    }


# --------------------------------------------------------------------------------------------
# Shared look-ups
# --------------------------------------------------------------------------------------------

def _fiche_lines(contract, table: str) -> pd.DataFrame:
    b = contract.budget
    return b[(b["table"] == table) & (b["row_type"] == "line")]


def _pick(rows: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=rows.index)
    for col, value in where.items():
        mask &= rows[col].isin(value) if isinstance(value, (list, set, tuple)) else rows[col] == value
    return rows[mask]


def _sum_or_none(rows: pd.DataFrame):
    return _total(rows["amount_eur"]) if len(rows) else None


def _ft_state(rows: pd.DataFrame) -> pd.DataFrame:
    """State money of the France Travail convention: State columns less the FIPE fund (outside FT credits)."""
    return rows[(rows["funder"] == "etat") & (rows["funder_detail"].fillna("") != "FIPE")]


def _axis_of(contract) -> dict:
    return dict(zip(contract.actions["action"], contract.actions["axis"]))


def _actions(contract, convention: str) -> list[str]:
    return sorted(contract.actions.loc[contract.actions["convention"] == convention, "action"])
