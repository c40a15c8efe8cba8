"""France Travail settlement (2024) and the CLS end-of-contract position.

**France Travail** (one year, 1/1-31/12/2024, l. 5765-5769): no n+1 reduction and no carry-over. The State
pays an advance of 60 % at signature (2 556 535,20 €, art. 6, l. 5949-5955, rule ``ft_advance_rate`` and
the printed amount) and the balance after the final report; any over-payment is refunded (l. 5965). The
settlement is computed once, on the total (:func:`settlement_frame`):

- per volet, the eligible executed cost (all funders, less what art. 4.2 excludes and what falls outside
  2024, given as ``ineligible``; l. 5901-5927), the State share of it (volet 1, « sous forme de forfait »,
  l. 5885-5891: the eligible cost up to the forfait, or the whole forfait, H49, both computed; volet 2:
  50 % of it or the cost less the co-financing, H24, both computed), capped by the volet's ceiling
  (art. 4.1, l. 5875-5897: 135 000 € and 4 125 892 €; no transfer between volets without an avenant):
  ``due``; ``due_alternative`` under the other reading of H24, ``due_forfait_alternative`` under the other
  reading of H49;
- on the total: ``balance_due`` = max(due - advance, 0), ``refund_due`` = max(advance - due, 0). The split
  of the advance per volet (``advance_share``) is for display only, never settled per volet.

FIPE money (action 2.4) is outside the convention (H05): that action is left out.

**CLS end of contract** (:func:`end_of_contract_frame`): no carry-over beyond 31/12/2027 (art. 5,
l. 476-492): per action, the State credits planned over 2024-2027, executed so far, and, once 2027 is
reported, the unconsumed credits exposed to a claim for undue sums (H22).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.assessment.parameters import Parameters
from analysis.domain import CLS, FT, INELIGIBILITY_REASONS
from analysis.money import ZERO, add, cents
from analysis.money import is_missing as missing

#: The volet paid as a forfait (art. 4.1, l. 5887) and the volet co-financed at 50 % (art. 3.3, l. 5819-5823).
#: The forfait volet (art. 4.1) and the co-financed one (the model's, art. 3.3).
FORFAIT_VOLET, COFINANCED_VOLET = "1", FT.cofinanced_group

SETTLEMENT_COLUMNS = [
    "convention", "year", "row_type", "volet", "ceiling", "executed_total", "ineligible", "eligible_executed",
    "cofinancing_executed", "state_share", "state_share_alternative", "due", "due_alternative", "advance_share",
    "advance", "balance_due", "refund_due", "balance_due_alternative", "refund_due_alternative", "reading",
    "unreported_actions", "forfait_reading", "due_forfait_alternative", "balance_due_forfait_alternative",
    "refund_due_forfait_alternative",
]
END_COLUMNS = [
    "convention", "axis", "action", "row_type", "planned_state", "executed_state", "last_year", "unconsumed_state",
    "carried_out_state", "final", "amount_at_risk", "risk_kind",
]
INELIGIBLE_COLUMNS = ["action", "amount_eur", "reason"]


def check_ineligible(ineligible, ft_actions) -> pd.DataFrame:
    """The spending declared not eligible (action, amount_eur, reason), checked (French ``ValueError``)."""
    if ineligible is None:
        return pd.DataFrame(columns=INELIGIBLE_COLUMNS)
    frame = pd.DataFrame(ineligible)
    absent = [c for c in INELIGIBLE_COLUMNS if c not in frame.columns]
    if absent:
        raise ValueError(f"dépenses non éligibles : colonne(s) manquante(s) {', '.join(absent)}")
    for i, (action, amount, reason) in enumerate(frame[INELIGIBLE_COLUMNS].itertuples(index=False), start=1):
        where = f"dépenses non éligibles, ligne {i}"
        if action not in ft_actions:
            raise ValueError(f"{where} : action France Travail inconnue « {action} »")
        if not isinstance(amount, Decimal) or amount < 0:
            raise ValueError(f"{where} : montant {amount!r} invalide (Decimal positif ou nul attendu)")
        if reason not in INELIGIBILITY_REASONS:
            raise ValueError(f"{where} : motif « {reason} » inconnu (attendu : {', '.join(INELIGIBILITY_REASONS)})")
    return frame


def volet_due(volet: str, eligible: Decimal, cofinancing: Decimal, ceiling: Decimal, rate: Decimal, reading: str,
              forfait: str = "cout_plafonne") -> tuple:
    """(State share, due) of one volet under ``reading`` (H24) and ``forfait`` (H49): the forfait volet,
    'cout_plafonne' = the eligible cost, 'forfait' = the whole ceiling whatever the cost; the co-financed
    volet: 'moitie_cout' = eligible x (1 - ``rate``), 'cout_moins_cofinancements' = eligible - co-financing.
    ``due`` = min(share, ceiling)."""
    if volet == FORFAIT_VOLET and forfait == "forfait":
        share = ceiling
    elif volet != COFINANCED_VOLET:
        share = eligible
    elif reading == "moitie_cout":
        share = cents(eligible * (1 - rate))
    else:
        share = max(eligible - cofinancing, ZERO)
    return share, min(share, ceiling)


def ft_facts(contract) -> tuple[dict, Decimal, Decimal]:
    """Ceilings per volet (art. 4.1), the advance (art. 6, checked against ``ft_advance_rate`` x the
    convention's amount) and the Département's co-financing rate of volet 2 (art. 3.3)."""
    t = contract.text_amounts
    own = t[(t["convention"] == FT.code) & (t["document"] == "ft_convention")]
    volets = own[own["scope"] == "volet"]
    ceilings = {str(v): a for v, a in zip(volets["axis"], volets["amount_eur"])}
    total = own.loc[own["scope"] == "contract", "amount_eur"].iloc[0]
    advance = own.loc[own["scope"] == "advance", "amount_eur"].iloc[0]
    if advance != cents(total * contract.rule_rate("ft_advance_rate")):
        raise ValueError(f"avance France Travail imprimée ({advance}) différente du taux d'avance appliqué au montant alloué")
    return ceilings, advance, contract.rule_rate("ft_volet2_departement_cofinancing")


def _volet_row(volet: str, rows: pd.DataFrame, ineligible: pd.DataFrame, ceiling: Decimal, rate: Decimal, reading: str,
               forfait: str) -> dict:
    """One volet of the settlement, from its ledger rows (FT, 2024)."""
    spent, cofinancing, unreported = ZERO, ZERO, []
    for action, state, dept, other, planned in rows[
        ["action", "executed_state", "executed_departement", "executed_autre", "planned_contract"]
    ].itertuples(index=False):
        if missing(state) and not missing(planned) and planned > 0:
            unreported.append(action)
        cofinancing += add(dept, other) or ZERO
        spent += add(add(state, dept), other) or ZERO
    excluded = sum(ineligible.loc[ineligible["action"].isin(rows["action"]), "amount_eur"], ZERO)
    eligible = max(spent - excluded, ZERO)
    alternative = "cout_moins_cofinancements" if reading == "moitie_cout" else "moitie_cout"
    share, due = volet_due(volet, eligible, cofinancing, ceiling, rate, reading, forfait)
    share_alt, due_alt = volet_due(volet, eligible, cofinancing, ceiling, rate, alternative, forfait)
    _, due_forfait = volet_due(volet, eligible, cofinancing, ceiling, rate, reading, other_forfait(forfait))
    return {
        "convention": FT.code, "year": FT.start.year, "row_type": "volet", "volet": volet, "ceiling": ceiling,
        "executed_total": spent, "ineligible": excluded, "eligible_executed": eligible, "cofinancing_executed": cofinancing,
        "state_share": share, "state_share_alternative": share_alt, "due": due, "due_alternative": due_alt,
        "reading": reading, "unreported_actions": ", ".join(unreported) or None,
        "forfait_reading": forfait, "due_forfait_alternative": due_forfait,
    }


def other_forfait(forfait: str) -> str:
    """The other reading of the volet 1 forfait (H49)."""
    return "forfait" if forfait == "cout_plafonne" else "cout_plafonne"


def settle(due: Decimal, advance: Decimal) -> tuple[Decimal, Decimal]:
    """(balance_due, refund_due) = (max(due - advance, 0), max(advance - due, 0)), computed once on the total."""
    return max(due - advance, ZERO), max(advance - due, ZERO)


def _total_row(volets: list[dict], advance: Decimal, reading: str, forfait: str) -> dict:
    def total(column):
        return sum((v[column] for v in volets), ZERO)

    balance, refund = settle(total("due"), advance)
    balance_alt, refund_alt = settle(total("due_alternative"), advance)
    balance_forfait, refund_forfait = settle(total("due_forfait_alternative"), advance)
    sums = {c: total(c) for c in ("ceiling", "executed_total", "ineligible", "eligible_executed", "cofinancing_executed",
                                  "state_share", "state_share_alternative", "due", "due_alternative",
                                  "due_forfait_alternative")}
    return {
        "convention": FT.code, "year": FT.start.year, "row_type": "total", "volet": None, **sums, "advance": advance,
        "balance_due": balance, "refund_due": refund, "balance_due_alternative": balance_alt,
        "refund_due_alternative": refund_alt, "reading": reading, "forfait_reading": forfait,
        "balance_due_forfait_alternative": balance_forfait, "refund_due_forfait_alternative": refund_forfait,
    }


def _advance_shares(volets: list[dict], advance: Decimal) -> None:
    """Display-only split of the advance per volet, in proportion to the ceilings (the last takes the rest)."""
    total = sum((v["ceiling"] for v in volets), ZERO)
    left = advance
    for i, v in enumerate(volets):
        share = left if i == len(volets) - 1 else cents(advance * v["ceiling"] / total)
        v["advance_share"], left = share, left - share


def settlement_frame(contract, ledger: pd.DataFrame, params: Parameters, ineligible=None, advance=None) -> pd.DataFrame:
    """The France Travail 2024 settlement: one row per volet with a ceiling, then the total row (see the
    module docstring). Empty when no France Travail 2024 workbook was reported."""
    rows = ledger[(ledger["convention"] == FT.code) & (ledger["year"] == FT.start.year)]
    if rows.empty:
        return pd.DataFrame(columns=SETTLEMENT_COLUMNS)
    ceilings, printed_advance, rate = ft_facts(contract)
    advance = printed_advance if advance is None else cents(advance)
    acts = contract.actions[contract.actions["convention"] == FT.code]
    ineligible = check_ineligible(ineligible, set(acts["action"]))
    volets = [
        _volet_row(volet, rows[rows["axis"] == volet], ineligible, ceiling, rate, params.ft_state_share,
                   params.ft_volet1_reading)
        for volet, ceiling in sorted(ceilings.items())
    ]
    _advance_shares(volets, advance)
    frame = pd.DataFrame([*volets, _total_row(volets, advance, params.ft_state_share, params.ft_volet1_reading)],
                         columns=SETTLEMENT_COLUMNS)
    money = [*SETTLEMENT_COLUMNS[4:17], *SETTLEMENT_COLUMNS[-3:]]
    return frame.astype({c: object for c in money})


def end_of_contract_frame(consumption: pd.DataFrame, planned: dict, axis_of: dict) -> pd.DataFrame:
    """CLS position at the end of the contract, one row per action with State credits, then the total.

    ``planned``: (action, year) -> (amount, source) over 2024-2027 (avenants where known); ``consumption``:
    the assessment's consumption frame. ``final`` says whether 2027 is reported: only then is
    ``amount_at_risk`` (the claim for undue sums of the 2027 row, H22) final.
    """
    cls = consumption[consumption["convention"] == CLS.code].sort_values("year")
    by_action = {a: g for a, g in cls.groupby("action", sort=False)}
    rows = []
    for action in sorted({a for a, _ in planned} | set(by_action)):
        own = by_action.get(action, cls.iloc[:0])
        last = own.iloc[-1] if len(own) else None
        final = last is not None and int(last["year"]) == CLS.end.year
        executed = [v for v in own["executed_state"] if not missing(v)]
        rows.append({
            "convention": CLS.code, "axis": axis_of.get(action), "action": action, "row_type": "action",
            "planned_state": sum((amount for (a, y), (amount, _) in planned.items() if a == action and y in CLS.years), ZERO),
            "executed_state": sum(executed, ZERO) if executed else None,
            "last_year": None if last is None else int(last["year"]),
            "unconsumed_state": None if last is None else last["unconsumed_state"],
            "carried_out_state": None if last is None else last["carried_out_state"],
            "final": final, "amount_at_risk": last["amount_at_risk"] if final else ZERO,
            "risk_kind": last["risk_kind"] if final else None,
        })
    rows.append(_end_total(rows))
    frame = pd.DataFrame(rows, columns=END_COLUMNS)
    return frame.astype({c: object for c in ("planned_state", "executed_state", "unconsumed_state", "carried_out_state",
                                                  "amount_at_risk")})


def _end_total(rows: list[dict]) -> dict:
    def total(column):
        values = [r[column] for r in rows if not missing(r[column])]
        return sum(values, ZERO) if values else None

    final = bool(rows) and all(r["final"] for r in rows)
    at_risk = total("amount_at_risk") or ZERO
    return {
        "convention": CLS.code, "axis": None, "action": None, "row_type": "total", "planned_state": total("planned_state"),
        "executed_state": total("executed_state"),
        "last_year": max((r["last_year"] for r in rows if r["last_year"]), default=None),
        "unconsumed_state": total("unconsumed_state"), "carried_out_state": total("carried_out_state"), "final": final,
        "amount_at_risk": at_risk, "risk_kind": "remboursement" if at_risk > 0 else None,
    }
