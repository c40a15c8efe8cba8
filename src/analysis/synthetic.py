"""A FICTITIOUS national set: the contracts and execution workbooks of the 101 départements, for the national view.

No département's execution is public, and only one contract is transcribed (the Pas-de-Calais deliberation,
``data/raw``). This module invents the rest, deterministically (fixed seed), to run the national view
(:func:`analysis.national`, notebook ``07_vue_nationale``) and its benchmark on a realistic set:

- **101 départements**, their real INSEE codes and names (``data/reference/departements.csv``), invented
  figures. The **Pas-de-Calais** (62) is the real contract, with the fictitious example execution of
  :mod:`analysis.example` (CLS 2024 and 2025, France Travail 2024).
- **Every other contract is the Pas-de-Calais contract transformed** (:func:`derive_contract`): its amounts
  scaled to a share of the national envelopes (:data:`analysis.domain.NATIONAL_ENVELOPES`: the CLS State credits
  of 2024 add up to about 90 M€ and the France Travail ones to about 170 M€ over the 101 départements; the
  factors have two decimals, so that every amount stays exact to the cent and every printed total equals its
  lines), three axes numbered 1, 3, 4 (as in the Pas-de-Calais) or 1, 2, 3, or four axes (employment as axis 2),
  an action dropped or added, a Département share below 50 % for some, and a few **conventions uniques** (both
  contracts signed as one convention: the sources say so; the library reads them as two conventions). The
  transformed contracts keep the fiche budgets, indicators, rules and amounts printed in the text; the Annexe 3
  and 11 tables of the Pas-de-Calais deliberation are not reproduced.
- **Execution workbooks** written through :func:`analysis.export_template`, like the example: the entry
  builders of :mod:`analysis.example` with each département's own behaviour (:class:`analysis.example.Behaviour`:
  under-consumption, justified or not, carry-overs, avenants changing the next year's credits, a declared
  ramp-up), four CLS years (2024-2027) and the France Travail year; some départements have sent **no
  workbook**, some are **late** (the last CLS years, or France Travail, missing).

Every workbook says « DONNÉES FICTIVES » on every sheet and records ``fictif = oui``; every derived contract says
it is fictitious in its descriptor and in the source of every row. ``python -m analysis.synthetic`` (``make
national``) writes the set under ``data/processed/national/`` (:data:`analysis.domain.NATIONAL_DIR`):
``contracts/<code INSEE>/`` (contract packages) and ``executions/<code INSEE>/`` (workbooks). The set is
generated, never committed.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.domain import CLS, EXAMPLES_DIR, FT, NATIONAL_DIR, NATIONAL_ENVELOPES
from analysis.example import SCENARIOS, SEED, Behaviour, example_path, scenario_entries
from analysis.loading import load_contract
from analysis.money import CENT, ZERO, cents
from analysis.package import write_contract_package
from analysis.rollup.reference import load_departements
from analysis.workbooks import GAP_REASONS, export_template

#: The real contract among the fictitious ones.
REAL_CODE = "62"
#: Issue number mixed into the seed: the national set's draws never repeat the example's.
SET_SEED = (SEED, 17)
#: The CLS years and the France Travail year of a complete set of workbooks.
CLS_YEARS = (2024, 2025, 2026, 2027)
FT_YEAR = 2024
#: How many départements (besides the Pas-de-Calais) take each variant, in the order of a seeded permutation.
LAYOUT_COUNTS = {"axes_1_2_3": 25, "quatre_axes": 25}  # the others keep axes 1, 3, 4
COMBINED_COUNT = 6
DROPPED = ("1.3", "1.5", "3.2", "4.1")  # 3.4 and 4.2 kept: every contract keeps the register's twin pairs (H29)
DROPPED_COUNT, ADDED_COUNT = 30, 20
#: Département shares: the factor on its planned amounts (1.00 = as much as the State, 50 %).
SHARE_FACTORS = {Decimal("0.80"): 10, Decimal("0.90"): 5}
#: Workbooks not received: none at all, CLS 2026-2027, CLS 2027, France Travail 2024.
MISSING_COUNTS = {"aucun": 3, "cls_2026_2027": 4, "cls_2027": 12, FT.code: 2}
#: Départements whose France Travail actions spend well under plan: the advance exceeds what is due (a refund).
FT_REFUND_COUNT = 5
FT_UNDERSPENT = (0.35, 0.50)
#: The axis added as axis 2 in four-axis contracts, and the actions copied into it.
EMPLOYMENT_AXIS = ("2", "Amplifier la politique d'accès à l'emploi pour tous")
EMPLOYMENT_ACTIONS = (("2.1", "1.1", "Accompagnement vers l'emploi des jeunes et des allocataires du RSA"),
                      ("2.2", "3.3", "Lever les freins périphériques à la reprise d'activité"))
ADDED_ACTION = ("1.6", "1.4", "Soutien renforcé à la parentalité des familles monoparentales")
#: Axis numbering of a three-axis contract numbered 1, 2, 3.
RENUMBERED = {"1": "1", "3": "2", "4": "3"}
NOTICE = ("DONNÉES FICTIVES — jeu national généré par analysis.synthetic (graine {seed}) pour la vue nationale : "
          "{nom} ({code}), aucun chiffre de ce classeur n'est réel.")
PACKAGE_NOTICE = ("Contrat FICTIF de {nom} ({code}), généré par analysis.synthetic à partir du contrat du Pas-de-Calais "
                  "(délibération CP n°2024-176) : montants, actions et indicateurs inventés.")
COMBINED_NOTICE = " Convention unique : le CLS et la convention France Travail signés en un seul document (fictif)."


@dataclass(frozen=True)
class Plan:
    """What the national set holds for one département."""

    code: str
    nom: str
    region: str
    cls_factor: Decimal
    ft_factor: Decimal
    layout: str = "axes_1_3_4"
    combined: bool = False
    dropped: tuple = ()
    added: bool = False
    departement_share: Decimal = Decimal("1.00")
    workbooks: tuple = tuple((CLS.code, y) for y in CLS_YEARS) + ((FT.code, FT_YEAR),)
    ft_underspent: bool = False

    @property
    def real(self) -> bool:
        return self.code == REAL_CODE


# --------------------------------------------------------------------------------------------------
# The plan of the set
# --------------------------------------------------------------------------------------------------


def _factor(target: Decimal, base: Decimal) -> Decimal:
    """A factor with two decimals (at least 0.05) that brings ``base`` near ``target``."""
    return max(Decimal("0.05"), Decimal(str(round(float(target) / float(base), 2))))


def _shares(weights) -> list[float]:
    weights = np.asarray(weights, dtype=float)
    return list(weights / weights.sum())


def _pick(order: list[str], counts: dict) -> dict:
    """code -> key: the first codes of ``order`` take the first key, ``counts[key]`` of them each."""
    out, start = {}, 0
    for key, n in counts.items():
        out.update({code: key for code in order[start:start + n]})
        start += n
    return out


def _missing(kind: str | None) -> tuple:
    every = tuple((CLS.code, y) for y in CLS_YEARS) + ((FT.code, FT_YEAR),)
    gone = {"aucun": set(every), "cls_2026_2027": {(CLS.code, 2026), (CLS.code, 2027)}, "cls_2027": {(CLS.code, 2027)},
            FT.code: {(FT.code, FT_YEAR)}}.get(kind, set())
    return tuple(w for w in every if w not in gone)


def cls_state_of(base, plan: Plan) -> Decimal:
    """The CLS State credits of 2024 of ``plan``'s contract before its amounts are scaled: the Pas-de-Calais actions
    kept, and those copied (an added action, the two actions of an employment axis)."""
    b = base.convention_budget(CLS.code)
    by_action = {a: sum(g.loc[(g["funder"] == "etat") & (g["year"] == 2024), "amount_eur"], ZERO)
                 for a, g in b.groupby("action")}
    kept = [a for a in by_action if a not in plan.dropped]
    kept += [ADDED_ACTION[1]] if plan.added else []
    kept += [source for _new, source, _title in EMPLOYMENT_ACTIONS] if plan.layout == "quatre_axes" else []
    return sum((by_action[a] for a in kept), ZERO)


def national_plan(base=None, departements: pd.DataFrame | None = None) -> list[Plan]:
    """The plan of every département (sorted by code), drawn from a fixed seed: the same plan every time. The
    factors are chosen after the structure (actions dropped, added, an employment axis), so that the CLS State
    credits of 2024 add up to about the national envelope."""
    base = base if base is not None else load_contract()
    departements = departements if departements is not None else load_departements()
    rng = np.random.default_rng(list(SET_SEED))
    others = [c for c in departements["code"] if c != REAL_CODE]
    order = [list(rng.permutation(others)) for _ in range(5)]
    layouts = _pick(order[0], LAYOUT_COUNTS)
    combined = set(order[0][-COMBINED_COUNT:])
    dropped = {c: (DROPPED[i % len(DROPPED)],) for i, c in enumerate(order[1][:DROPPED_COUNT])}
    added = set(order[1][DROPPED_COUNT:DROPPED_COUNT + ADDED_COUNT])
    shares, missing = _pick(order[2], SHARE_FACTORS), _pick(order[3], MISSING_COUNTS)
    refunds = set(order[4][:FT_REFUND_COUNT])
    names = dict(zip(departements["code"], zip(departements["nom"], departements["region"])))
    weights = rng.lognormal(0.0, 0.6, len(others))
    cls_shares, ft_shares = _shares(weights), _shares(weights * rng.lognormal(0.0, 0.25, len(others)))
    ft_base = state_total(base, FT.code)
    targets = {c: NATIONAL_ENVELOPES[(c, 2024)] - state_total(base, c) for c in (CLS.code, FT.code)}
    plans = [Plan(REAL_CODE, *names[REAL_CODE], Decimal("1"), Decimal("1"), workbooks=tuple(SCENARIOS))]
    for code, cls_share, ft_share in zip(others, cls_shares, ft_shares):
        plan = Plan(code, *names[code], Decimal("1"), _factor(targets[FT.code] * Decimal(str(ft_share)), ft_base),
                    layouts.get(code, "axes_1_3_4"), code in combined, dropped.get(code, ()), code in added,
                    shares.get(code, Decimal("1.00")), _missing(missing.get(code)), code in refunds)
        cls_target = targets[CLS.code] * Decimal(str(cls_share))
        plans.append(dataclasses.replace(plan, cls_factor=_factor(cls_target, cls_state_of(base, plan))))
    return sorted(plans, key=lambda p: p.code)


def state_total(contract, convention: str) -> Decimal:
    """The State money the fiches plan for the convention's first year (CLS 2024, France Travail 2024)."""
    b = contract.convention_budget(convention)
    return sum(b.loc[(b["funder"] == "etat") & (b["year"] == 2024), "amount_eur"], ZERO)


# --------------------------------------------------------------------------------------------------
# Contracts: the Pas-de-Calais contract transformed
# --------------------------------------------------------------------------------------------------


def _is_cls(frame: pd.DataFrame) -> pd.Series:
    return frame["convention"].astype("str") == CLS.code


def drop_actions(contract, actions) -> object:
    """The contract without the CLS ``actions`` (their budget lines, sub-actions, indicators and values)."""
    actions = set(actions)
    gone = contract.indicators[_is_cls(contract.indicators) & contract.indicators["action"].isin(actions)]["indicator_id"]

    def keep(frame):
        return frame[~(_is_cls(frame) & frame["action"].isin(actions))].reset_index(drop=True)

    return dataclasses.replace(
        contract, actions=keep(contract.actions), budget=keep(contract.budget), sub_actions=keep(contract.sub_actions),
        indicators=keep(contract.indicators),
        indicator_values=contract.indicator_values[~contract.indicator_values["indicator_id"].isin(gone)].reset_index(drop=True),
    )


def copy_action(contract, source: str, new: str, title: str, axis: tuple[str, str] | None = None) -> object:
    """The contract with a new CLS action ``new`` copied from ``source`` (budget lines, sub-actions, indicators
    renamed ``…-new-…``), in ``axis`` (code, label) or in the source's axis."""
    acts = contract.actions
    row = acts[_is_cls(acts) & (acts["action"] == source)].copy()
    axis_code, axis_label = axis if axis is not None else (row["axis"].iloc[0], row["axis_label"].iloc[0])
    row = row.assign(action=new, axis=axis_code, axis_label=axis_label, title=title)

    def copied(frame, **extra):
        rows = frame[_is_cls(frame) & (frame["action"] == source)].assign(action=new, **extra)
        return pd.concat([frame, rows], ignore_index=True)

    ind = contract.indicators
    own = ind[_is_cls(ind) & (ind["action"] == source)]
    renamed = {i: i.replace(f"-{source}-", f"-{new}-") for i in own["indicator_id"]}
    values = contract.indicator_values[contract.indicator_values["indicator_id"].isin(renamed)]
    return dataclasses.replace(
        contract, actions=pd.concat([acts, row], ignore_index=True).astype(acts.dtypes.to_dict()),
        budget=copied(contract.budget, axis=axis_code), sub_actions=copied(contract.sub_actions),
        indicators=pd.concat([ind, own.assign(action=new, indicator_id=own["indicator_id"].map(renamed))], ignore_index=True),
        indicator_values=pd.concat([contract.indicator_values, values.assign(indicator_id=values["indicator_id"].map(renamed))],
                                   ignore_index=True),
    )


def renumber_axes(contract, mapping: dict[str, str]) -> object:
    """The contract with its CLS axes renumbered (``{'3': '2'}``: axis 3 becomes axis 2, action 3.1 becomes 2.1).
    Indicator identifiers are identifiers, not numbers: they are kept (the register's twins, H29, stay valid)."""
    def action(code):
        if not isinstance(code, str) or "." not in code:
            return code
        axis, rest = code.split(".", 1)
        return f"{mapping.get(axis, axis)}.{rest}"

    def renumbered(frame, axis_column=True):
        cls = list(_is_cls(frame))
        out = frame.assign(action=pd.array([action(a) if c else a for a, c in zip(frame["action"], cls)], dtype="str"))
        if axis_column:
            axes = [mapping.get(a, a) if c and isinstance(a, str) else a for a, c in zip(frame["axis"], cls)]
            out = out.assign(axis=pd.array(axes, dtype="str"))
        return out

    return dataclasses.replace(
        contract, actions=renumbered(contract.actions), budget=renumbered(contract.budget),
        sub_actions=renumbered(contract.sub_actions, False), indicators=renumbered(contract.indicators, False),
        text_amounts=renumbered(contract.text_amounts),
    )


def _scaled_money(frame: pd.DataFrame, mask: pd.Series, factor: Decimal, column: str = "amount_eur",
                  unit: Decimal = CENT) -> pd.DataFrame:
    """``column`` times ``factor`` where ``mask``, rounded to ``unit`` (the cent: exact for a factor with two
    decimals on whole euros)."""
    out = frame.copy()
    out[column] = [(a * factor).quantize(unit, rounding=ROUND_HALF_UP) if m and isinstance(a, Decimal) else a
                   for a, m in zip(frame[column], mask)]
    return out.astype({column: object})


def _in_cents(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(amount_eur=pd.Series([cents(a) if isinstance(a, Decimal) else a for a in frame["amount_eur"]],
                                             index=frame.index, dtype=object))


def set_departement_share(contract, factor: Decimal) -> object:
    """The contract whose CLS lines plan ``factor`` times the Département's amounts, in whole euros (0.80: 40 % of
    each action instead of 50 %); the fiche totals are restated (:func:`restate_totals`)."""
    b = contract.budget
    mask = _is_cls(b) & (b["funder"].astype("str") == "departement")
    return dataclasses.replace(contract, budget=_scaled_money(b, mask, factor, unit=Decimal("1")).pipe(_in_cents))


def scale(contract, cls_factor: Decimal, ft_factor: Decimal) -> object:
    """Every amount of each convention multiplied by its factor (two decimals: amounts in whole euros stay exact
    to the cent, and every printed total still equals its lines); indicator values that count people or posts
    scaled and rounded (percentages and durations kept)."""
    def by_convention(frame):
        conv = frame["convention"].astype("str")
        return _scaled_money(_scaled_money(frame, conv == CLS.code, cls_factor), conv == FT.code, ft_factor)

    budget, subs, text = by_convention(contract.budget), by_convention(contract.sub_actions), by_convention(contract.text_amounts)
    subs["places"] = pd.array([None if pd.isna(p) else int(round(p * float(cls_factor if c == CLS.code else ft_factor)))
                               for p, c in zip(subs["places"], subs["convention"].astype("str"))], dtype="Int64")
    plan = _scaled_plan(_scaled_money(contract.financing_plan, contract.financing_plan["amount_eur"].notna(), ft_factor),
                        ft_factor)
    return dataclasses.replace(contract, budget=budget, sub_actions=subs, text_amounts=text, financing_plan=plan,
                               indicator_values=_scaled_values(contract, cls_factor, ft_factor))


def _scaled_count(value, unit, factor: Decimal):
    """A count of people or places scaled (an integer), or of posts (ETP, one decimal)."""
    new = float(value) * float(factor)
    return round(new, 1) if unit == "ETP" else float(round(new))


def _count_text(value: float, unit=None) -> str:
    text = f"{value:g}".replace(".", ",")
    return f"{text} {unit}" if unit else text


def _scaled_plan(plan: pd.DataFrame, factor: Decimal) -> pd.DataFrame:
    """The France Travail financing plan's existing, target and added places (or ETP) scaled."""
    out = plan.copy()
    for kind in ("existing", "target", "delta"):
        values = [None if pd.isna(v) else _scaled_count(v, u, factor) for v, u in zip(plan[f"{kind}_value"], plan["unit"])]
        out[f"{kind}_value"] = pd.array(values, dtype="Float64")
        out[f"{kind}_text"] = pd.array([None if v is None else _count_text(v, u) for v, u in zip(values, plan["unit"])],
                                       dtype="str")
    return out


def _scaled_values(contract, cls_factor: Decimal, ft_factor: Decimal) -> pd.DataFrame:
    ind = contract.indicators.set_index("indicator_id")
    values = contract.indicator_values.copy()
    scaled, texts = [], []
    for iid, value, text in zip(values["indicator_id"], values["value"], values["value_text"]):
        unit, conv = ind.loc[iid, "unit"], str(ind.loc[iid, "convention"])
        if pd.isna(value) or unit not in ("nombre", "ETP"):
            scaled.append(value), texts.append(text)
            continue
        new = _scaled_count(value, unit, cls_factor if conv == CLS.code else ft_factor)
        scaled.append(new), texts.append(_count_text(new))
    values["value"] = pd.array(scaled, dtype="Float64")
    values["value_text"] = pd.array(texts, dtype="str")
    return values


#: The CLS tables of the Pas-de-Calais deliberation (Annexe 3 and 11) that a derived contract does not carry.
ANNEX_TABLES = ("cls_a3_prev_2024", "cls_a3_exec_2024", "cls_a3_prev_2025")


def _fiche_totals(b: pd.DataFrame) -> pd.DataFrame:
    """One pass of the fiche totals: each year's « Total » column from its funders, each action's total from its
    years (run twice: the second pass sums the restated « Total » column)."""
    fiche = b["table"].astype("str").isin(["cls_fiche_budget", "ft_fiche_budget"])
    parts = b[fiche & (b["row_type"] == "line") & b["funder"].notna()]
    line_total = parts.groupby(["table", "action", "year"], observed=True)["amount_eur"].agg(lambda s: sum(s, ZERO))
    years_total = b[fiche & (b["row_type"] == "line")].groupby(["table", "action", "column_label"], observed=True)[
        "amount_eur"].agg(lambda s: sum(s, ZERO))
    amounts = []
    for table, action, year, row_type, label, funder, amount in b[
        ["table", "action", "year", "row_type", "column_label", "funder", "amount_eur"]
    ].itertuples(index=False):
        if table in ("cls_fiche_budget", "ft_fiche_budget") and row_type == "line" and pd.isna(funder):
            amount = line_total.get((table, action, year), amount)
        elif table in ("cls_fiche_budget", "ft_fiche_budget") and row_type == "total":
            amount = years_total.get((table, action, label), amount)
        amounts.append(amount)
    b = b.assign(amount_eur=pd.Series(amounts, dtype=object))
    return b


def restate_totals(contract) -> object:
    """The fiche budgets' totals recomputed from their lines (the « Total » column of each year, then each
    action's total over the years), the Annexe 3 and 11 tables left out, and the amounts printed in the text
    restated: the CLS State amount of each year and of each axis in 2024, the France Travail advance (60 % of the
    allocated amount, art. 6) and the deliberation's revenue (both contracts' 2024 State credits)."""
    b = contract.budget
    b = _fiche_totals(_fiche_totals(b[~b["table"].astype("str").isin(ANNEX_TABLES)].reset_index(drop=True)))
    restated = dataclasses.replace(contract, budget=b)
    return dataclasses.replace(restated, text_amounts=_restated_text(restated),
                               imputations=contract.imputations[contract.imputations["document"] != "rapport_president"])


def _restated_text(contract) -> pd.DataFrame:
    """The amounts printed in the text, restated from the fiches (see :func:`restate_totals`)."""
    t = contract.text_amounts
    t = t[t["document"].astype("str") != "rapport_president"].reset_index(drop=True)
    cls = contract.convention_budget(CLS.code)
    state = cls[cls["funder"] == "etat"]
    by_year = {int(y): sum(g["amount_eur"], ZERO) for y, g in state.groupby("year")}
    ft = state_total(contract, FT.code)
    rows, axis_rows = [], t[(t["convention"].astype("str") == CLS.code) & (t["scope"] == "axis")]
    for row in t[~t.index.isin(axis_rows.index)].to_dict("records"):
        if row["convention"] == CLS.code and row["scope"] == "contract":
            row["amount_eur"] = by_year[int(row["year"])]
        elif row["convention"] == FT.code and row["scope"] == "advance":
            row["amount_eur"] = cents(ft * contract.rule_rate("ft_advance_rate"))
        elif row["convention"] == "deliberation" and row["scope"] == "revenue":
            row["amount_eur"] = by_year[2024] + ft
        rows.append(row)
    rows += _axis_rows(contract, axis_rows, state)
    return pd.DataFrame(rows, columns=t.columns).astype(t.dtypes.to_dict()).astype({"amount_eur": object})


def _axis_rows(contract, template: pd.DataFrame, state: pd.DataFrame) -> list[dict]:
    """The CLS State amount of each axis in 2024, printed twice (art. 2.2 and art. 3), for the contract's axes."""
    acts = contract.actions[_is_cls(contract.actions)]
    labels = dict(zip(acts["axis"], acts["axis_label"]))
    first = state[state["year"] == 2024]
    rows = []
    for _article, printed in template.groupby("article", sort=False):
        model = printed.iloc[0].to_dict()
        for n, axis in enumerate(sorted(labels, key=int)):
            amount = sum(first.loc[first["axis"] == axis, "amount_eur"], ZERO)
            label = (f"montant État 2024 axe {axis} « {labels[axis]} »" if model["article"] == "2.2"
                     else f"imputation pilier {axis} (programme 304, axe {axis})")
            rows.append({**model, "axis": axis, "label": label, "amount_eur": amount,
                         "source_line": int(model["source_line"]) + 2 * n})
    return rows


def fictitious_sources(contract, plan: Plan) -> object:
    """Every row's source says the contract is fictitious (and a convention unique when it is one)."""
    prefix = (f"Convention unique FICTIVE CLS et France Travail de {plan.nom}" if plan.combined
              else f"Contrat FICTIF de {plan.nom}") + ", dérivé de : "
    changed = {}
    for name in ("actions", "budget", "sub_actions", "indicators", "indicator_values", "text_amounts", "financing_plan",
                 "imputations", "rules"):
        frame = getattr(contract, name)
        changed[name] = frame.assign(source=pd.array([prefix + s for s in frame["source"]], dtype="str"))
    return dataclasses.replace(contract, **changed)


def derive_contract(base, plan: Plan) -> object:
    """The contract of ``plan``'s département: ``base`` (the Pas-de-Calais contract) transformed."""
    if plan.real:
        return base
    contract = drop_actions(base, plan.dropped) if plan.dropped else base
    if plan.added:
        contract = copy_action(contract, ADDED_ACTION[1], ADDED_ACTION[0], ADDED_ACTION[2])
    if plan.layout == "axes_1_2_3":
        contract = renumber_axes(contract, RENUMBERED)
    elif plan.layout == "quatre_axes":
        for new, source, title in EMPLOYMENT_ACTIONS:
            contract = copy_action(contract, source, new, title, EMPLOYMENT_AXIS)
    if plan.departement_share != 1:
        contract = set_departement_share(contract, plan.departement_share)
    contract = restate_totals(scale(contract, plan.cls_factor, plan.ft_factor))
    contract = fictitious_sources(contract, plan)
    fields = {f.name for f in dataclasses.fields(contract)}
    return dataclasses.replace(contract, **({"departement": plan.code} if "departement" in fields else {}))


# --------------------------------------------------------------------------------------------------
# Executions: each département's behaviour, through the example's entry builders
# --------------------------------------------------------------------------------------------------

#: Bounds of the State executed / paid of an action that falls short: manifest, justified, to watch.
SHORTFALLS = {"manifeste": (0.45, 0.62), "justifiee": (0.50, 0.66), "a_surveiller": (0.80, 0.87)}


def _reasons(rng, actions: list[str]) -> dict:
    """A gap reason (from the template's list) and a fictitious justification for every action."""
    out = {}
    for action in actions:
        reason = GAP_REASONS[int(rng.integers(len(GAP_REASONS)))]
        out[action] = (reason, f"{reason} : écart expliqué dans le bilan de l'action {action} (exemple fictif).")
    return out


def _year_story(rng, actions: list[str], convention: str, year: int, story: dict) -> None:
    """Which actions fall short in one workbook, which are justified, carried over, or changed by avenant."""
    key = (convention, year)
    picked = list(rng.choice(actions, size=min(len(actions), int(rng.integers(0, 4))), replace=False))
    kinds = rng.choice(list(SHORTFALLS), size=len(picked))
    story["rates"][key] = {a: SHORTFALLS[k] for a, k in zip(picked, kinds)}
    story["justified"][key] = {a for a, k in zip(picked, kinds) if k == "justifiee"}
    story["lagging"][key] = set(picked)
    if convention == CLS.code and year < CLS_YEARS[-1]:
        story["carry_over"][key] = {a for a, k in zip(picked, kinds) if k != "manifeste" and rng.random() < 0.6}
        changed = rng.choice(actions, size=int(rng.integers(0, 3)), replace=False)
        story["avenant_changes"][key] = {
            a: ("rate", Decimal("0.90"), "réduite de 10 % après l'exécution de l'année") if rng.random() < 0.6
            else ("rate", Decimal("1.10"), "augmentée de 10 % (public plus nombreux que prévu)") for a in changed}


def behaviour(contract, plan: Plan, index: int) -> Behaviour:
    """The fictitious behaviour of ``plan``'s département (drawn from the set's seed and its rank ``index``)."""
    rng = np.random.default_rng([*SET_SEED, index])
    story = {k: {} for k in ("rates", "justified", "lagging", "carry_over", "avenant_changes")}
    actions = {c: sorted(contract.actions.loc[contract.actions["convention"] == c, "action"]) for c in (CLS.code, FT.code)}
    for convention, year in plan.workbooks:
        _year_story(rng, actions[convention], convention, year, story)
    ramp = {}
    if rng.random() < 0.3:
        action = actions[CLS.code][int(rng.integers(len(actions[CLS.code])))]
        ramp[(CLS.code, 2024, action)] = 0.6
        story["rates"].setdefault((CLS.code, 2024), {})[action] = (0.56, 0.60)
        story["justified"].setdefault((CLS.code, 2024), set()).discard(action)
    if plan.ft_underspent:
        story["rates"][(FT.code, FT_YEAR)] = {a: FT_UNDERSPENT for a in actions[FT.code]}
        story["lagging"][(FT.code, FT_YEAR)] = set(actions[FT.code])
    effort = 0.85 if plan.departement_share != 1 else 1.0
    return Behaviour(seed=(*SET_SEED, index), reasons=_reasons(rng, actions[CLS.code] + actions[FT.code]), ramp_up=ramp,
                     blank_indicators={CLS.code: int(rng.integers(0, 5)), FT.code: int(rng.integers(0, 2))},
                     departement_effort=effort, **story)


# --------------------------------------------------------------------------------------------------
# Writing the set
# --------------------------------------------------------------------------------------------------


def workbook_path(folder: Path, plan: Plan, convention: str, year: int) -> Path:
    """File of one fictitious workbook (its name says FICTIF); the Pas-de-Calais keeps the example's names."""
    if plan.real:
        return example_path(convention, year, folder)
    return folder / f"bilan_FICTIF_{plan.code}_{convention}_{year}.xlsx"


def _write_departement(base, plan: Plan, index: int, out: Path) -> list[Path]:
    """The contract package and the workbooks of one département; returns the workbooks written."""
    contract = derive_contract(base, plan)
    write_contract_package(contract, out / "contracts" / plan.code)
    folder = out / "executions" / plan.code
    expected = {workbook_path(folder, plan, c, y) for c, y in plan.workbooks}
    for stale in (folder.glob("*.xlsx") if folder.is_dir() else ()):
        if stale not in expected:
            stale.unlink()  # a workbook of an earlier plan: the set is what the plan says
    written = []
    if plan.real:
        folder.mkdir(parents=True, exist_ok=True)
        for convention, year in plan.workbooks:
            written.append(Path(shutil.copyfile(example_path(convention, year, EXAMPLES_DIR),
                                                workbook_path(folder, plan, convention, year))))
        return written
    story = behaviour(contract, plan, index)
    notice = NOTICE.format(seed="-".join(map(str, story.seed)), nom=plan.nom, code=plan.code)
    for convention, year in plan.workbooks:
        written.append(export_template(contract, convention, year, workbook_path(folder, plan, convention, year),
                                       prefill=scenario_entries(contract, convention, year, story), notice=notice,
                                       fictitious=True))
    return written


def write_national_set(out=None, codes=None, *, progress=None) -> dict[str, list[Path]]:
    """Write the FICTITIOUS national set under ``out`` (default ``data/processed/national``): ``contracts/<code>/``
    and ``executions/<code>/`` for every département (or only ``codes``). Byte-identical from one run to the next.
    ``progress(code)`` is called after each département. Returns code -> workbooks written."""
    out = Path(out) if out is not None else NATIONAL_DIR
    base = load_contract()
    plans = national_plan(base)
    wanted = set(codes) if codes is not None else None
    written = {}
    for index, plan in enumerate(plans):
        if wanted is not None and plan.code not in wanted:
            continue
        written[plan.code] = _write_departement(base, plan, index, out)
        if progress is not None:
            progress(plan.code)
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Écrit le jeu national FICTIF (contrats et bilans des 101 départements).")
    parser.add_argument("--out", default=None, help=f"dossier de sortie (défaut : {NATIONAL_DIR})")
    parser.add_argument("--departements", nargs="*", default=None, help="codes INSEE (défaut : les 101)")
    args = parser.parse_args(argv)
    written = write_national_set(args.out, args.departements, progress=lambda code: print(code, end=" ", flush=True))
    total = sum(len(v) for v in written.values())
    print(f"\n{len(written)} départements, {total} classeurs FICTIFS écrits sous {args.out or NATIONAL_DIR}")


if __name__ == "__main__":
    main()
