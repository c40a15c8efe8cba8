"""Load the two contracts' transcribed tables into tidy, typed DataFrames.

``load_contract()`` reads ``data/raw/`` (or any folder with the same layout), validates every table
against ``datapackage.json`` (see :mod:`analysis.validation`) and returns a :class:`Contract`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.domain import BUDGET_COLUMNS, DERIVED_QUANTITIES, FICHE_TABLE, MEASURES, PHASES, RAW_DIR
from analysis.validation import compiled_descriptor, layout, load_tables

#: Default location of the transcribed tables (``data/raw``).
DEFAULT_DATA_DIR = RAW_DIR

__all__ = ["BUDGET_COLUMNS", "DEFAULT_DATA_DIR", "DERIVED_QUANTITIES", "MEASURES", "PHASES", "Contract", "load_contract"]


@dataclass(frozen=True)
class Contract:
    """The two contracts as tidy tables (all DataFrames; nothing hidden elsewhere).

    Attributes
    ----------
    actions : one row per action of both conventions, identified by (convention, action).
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

    def rule(self, rule_id: str) -> pd.Series:
        """One quantitative rule of ``rules.csv`` by its ``rule_id`` (its value, unit, source line…)."""
        hit = self.rules[self.rules["rule_id"] == rule_id]
        if hit.empty:
            raise KeyError(f"règle inconnue dans rules.csv : {rule_id}")
        return hit.iloc[0]

    def rule_rate(self, rule_id: str) -> Decimal:
        """A rule printed as a percentage, as an exact rate: 'ft_advance_rate' -> Decimal('0.6')."""
        rule = self.rule(rule_id)
        if rule["unit"] != "pourcentage":
            raise ValueError(f"la règle {rule_id} n'est pas un pourcentage (unité : {rule['unit']})")
        return Decimal(rule["value"]) / 100

    def planned_budget(self, convention: str) -> pd.DataFrame:
        """The fiche budget lines of one convention (phase 'approved'): action, axis, year, funder, amount."""
        b = self.budget_lines()
        planned = b[(b["table"] == FICHE_TABLE[convention]) & b["year"].notna()]
        actions = self.actions[self.actions["convention"] == convention]  # an action is (convention, action)
        axis_of = dict(zip(actions["action"], actions["axis"]))
        return planned.assign(axis=planned["action"].map(axis_of)).reset_index(drop=True)


def _budget(figures: pd.DataFrame) -> pd.DataFrame:
    budget = figures.assign(phase=pd.Categorical(["approved"] * len(figures), categories=PHASES))
    return budget[BUDGET_COLUMNS]


#: The resources ``load_contract`` reads.
CONTRACT_RESOURCES = (
    "actions", "budget_figures", "sub_actions", "indicators", "indicator_values", "text_amounts",
    "ft_financing_plan", "table_columns", "imputations", "rules",
)


@cache
def contract_layout() -> dict[str, tuple[tuple[str, str], ...]]:
    """The fields (name, type) of each contract resource, as the project's own descriptor declares them
    (read once per process: ``data/raw`` is never written).

    Another folder must declare the same resources with the same fields (constraints may differ),
    so that a broken or hostile descriptor cannot make the code read a column that is not there.
    """
    specs = {spec.name: spec for spec in compiled_descriptor(DEFAULT_DATA_DIR)}
    return {name: layout(specs[name]) for name in CONTRACT_RESOURCES}


def load_contract(path: str | Path | None = None) -> Contract:
    """Load and validate both contracts from ``path`` (default: the project's ``data/raw``).

    Raises ``ContractDataError`` (a ``ValueError``) naming every file, line and column at fault;
    nothing is loaded in that case.
    """
    data_dir = Path(path) if path is not None else DEFAULT_DATA_DIR
    tables = load_tables(data_dir, expected=contract_layout())
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
