"""The sums of the national roll-up, vectorised across départements (one group-by per kind of result).

Each function takes the départements' result frames stacked (:func:`analysis.rollup.view.stack`) and returns one
frame of the :class:`~analysis.rollup.view.NationalView`. Amounts are summed exactly (``Decimal``; a département
that reports nothing adds nothing: its amount is None, never 0) and rates are recomputed from the sums.
"""

from __future__ import annotations

import pandas as pd

from analysis.assumptions import default, resolve
from analysis.domain import CLS, FT, NATIONAL_ENVELOPE_TOTAL_2024, NATIONAL_ENVELOPES
from analysis.money import ZERO, known

#: Money columns of the département, region and nation frames (exact sums of the départements').
MONEY_COLUMNS = [
    "cls_contract_state", "cls_available_state", "cls_executed_state", "cls_unconsumed_state", "cls_amount_at_risk",
    "cls_amount_under_review", "cls_executed_departement", "cls_executed_autre", "ft_contract_state", "ft_ceiling",
    "ft_eligible_executed", "ft_due", "ft_advance", "ft_balance_due", "ft_refund_due", "ft_volet2_cost",
    "ft_volet2_cofinancing", "cls_signed_departement", "cls_signed_total",
]
#: Counts of the same frames (summed too).
COUNT_COLUMNS = [
    "cls_actions", "cls_actions_reported", "cls_actions_under_minimum", "cls_actions_signed_under_minimum",
    "workbooks_expected", "workbooks_received",
    "workbooks_missing", "cls_manifest", "cls_under_review", "indicators_critical", "checks_ecart",
]
#: Rates recomputed from the sums.
RATE_COLUMNS = ["cls_rate", "cls_departement_share", "cls_signed_share", "ft_volet2_share"]
#: Of each département only: the contract's minimum share (art. 2.2) and whether it falls short of it (H56).
MINIMUM_COLUMNS = ["cls_min_share", "cls_below_minimum"]
DEPARTEMENT_COLUMNS = ["departement", "nom", "region_code", "region", "grid_x", "grid_y", "reporting_status",
                       "fictitious", *MONEY_COLUMNS, *RATE_COLUMNS, *MINIMUM_COLUMNS, *COUNT_COLUMNS]
INDICATOR_COLUMNS = ["convention", "indicator_id", "label", "unit", "year", "rollup", "departements", "with_result",
                     "target_sum", "result_sum", "attainment", "attainment_q1", "attainment_median", "attainment_q3",
                     "result_min", "result_median", "result_max"]
ENVELOPE_COLUMNS = ["convention", "year", "envelope", "contracted", "gap", "contracted_share", "departements",
                    "executed_state", "departements_reporting"]




def sum_known(values) -> object:
    """Exact sum of the known amounts; None when none is known (a département that reports nothing adds nothing)."""
    present = known(values)
    return sum(present, ZERO) if present else None


def expected_workbooks(first: int, last: int) -> list[tuple[str, int]]:
    """(convention, year) of the workbooks a département owes for the period: each CLS year, and the France
    Travail final report when the period holds 2024."""
    out = [(CLS.code, y) for y in range(first, last + 1)]
    return out + [(FT.code, y) for y in FT.years if first <= y <= last]


def _by(frame: pd.DataFrame, column: str, codes: list[str]) -> pd.Series:
    """``column`` summed per département (exact), for every code of ``codes`` (None where nothing is known)."""
    if frame.empty or column not in frame:
        return pd.Series([None] * len(codes), index=codes, dtype=object)
    sums = frame.groupby("departement", sort=False)[column].agg(sum_known)
    return pd.Series([sums.get(c) for c in codes], index=codes, dtype=object)


def _count(frame: pd.DataFrame, codes: list[str]) -> pd.Series:
    sizes = frame.groupby("departement", sort=False).size() if not frame.empty else pd.Series(dtype="int64")
    return pd.Series([int(sizes.get(c, 0)) for c in codes], index=codes, dtype="int64")


def _ratio(part, whole) -> float:
    return float(part / whole) if part is not None and whole is not None and whole > 0 else float("nan")


def rates(frame: pd.DataFrame) -> pd.DataFrame:
    """The rates of :data:`RATE_COLUMNS`, recomputed from the sums of each row."""
    spent = [sum_known([s, d, a]) for s, d, a in zip(frame["cls_executed_state"], frame["cls_executed_departement"],
                                                      frame["cls_executed_autre"])]
    return frame.assign(
        cls_rate=[_ratio(e, a) for e, a in zip(frame["cls_executed_state"], frame["cls_available_state"])],
        cls_departement_share=[_ratio(d, s) for d, s in zip(frame["cls_executed_departement"], spent)],
        cls_signed_share=[_ratio(d, t) for d, t in zip(frame["cls_signed_departement"], frame["cls_signed_total"])],
        ft_volet2_share=[_ratio(c, t) for c, t in zip(frame["ft_volet2_cofinancing"], frame["ft_volet2_cost"])],
    )


def _cls_columns(tables: dict, codes: list[str], first: int, last: int) -> dict:
    """The CLS money and counts of each département over the period."""
    planned, pos, cons, facts = tables["planned"], tables["position"], tables["consumption"], tables["facts"]
    cls_planned = planned[(planned["convention"] == CLS.code) & planned["year"].between(first, last)] if not planned.empty \
        else planned
    out = {"cls_contract_state": _by(cls_planned, "planned_state", codes)}
    for column in ("available_state", "executed_state", "unconsumed_state", "amount_at_risk", "amount_under_review",
                   "executed_departement"):
        out[f"cls_{column}"] = _by(pos, column, codes)
    reported = cons[(cons["convention"] == CLS.code) & cons["executed_state"].notna()] if "executed_state" in cons else cons
    out["cls_executed_autre"] = _by(reported, "executed_autre", codes)
    out["cls_actions"] = _count(pos, codes)
    out["cls_actions_reported"] = _count(pos[pos["executed_state"].notna()] if not pos.empty else pos, codes)
    minimum = dict(zip(facts["departement"], facts["cls_min_share"]))

    def under(frame):
        return frame if frame.empty else frame[frame["departement_share"] < frame["departement"].map(minimum).map(float)]

    signed = tables["signed"]
    out["cls_actions_under_minimum"] = _count(under(pos), codes)
    out["cls_signed_departement"] = _by(signed, "departement_amount", codes)
    out["cls_signed_total"] = pd.Series([sum_known([s, d, a]) for s, d, a in zip(
        _by(signed, "state", codes), out["cls_signed_departement"], _by(signed, "autre", codes))], index=codes, dtype=object)
    out["cls_actions_signed_under_minimum"] = _count(under(signed), codes)
    out["cls_min_share"] = pd.Series([minimum.get(c) for c in codes], index=codes, dtype=object)
    return out


def under_minimum(frame: pd.DataFrame, reading: str | None = None) -> list[bool]:
    """Whether each département falls short of the Département's minimum share of article 2.2 (H56): by default
    when its contract plans less than that share for one of its CLS actions over the period ('signe'), or when one
    of its actions spent less than that share ('realise')."""
    reading = resolve(reading, "national_departement_share")
    if reading not in ("signe", "realise"):
        raise ValueError(f"lecture de la règle des 50 % inconnue : « {reading} » (signe ou realise)")
    column = "cls_actions_signed_under_minimum" if reading == "signe" else "cls_actions_under_minimum"
    return [int(n) > 0 for n in frame[column]]


def _ft_columns(tables: dict, codes: list[str], first: int, last: int) -> dict:
    """France Travail 2024 of each département: the planned State credits, the settlement and the volet 2
    co-financing (executed, without the valorised FSE+: the contract's rule on what was spent)."""
    planned, settlement, cofin = tables["planned"], tables["settlement"], tables["cofinancing"]
    years = [y for y in FT.years if first <= y <= last]
    ft_planned = planned[(planned["convention"] == FT.code) & planned["year"].isin(years)] if not planned.empty else planned
    total = settlement[settlement["row_type"] == "total"] if "row_type" in settlement else settlement
    out = {"ft_contract_state": _by(ft_planned, "planned_state", codes)}
    for column, source in (("ft_ceiling", "ceiling"), ("ft_eligible_executed", "eligible_executed"), ("ft_due", "due"),
                           ("ft_advance", "advance"), ("ft_balance_due", "balance_due"), ("ft_refund_due", "refund_due")):
        out[column] = _by(total, source, codes)
    executed = cofin[(cofin["basis"] == "realise") & (cofin["reading"] == "sans_fse")] if "basis" in cofin else cofin
    out["ft_volet2_cost"] = _by(executed, "cost", codes)
    out["ft_volet2_cofinancing"] = _by(executed, "cofinancing", codes)
    return out


def _status_count(statuses: pd.DataFrame, kind: str, status: str, codes: list[str]) -> pd.Series:
    rows = statuses[(statuses["kind"] == kind) & (statuses["status"] == status)]
    sums = rows.groupby("departement", sort=False)["count"].sum()
    return pd.Series([int(sums.get(c, 0)) for c in codes], index=codes, dtype="int64")


def departement_frame(tables: dict, codes: list[str], reference: pd.DataFrame, missing: pd.DataFrame,
                      statuses: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """One row per département (:data:`DEPARTEMENT_COLUMNS`)."""
    ref = reference.loc[codes]
    out = pd.DataFrame({"departement": pd.array(codes, dtype="str"), "nom": list(ref["nom"]),
                        "region_code": list(ref["region_code"]), "region": list(ref["region"]),
                        "grid_x": list(ref["grid_x"]), "grid_y": list(ref["grid_y"])}, index=codes)
    for column, values in {**_cls_columns(tables, codes, first, last), **_ft_columns(tables, codes, first, last)}.items():
        out[column] = values
    workbooks = tables["workbooks"]
    expected = expected_workbooks(first, last)
    received = workbooks[[(c, int(y)) in expected for c, y in zip(workbooks["convention"], workbooks["year"])]] \
        if not workbooks.empty else workbooks
    out["workbooks_expected"] = len(expected)
    out["workbooks_received"] = _count(received, codes)
    out["workbooks_missing"] = _count(missing, codes)
    out["reporting_status"] = ["aucun_bilan" if r == 0 else "complet" if m == 0 else "partiel"
                               for r, m in zip(out["workbooks_received"], out["workbooks_missing"])]
    out["fictitious"] = [bool(v) for v in tables["facts"].set_index("departement").reindex(codes)["fictitious"]]
    out["cls_manifest"] = _status_count(statuses, "constat", "sous_consommation_manifeste", codes)
    out["cls_under_review"] = _status_count(statuses, "constat", "justification_a_apprecier", codes)
    out["indicators_critical"] = _status_count(statuses, "indicateur", "critique", codes)
    checks = tables["checks"]
    ecarts = checks[checks["status"] == "ecart"] if "status" in checks else checks
    sums = ecarts.groupby("departement")["count"].sum() if not ecarts.empty else pd.Series(dtype="int64")
    out["checks_ecart"] = [int(sums.get(c, 0)) for c in codes]
    out = rates(out)
    out["cls_below_minimum"] = under_minimum(out)
    return out[DEPARTEMENT_COLUMNS].reset_index(drop=True)


def totals(departements: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The départements' rows summed per ``by`` (a region) or for the whole country (``by`` empty): exact sums,
    counts, the number of départements and of those reporting, and the rates recomputed."""
    keys = by or (lambda _i: "nation")
    groups = departements.groupby(keys, sort=False)
    out = groups[MONEY_COLUMNS].agg(sum_known)
    out[COUNT_COLUMNS] = groups[COUNT_COLUMNS].sum()
    out["departements"] = groups.size()
    out["departements_reporting"] = groups["workbooks_received"].agg(lambda s: int((s > 0).sum()))
    out["departements_without_workbook"] = groups["reporting_status"].agg(lambda s: int((s == "aucun_bilan").sum()))
    out["fictitious"] = groups["fictitious"].any()
    out["departements_below_minimum"] = groups["cls_below_minimum"].sum().astype("int64")
    out = rates(out.reset_index(drop=not by))
    if by:
        out = out.sort_values(by[0], key=lambda c: c.map(_region_order), kind="stable").reset_index(drop=True)
    return out[[*by, "departements", "departements_reporting", "departements_without_workbook",
                "departements_below_minimum", "fictitious", *MONEY_COLUMNS, *RATE_COLUMNS, *COUNT_COLUMNS]]


def _region_order(code: str) -> tuple:
    """Regions in INSEE order: metropolitan codes (11…94) before the overseas ones (01…06)."""
    return (int(code) < 10, int(code))


def missing_frame(workbooks: pd.DataFrame, codes: list[str], reference: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """The workbooks expected for the period and not received, one row each (INSEE order, then convention and year)."""
    received = set() if workbooks.empty else {
        (d, c, int(y)) for d, c, y in zip(workbooks["departement"], workbooks["convention"], workbooks["year"])}
    rows = [(code, reference.loc[code, "nom"], reference.loc[code, "region"], c, y)
            for code in codes for c, y in expected_workbooks(first, last) if (code, c, y) not in received]
    frame = pd.DataFrame(rows, columns=["departement", "nom", "region", "convention", "year"])
    return frame.astype({"departement": "str", "nom": "str", "region": "str", "convention": "str", "year": "int64"})


def status_frame(tables: dict) -> pd.DataFrame:
    """Long counts: the CLS findings of the period's action-years (``kind`` 'constat') and the indicator statuses
    (``kind`` 'indicateur'), per département and convention."""
    cons, ach = tables["consumption"], tables["achievement"]
    parts = []
    if not cons.empty:
        flags = cons[(cons["convention"] == CLS.code) & cons["flag"].notna()]
        parts.append(flags.groupby(["departement", "convention", "flag"], sort=False).size().reset_index(name="count")
                     .rename(columns={"flag": "status"}).assign(kind="constat"))
    if not ach.empty:
        parts.append(ach.groupby(["departement", "convention", "status"], sort=False).size().reset_index(name="count")
                     .assign(kind="indicateur"))
    columns = ["departement", "kind", "convention", "status", "count"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else "str") for c in columns})
    frame = pd.concat(parts, ignore_index=True)[columns]
    return frame.astype({"departement": "str", "kind": "str", "convention": "str", "status": "str", "count": "int64"})


def envelope_frame(tables: dict) -> pd.DataFrame:
    """The national envelopes of 2024 against the State credits the contracts plan (each convention, then both),
    and the State amounts the workbooks report executed that year."""
    planned, cons = tables["planned"], tables["consumption"]
    rows = []
    for (convention, year), envelope in NATIONAL_ENVELOPES.items():
        own = planned[(planned["convention"] == convention) & (planned["year"] == year)]
        done = cons[(cons["convention"] == convention) & (cons["year"] == year) & cons["executed_state"].notna()] \
            if "executed_state" in cons else cons.iloc[0:0]
        rows.append({"convention": convention, "year": year, "envelope": envelope,
                     "contracted": sum_known(own["planned_state"]), "departements": own["departement"].nunique(),
                     "executed_state": sum_known(done["executed_state"]) if not done.empty else None,
                     "departements_reporting": done["departement"].nunique() if not done.empty else 0})
    both = {"convention": "total", "year": 2024, "envelope": NATIONAL_ENVELOPE_TOTAL_2024,
            "contracted": sum_known(r["contracted"] for r in rows), "departements": planned["departement"].nunique(),
            "executed_state": sum_known(r["executed_state"] for r in rows),
            "departements_reporting": max(r["departements_reporting"] for r in rows)}
    frame = pd.DataFrame([*rows, both])
    frame["gap"] = [e - c if c is not None else None for e, c in zip(frame["envelope"], frame["contracted"])]
    frame["contracted_share"] = [_ratio(c, e) for c, e in zip(frame["contracted"], frame["envelope"])]
    return frame.astype({c: object for c in ("envelope", "contracted", "gap", "executed_state")})[ENVELOPE_COLUMNS]


def additive_units() -> set[str]:
    """The indicator units that add up across départements (H54)."""
    return {u.strip() for u in str(default("national_additive_units")).split(";") if u.strip()}


def _summed_attainment(summed: bool, down: bool, target: float, result: float) -> float:
    """Results over targets summed across départements (targets over results where lower is better)."""
    if not summed or target <= 0 or (down and result <= 0):
        return float("nan")
    return target / result if down else result / target


def _quantile(values: pd.Series, q: float) -> float:
    values = values.dropna()
    return float(values.quantile(q)) if not values.empty else float("nan")


def indicator_frame(achievement: pd.DataFrame) -> pd.DataFrame:
    """The national indicators (CLS annexe 10, France Travail annexe 4) per year across départements: summed where
    their unit adds up (H54: targets and results of the départements reporting both, attainment = results /
    targets), and for every one the distribution of the départements' attainment and results."""
    if achievement.empty:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    national = achievement[((achievement["convention"] == CLS.code) & (achievement["family"] == "national"))
                           | ((achievement["convention"] == FT.code) & (achievement["family"] == "pilotage"))]
    units, rows = additive_units(), []
    for (convention, iid, year), g in national.groupby(["convention", "indicator_id", "year"], sort=False):
        both = g[g["target"].notna() & g["result"].notna()]
        summed = g["unit"].iloc[0] in units
        target, result = float(both["target"].sum()), float(both["result"].sum())
        down = g["direction"].iloc[0] == "down"
        rows.append({
            "convention": convention, "indicator_id": iid, "label": g["label"].iloc[0], "unit": g["unit"].iloc[0],
            "year": int(year), "rollup": "somme" if summed else "distribution", "departements": int(g["departement"].nunique()),
            "with_result": int(g["result"].notna().sum()),
            "target_sum": target if summed else float("nan"), "result_sum": result if summed else float("nan"),
            "attainment": _summed_attainment(summed, down, target, result),
            "attainment_q1": _quantile(g["attainment_raw"], 0.25), "attainment_median": _quantile(g["attainment_raw"], 0.5),
            "attainment_q3": _quantile(g["attainment_raw"], 0.75), "result_min": _quantile(g["result"], 0.0),
            "result_median": _quantile(g["result"], 0.5), "result_max": _quantile(g["result"], 1.0),
        })
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    return frame.sort_values(["convention", "indicator_id", "year"], kind="stable").reset_index(drop=True)
