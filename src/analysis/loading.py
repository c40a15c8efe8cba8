"""Load the two contracts' transcribed tables into tidy, typed DataFrames.

``load_contract()`` reads ``data/raw/`` (or any folder with the same layout), validates every table
against ``datapackage.json`` (see :mod:`analysis.validation`) and returns a :class:`Contract`;
``load_contracts(folder)`` reads one package per sub-folder (one département each, issue 17).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.assumptions import resolve
from analysis.domain import BUDGET_COLUMNS, DERIVED_QUANTITIES, FICHE_TABLE, FT, MEASURES, PHASES, RAW_DIR
from analysis.validation import (
    DESCRIPTOR,
    ContractDataError,
    Problem,
    Problems,
    UnsupportedDescriptorError,
    compiled_descriptor,
    departement_problems,
    empty_frame,
    layout,
    load_tables,
)

#: Default location of the transcribed tables (``data/raw``).
DEFAULT_DATA_DIR = RAW_DIR

__all__ = ["BUDGET_COLUMNS", "DEFAULT_DATA_DIR", "DERIVED_QUANTITIES", "MEASURES", "PHASES", "Contract", "load_contract",
           "load_contracts"]


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
    source_dir : the folder the package was read from.
    departement : the INSEE code of the département (the descriptor's ``departement``: ``'62'``).

    A package typed in a contract workbook (:func:`analysis.read_contract_workbook`) has no transcription of
    a printed document: ``sub_actions``, ``text_amounts`` (but the France Travail ceilings and advance),
    ``financing_plan``, ``table_columns`` and ``imputations`` may be empty, with the same columns.
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
    departement: str | None = None

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

    def indicator_links(self, twins: str | None = None) -> pd.DataFrame:
        """The fiche indicators counted as another indicator (columns ``indicator_id``, ``counted_as``,
        ``link``): each is a copy or a share of an Annexe 1 or Annexe 10 indicator, which alone is counted,
        listed and graded (art. 2.3 counts 30 local and 15 national indicators, l. 364-368).

        - a fiche indicator referring to an Annexe 10 indicator (``ref_indicator``, read from the labels and
          figures, A19) is counted as it: ``link`` 'part' when several fiches refer to it (the national figure
          is their sum: « jeunes de 16 à 25 ans sans solution » = fiches 1.1 + 1.2 + 1.3, l. 5322), 'copie'
          when it is the only one (same label and figures);
        - otherwise, the fiche side of an Annexe 1 / fiche pair of the register (H29, ``twins`` « a = b ; … »,
          default the register's) is counted as its Annexe 1 twin ('copie'). A pair neither of whose indicators
          the contract has is left out (the register's pairs name Pas-de-Calais indicators: another
          département's contract has none of them); a pair naming one indicator of the contract must name two.

        A fiche indicator both referring to Annexe 10 and paired with Annexe 1 (3.4, 4.2: the same figures
        printed three times) is counted as the national one; the local one stays a local indicator.
        """
        ind = self.indicators
        known = set(ind["indicator_id"])
        refs = ind[ind["ref_indicator"].notna()]
        parts = refs["ref_indicator"].value_counts()
        rows = {i: (ref, "part" if parts[ref] > 1 else "copie") for i, ref in zip(refs["indicator_id"], refs["ref_indicator"])}
        for pair in str(resolve(twins, "twin_indicators")).split(";"):
            whole, sep, part = (x.strip() for x in pair.partition("="))
            if sep and whole not in known and part not in known:
                continue  # the register's pairs (H29) name Pas-de-Calais indicators: another contract has neither
            if not sep or whole not in known or part not in known:
                raise ValueError(f"indicateurs jumeaux : paire « {pair.strip()} » illisible ou inconnue (attendu « a = b »)")
            rows.setdefault(part, (whole, "copie"))
        unknown = sorted({ref for ref, _ in rows.values()} - known)
        if unknown:
            raise ValueError(f"indicateurs de référence inconnus : {', '.join(unknown)}")
        frame = pd.DataFrame([(i, ref, link) for i, (ref, link) in rows.items()], columns=["indicator_id", "counted_as", "link"])
        order = {i: n for n, i in enumerate(ind["indicator_id"])}
        return frame.sort_values("indicator_id", key=lambda c: c.map(order)).reset_index(drop=True)

    def counted_indicators(self, convention: str | None = None, twins: str | None = None) -> pd.DataFrame:
        """The indicators counted once (of ``convention``, or both): every indicator but the fiche copies and
        shares of :meth:`indicator_links` (the CLS: 30 local and 15 national, l. 364-368)."""
        ind = self.indicators
        if convention is not None:
            ind = ind[ind["convention"] == convention]
        return ind[~ind["indicator_id"].isin(self.indicator_links(twins)["indicator_id"])].reset_index(drop=True)

    def convention_budget(self, convention: str, *, exclude_fipe: bool | None = None) -> pd.DataFrame:
        """The fiche budget lines of what the convention itself finances (same columns as
        :meth:`planned_budget`): for France Travail, without the FIPE fund (H05: « Etat (FIPE) » is not a
        France Travail credit, l. 7633, 7745-7749) and without an action whose State money is all FIPE, which
        the convention does not fund (action 2.4: « aucun crédit n'est sollicité » from France Travail,
        l. 7694; 0 € in the plan d'action, l. 6290; its lines of 2024 and 2025 are left out whole). What is
        left of France Travail is 2024 only, 4 260 892 € of State money (art. 4.1, l. 5879) and the plan's
        total of 8 386 784 € (l. 6391). ``exclude_fipe=False`` keeps the fiches as printed; the CLS is
        returned as printed."""
        planned = self.planned_budget(convention)
        if convention != FT.code or not resolve(exclude_fipe, "ft_state_share_excludes_fipe"):
            return planned
        fipe = planned["funder_detail"].fillna("").eq("FIPE") & planned["funder"].eq("etat")
        return planned[~fipe & ~planned["action"].isin(self.actions_outside(convention))].reset_index(drop=True)

    def actions_outside(self, convention: str) -> set[str]:
        """The actions of ``convention`` whose State money is all from the FIPE fund: the convention does not fund
        them (H05; the Pas-de-Calais action 2.4). Read from the fiches, never named in the code."""
        planned = self.planned_budget(convention)
        state = planned[planned["funder"] == "etat"]
        fipe = state["funder_detail"].fillna("").eq("FIPE")
        return {str(a) for a, g in state.groupby("action") if fipe[g.index].all()} if convention == FT.code else set()


def _budget(figures: pd.DataFrame) -> pd.DataFrame:
    budget = figures.assign(phase=pd.Categorical(["approved"] * len(figures), categories=PHASES))
    return budget[BUDGET_COLUMNS]


#: The resources ``load_contract`` reads.
CONTRACT_RESOURCES = (
    "actions", "budget_figures", "sub_actions", "indicators", "indicator_values", "text_amounts",
    "ft_financing_plan", "table_columns", "imputations", "rules",
)


#: The resources a package may leave out (issue 17): the transcription of a printed document that a contract
#: typed in a workbook does not have, and tables that may have no row. They are then empty frames.
OPTIONAL_RESOURCES = frozenset({"sub_actions", "indicators", "indicator_values", "text_amounts", "ft_financing_plan",
                                "table_columns", "imputations"})


@cache
def contract_specs() -> dict:
    """The compiled specifications (:class:`~analysis.validation.TableSpec`) of the contract resources and of
    ``scopes``, as the project's own descriptor declares them (read once per process: ``data/raw`` is never
    written)."""
    specs = {spec.name: spec for spec in compiled_descriptor(DEFAULT_DATA_DIR)}
    return {name: specs[name] for name in (*CONTRACT_RESOURCES, "scopes")}


@cache
def contract_layout() -> dict[str, tuple[tuple[str, str], ...]]:
    """The fields (name, type) of each contract resource, as the project's own descriptor declares them.

    Another folder must declare the same resources with the same fields (constraints may differ; the
    resources of :data:`OPTIONAL_RESOURCES` may be absent), so that a broken or hostile descriptor cannot
    make the code read a column that is not there.
    """
    specs = contract_specs()
    return {name: layout(specs[name]) for name in CONTRACT_RESOURCES}


def contract_from_tables(tables: dict, source_dir: Path, departement: str | None) -> Contract:
    """The :class:`Contract` of typed tables by resource name (an absent optional resource: an empty frame)."""
    specs = contract_specs()
    table = {name: tables[name] if name in tables else empty_frame(specs[name]) for name in CONTRACT_RESOURCES}
    return Contract(
        actions=table["actions"],
        budget=_budget(table["budget_figures"]),
        sub_actions=table["sub_actions"],
        indicators=table["indicators"],
        indicator_values=table["indicator_values"],
        text_amounts=table["text_amounts"],
        financing_plan=table["ft_financing_plan"],
        table_columns=table["table_columns"],
        imputations=table["imputations"],
        rules=table["rules"],
        source_dir=source_dir,
        departement=departement,
    )


def load_contract(path: str | Path | None = None) -> Contract:
    """Load and validate both contracts from ``path`` (default: the project's ``data/raw``).

    The descriptor names the département (``departement``, an INSEE code of ``data/reference/departements.csv``);
    the resources of :data:`OPTIONAL_RESOURCES` may be absent (a contract typed in a workbook). Raises
    ``ContractDataError`` (a ``ValueError``) naming every file, line and column at fault, and the descriptor
    for a missing or unknown département; nothing is loaded in that case.
    """
    data_dir = Path(path) if path is not None else DEFAULT_DATA_DIR
    compiled_descriptor(data_dir)  # an unsupported descriptor is refused before anything else
    departement, problems = departement_problems(data_dir)
    try:
        tables = load_tables(data_dir, expected=contract_layout(), optional=OPTIONAL_RESOURCES)
    except UnsupportedDescriptorError:
        raise
    except ContractDataError as exc:
        merged = Problems([*problems, *exc.problems])
        merged.omitted += exc.omitted
        raise ContractDataError(merged) from None
    if problems:
        raise ContractDataError(problems)
    return contract_from_tables(tables, data_dir, departement)


# ------------------------------------------------------------------------------------------------
# Many départements (issue 17): one package per sub-folder
# ------------------------------------------------------------------------------------------------


def _package_folders(folder: Path) -> list[Path]:
    """The sub-folders of ``folder`` that hold a package, in name order (hidden ones, such as
    ``.ipynb_checkpoints``, and plain files are left alone)."""
    if not folder.is_dir():
        raise ContractDataError([Problem(str(folder), None, None, None, "dossier introuvable")])
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _in_package(name: str, problem: Problem) -> Problem:
    """``problem`` with its file named inside the sub-folder ``name`` (« 62/budget_figures.csv »)."""
    file = problem.file if problem.file.startswith(f"{name}/") else f"{name}/{Path(problem.file).name}"
    return Problem(file, problem.line, problem.column, problem.value, problem.reason)


def _same_departement(loaded: dict[str, tuple[str, Contract]], problems: Problems) -> dict[str, Contract]:
    """The contracts by département; two packages of one département are both refused, naming both."""
    from analysis.reference import departement_name

    first: dict[str, str] = {}
    twice: set[str] = set()
    for name, (code, _) in loaded.items():
        if code in first:
            twice.add(code)
            reason = (f"même département ({code}, {departement_name(code)}) que le paquet « {first[code]} » : les deux "
                      f"paquets « {first[code]} » et « {name} » sont refusés ; n'en garder qu'un")
            problems.append(Problem(f"{name}/{DESCRIPTOR}", None, None, code, reason))
        else:
            first[code] = name
    return {code: contract for code, contract in (v for v in loaded.values()) if code not in twice}


def load_contracts(folder: str | Path) -> dict[str, Contract]:
    """Every contract package of ``folder``, one per sub-folder, as a mapping département code -> Contract
    (in the order of the INSEE codes).

    A sub-folder may be named anything (its INSEE code, say): the descriptor's ``departement`` is the truth.
    Each package is read as strictly as by :func:`load_contract`; two packages of the same département are
    refused, naming both. If any package is refused, one ``ContractDataError`` lists the problems of every
    rejected package (files named inside their sub-folder) and nothing is loaded. A sub-folder without
    ``datapackage.json`` is a problem too; hidden sub-folders and plain files are ignored.
    """
    folder = Path(folder)
    problems = Problems()
    loaded: dict[str, tuple[str, Contract]] = {}
    for sub in _package_folders(folder):
        if not (sub / DESCRIPTOR).exists():
            problems.append(Problem(sub.name, None, None, None, f"sous-dossier sans {DESCRIPTOR} : pas un paquet de "
                                                                 "contrat (le retirer du dossier des contrats)"))
            continue
        try:
            contract = load_contract(sub)
        except ContractDataError as exc:
            for problem in exc.problems:
                problems.append(_in_package(sub.name, problem))
            problems.omitted += exc.omitted
            continue
        loaded[sub.name] = (contract.departement, contract)
    contracts = _same_departement(loaded, problems)
    if problems or problems.omitted:
        raise ContractDataError(problems)
    if not contracts:
        raise ContractDataError([Problem(str(folder), None, None, None, "aucun paquet de contrat (un sous-dossier par "
                                                                        "département, avec son datapackage.json)")])
    from analysis.reference import departement_codes_in_order

    order = {code: n for n, code in enumerate(departement_codes_in_order())}
    return {code: contracts[code] for code in sorted(contracts, key=order.__getitem__)}
