"""The national roll-up: every département's figures side by side, then per region and for the whole country.

:func:`national` assesses each département's contract against its execution (the rules of
:func:`analysis.assess`, one département at a time) and :func:`roll_up` puts their results together, vectorised
across départements: each kind of result is one long frame (a ``departement`` column), summed by one group-by.
Money is exact: every regional and national amount is the sum of the départements' amounts (``Decimal``), and
every rate is recomputed from those sums, never averaged.

Per département, region and nation (:class:`NationalView`): the CLS State credits the contracts plan over the
period and, over the years reported, available, executed, unconsumed, the amounts exposed (``amount_at_risk``)
and under review (the period's figures, each euro once: :meth:`analysis.Assessment.position_over`, H45), the
Département's share of the amounts spent against the 50 % of article 2.2 (and how many actions fall below it,
H56), the France Travail settlement (advance, due, balance or refund) and the volet 2 co-financing, the workbooks
expected and received, and the counts of CLS findings and indicator statuses. The national indicators are summed
across départements where their unit adds up, otherwise described by their distribution (H54).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.assessment import resolve_parameters
from analysis.assumptions import default
from analysis.domain import CLS, FT
from analysis.rollup.reference import load_departements
from analysis.rollup.results import RESULT_TABLES, departement_results
from analysis.rollup.sums import (
    departement_frame,
    envelope_frame,
    indicator_frame,
    missing_frame,
    status_frame,
    totals,
)


def parse_period(period) -> tuple[int, int]:
    """``period`` as (first, last): a pair, a year, or text « 2024-2027 » (default: the register's, H53)."""
    period = default("national_period") if period is None else period
    if isinstance(period, str):
        first, _, last = period.partition("-")
        period = (int(first), int(last or first))
    elif isinstance(period, int):
        period = (period, period)
    first, last = (int(y) for y in period)
    if not CLS.start.year <= first <= last <= CLS.end.year:
        raise ValueError(f"période {first}-{last} hors du contrat ({CLS.start.year}-{CLS.end.year})")
    return first, last


def expected_workbooks(first: int, last: int) -> list[tuple[str, int]]:
    """(convention, year) of the workbooks a département owes for the period: each CLS year, and the France
    Travail final report when the period holds 2024."""
    out = [(CLS.code, y) for y in range(first, last + 1)]
    return out + [(FT.code, y) for y in FT.years if first <= y <= last]


@dataclass(frozen=True)
class NationalView:
    """Many départements' contracts and executions, rolled up (see the module docstring).

    Attributes
    ----------
    first, last : the period (CLS years; France Travail 2024 when the period holds it).
    departements : one row per département with a contract (:data:`DEPARTEMENT_COLUMNS`), in INSEE order.
    regions, nation : the same columns summed per region and for the whole country (rates recomputed).
    envelopes : the national envelopes of 2024 (:data:`analysis.domain.NATIONAL_ENVELOPES`) against the State
        credits the contracts plan, and what the workbooks report executed.
    indicators : the national indicators (CLS annexe 10, France Travail annexe 4) per year, summed or distributed.
    statuses : long counts (``departement``, ``kind`` 'constat' or 'indicateur', ``convention``, ``status``, ``count``).
    missing : the workbooks expected for the period and not received (``departement``, ``convention``, ``year``).
    checks : the reconciliation's counts per département, family and status (empty when not asked).
    tables : the départements' result frames stacked (``position``, ``consumption``…; :mod:`~analysis.rollup.results`).
    parameters : the assessment's parameters (register defaults and overrides).
    fictitious : whether any workbook read is fictitious.
    loading : what :func:`~analysis.rollup.folder.national_from_folder` read and took from its cache (empty otherwise).
    """

    first: int
    last: int
    departements: pd.DataFrame
    regions: pd.DataFrame
    nation: pd.DataFrame
    envelopes: pd.DataFrame
    indicators: pd.DataFrame
    statuses: pd.DataFrame
    missing: pd.DataFrame
    checks: pd.DataFrame
    tables: dict = field(repr=False)
    parameters: dict = field(repr=False)
    fictitious: bool = False
    loading: dict = field(default_factory=dict)

    def ranking(self, column: str, n: int | None = None, *, ascending: bool = False) -> pd.DataFrame:
        """The départements ranked by ``column`` (largest first), the first ``n`` (default: the register's, H55);
        départements without a value left out."""
        n = default("national_outliers") if n is None else n
        frame = self.departements[self.departements[column].notna()]
        key = frame[column].map(float)
        order = key.sort_values(ascending=ascending, kind="stable").index
        return frame.loc[order].head(n).reset_index(drop=True)


def national(contracts: Mapping, executions: Mapping, period=None, *, reconcile: bool = False, **parameters) -> NationalView:
    """Roll up many départements: ``contracts`` (INSEE code -> Contract, as :func:`analysis.load_contracts` returns)
    and ``executions`` (code -> Execution, or :func:`analysis.load_executions_by_departement`'s result; a
    département may have none: its workbooks are listed as missing). ``period`` (« 2024-2027 », a pair or a year;
    default H53) bounds the CLS years; ``reconcile`` adds the reconciliation's counts; ``parameters`` are
    :func:`analysis.assess`'s (register defaults otherwise)."""
    first, last = parse_period(period)
    params = resolve_parameters(**parameters)
    executions = getattr(executions, "executions", executions)
    results = {code: departement_results(code, contract, executions.get(code), first, last, params, reconcile=reconcile)
               for code, contract in contracts.items()}
    return roll_up(results, first, last, params.as_dict())


def stack(results: Mapping, name: str) -> pd.DataFrame:
    """One kind of result frame of every département, stacked (empty frames left out)."""
    frames = [r[name] for r in results.values() if not r[name].empty]
    if not frames:
        return next(iter(results.values()))[name].iloc[0:0] if results else pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def roll_up(results: Mapping, first: int, last: int, parameters: dict) -> NationalView:
    """The national view from each département's results (code -> frames of
    :func:`~analysis.rollup.results.departement_results`), vectorised across départements."""
    if not results:
        raise ValueError("aucun département à consolider")
    tables = {name: stack(results, name) for name in RESULT_TABLES}
    codes = list(results)
    reference = load_departements().set_index("code")
    unknown = sorted(set(codes) - set(reference.index))
    if unknown:
        raise ValueError(f"département(s) inconnu(s) de data/reference/departements.csv : {', '.join(unknown)}")
    missing = missing_frame(tables["workbooks"], codes, reference, first, last)
    statuses = status_frame(tables)
    departements = departement_frame(tables, codes, reference, missing, statuses, first, last)
    return NationalView(
        first=first, last=last, departements=departements,
        regions=totals(departements, ["region_code", "region"]), nation=totals(departements, []),
        envelopes=envelope_frame(tables), indicators=indicator_frame(tables["achievement"]), statuses=statuses,
        missing=missing, checks=tables["checks"], tables=tables, parameters=dict(parameters),
        fictitious=bool(tables["facts"]["fictitious"].any()),
    )

