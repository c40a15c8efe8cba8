"""Shared pieces of the reconciliation: the check-row schema, the one row builder and provenance.

Every check row is built by a :class:`Scope`: the scope (family, convention, table, axis, action,
year, funder) is set once per loop iteration, then ``scope.money(...)``, ``scope.units(...)`` or
``scope.status(...)`` fills the figures, the gap, the status and the severity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import pandas as pd

from analysis.domain import CHECK_FAMILIES, CHECK_STATUSES, SEVERITIES
from analysis.money import total as money_total

__all__ = [
    "CHECK_COLUMNS",
    "FAMILIES",
    "FINANCING_PLAN_TABLE",
    "SEVERITIES",
    "STATUSES",
    "Scope",
    "as_frame",
    "money_check",
    "same",
    "sum_or_none",
    "total",
    "where",
]


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

#: Code of the FT financing plan in the ``table`` column of check rows (``analysis.charts`` reads it; the
#: raw table is ``ft_financing_plan``, whose label is in ``analysis.domain.TABLE_LABELS``).
FINANCING_PLAN_TABLE = "ft_plan_financement"

#: Former local names, kept for the callers that import them from here.
FAMILIES = CHECK_FAMILIES
STATUSES = CHECK_STATUSES

#: Default of H08 (``high_gap_eur``) for a Scope built outside a reconciliation.
_HIGH_GAP_EUR = Decimal("1000")


def where(rows) -> str | None:
    """A short provenance for a set of records: their first source and line numbers (a text is kept,
    ``None`` stays ``None``: no source given)."""
    if rows is None or isinstance(rows, str):
        return rows
    if not rows:
        return ""
    lines = sorted({int(r["source_line"]) for r in rows if r["source_line"] is not None})
    shown = ", ".join(str(v) for v in lines[:6]) + (" …" if len(lines) > 6 else "")
    first = str(rows[0]["source"])
    return f"{first} (l. {shown})" if len(rows) == 1 else f"{first} … (l. {shown})"


def total(values) -> Decimal:
    """Exact sum of the amounts given (records or amounts), missing amounts left out."""
    return money_total(v["amount_eur"] if isinstance(v, dict) else v for v in values)


def same(a, b) -> bool:
    """Equality as pandas compares columns: a missing value equals nothing, not even another one."""
    return a is not None and a == b


def sum_or_none(rows) -> Decimal | None:
    """Sum of the records' amounts, ``None`` when there is no record (nothing printed)."""
    return total(rows) if len(rows) else None


def _missing(value) -> bool:
    return value is None or value is pd.NA or value != value


@dataclass(frozen=True)
class Scope:
    """What a check row is about; its methods build the row (one builder for every family)."""

    family: str
    convention: str | None = None
    table: str | None = None
    axis: str | None = None
    action: str | None = None
    year: int | None = None
    funder: str | None = None
    #: H08: from this gap (euros) a money 'ecart' is of high severity.
    high_gap_eur: Decimal = _HIGH_GAP_EUR

    def at(self, **changes) -> Scope:
        """The same scope with some fields changed."""
        return replace(self, **changes)

    def _row(self, check_id, status, severity, explication, sources, **figures) -> dict:
        expected_at, computed_at = sources
        return {
            "check_id": check_id,
            "family": self.family,
            "convention": self.convention,
            "table": self.table,
            "axis": self.axis,
            "action": self.action,
            "year": self.year,
            "funder": self.funder,
            "expected": None,
            "computed": None,
            "gap_eur": None,
            "gap_units": None,
            **figures,
            "status": status,
            "severity": "aucune" if status == "ok" else severity,
            "source_expected": where(expected_at),
            "source_computed": where(computed_at),
            "explication": explication,
        }

    def money(self, check_id, expected, computed, explication, sources=(None, None), *, severity=None, at_least=False) -> dict:
        """A check of two amounts in euros (``None`` = not printed); ``gap_eur`` = computed - expected.

        With ``at_least=True`` (a minimum rule, e.g. 'at least 50 %'), a computed amount above the
        expected one is 'ok'; the gap is still reported. Without ``severity``, an 'ecart' is 'elevee'
        from :attr:`high_gap_eur` (H08) and 'moyenne' below; 'non_verifiable' is always 'faible'.
        """
        if expected is None or computed is None:
            status, gap = "non_verifiable", None
        else:
            gap = computed - expected
            status = "ok" if gap == 0 or (at_least and gap > 0) else "ecart"
        if status == "non_verifiable":
            severity = "faible"
        elif severity is None and status == "ecart":
            severity = "elevee" if abs(gap) >= self.high_gap_eur else "moyenne"
        figures = {"expected": expected, "computed": computed, "gap_eur": gap}
        return self._row(check_id, status, severity, explication, sources, **figures)

    def printed_total(self, check_id, printed: list[dict], parts: list[dict], explication) -> dict:
        """A printed (sub-)total (its first record; not printed: ``None``) against the exact sum of ``parts``
        (a blank cell counts as zero): the check every printed total gets."""
        return self.money(check_id, printed[0]["amount_eur"] if printed else None, total(parts), explication,
                          (printed, parts))

    def units(self, check_id, expected, computed, explication, sources=(None, None), *, severity="moyenne") -> dict:
        """A check of two counts (places, indicator values…); ``gap_units`` = computed - expected, 0 when
        they agree. Both figures are appended to the explanation."""
        if _missing(expected) or _missing(computed):
            status, gap, severity = "non_verifiable", None, "faible"
        else:
            gap = float(computed) - float(expected)
            status = "ok" if gap == 0 else "ecart"
            explication += f" Imprimé : {expected:g} ; comparé : {computed:g}."
        return self._row(check_id, status, severity, explication, sources, gap_units=gap)

    def status(self, check_id, ok: bool | None, explication, sources=(None, None), *, severity="moyenne", gap_units=None) -> dict:
        """A check without figures to subtract (presence, definitions…): 'ok' / 'ecart', or
        'non_verifiable' when ``ok`` is None. ``gap_units`` may carry a count (e.g. months)."""
        status = "non_verifiable" if ok is None else "ok" if ok else "ecart"
        if ok is None:
            severity = "faible"
        return self._row(check_id, status, severity, explication, sources, gap_units=gap_units)


def money_check(check_id, family, expected, computed, explication, *, severity=None, at_least=False, **scope) -> dict:
    """One money check row (kept for callers of the former API): ``Scope(family, **scope).money(...)``."""
    sources = (scope.pop("source_expected", None), scope.pop("source_computed", None))
    return Scope(family, **scope).money(check_id, expected, computed, explication, sources, severity=severity, at_least=at_least)


_MONEY_COLUMNS = ("expected", "computed", "gap_eur")
_TEXT_COLUMNS = [c for c in CHECK_COLUMNS if c not in (*_MONEY_COLUMNS, "family", "status", "severity", "year", "gap_units")]


def _strings(values):
    return pd.array([None if v is None or v != v else str(v) for v in values], dtype="str")


def as_frame(rows: list[dict]) -> pd.DataFrame:
    """Check rows as a typed DataFrame in :data:`CHECK_COLUMNS` order (built once, column by column)."""
    columns = {col: [row.get(col) for row in rows] for col in CHECK_COLUMNS}
    return pd.DataFrame(
        {
            **{col: _strings(columns[col]) for col in _TEXT_COLUMNS},
            **{col: pd.Series([None if _missing(v) else v for v in columns[col]], dtype=object) for col in _MONEY_COLUMNS},
            "family": pd.Categorical(columns["family"], categories=CHECK_FAMILIES),
            "status": pd.Categorical(columns["status"], categories=CHECK_STATUSES),
            "severity": pd.Categorical(columns["severity"], categories=SEVERITIES, ordered=True),
            "year": pd.array([None if _missing(v) else int(v) for v in columns["year"]], dtype="Int64"),
            "gap_units": pd.array([None if _missing(v) else float(v) for v in columns["gap_units"]], dtype="Float64"),
        },
        columns=CHECK_COLUMNS,
    )
