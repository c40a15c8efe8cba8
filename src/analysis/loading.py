"""Load the two contracts' transcribed tables into tidy, typed DataFrames.

``load_contract()`` reads ``data/raw/`` (or any folder with the same layout), validates every table
against ``datapackage.json`` (see :mod:`analysis.validation`) and returns a :class:`Contract`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.validation import load_tables

#: Default location of the transcribed tables, relative to the repository root.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "raw"

PHASES = ["approved", "adjusted", "executed"]

#: Quantities computed from other columns of the same row (a row total, a funder's or an action's budget).
DERIVED_QUANTITIES = ["total", "budget", "funder_budget", "executed_total"]
MEASURES = ["baseline", "target", "result"]

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


@dataclass(frozen=True)
class Contract:
    """The two contracts as tidy tables (all DataFrames; nothing hidden elsewhere).

    Attributes
    ----------
    actions : one row per action of both conventions.
    budget : every money figure printed in a table, long format, with ``phase``.
        Printed sub-totals and totals are kept: ``row_type`` is 'line', 'subtotal' or 'total',
        and figures of a printed total *column* have no ``funder`` and ``quantity`` 'total'.
    sub_actions : sub-actions stated in the fiches (amount, places, start, duration).
    indicators, indicator_values : indicator definitions and their values (long).
    text_amounts : amounts printed in prose (articles, president's report, deliberation).
    financing_plan : France Travail financing-plan construction, volets 1-3.
    table_columns : meaning of the lettered columns of the financial tables.
    imputations, rules : budget imputations and quantitative rules stated in prose.
    """

    actions: pd.DataFrame
    budget: pd.DataFrame
    sub_actions: pd.DataFrame
    indicators: pd.DataFrame
    indicator_values: pd.DataFrame
    text_amounts: pd.DataFrame
    financing_plan: pd.DataFrame
    table_columns: pd.DataFrame
    imputations: pd.DataFrame
    rules: pd.DataFrame
    source_dir: Path = field(default=DEFAULT_DATA_DIR)

    def budget_lines(self) -> pd.DataFrame:
        """The budget's parts only: 'line' rows with a funder, without printed totals or derived columns
        (a funder's budget such as Annexe 3 column I = F+H would count its parts twice)."""
        b = self.budget
        keep = (b["row_type"] == "line") & b["funder"].notna() & ~b["quantity"].isin(DERIVED_QUANTITIES)
        return b[keep].reset_index(drop=True)


def _budget(figures: pd.DataFrame) -> pd.DataFrame:
    budget = figures.assign(phase=pd.Categorical(["approved"] * len(figures), categories=PHASES))
    return budget[BUDGET_COLUMNS]


def load_contract(path: str | Path | None = None) -> Contract:
    """Load and validate both contracts from ``path`` (default: the project's ``data/raw``).

    Raises ``ContractDataError`` (a ``ValueError``) naming every file, line and column at fault;
    nothing is loaded in that case.
    """
    data_dir = Path(path) if path is not None else DEFAULT_DATA_DIR
    tables = load_tables(data_dir)
    return Contract(
        actions=tables["actions"],
        budget=_budget(tables["budget_figures"]),
        sub_actions=tables["sub_actions"],
        indicators=tables["indicators"],
        indicator_values=tables["indicator_values"],
        text_amounts=tables["text_amounts"],
        financing_plan=tables["ft_financing_plan"],
        table_columns=tables["table_columns"],
        imputations=tables["imputations"],
        rules=tables["rules"],
        source_dir=data_dir,
    )
