"""Family 'execution': execution reports (phase 'executed') against themselves and the contract.

Each contract by its own rules (``../shared/notes/contract-rules.md``):

- **CLS** (multi-year): the State credits paid for year n are compared with the latest amount notified by
  avenant for n when a workbook records one (art. 2.2, l. 300-318: 2025-2027 are « notifiés et précisés par
  avenant »; the « Avenant » sheet of the workbook of year n-1), else with the fiche's forecast: the rule
  ``analysis.assess`` applies (``planned_state`` / ``planned_state_source``), by its own functions
  (:func:`analysis.assessment.ledger.planned_state`, :func:`~analysis.assessment.ledger.reported_amounts`).
  Unconsumed credits may be carried over to n+1.
- **France Travail** (one year, l. 5765-5769): the State pays an advance of 60 % at signature and the balance
  after the final report; an over-payment is refunded then (art. 6, l. 5949-5966). The credits paid of an
  action are compared with the advance share of its State amount (rule ``ft_advance_rate``; FIPE left out of
  the convention, H05) and the total paid with the printed advance; a payment beyond the advance (balance or
  over-payment) is settled on the total (``analysis.assess(...).settlement``), not a reconciliation gap. No
  carry-over to n+1 exists; the column « non consommés » (paid - executed) is negative where the action
  spent beyond the advance.
"""

from __future__ import annotations

from decimal import Decimal

from analysis.assessment.ledger import planned_state, reported_amounts
from analysis.assumptions import default
from analysis.domain import CLS, CONVENTIONS, FICHE_TABLE, FT
from analysis.formatting import format_percent
from analysis.money import cents
from analysis.reconciliation.base import sum_or_none, total
from analysis.reconciliation.facts import Facts

FAMILY = "execution"


def _execution_lines(facts: Facts, execution) -> list[dict]:
    facts.rows("execution", execution.budget)
    return facts.pick("execution", phase="executed", row_type="line")


def _of(rows: list[dict], quantity: str, funder: str | None = None) -> list[dict]:
    return [r for r in rows if r["quantity"] == quantity and (funder is None or r["funder"] == funder)]


def _unconsumed_check(scope, key: str, year: int, state: list[dict], unconsumed: list[dict]) -> dict:
    """Column B (State credits not consumed) = paid - executed. France Travail: no unconsumed credits are
    carried to n+1 (l. 5765-5769, 5949-5966); B is only paid - executed, negative where the action spent
    beyond the advance (the balance, settled on the total after the final report)."""
    paid, executed = sum_or_none(_of(state, "paid")), sum_or_none(_of(state, "executed"))
    if not CONVENTIONS[scope.convention].carry_over:
        text = (f"Action {scope.action}, {year} : colonne « non consommés » comparée aux crédits versés (l'avance) "
                "moins le montant réalisé ; négative quand l'action a dépensé au-delà de l'avance, ce que règle le "
                "solde du bilan final (art. 6), sans report sur l'année suivante.")
    else:
        text = f"Action {scope.action}, {year} : crédits État non consommés comparés aux crédits versés moins le montant réalisé."
    return scope.at(funder="etat").money(
        f"{key}/non_consomme",
        sum_or_none(unconsumed),
        None if paid is None or executed is None else paid - executed,
        text,
        (unconsumed, [r for r in state if r["quantity"] in ("paid", "executed")]),
    )


def _carry_check(scope, key: str, year: int, carry: list[dict], unconsumed: list[dict]) -> dict:
    """CLS: the State carry-over to n+1 is at most the unconsumed State credits. France Travail: a one-year
    convention without carry-over (l. 5765-5769; art. 6, l. 5949-5966): any carry-over reported is a gap."""
    if not CONVENTIONS[scope.convention].carry_over:
        return scope.at(funder="etat").status(
            f"{key}/report_etat",
            not any(r["amount_eur"] for r in carry),
            f"Action {scope.action}, {year} : report de la part État sur {year + 1} déclaré, alors que la convention "
            "France Travail est annuelle et sans report (solde ou trop-perçu au bilan final, art. 6).",
            (None, carry),
        )
    return scope.at(funder="etat").money(
        f"{key}/report_etat",
        sum_or_none(carry),
        sum_or_none(unconsumed),
        f"Action {scope.action}, {year} : le report de la part État sur {year + 1} ne peut dépasser les "
        "crédits État non consommés.",
        (carry, unconsumed),
        at_least=True,
    )


def _arithmetic(scope, check_key: str, year: int, g: list[dict], carry: list[dict]) -> list[dict]:
    """The checks of one action and year of a report (see :func:`check_execution_arithmetic`)."""
    state = [r for r in g if r["funder"] == "etat"]
    unconsumed = _of(state, "unconsumed")
    printed_total = _of(g, "executed_total")
    rows = []
    if unconsumed:
        rows.append(_unconsumed_check(scope, check_key, year, state, unconsumed))
    if printed_total:
        parts = [r for r in _of(g, "executed") if r["funder"] is not None]
        rows.append(
            scope.money(
                f"{check_key}/total_realise",
                sum_or_none(printed_total),
                sum_or_none(parts),
                f"Action {scope.action}, {year} : montant total réalisé comparé à la somme des montants réalisés par financeur.",
                (printed_total, parts),
            )
        )
    if carry and (unconsumed or not CONVENTIONS[scope.convention].carry_over):
        rows.append(_carry_check(scope, check_key, year, carry, unconsumed))
    return rows


def check_execution_arithmetic(contract, execution) -> list[dict]:
    """Per action and year: unconsumed = paid - executed (State), total executed = sum of funders; CLS:
    State carry-over at most the unconsumed State credits; France Travail: no carry-over (one year, art. 6)."""
    facts = Facts.of(contract)
    lines = _execution_lines(facts, execution)
    rows = []
    for (convention, action, year), g in facts.groups("execution", lines, "convention", "action", "year", dropna=True):
        year = int(year)
        carry = [
            r
            for r in facts.pick(
                "execution", phase="executed", row_type="line", convention=convention, action=action, year=year + 1
            )
            if r["quantity"] == "carry_over" and r["funder"] == "etat"
        ]
        scope = facts.action_scope(FAMILY, convention, action, table="execution", year=year)
        rows.extend(_arithmetic(scope, f"execution/{convention}/{action}/{year}", year, g, carry))
    return rows


def _cls_reference(facts: Facts, notified: dict, action: str, year: int, fiche: list[dict]) -> tuple:
    """(expected amount, its records, how the sentence names it) for CLS credits paid in ``year``.

    The rule of ``analysis.assess`` (``planned_state`` / ``planned_state_source``), by its own function
    :func:`analysis.assessment.ledger.planned_state`: the latest amount notified by avenant when a workbook
    records one (art. 2.2, l. 300-318; ``notified`` from :func:`analysis.assessment.ledger.reported_amounts`,
    latest workbook last), else the fiche's forecast (State columns, ERBM included, H04).
    """
    state = facts.cls_state(fiche)
    amount, source = planned_state({"notified_state": notified.get((CLS.code, action, year, "notified")),
                                    "planned_contract": sum_or_none(state)})
    if source == "avenant":
        records = [
            r for r in facts.pick("execution", phase="adjusted", row_type="line", convention=CLS.code, action=action, year=year)
            if r["quantity"] == "notified" and r["funder"] == "etat"
        ]
        return amount, records[-1:], (f"au montant État notifié par avenant pour {year} (référence : avenant, le "
                                      "dernier notifié ; art. 2.2, montants « notifiés et précisés par avenant »)")
    return (amount if state else None), state, ("à la part État prévue par la fiche action (référence : fiche, aucun "
                                                "avenant renseigné pour cette année)")


def _ft_reference(facts: Facts, fiche: list[dict], rate: Decimal) -> tuple:
    """(expected amount, its records, how the sentence names it, whether paying more is allowed) for France
    Travail credits paid: the advance share (``rate``, art. 6) of the action's State money within the
    convention (FIPE left out, H05), plus the FIPE money, outside the convention and paid by its own fund,
    when the report counts it (H09, fiche 2.4, l. 7633, 7694)."""
    inside = facts.ft_state(fiche)
    fipe_out = facts.choices.ft_state_excludes_fipe and facts.choices.execution_paid_includes_fipe
    outside = [r for r in fiche if r["funder"] == "etat" and r["funder_detail"] == "FIPE"] if fipe_out else []
    if not inside and not outside:
        return None, [], "à l'avance de l'article 6 (aucune part État dans la fiche action)", False
    expected = cents(total(inside) * rate) + total(outside)
    parts = []
    if inside:
        fipe = ", FIPE exclu" if facts.choices.ft_state_excludes_fipe else ", FIPE compris"
        parts.append(f"à l'avance de l'article 6 ({format_percent(rate)} de la part État de la fiche action{fipe})")
    if outside:
        parts.append("au montant du fonds FIPE de la fiche, hors convention (ni avance ni solde de l'article 6)")
    text = " plus ".join(parts)
    if inside:
        text += (" ; un versement au-delà de l'avance (solde ou trop-perçu) se règle sur le total au bilan final "
                 "(art. 6) : ce n'est pas un écart de rapprochement")
    return expected, inside + outside, text, bool(inside)


def _ft_advance_check(facts: Facts, year: int, paid: list[dict]) -> dict:
    """France Travail, whole convention: the credits paid of the actions within it (FIPE-only actions left
    out, H05) against the advance printed in art. 6 (2 556 535,20 €, l. 5953-5955); more paid (balance or
    over-payment) is settled on the total after the final report (l. 5956-5966), not a gap."""
    advance = facts.pick("text_amounts", convention=FT.code, scope="advance")
    scope = facts.scope(FAMILY, convention=FT.code, table="execution", year=year, funder="etat")
    fipe = ", FIPE exclu" if facts.choices.ft_state_excludes_fipe else ""
    return scope.money(
        f"execution/ft/{year}/verse_vs_avance",
        advance[0]["amount_eur"] if advance else None,
        sum_or_none(paid),
        f"France Travail, {year} : total des crédits État versés (actions de la convention{fipe}) comparé à "
        "l'avance imprimée à l'article 6 ; un versement au-delà (solde ou trop-perçu) se règle sur le total au "
        "bilan final, ce n'est pas un écart de rapprochement.",
        (advance, paid),
        at_least=True,
    )


def check_execution_vs_contract(contract, execution) -> list[dict]:
    """State credits paid, as reported, against what each contract says is paid by then.

    CLS: the latest avenant-notified amount of the year, else the fiche's forecast (art. 2.2, l. 300-318;
    ERBM included, H04). France Travail: the advance share of the fiche's State amount (60 %, rule
    ``ft_advance_rate``, art. 6, l. 5949-5966; FIPE outside the convention, H05; the FIPE money of 2.4
    compared in full when the report counts it, H09), and the total paid against the printed advance. The
    sentence of each row names the reference it used.
    """
    facts = Facts.of(contract)
    paid = _of(_execution_lines(facts, execution), "paid", "etat")
    notified = reported_amounts(execution)
    rate = facts.contract.rule_rate("ft_advance_rate")
    rows, within = [], {}
    for (convention, action, year), g in facts.groups("execution", paid, "convention", "action", "year", dropna=True):
        year = int(year)
        fiche = facts.pick("budget", table=FICHE_TABLE[convention], row_type="line", action=action, year=year)
        at_least = False
        if convention == FT.code:
            expected, records, reference, at_least = _ft_reference(facts, fiche, rate)
            if facts.ft_state(fiche):
                within.setdefault(year, []).extend(g)
        else:
            expected, records, reference = _cls_reference(facts, notified, action, year, fiche)
        scope = facts.action_scope(FAMILY, convention, action, table="execution", year=year, funder="etat")
        rows.append(
            scope.money(
                f"execution/{convention}/{action}/{year}/verse_vs_prevu",
                expected,
                sum_or_none(g),
                f"Action {action}, {year} : crédits État versés (rapport d'exécution) comparés {reference}.",
                (records, g),
                at_least=at_least,
            )
        )
    rows += [_ft_advance_check(facts, year, g) for year, g in sorted(within.items()) if FT.start.year <= year <= FT.end.year]
    return rows


def _twin_relations(facts: Facts) -> list[tuple[str, list[str]]]:
    """(whole, parts) of the twin indicators: an Annexe 10 indicator and the fiche indicators that refer to
    it (their sum), and the Annexe 1 / fiche pairs of the register (H29)."""
    fiche = [i for i in facts.pick("indicators", table="cls_fiche_indicateurs") if i["ref_indicator"] is not None]
    relations = [(ref, sorted(i["indicator_id"] for i in g)) for (ref,), g in facts.groups("indicators", fiche, "ref_indicator")]
    pairs = [p.split("=") for p in default("twin_indicators").split(";")]
    return relations + [(a.strip(), [b.strip()]) for a, b in pairs]


def check_twin_indicator_results(contract, execution) -> list[dict]:
    """Twin indicators (the same quantity printed in Annexe 1, a fiche and Annexe 10) must report the same
    result: an Annexe 10 result equals the sum of its fiches' results, an Annexe 1 result its fiche twin's (H29)."""
    facts = Facts.of(contract)
    facts.rows("execution_results", execution.indicator_values)
    reported: dict[tuple, list[dict]] = {}
    for r in facts.rows("execution_results"):
        if r["value"] is not None:
            reported.setdefault((r["indicator_id"], int(r["year"])), []).append(r)
    rows = []
    for whole, parts in _twin_relations(facts):
        years = sorted({y for i, y in reported if i in (whole, *parts)})
        for year in years:
            own = reported.get((whole, year), [])
            members = [r for p in parts for r in reported.get((p, year), [])]
            complete = own and all((p, year) in reported for p in parts)
            scope = facts.scope(FAMILY, convention=CLS.code, table="execution", year=year)
            rows.append(scope.units(
                f"execution/indicateurs/{whole}/{year}",
                own[-1]["value"] if own else None,
                sum(r["value"] for r in members) if complete else None,
                f"Indicateur {whole}, résultat {year} : comparé au résultat de son jumeau ({' + '.join(parts)}), "
                "qui compte la même chose.",
                (own, members),
            ))
    return rows


def check_carry_chain(contract, execution) -> list[dict]:
    """CLS: what a year carries out is what the next year carries in, per action (the 2025 table's I = F + H,
    l. 5053): when the workbook of year n+1 is read, the State credits carried from n are counted there only if
    the action's year n+1 is reported (its amount executed); otherwise they are accounted for nowhere, a gap.
    Nothing to compare while the next year's workbook is not read."""
    facts = Facts.of(contract)
    lines = _execution_lines(facts, execution)
    w = execution.workbooks
    loaded = {int(y) for y in w.loc[w["convention"] == CLS.code, "year"]}
    carried = [r for r in lines if r["convention"] == CLS.code and r["quantity"] == "carry_over" and r["funder"] == "etat"
               and r["amount_eur"] and int(r["year"]) in loaded]
    executed = {(r["action"], int(r["year"])) for r in lines
                if r["convention"] == CLS.code and r["quantity"] == "executed" and r["funder"] == "etat"}
    rows = []
    for (action, year), g in facts.groups("execution", carried, "action", "year", dropna=True):
        year = int(year)
        amount = sum_or_none(g)
        scope = facts.action_scope(FAMILY, CLS.code, action, table="execution", year=year, funder="etat")
        rows.append(scope.money(
            f"execution/cls/{action}/{year}/report_recu",
            amount,
            amount if (action, year) in executed else Decimal("0.00"),
            f"Action {action} : report de la part État de {year - 1} sur {year} comparé à ce que le bilan {year} "
            "compte dans les crédits disponibles de l'action (une action non renseignée en "
            f"{year} ne compte pas les crédits reportés).",
            (g, [r for r in lines if r["convention"] == CLS.code and r["action"] == action and int(r["year"]) == year
                 and r["quantity"] == "executed" and r["funder"] == "etat"]),
        ))
    return rows


EXECUTION_CHECKS = [check_execution_arithmetic, check_execution_vs_contract, check_carry_chain, check_twin_indicator_results]
