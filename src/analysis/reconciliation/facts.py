"""The contract's tables as plain records, indexed once per reconciliation.

Checks used to filter DataFrames with boolean masks for every row they built (a few hundred look-ups
of a millisecond each). :class:`Facts` turns each table into a list of dicts once (missing values
become ``None``), groups them on demand into dicts keyed by column values (built once, then O(1)), and
sorts and groups them the way pandas does (categorical columns in category order, missing keys last),
so that the checks keep their order and their provenance (first source, line numbers).

A check function takes ``contract``; it calls :meth:`Facts.of`, which returns the :class:`Facts`
it was given (``reconcile`` builds one for all checks) or builds one for a bare contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import pandas as pd

from analysis.assumptions import default
from analysis.reconciliation.base import Scope

__all__ = ["Choices", "Facts", "records"]


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or value != value  # NaN is not equal to itself


def records(frame: pd.DataFrame) -> tuple[list[dict], dict[str, dict]]:
    """The rows of ``frame`` as dicts (``None`` for a missing value), and the category ranks of its
    categorical columns (``{column: {category: rank}}``) for sorting like pandas."""
    columns = {col: [None if _missing(v) else v for v in frame[col].tolist()] for col in frame.columns}
    rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
    ranks = {
        col: {cat: i for i, cat in enumerate(frame[col].cat.categories)}
        for col in frame.columns
        if isinstance(frame[col].dtype, pd.CategoricalDtype)
    }
    return rows, ranks


@dataclass(frozen=True)
class Choices:
    """The analysis choices the checks apply, read from the assumptions register (``assumptions.toml``)."""

    #: H03: date standing for « dès la signature ».
    signature_date: pd.Timestamp
    #: H04: the CLS State share counts the ERBM columns.
    cls_state_includes_erbm: bool
    #: H05: the France Travail State share leaves out the FIPE fund.
    ft_state_excludes_fipe: bool
    #: H06: scope of the 50 % co-financing of FT volet 2 ('volet' or 'action').
    ft_cofinancing_scope: str
    #: H07: valorised FSE+ counts as co-financing of FT volet 2.
    ft_cofinancing_counts_fse: bool
    #: H08: from this gap (euros) an 'ecart' is of high severity.
    high_gap_eur: Decimal
    #: H09: State credits paid (execution reports) are compared with every State column, FIPE included.
    execution_paid_includes_fipe: bool
    #: H11: year of the Annexe 1 target compared with a sub-action's (annual) volume.
    sub_action_target_year: int
    #: H12: cells left blank in the execution table are compared (as zero) with the 2025 table.
    execution_blank_cells_compared: bool

    @classmethod
    def from_register(cls) -> Choices:
        return cls(
            signature_date=pd.Timestamp(default("signature_date")),
            cls_state_includes_erbm=default("cls_state_share_includes_erbm"),
            ft_state_excludes_fipe=default("ft_state_share_excludes_fipe"),
            ft_cofinancing_scope=default("ft_cofinancing_scope"),
            ft_cofinancing_counts_fse=default("ft_cofinancing_counts_fse_valorisation"),
            high_gap_eur=Decimal(str(default("high_gap_eur"))),
            execution_paid_includes_fipe=default("execution_paid_includes_fipe"),
            sub_action_target_year=default("sub_action_target_year"),
            execution_blank_cells_compared=default("execution_blank_cells_compared"),
        )


def _rank_key(value, ranks: dict | None):
    """Sort key of one value: missing values last, categories in category order."""
    if value is None:
        return (1, 0)
    return (0, ranks.get(value, len(ranks)) if ranks is not None else value)


class Facts:
    """One contract's tables as records, with cached look-ups (see the module docstring)."""

    def __init__(self, contract, choices: Choices | None = None):
        self.contract = contract
        self.choices = choices or Choices.from_register()
        self._tables: dict[str, tuple[object, list[dict], dict]] = {}
        self._indexes: dict[tuple, dict] = {}

    @classmethod
    def of(cls, contract) -> Facts:
        """``contract`` itself when it is already a :class:`Facts`, else a new one for it."""
        return contract if isinstance(contract, Facts) else cls(contract)

    # -- tables ---------------------------------------------------------------------------------

    def rows(self, table: str, frame: pd.DataFrame | None = None) -> list[dict]:
        """The records of a contract table (``'budget'``…) or of ``frame`` registered under ``table``."""
        cached = self._tables.get(table)
        if cached is not None and (frame is None or cached[0] is frame):
            return cached[1]
        source = getattr(self.contract, table) if frame is None else frame
        self._tables[table] = (source, *records(source))
        self._indexes = {k: v for k, v in self._indexes.items() if k[0] != table}
        return self._tables[table][1]

    def pick(self, name: str, /, **where) -> list[dict]:
        """The records of table ``name`` whose columns equal the given values, in table order (O(1) once
        indexed). Unlike a pandas mask, ``None`` matches a missing value."""
        rows = self.rows(name)
        keys = tuple(sorted(where))
        index = self._indexes.get((name, keys))
        if index is None:
            index = {}
            for row in rows:
                index.setdefault(tuple(row[k] for k in keys), []).append(row)
            self._indexes[(name, keys)] = index
        return index.get(tuple(where[k] for k in keys), [])

    def key(self, table: str, *columns: str):
        """A sort key on ``columns`` that orders like pandas (categories in order, missing last)."""
        ranks = self._tables[table][2]
        return lambda row: tuple(_rank_key(row[c], ranks.get(c)) for c in columns)

    def sort(self, table: str, rows: list[dict], *columns: str) -> list[dict]:
        """``rows`` (records of ``table``) sorted on ``columns`` like ``DataFrame.sort_values`` (stable)."""
        self.rows(table)
        return sorted(rows, key=self.key(table, *columns))

    def groups(self, table: str, rows: list[dict], *columns: str, dropna: bool = False) -> list[tuple[tuple, list[dict]]]:
        """``rows`` grouped on ``columns`` like ``groupby(..., sort=True, observed=True)``: sorted keys
        (missing last), rows in table order within a group; ``dropna`` leaves out missing keys."""
        self.rows(table)
        grouped: dict[tuple, list[dict]] = {}
        for row in rows:
            values = tuple(row[c] for c in columns)
            if not (dropna and None in values):
                grouped.setdefault(values, []).append(row)
        key = self.key(table, *columns)
        return sorted(grouped.items(), key=lambda item: key(dict(zip(columns, item[0]))))

    # -- shared look-ups ------------------------------------------------------------------------

    @cached_property
    def axis_of(self) -> dict[str, str]:
        """Action -> axis (CLS) or volet (FT)."""
        return {a["action"]: a["axis"] for a in self.rows("actions")}

    def actions(self, convention: str) -> list[str]:
        """The actions of one convention, sorted."""
        return sorted(a["action"] for a in self.pick("actions", convention=convention))

    def scope(self, family: str, **fields) -> Scope:
        """A row builder for ``family`` and the given scope (convention, table, axis, action, year, funder)."""
        return Scope(family, high_gap_eur=self.choices.high_gap_eur, **fields)

    def action_scope(self, family: str, convention: str, action: str, **fields) -> Scope:
        """A row builder for one action, its axis (or volet) filled in."""
        return self.scope(family, convention=convention, action=action, axis=self.axis_of.get(action), **fields)

    def cls_state(self, rows: list[dict]) -> list[dict]:
        """CLS State money: the State columns, ERBM credits included (H04, convention l. 323-325)."""
        keep_erbm = self.choices.cls_state_includes_erbm
        return [r for r in rows if r["funder"] == "etat" and (keep_erbm or r["funder_detail"] != "ERBM")]

    def ft_state(self, rows: list[dict], *, include_fipe: bool | None = None) -> list[dict]:
        """France Travail State money: the State columns less the FIPE fund, which is outside the
        convention's credits (H05; fiche 2.4, l. 7633, 7694); ``include_fipe`` overrides the register."""
        fipe = not self.choices.ft_state_excludes_fipe if include_fipe is None else include_fipe
        return [r for r in rows if r["funder"] == "etat" and (fipe or r["funder_detail"] != "FIPE")]
