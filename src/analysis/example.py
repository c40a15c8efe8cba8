"""A FICTITIOUS execution scenario, written through the execution template, for the notebooks to run on.

No execution figure of either contract is public yet. This module invents one, deterministically (fixed
seed, ``numpy.random.default_rng``), for 2024 and 2025 and both contracts, and writes it into
``data/examples/`` (:data:`analysis.domain.EXAMPLES_DIR`) through :func:`analysis.workbooks.export_template`,
exactly as an analyst's filled workbook would arrive. File names say ``FICTIVE``, and every sheet of every
workbook carries a red notice saying the figures are fictitious; the hidden sheet records ``fictif = oui``,
so that :func:`analysis.load_execution` (which reads this folder by default) reports it
(``Execution.workbooks['fictitious']``) and charts can say so. Generated files never go to ``data/raw/``,
which holds only the transcribed source.

The scenario (the same story both years, magnitudes drawn from the seeded generator):

- most actions execute near plan (93 % to 100 % of the planned amounts);
- some under-consume *with* a reason and a justification (CLS 3.3 and 4.1, FT 2.3), and report their
  unconsumed State credits to the next year (CLS);
- one under-consumes *without* any justification (CLS 1.4, FT 2.6): the gap an analyst must chase;
- one has a planned ramp-up (CLS 3.1 at 50 % in 2024 then 80 % in 2025; FT 2.4 at 60 % in 2024) and
  executes accordingly;
- indicator results scatter around their targets (lower for under-consuming actions), a few are left
  blank with a comment; the State amount notified by amendment for the next year is the planned one,
  except one action (CLS 3.3) whose amount is reduced by amendment.

France Travail: the convention is annual (2024). Only action 2.4 has a 2025 budget in its fiche, so the
FT 2025 workbook fills action 2.4 and its indicator only and leaves every other line blank (its
« Lisez-moi » says so). The State amount notified for 2025 (FT 2024 workbook) is likewise 2.4's.

Regenerate with ``python -m analysis.example`` (byte-identical output).
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.domain import DELIBERATION_DATE, EXAMPLES_DIR
from analysis.loading import load_contract
from analysis.workbooks import SHEET_AMENDMENT, SHEET_FINANCE, SHEET_INDICATORS, export_template

#: Seed of the scenario: the date of the deliberation written as a number (20240415).
SEED = int(DELIBERATION_DATE.strftime("%Y%m%d"))

#: (convention, year) of every example workbook.
SCENARIOS = [("cls", 2024), ("cls", 2025), ("ft", 2024), ("ft", 2025)]

NOTICE = ("DONNÉES FICTIVES — exemple généré par analysis.example (graine {seed}) pour faire tourner les "
          "notebooks : aucun chiffre d'exécution de ce classeur n'est réel.")
FT_2025_NOTE = (" La convention France Travail est annuelle (2024) : seule l'action 2.4 a un budget 2025 "
                "(fiche 2.4), les autres lignes restent vides.")

#: Behaviour of each action in the scenario.
PROFILES = {
    "cls": {
        "1.4": "under_silent",
        "3.1": "ramp_up",
        "3.3": "under_justified",
        "4.1": "under_justified",
    },
    "ft": {
        "2.3": "under_justified",
        "2.4": "ramp_up",
        "2.6": "under_silent",
    },
}
RAMP_UP = {("cls", 2024): 0.5, ("cls", 2025): 0.8, ("ft", 2024): 0.6, ("ft", 2025): 0.9}
REASONS = {
    "3.3": ("Fréquentation inférieure aux prévisions",
            "Moins de ménages orientés vers le fonds de prévention que prévu ; campagne d'information "
            "auprès des bailleurs lancée au dernier trimestre (exemple fictif)."),
    "4.1": ("Difficultés de recrutement",
            "Deux postes de conseiller énergie pourvus en cours d'année seulement (exemple fictif)."),
    "2.3": ("Démarrage tardif de l'action",
            "Conventionnement des structures signé en juin, premières entrées en septembre (exemple fictif)."),
    "3.1": ("Montée en charge progressive",
            "Montée en charge prévue : études lancées en 2024, expérimentations à partir de 2025 (exemple fictif)."),
    "2.4": ("Montée en charge progressive",
            "Ouverture progressive des places de garde sur les trois bassins (exemple fictif)."),
}
REDUCED_BY_AMENDMENT = {"cls": "3.3"}


def example_path(convention: str, year: int, outdir=None) -> Path:
    """File of the example workbook of ``convention`` for ``year`` (name says FICTIVE)."""
    return Path(outdir if outdir is not None else EXAMPLES_DIR) / f"execution_FICTIVE_{convention}_{year}.xlsx"


def _cents(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _rate(rng, profile: str, convention: str, year: int) -> float:
    if profile == "under_justified":
        return float(rng.uniform(0.62, 0.78))
    if profile == "under_silent":
        return float(rng.uniform(0.66, 0.80))
    if profile == "ramp_up":
        return RAMP_UP[(convention, year)] * float(rng.uniform(0.94, 1.0))
    return float(rng.uniform(0.93, 1.0))


class _Entries(list):
    """Fill entries (sheet, key, field, value) in the order they are added."""

    def add(self, sheet: str, key: str, field: str, value) -> None:
        self.append({"sheet": sheet, "key": key, "field": field, "value": value})


def scenario_entries(contract, convention: str, year: int) -> pd.DataFrame:
    """The fictitious inputs of one workbook: entries (sheet, key, field, value) for the template."""
    index = [c for c, _ in SCENARIOS].index(convention)
    rng = np.random.default_rng([SEED, index, year])
    planned = contract.planned_budget(convention)
    entries = _Entries()
    actions = contract.actions.loc[contract.actions["convention"] == convention, "action"].tolist()
    rates = {}
    for action in actions:
        own = planned[(planned["action"] == action) & (planned["year"] == year)]
        parts = {f: sum(own.loc[own["funder"] == f, "amount_eur"], Decimal("0.00")) for f in ("etat", "departement", "autre")}
        present = {f for f in parts if (own["funder"] == f).any()}
        if not present:
            continue  # nothing planned this year (e.g. FT actions other than 2.4 in 2025): line left blank
        profile = PROFILES[convention].get(action, "near_plan")
        rates[action] = (profile, _rate(rng, profile, convention, year))
        _finance_entries(entries, rng, convention, year, action, parts, present, rates[action])
        nxt = planned[(planned["action"] == action) & (planned["year"] == year + 1) & (planned["funder"] == "etat")]
        if len(nxt):
            _amendment_entries(entries, convention, year, action, sum(nxt["amount_eur"], Decimal("0.00")))
    _indicator_entries(entries, rng, contract, convention, year, rates)
    return pd.DataFrame(entries, columns=["sheet", "key", "field", "value"])


def _finance_entries(entries: _Entries, rng, convention: str, year: int, action: str, parts: dict, present: set,
                     behaviour: tuple) -> None:
    """Credits paid, amounts executed and carried over, ramp-up and justification of one action."""
    profile, rate = behaviour
    paid = parts["etat"]
    executed = _cents(paid * Decimal(f"{rate:.4f}"))
    entries.add(SHEET_FINANCE, action, "paid", paid)
    entries.add(SHEET_FINANCE, action, "executed_etat", executed)
    if "departement" in present:
        cd_rate = min(1.0, rate * float(rng.uniform(0.97, 1.03)))
        executed_cd = _cents(parts["departement"] * Decimal(f"{cd_rate:.4f}"))
        entries.add(SHEET_FINANCE, action, "executed_departement", executed_cd)
    if "autre" in present:
        entries.add(SHEET_FINANCE, action, "executed_autre", _cents(parts["autre"] * Decimal(f"{rate:.4f}")))
    if convention == "cls":
        justified = profile in ("under_justified", "ramp_up")
        entries.add(SHEET_FINANCE, action, "carry_over_etat", (paid - executed) if justified else Decimal("0.00"))
        carry_cd = parts["departement"] - executed_cd if justified and "departement" in present else Decimal("0.00")
        entries.add(SHEET_FINANCE, action, "carry_over_departement", max(carry_cd, Decimal("0.00")))
    if profile == "ramp_up":
        entries.add(SHEET_FINANCE, action, "ramp_up", RAMP_UP[(convention, year)])
    if profile in ("under_justified", "ramp_up"):
        reason, text = REASONS[action]
        entries.add(SHEET_FINANCE, action, "gap_reason", reason)
        entries.add(SHEET_FINANCE, action, "justification", text)


def _amendment_entries(entries: _Entries, convention: str, year: int, action: str, planned_next: Decimal) -> None:
    """The State amount notified by amendment for next year: the planned one, or reduced for one action."""
    number = year - 2023  # one amendment a year, from 2024
    notified = planned_next
    if REDUCED_BY_AMENDMENT.get(convention) == action:
        notified = _cents(notified * Decimal("0.85"))
        comment = f"Avenant n°{number} (fictif) : part État {year + 1} réduite de 15 % après la sous-consommation {year}."
    else:
        comment = f"Avenant n°{number} (fictif) : montant de la fiche action confirmé."
    entries.add(SHEET_AMENDMENT, action, "notified", notified)
    entries.add(SHEET_AMENDMENT, action, "comment", comment)


def _indicator_entries(entries: _Entries, rng, contract, convention: str, year: int, rates: dict) -> None:
    """Indicator results around their targets (lower for under-consuming actions); a few left blank."""
    ind = contract.indicators[contract.indicators["convention"] == convention]
    values = contract.indicator_values
    targets = values[(values["measure"] == "target") & (values["year"] == year)].set_index("indicator_id")["value"]
    with_target = [i for i in ind["indicator_id"] if i in targets.index and not pd.isna(targets[i])]
    n_blank = 3 if convention == "cls" else 1
    blank = set()
    if len(with_target) > 1:
        blank = set(rng.choice(with_target, size=min(n_blank, len(with_target) - 1), replace=False))
    for _, row in ind.iterrows():
        indicator = row["indicator_id"]
        if indicator not in with_target:
            continue
        if indicator in blank:
            entries.add(SHEET_INDICATORS, indicator, "comment", "Donnée non disponible à la date du bilan (exemple fictif).")
            continue
        action = row["action"] if isinstance(row["action"], str) else None
        profile, rate = rates.get(action, ("near_plan", 1.0))
        if action is not None and action not in rates:
            continue  # no budget this year for its action: no result either
        centre = rate if profile != "near_plan" else 1.0
        factor = max(0.0, float(rng.normal(centre, 0.08)))
        decimals = 1 if row["unit"] == "ETP" else 0
        result = round(float(targets[indicator]) * factor, decimals)
        if indicator == "ft-P-02":
            result = min(result, 100.0)  # a percentage of entrants
        entries.add(SHEET_INDICATORS, indicator, "result", int(result) if decimals == 0 else result)
        if profile != "near_plan" and action is not None:
            entries.add(SHEET_INDICATORS, indicator, "comment",
                        "Résultat en retrait de la cible : voir la justification financière (exemple fictif).")


def write_examples(contract=None, outdir=None) -> list[Path]:
    """(Re)write the four fictitious example workbooks; returns their paths. Byte-reproducible."""
    contract = contract if contract is not None else load_contract()
    paths = []
    for convention, year in SCENARIOS:
        notice = NOTICE.format(seed=SEED) + (FT_2025_NOTE if (convention, year) == ("ft", 2025) else "")
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
