"""Execution analysed by each contract's own rules: money at risk, the France Travail settlement, and
targets against results for every indicator.

``analysis.assess(contract, execution, **parameters)`` returns an :class:`Assessment`. Every parameter
defaults from the assumptions register (H15-H29, and H03-H05) and can be overridden per call. The frames
are tidy: codes (never labels) and exact Decimal amounts; :mod:`analysis.display` writes them for reading
(:func:`~analysis.display.assessment_consumption`, :func:`~analysis.display.settlement`,
:func:`~analysis.display.end_of_contract`, :func:`~analysis.display.cofinancing`,
:func:`~analysis.display.achievement`).

The two contracts do not follow the same rules (``../shared/notes/contract-rules.md``): the CLS is
multi-year, with avenants, carry-overs, an n+1 reduction for manifest under-consumption (art. 2.2) and
no carry-over beyond 2027 (art. 5); France Travail is one year, paid as an advance and a balance settled
on the total after the final report (art. 6), without n+1 reduction nor carry-over.

Modules: :mod:`~analysis.assessment.parameters` (the parameters and their checks),
:mod:`~analysis.assessment.ledger` (State money per action and year, from the contract and the workbooks),
:mod:`~analysis.assessment.expected` (the expected-rate trajectory), :mod:`~analysis.assessment.consumption`
(consumption, flags, exposure), :mod:`~analysis.assessment.settlement` (France Travail settlement, CLS end
of contract), :mod:`~analysis.assessment.cofinancing` (France Travail volet 2 co-financing),
:mod:`~analysis.assessment.achievement` (indicators).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.assessment.achievement import ACHIEVEMENT_COLUMNS, SHARE_COLUMNS, achievement_frame, over_period, share_frame
from analysis.assessment.cofinancing import COFINANCING_COLUMNS, cofinancing_frame
from analysis.assessment.consumption import CONSUMPTION_COLUMNS, consumption_frame
from analysis.assessment.eligibility import ELIGIBILITY_COLUMNS, ineligible_of, statement_eligibility
from analysis.assessment.expected import expected_rates
from analysis.assessment.ledger import CachedContract, build_ledger, planned_by_year
from analysis.assessment.parameters import Parameters, resolve_parameters
from analysis.assessment.period import PERIOD_COLUMNS, period_position
from analysis.assessment.settlement import END_COLUMNS, SETTLEMENT_COLUMNS, end_of_contract_frame, ft_facts, settlement_frame
from analysis.domain import CLS

__all__ = [
    "ACHIEVEMENT_COLUMNS",
    "COFINANCING_COLUMNS",
    "CONSUMPTION_COLUMNS",
    "ELIGIBILITY_COLUMNS",
    "END_COLUMNS",
    "PERIOD_COLUMNS",
    "SETTLEMENT_COLUMNS",
    "SHARE_COLUMNS",
    "Assessment",
    "Parameters",
    "assess",
    "assess_with",
    "resolve_parameters",
]


@dataclass(frozen=True)
class Assessment:
    """The execution of both contracts, assessed by each one's rules.

    Attributes
    ----------
    consumption : one row per convention, action and year reported (:data:`CONSUMPTION_COLUMNS`): State
        credits planned (``planned_state_source`` 'avenant' or 'contrat'; ``planned_contract``, the contract's
        forecast before any avenant), notified, carried in, paid,
        available, executed, unconsumed, carried out; ``rate`` and ``expected_rate`` (``expected_rate_source``
        'contrat', 'dates_fiches' or 'declaree'); the Département's executed amount and share; the CLS
        ``flag``, ``amount_at_risk``, ``amount_under_review`` and ``risk_kind`` ('reduction_n1',
        'remboursement' or None); France Travail rows carry no flag and no exposure.
    settlement : France Travail 2024 (:data:`SETTLEMENT_COLUMNS`): one row per volet (``row_type`` 'volet':
        ceiling, eligible executed cost, State share and ``due`` under the chosen reading and the
        alternative, display-only ``advance_share``) and one total row (``row_type`` 'total': ``advance``,
        ``due``, ``balance_due``, ``refund_due``, and the same under the alternative reading of volet 2,
        H24, then under the other reading of the volet 1 forfait, H49: ``*_forfait_alternative``). Empty
        without a France Travail 2024 workbook.
    end_of_contract : CLS position at 31/12/2027 (:data:`END_COLUMNS`), one row per action and a total:
        planned 2024-2027, executed so far, last year reported, unconsumed and carried out that year;
        once 2027 is reported (``final``), the credits exposed to a claim for undue sums.
    cofinancing : France Travail volet 2 co-financing (:data:`COFINANCING_COLUMNS`), planned and executed,
        without and with the valorised FSE+, and whether the 50 % rule holds.
    achievement : one row per indicator and year (:data:`ACHIEVEMENT_COLUMNS`), each indicator counted once:
        the CLS's 45 (30 local, 15 national, l. 364-368) and France Travail's 10.
    indicator_shares : the fiche indicators that repeat one of these or are one action's share of a national
        one (H29; :data:`SHARE_COLUMNS`: ``counted_as``, ``link`` 'copie' or 'part'), with their own targets
        and results but no status: shown under the indicator they are counted as, never counted again.
    expenses : each line of the France Travail expense statement with its eligibility (art. 4.2 category,
        dates within the convention's period, H41; :data:`ELIGIBILITY_COLUMNS`): what the settlement deducts.
    parameters : every parameter used (register defaults and overrides) and the contract figures the
        rules read (``cls_departement_min_share``, ``ft_volet2_departement_cofinancing``, ``ft_advance``).
    fictitious : whether any workbook assessed is fictitious (the example data).
    """

    consumption: pd.DataFrame
    settlement: pd.DataFrame
    end_of_contract: pd.DataFrame
    cofinancing: pd.DataFrame
    achievement: pd.DataFrame
    indicator_shares: pd.DataFrame
    expenses: pd.DataFrame
    parameters: dict
    fictitious: bool

    def position_over(self, first: int, last: int) -> pd.DataFrame:
        """CLS State credits per action over ``first``-``last``, each euro once (:mod:`~analysis.assessment.period`):
        the figure of every period total (packs, notebooks, scenarios)."""
        return period_position(self.consumption, first, last, self.parameters["period_cap"])

    def achievement_over(self, first: int, last: int) -> pd.DataFrame:
        """Targets against results over a period (e.g. 2024-2025), each indicator read by its time basis."""
        keys = Parameters.__dataclass_fields__
        return over_period(self.achievement, first, last, Parameters(**{k: self.parameters[k] for k in keys}))


def assess(
    contract,
    execution,
    *,
    threshold: float | None = None,
    tolerance: float | None = None,
    expected_rate_method: str | None = None,
    start_without_day: str | None = None,
    declared_trajectory_overrides: bool | None = None,
    cls_available_basis: str | None = None,
    exposure_basis: str | None = None,
    end_of_contract_claim: str | None = None,
    ft_available_basis: str | None = None,
    ft_state_share: str | None = None,
    ft_volet1_reading: str | None = None,
    near_band: float | None = None,
    late_band: float | None = None,
    attainment_cap: float | None = None,
    time_basis_default: str | None = None,
    twin_indicators: str | None = None,
    signature_date=None,
    straddling: str | None = None,
    period_cap: str | None = None,
    time_bases: dict | None = None,
    ineligible=None,
    advance=None,
) -> Assessment:
    """Assess ``execution`` (:class:`analysis.Execution`) against ``contract`` by each contract's rules.

    Parameters default from the register (None = default): ``threshold`` (H15), ``tolerance`` (H16),
    ``expected_rate_method`` (H17), ``start_without_day`` (H18), ``declared_trajectory_overrides`` (H19),
    ``cls_available_basis`` (H20), ``exposure_basis`` (H21), ``end_of_contract_claim`` (H22),
    ``ft_available_basis`` (H23), ``ft_state_share`` (H24), ``ft_volet1_reading`` (H49), ``near_band`` (H25), ``late_band`` (H26),
    ``attainment_cap`` (H27), ``time_basis_default`` (H28), ``twin_indicators`` (H29), ``signature_date`` (H03),
    ``straddling`` (H41: an expense straddling the convention's period), ``period_cap`` (H45: amounts at stake
    over a period capped by what is unconsumed over it).
    The France Travail spending not eligible to State funding is read from the expense statement of
    ``execution``, line by line (:mod:`~analysis.assessment.eligibility`); ``ineligible`` replaces it with
    a frame of its own (action, amount_eur, reason 'art_4_2' or 'hors_periode'), for a what-if only.
    ``time_bases`` overrides the time basis of given indicators ({indicator_id: basis}); ``advance`` replaces
    the France Travail advance printed in art. 6.
    A parameter out of range raises a French ``ValueError``.
    """
    params = resolve_parameters(
        threshold=threshold, tolerance=tolerance, expected_rate_method=expected_rate_method,
        start_without_day=start_without_day, declared_trajectory_overrides=declared_trajectory_overrides,
        cls_available_basis=cls_available_basis, exposure_basis=exposure_basis, end_of_contract_claim=end_of_contract_claim,
        ft_available_basis=ft_available_basis, ft_state_share=ft_state_share, ft_volet1_reading=ft_volet1_reading,
        near_band=near_band, late_band=late_band,
        attainment_cap=attainment_cap, time_basis_default=time_basis_default, twin_indicators=twin_indicators,
        signature_date=signature_date, straddling=straddling, period_cap=period_cap,
    )
    return assess_with(contract, execution, params, time_bases=time_bases, ineligible=ineligible, advance=advance)


def assess_with(contract, execution, params: Parameters, *, time_bases=None, ineligible=None, advance=None) -> Assessment:
    """:func:`assess` with resolved :class:`Parameters` (see :func:`~analysis.assessment.parameters.resolve_parameters`)."""
    contract = CachedContract(contract)
    ledger = build_ledger(contract, execution, params)
    trajectory = expected_rates(contract, params)
    expected = {(c, a, int(y)): (r, s) for c, a, y, r, s in trajectory.itertuples(index=False)}
    consumption = consumption_frame(ledger, expected, params)
    axis_of = dict(zip(contract.actions.loc[contract.actions["convention"] == CLS.code, "action"],
                       contract.actions.loc[contract.actions["convention"] == CLS.code, "axis"]))
    lines = statement_eligibility(execution, params.straddling)
    ineligible = ineligible_of(lines) if ineligible is None else ineligible
    settlement = settlement_frame(contract, ledger, params, ineligible=ineligible, advance=advance)
    _, printed_advance, volet2_rate = ft_facts(contract)
    facts = {
        "cls_departement_min_share": contract.rule_rate("cls_departement_min_share"),
        "ft_volet2_departement_cofinancing": volet2_rate,
        "ft_advance": printed_advance if advance is None else settlement["advance"].dropna().iloc[-1],
        "time_bases": dict(time_bases or {}),
    }
    return Assessment(
        consumption=consumption,
        settlement=settlement,
        end_of_contract=end_of_contract_frame(consumption, planned_by_year(contract, execution, params, CLS.code), axis_of),
        cofinancing=cofinancing_frame(contract, ledger, params),
        achievement=achievement_frame(contract, execution, params, time_bases),
        indicator_shares=share_frame(contract, execution, params, time_bases),
        expenses=lines,
        parameters={**params.as_dict(), **facts},
        fictitious=bool(execution.workbooks["fictitious"].any()),
    )
