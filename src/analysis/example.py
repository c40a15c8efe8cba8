"""A FICTITIOUS execution scenario, written through the execution template, for the notebooks to run on.

No execution figure of either contract is public yet. This module invents one, deterministically (fixed
seed, ``numpy.random.default_rng``), and writes it into ``data/examples/`` (:data:`analysis.domain.EXAMPLES_DIR`)
through :func:`analysis.workbooks.export_template`, exactly as an analyst's filled workbook would arrive.
File names say ``FICTIVE``, and every sheet of every workbook carries a red notice saying the figures are
fictitious; the hidden sheet records ``fictif = oui``, so that :func:`analysis.load_execution` (which reads
this folder by default) reports it (``Execution.workbooks['fictitious']``) and :func:`analysis.assess`
says so. Generated files never go to ``data/raw/``, which holds only the transcribed source.

The scenario follows each contract's own rules (``../shared/notes/contract-rules.md``):

- **CLS 2024 and 2025** (multi-year). Most actions execute near plan. In 2024, 1.4 and 1.5 start « dès la
  signature » (their fiches): 1.4 stays below that ex-ante ramp-up but within the tolerance, 1.5 runs
  above it; 3.1 declares a 50 % ramp-up and follows it; 3.2 under-consumes with no justification
  (manifest); 3.3 under-consumes with a justification for the State to judge; 4.1 falls a little short
  (to watch). 3.1 and 3.3 carry their unconsumed State credits over to 2025. The 2024 avenant notifies
  2025 amounts that differ from the contract for three actions (3.2 and 3.3 reduced, 1.1 increased). In
  2025, 1.2 under-consumes without justification, 3.1 falls short of its declared 80 % ramp-up once its
  carry-over counts, 3.3 stays under with its justification, and 3.4's financial report is missing.
- **France Travail 2024 only** (the convention ended on 31/12/2024): the final report. The State credits
  paid are the 60 % advance of article 6, split per action in proportion to the State amounts; most
  actions spend near plan, 2.3 (justified) and 2.6 (not justified) under-spend; the settlement on the
  total gives the balance the State owes. Action 2.4's State money is the FIPE fund, outside the
  convention: it is reported, and the assessment leaves it out.
- **France Travail expense statement** (« État des dépenses », annexe 3): each action's executed total
  (all funders; 2.4, FIPE, left out) broken down into a few lines of the printed model (staff in ETP x
  unit cost, partner structures, direct solutions), with a few lines that art. 4.2 excludes (mission costs,
  overheads) and one period of 2.3 running into 2025 (eligible for its 2024 days only, H41).
- Indicator results scatter around their targets (lower for under-consuming actions); a few are left
  blank with a comment; twin indicators (Annexe 10 and the fiches that refer to it, Annexe 1 and its
  fiche twin, H29) report the same result.

Regenerate with ``python -m analysis.example`` (byte-identical output).
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as default_field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.assumptions import default
from analysis.domain import (
    CLS,
    DELIBERATION_DATE,
    EXAMPLES_DIR,
    EXPENSE_CATEGORY_LABELS,
    EXPENSES_SHEET,
    FT,
    FT_EXPENSE_TYPE_LABELS,
)
from analysis.loading import load_contract
from analysis.money import ZERO, cents
from analysis.workbooks import SHEET_AMENDMENT, SHEET_FINANCE, SHEET_INDICATORS, export_template

#: Seed of the scenario: the date of the deliberation written as a number (20240415).
SEED = int(DELIBERATION_DATE.strftime("%Y%m%d"))

#: (convention, year) of every example workbook.
SCENARIOS = [(CLS.code, 2024), (CLS.code, 2025), (FT.code, 2024)]

NOTICE = ("DONNÉES FICTIVES — exemple généré par analysis.example (graine {seed}) pour faire tourner les "
          "notebooks : aucun chiffre d'exécution de ce classeur n'est réel.")
FT_NOTE = (" Bilan final de la convention France Travail 2024 (article 3.2) : les crédits État versés sont "
           "l'avance de 60 % de l'article 6, répartie par action au prorata des montants État ; le solde "
           "est réglé sur ce bilan.")

#: Behaviour of each action, per (convention, year): (low, high) bounds of the State executed / paid.
NEAR_PLAN = (0.93, 1.0)
RATES = {
    (CLS.code, 2024): {"1.4": (0.63, 0.65), "1.5": (0.80, 0.86), "3.1": (0.47, 0.50), "3.2": (0.50, 0.58),
                    "3.3": (0.52, 0.60), "4.1": (0.72, 0.80)},
    (CLS.code, 2025): {"1.2": (0.55, 0.60), "3.1": (0.85, 0.95), "3.3": (0.80, 0.90), "3.4": None},
    (FT.code, 2024): {"2.3": (0.66, 0.72), "2.6": (0.70, 0.78)},
}
#: Ramp-up rates declared in the workbook.
RAMP_UP = {(CLS.code, 2024, "3.1"): 0.5, (CLS.code, 2025, "3.1"): 0.8}
#: Actions whose unconsumed State (and Département) credits are carried over to the next year.
CARRY_OVER = {(CLS.code, 2024): {"3.1", "3.3"}, (CLS.code, 2025): {"3.1", "3.3"}}
REASONS = {
    "3.1": ("Montée en charge progressive",
            "Montée en charge prévue : études lancées en 2024, expérimentations à partir de 2025 (exemple fictif)."),
    "3.3": ("Fréquentation inférieure aux prévisions",
            "Moins de ménages orientés vers le fonds de prévention que prévu ; campagne d'information "
            "auprès des bailleurs lancée au dernier trimestre (exemple fictif)."),
    "4.1": ("Difficultés de recrutement",
            "Deux postes de conseiller énergie pourvus en cours d'année seulement (exemple fictif)."),
    "3.4": ("Autre motif (préciser)",
            "Bilan financier de l'action non transmis à la date du bilan (exemple fictif)."),
    "2.3": ("Démarrage tardif de l'action",
            "Conventionnement des structures signé en juin, premières entrées en septembre (exemple fictif)."),
}
#: State amounts notified for the next year by the avenant, when they differ from the contract.
AVENANT_CHANGES = {
    (CLS.code, 2024): {"1.1": ("add", Decimal("30000.00"), "augmentée de 30 000 € (public plus nombreux que prévu)"),
                    "3.2": ("rate", Decimal("0.80"), "réduite de 20 % après la sous-consommation manifeste de 2024"),
                    "3.3": ("rate", Decimal("0.85"), "réduite de 15 % après la sous-consommation de 2024")},
}
#: Actions that give a reason and a justification, per (convention, year).
JUSTIFIED = {(CLS.code, 2024): {"3.1", "3.3", "4.1"}, (CLS.code, 2025): {"3.1", "3.3", "3.4"}, (FT.code, 2024): {"2.3"}}
#: Actions whose indicator results lag behind their targets as their spending does.
LAGGING = {(CLS.code, 2024): {"3.2", "3.3", "4.1"}, (CLS.code, 2025): {"1.2", "3.3"}, (FT.code, 2024): {"2.3", "2.6"}}
#: Indicator results left blank (with a comment), per convention and year.
BLANK_INDICATORS = {CLS.code: 3, FT.code: 1}
#: The reason given for a justified gap of an action that :data:`REASONS` does not name (another département's).
DEFAULT_REASON = ("Autre motif (préciser)", "Écart expliqué par le Département dans son bilan (exemple fictif).")


@dataclass(frozen=True)
class Behaviour:
    """How the actions of one fictitious execution behave: the Pas-de-Calais story above by default.

    Every field keys its facts as the module's constants do (:data:`RATES`, :data:`RAMP_UP`…); ``seed`` starts
    the random draws of each workbook (then the convention and the year); ``outside`` are the France Travail
    actions left out of the expense statement (FIPE money, H05); ``departement_effort`` scales the
    Département's executed amounts (1.0: it spends its share at the State's pace). Another département's
    execution (:mod:`analysis.synthetic`) passes its own.
    """

    seed: tuple = (SEED,)
    rates: Mapping = default_field(default_factory=lambda: RATES)
    ramp_up: Mapping = default_field(default_factory=lambda: RAMP_UP)
    carry_over: Mapping = default_field(default_factory=lambda: CARRY_OVER)
    reasons: Mapping = default_field(default_factory=lambda: REASONS)
    avenant_changes: Mapping = default_field(default_factory=lambda: AVENANT_CHANGES)
    justified: Mapping = default_field(default_factory=lambda: JUSTIFIED)
    lagging: Mapping = default_field(default_factory=lambda: LAGGING)
    blank_indicators: Mapping = default_field(default_factory=lambda: BLANK_INDICATORS)
    outside: frozenset = frozenset({"2.4"})
    late_period: tuple = None
    departement_effort: float = 1.0

    def reason(self, action: str) -> tuple[str, str]:
        return self.reasons.get(action, DEFAULT_REASON)


#: The behaviour of the embedded example (the constants above).
EXAMPLE = Behaviour()


def example_path(convention: str, year: int, outdir=None) -> Path:
    """File of the example workbook of ``convention`` for ``year`` (name says FICTIVE)."""
    return Path(outdir if outdir is not None else EXAMPLES_DIR) / f"execution_FICTIVE_{convention}_{year}.xlsx"


class _Entries(list):
    """Fill entries (sheet, key, field, value) in the order they are added."""

    def add(self, sheet: str, key: str, field: str, value) -> None:
        self.append({"sheet": sheet, "key": key, "field": field, "value": value})


def _state(lines: pd.DataFrame, convention: str) -> Decimal:
    """State money of the convention in fiche lines: ERBM included (CLS, H04), FIPE excluded (FT, H05)."""
    state = lines[lines["funder"] == "etat"]
    if convention == FT.code:
        state = state[state["funder_detail"] != "FIPE"]
    return sum(state["amount_eur"], ZERO)


def notified_amounts(contract, convention: str, year: int, behaviour: Behaviour = EXAMPLE) -> dict:
    """State amounts notified for ``year`` by the previous year's avenant: the contract's, or changed."""
    planned = contract.planned_budget(convention)
    changes = behaviour.avenant_changes.get((convention, year - 1), {})
    out = {}
    for action, lines in planned[planned["year"] == year].groupby("action", sort=False):
        amount = _state(lines, convention)
        kind, value, _ = changes.get(action, (None, None, None))
        out[action] = amount + value if kind == "add" else cents(amount * value) if kind == "rate" else amount
    return out


def _paid(contract, convention: str, year: int, action: str, lines: pd.DataFrame, behaviour: Behaviour) -> Decimal:
    """State credits paid: CLS, the amount notified (the contract's in 2024); France Travail, the 60 %
    advance of article 6 on the action's State amount (FIPE money of 2.4: paid in full by its own fund)."""
    if convention == CLS.code:
        return notified_amounts(contract, convention, year, behaviour)[action] if year > 2024 else _state(lines, convention)
    state = _state(lines, convention)
    if state == 0:
        return sum(lines.loc[lines["funder"] == "etat", "amount_eur"], ZERO)
    return cents(state * contract.rule_rate("ft_advance_rate"))


def _finance_entries(entries: _Entries, rng, contract, scenario: tuple, action: str, lines: pd.DataFrame,
                     behaviour: Behaviour = EXAMPLE) -> float | None:
    """Credits paid, amounts executed and carried over, ramp-up and justification of one action; returns
    the rate drawn (State executed / allocation), None when the financial report is missing."""
    convention, year = scenario
    paid = _paid(contract, convention, year, action, lines, behaviour)
    entries.add(SHEET_FINANCE, action, "paid", paid)
    bounds = behaviour.rates.get(scenario, {}).get(action, NEAR_PLAN)
    if action in behaviour.justified.get(scenario, set()):
        reason, text = behaviour.reason(action)
        entries.add(SHEET_FINANCE, action, "gap_reason", reason)
        entries.add(SHEET_FINANCE, action, "justification", text)
    if (convention, year, action) in behaviour.ramp_up:
        entries.add(SHEET_FINANCE, action, "ramp_up", behaviour.ramp_up[(convention, year, action)])
    if bounds is None:
        return None
    rate = float(rng.uniform(*bounds))
    allocation = paid if convention == CLS.code or _state(lines, convention) == 0 else _state(lines, convention)
    executed = cents(allocation * Decimal(f"{rate:.4f}"))
    entries.add(SHEET_FINANCE, action, "executed_etat", executed)
    parts = {f: sum(lines.loc[lines["funder"] == f, "amount_eur"], ZERO) for f in ("departement", "autre")}
    executed_cd = None
    if (lines["funder"] == "departement").any():
        effort = rate * float(rng.uniform(0.97, 1.03)) * behaviour.departement_effort
        executed_cd = cents(parts["departement"] * Decimal(f"{min(1.0, effort):.4f}"))
        entries.add(SHEET_FINANCE, action, "executed_departement", executed_cd)
    if (lines["funder"] == "autre").any():
        entries.add(SHEET_FINANCE, action, "executed_autre", cents(parts["autre"] * Decimal(f"{rate:.4f}")))
    if convention == CLS.code:
        carried = action in behaviour.carry_over.get(scenario, set())
        entries.add(SHEET_FINANCE, action, "carry_over_etat", paid - executed if carried else ZERO)
        carry_cd = parts["departement"] - executed_cd if carried and executed_cd is not None else ZERO
        entries.add(SHEET_FINANCE, action, "carry_over_departement", max(carry_cd, ZERO))
    return rate


def _amendment_entries(entries: _Entries, contract, convention: str, year: int, behaviour: Behaviour = EXAMPLE) -> None:
    """The State amounts notified by avenant for next year (CLS only: France Travail ended in 2024)."""
    if convention != CLS.code or year + 1 not in contract.planned_budget(convention)["year"].dropna().astype(int).tolist():
        return
    changes = behaviour.avenant_changes.get((convention, year), {})
    number = year - 2023
    for action, amount in notified_amounts(contract, convention, year + 1, behaviour).items():
        change = changes.get(action)
        comment = (f"Avenant n°{number} (fictif) : part État {year + 1} {change[2]}." if change
                   else f"Avenant n°{number} (fictif) : montant de la fiche action confirmé.")
        entries.add(SHEET_AMENDMENT, action, "notified", amount)
        entries.add(SHEET_AMENDMENT, action, "comment", comment)


def scenario_entries(contract, convention: str, year: int, behaviour: Behaviour = EXAMPLE) -> pd.DataFrame:
    """The fictitious inputs of one workbook: entries (sheet, key, field, value) for the template; ``behaviour``
    says how the actions behave (default: the embedded Pas-de-Calais example)."""
    rng = np.random.default_rng([*behaviour.seed, [CLS.code, FT.code].index(convention), year])
    planned = contract.planned_budget(convention)
    entries = _Entries()
    centres = {}
    for action in contract.actions.loc[contract.actions["convention"] == convention, "action"]:
        lines = planned[(planned["action"] == action) & (planned["year"] == year)]
        if lines.empty:
            continue  # nothing planned this year: line left blank
        rate = _finance_entries(entries, rng, contract, (convention, year), action, lines, behaviour)
        lagging = behaviour.lagging.get((convention, year), set())
        centres[action] = rate if rate is not None and action in lagging else 1.0
    _amendment_entries(entries, contract, convention, year, behaviour)
    _indicator_entries(entries, rng, contract, convention, year, centres, behaviour.blank_indicators[convention])
    if convention == FT.code:
        _expense_entries(entries, contract, behaviour)
    return pd.DataFrame(entries, columns=["sheet", "key", "field", "value"])


#: Lines of the fictitious expense statement per volet: (type, category, nature, unit, units, share of the
#: action's executed total, start, end, object); the last line of each action takes the rest of its total.
_YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
EXPENSE_PLAN = {
    "1": [("v1_equipes_cd", "personnel", "Rémunération chef de projet", "ETP", 1, "0.55", *_YEAR,
           "Chefferie de projet France Travail"),
          ("v1_developpement_si", "developpement_si", "Paramétrage SI en vue de l'interconnexion", "jour", 60, "0.40", *_YEAR,
           "Interfaçage du SI départemental avec France Travail"),
          ("v1_equipes_cd", "frais_generaux", "Fournitures et reprographie", None, None, None, *_YEAR,
           "Supports des comités de pilotage")],
    "2": [("v2_accompagnement", "personnel", "Rémunération CIP - accompagnement global", "ETP", 8, "0.50", *_YEAR,
           "Accompagnement global des allocataires"),
          ("v2_solutions_locales", "accompagnement", "Structure d'insertion conventionnée", "parcours", 150, "0.30", *_YEAR,
           "Parcours d'accompagnement renforcé"),
          ("v2_freins_sociaux", "frais_mission", "Déplacements des accompagnants", None, None, "0.02", *_YEAR,
           "Déplacements vers les lieux d'accueil"),
          ("v2_freins_sociaux", "solutions_beneficiaires", "Solutions d'accompagnement complémentaires", None, None, None,
           *_YEAR, "Aides à la mobilité et à la garde d'enfants")],
}
#: The action whose partner period runs into 2025 (eligible for its 2024 days only, H41).
LATE_PERIOD = ("2.3", datetime.date(2024, 9, 1), datetime.date(2025, 2, 28))


def _executed_totals(entries: list) -> dict:
    """action -> executed total (all funders) from the finance entries."""
    totals: dict[str, Decimal] = {}
    for e in entries:
        if e["sheet"] == SHEET_FINANCE and e["field"] in ("executed_etat", "executed_departement", "executed_autre"):
            totals[e["key"]] = totals.get(e["key"], ZERO) + e["value"]
    return totals


def _expense_line(entries: _Entries, line: int, action: str, plan: tuple, amount: Decimal, late: tuple = LATE_PERIOD) -> None:
    kind, category, nature, unit, units, _share, start, end, purpose = plan
    if late is not None and action == late[0] and category == "accompagnement":
        start, end = late[1:]
    values = {"expense_type": FT_EXPENSE_TYPE_LABELS[kind], "action": action, "nature": nature,
              "category": EXPENSE_CATEGORY_LABELS[category], "unit": unit, "start": start, "end": end,
              "purpose": f"{purpose} (exemple fictif)", "amount": amount}
    if units:
        cost = cents(amount / units)
        values.update(units=units, unit_cost=cost, amount=cost * units)
    for field, value in values.items():
        if value is not None:
            entries.add(EXPENSES_SHEET, str(line), field, value)


def _expense_entries(entries: _Entries, contract, behaviour: Behaviour = EXAMPLE) -> None:
    """The fictitious expense statement: each action's executed total (2.4, FIPE, left out) in lines of the model."""
    late = LATE_PERIOD if behaviour.late_period is None else behaviour.late_period
    actions = contract.actions[contract.actions["convention"] == FT.code]
    volet_of = dict(zip(actions["action"], actions["axis"].astype(str)))
    line = 1
    for action, total in sorted(_executed_totals(entries).items()):
        if action in behaviour.outside:
            continue  # FIPE money, outside the convention (H05)
        plans = EXPENSE_PLAN[volet_of[action]]
        rest = total
        for plan in plans[:-1]:
            amount = cents(total * Decimal(plan[5]))
            before = len(entries)
            _expense_line(entries, line, action, plan, amount, late)
            rest -= next(e["value"] for e in entries[before:] if e["field"] == "amount")
            line += 1
        _expense_line(entries, line, action, plans[-1], rest, late)
        line += 1


def twin_relations(contract) -> list[tuple[str, list[str]]]:
    """(whole, parts): an Annexe 10 indicator and the fiche indicators that refer to it (their sum), and the
    Annexe 1 / fiche twins of the register (H29): each whole reports the sum of its parts."""
    ind = contract.indicators
    fiche = ind[ind["ref_indicator"].notna()]
    relations = [(ref, sorted(g["indicator_id"])) for ref, g in fiche.groupby("ref_indicator", sort=True)]
    pairs = [p.split("=") for p in default("twin_indicators").split(";")]
    return relations + [(a.strip(), [b.strip()]) for a, b in pairs]


def _draw_results(rng, contract, convention: str, year: int, centres: dict, wholes: set, blanks: int) -> dict:
    """indicator_id -> result (None: left blank) for the indicators with a target this year."""
    ind = contract.indicators[contract.indicators["convention"] == convention]
    values = contract.indicator_values
    targets = values[(values["measure"] == "target") & (values["year"] == year)].set_index("indicator_id")["value"]
    with_target = [i for i in ind["indicator_id"] if i in targets.index and not pd.isna(targets[i])]
    candidates = [i for i in with_target if i not in wholes]
    blank = set(rng.choice(candidates, size=min(blanks, len(candidates) - 1), replace=False))
    results = {}
    for indicator, action, unit in zip(ind["indicator_id"], ind["action"], ind["unit"]):
        action = action if isinstance(action, str) else None
        if indicator not in with_target or (action is not None and action not in centres):
            continue  # no target, or no budget this year for its action: no result either
        factor = max(0.0, float(rng.normal(centres.get(action, 1.0), 0.08)))
        result = round(float(targets[indicator]) * factor, 1 if unit == "ETP" else 0)
        if indicator == "ft-P-02":
            result = min(result, 100.0)  # a percentage of entrants
        results[indicator] = None if indicator in blank else result
    return results


def _indicator_entries(entries: _Entries, rng, contract, convention: str, year: int, centres: dict,
                       blanks: int | None = None) -> None:
    """Indicator results around their targets (lower for lagging actions); ``blanks`` left blank (default
    :data:`BLANK_INDICATORS`); twins equal."""
    relations = [(w, p) for w, p in twin_relations(contract) if w.startswith(convention)]
    blanks = BLANK_INDICATORS[convention] if blanks is None else blanks
    results = _draw_results(rng, contract, convention, year, centres, {w for w, _ in relations}, blanks)
    for whole, parts in relations:
        if whole in results:
            known = [results.get(p) for p in parts]
            results[whole] = None if any(v is None for v in known) else sum(known)
    ind = contract.indicators.set_index("indicator_id")
    for indicator, result in results.items():
        if result is None:
            entries.add(SHEET_INDICATORS, indicator, "comment", "Donnée non disponible à la date du bilan (exemple fictif).")
            continue
        entries.add(SHEET_INDICATORS, indicator, "result", int(result) if float(result).is_integer() else result)
        action = ind.loc[indicator, "action"]
        if isinstance(action, str) and centres.get(action, 1.0) < 1.0:
            entries.add(SHEET_INDICATORS, indicator, "comment",
                        "Résultat en retrait de la cible : voir la justification financière (exemple fictif).")


def write_examples(contract=None, outdir=None) -> list[Path]:
    """(Re)write the fictitious example workbooks; returns their paths. Byte-reproducible."""
    contract = contract if contract is not None else load_contract()
    paths = []
    for convention, year in SCENARIOS:
        notice = NOTICE.format(seed=SEED) + (FT_NOTE if convention == FT.code else "")
        paths.append(export_template(
            contract, convention, year, example_path(convention, year, outdir),
            prefill=scenario_entries(contract, convention, year), notice=notice, fictitious=True,
        ))
    return paths


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Régénère les classeurs d'exécution FICTIFS d'exemple.")
    parser.add_argument("--outdir", default=None, help=f"dossier de sortie (défaut : {EXAMPLES_DIR})")
    args = parser.parse_args(argv)
    for path in write_examples(outdir=args.outdir):
        print(path)


if __name__ == "__main__":
    main()
