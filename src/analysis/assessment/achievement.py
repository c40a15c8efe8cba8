"""Targets against results for every indicator of both conventions, year by year.

One row per indicator and year (the years of the indicator's convention, and any other year with a printed
target or a reported result), each indicator counted once: the 45 of the CLS (30 local, 15 national,
l. 364-368) and the 10 of France Travail. A fiche indicator that repeats an Annexe 1 or Annexe 10 indicator,
or is one action's share of a national one (:meth:`analysis.loading.Contract.indicator_links`, H29), is
not counted again: :func:`share_frame` gives it apart, with the indicator it is counted as and no status
of its own. Rules:

- ``attainment_raw``: result / target, or target / result where lower is better (direction 'down');
  ``attainment``: the same, capped (H27) for any aggregate; a target of 0 (or, lower being better, a
  result of 0) that the result meets counts as attained;
- ``progress_from_baseline``: the share of the way from the 2023 baseline to the target covered by the
  result, (result - baseline) / (target - baseline); a cumulative indicator starts from 0; none when the
  target equals the baseline (nothing to cover);
- ``status``: 'atteint' (attainment of at least 100 %), 'proche' (H25), 'en_retard' (H26), 'critique';
  'non_renseigne' when the result or the target is missing (a missing result is never a 0);
- ``time_basis``: 'flux_annuel' by default (H28), 'stock_31_12' where the label says « au 31 décembre »
  or the unit is a level (ETP), 'cumul_depuis_2024' where it says « cumul »; :func:`over_period` uses it
  to read a period (a flow sums its years, a stock or a cumul reads its last year).

The CLS mid-term report asks for the attainment of local and national indicators each year
(art. 2.3, l. 364-388).
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.assessment.parameters import Parameters
from analysis.domain import CONVENTION_YEARS, TIME_BASES
from analysis.money import is_missing as missing

ACHIEVEMENT_COLUMNS = [
    "convention", "action", "indicator_id", "label", "family", "unit", "direction", "time_basis", "year", "baseline",
    "target", "result", "attainment_raw", "attainment", "progress_from_baseline", "status",
]
#: Columns of :func:`share_frame`: the yearly columns, then the indicator counted and the kind of link.
SHARE_COLUMNS = [*ACHIEVEMENT_COLUMNS, "counted_as", "link"]
_FLOATS = ("baseline", "target", "result", "attainment_raw", "attainment", "progress_from_baseline")
_STOCK = re.compile(r"au 31 d[ée]cembre|en stock|file active", re.IGNORECASE)
_CUMUL = re.compile(r"cumul", re.IGNORECASE)
LEVEL_UNITS = {"ETP"}


def time_bases(indicators: pd.DataFrame, default: str, overrides: dict | None = None) -> dict:
    """indicator_id -> time basis: ``overrides`` first, then the label or unit (stock, cumul), else ``default`` (H28)."""
    out = {}
    for iid, label, unit in zip(indicators["indicator_id"], indicators["label"], indicators["unit"]):
        label = "" if missing(label) else str(label)
        if _CUMUL.search(label):
            out[iid] = "cumul_depuis_2024"
        elif _STOCK.search(label) or unit in LEVEL_UNITS:
            out[iid] = "stock_31_12"
        else:
            out[iid] = default
    for iid, basis in (overrides or {}).items():
        if iid not in out:
            raise ValueError(f"base de temps : indicateur inconnu « {iid} »")
        if basis not in TIME_BASES:
            raise ValueError(f"base de temps de {iid} : « {basis} » inconnue (attendu : {', '.join(TIME_BASES)})")
        out[iid] = basis
    return out


def attainment(result, target, direction: str, cap: float) -> tuple[float, float]:
    """(raw ratio, capped ratio) of a result against its target (H27); NaN when either is missing.

    'down' (lower is better): target / result. Otherwise result / target. A target of 0 met by the result
    (or, lower being better, a result of 0) has no ratio but counts as attained (capped value 1)."""
    if missing(result) or missing(target):
        return math.nan, math.nan
    result, target = float(result), float(target)
    if direction == "down":
        if result == 0:
            return math.nan, 1.0
        raw = target / result
    else:
        if target == 0:
            return math.nan, 1.0
        raw = result / target
    return raw, min(raw, cap)


def progress(result, baseline, target, basis: str) -> float:
    """Share of the way from the baseline (0 for a cumulative indicator) to the target; NaN when it is
    undefined (a value missing, or the target equal to the baseline)."""
    start = 0.0 if basis == "cumul_depuis_2024" else baseline
    if missing(result) or missing(start) or missing(target) or float(target) == float(start):
        return math.nan
    return (float(result) - float(start)) / (float(target) - float(start))


def status(value: float, near_band: float, late_band: float) -> str:
    """'atteint' from 1, 'proche' from ``near_band`` (H25), 'en_retard' from ``late_band`` (H26), else
    'critique'; 'non_renseigne' when the attainment is unknown."""
    if missing(value):
        return "non_renseigne"
    if value >= 1:
        return "atteint"
    if value >= near_band:
        return "proche"
    return "en_retard" if value >= late_band else "critique"


def _values(contract, execution) -> tuple[dict, dict, dict]:
    """Baseline (latest), target per year and result per year (the workbook's, else a printed one)."""
    baseline, target, result = {}, {}, {}
    printed = contract.indicator_values.sort_values(["indicator_id", "year"])
    for iid, year, measure, value in printed[["indicator_id", "year", "measure", "value"]].itertuples(index=False):
        if missing(value):
            continue
        if measure == "baseline":
            baseline[iid] = float(value)
        elif measure == "target":
            target[(iid, int(year))] = float(value)
        elif measure == "result":
            result[(iid, int(year))] = float(value)
    reported = execution.indicator_values
    for iid, year, value in reported[["indicator_id", "year", "value"]].itertuples(index=False):
        if not missing(value):
            result[(iid, int(year))] = float(value)
    return baseline, target, result


def _graded(contract, execution, params: Parameters, bases: dict | None, indicators: pd.DataFrame) -> list[dict]:
    """One row per indicator of ``indicators`` and year, graded (see the module docstring)."""
    baseline, target, result = _values(contract, execution)
    basis_of = time_bases(contract.indicators, params.time_basis_default, bases)
    rows = []
    for row in indicators.itertuples(index=False):
        iid, convention, direction = row.indicator_id, str(row.convention), str(row.direction)
        years = set(CONVENTION_YEARS[convention]) | {y for i, y in [*target, *result] if i == iid}
        for year in sorted(years):
            res, tgt = result.get((iid, year)), target.get((iid, year))
            raw, capped = attainment(res, tgt, direction, params.attainment_cap)
            rows.append({
                "convention": convention, "action": None if missing(row.action) else row.action, "indicator_id": iid,
                "label": row.label, "family": str(row.family), "unit": row.unit, "direction": direction,
                "time_basis": basis_of[iid], "year": year, "baseline": baseline.get(iid), "target": tgt, "result": res,
                "attainment_raw": raw, "attainment": capped,
                "progress_from_baseline": progress(res, baseline.get(iid), tgt, basis_of[iid]),
                "status": status(capped, params.near_band, params.late_band),
            })
    return rows


def achievement_frame(contract, execution, params: Parameters, bases: dict | None = None) -> pd.DataFrame:
    """Targets against results, one row per indicator counted (H29) and year (see the module docstring)."""
    rows = _graded(contract, execution, params, bases, contract.counted_indicators(twins=params.twin_indicators))
    return pd.DataFrame(rows, columns=ACHIEVEMENT_COLUMNS).astype({c: float for c in _FLOATS})


def share_frame(contract, execution, params: Parameters, bases: dict | None = None) -> pd.DataFrame:
    """The fiche indicators counted as another (copies and shares, H29), one row per indicator and year: their
    own targets and results, ``counted_as`` (the indicator counted) and ``link`` ('copie' or 'part'), and no
    status (``status`` None: the indicator counted has it)."""
    links = contract.indicator_links(params.twin_indicators)
    ind = contract.indicators.set_index("indicator_id").loc[links["indicator_id"]].reset_index()
    rows = _graded(contract, execution, params, bases, ind)
    of = dict(zip(links["indicator_id"], zip(links["counted_as"], links["link"])))
    rows = [{**r, "status": None, "counted_as": of[r["indicator_id"]][0], "link": of[r["indicator_id"]][1]} for r in rows]
    return pd.DataFrame(rows, columns=SHARE_COLUMNS).astype({c: float for c in _FLOATS})


def _period_value(values: list, basis: str):
    """A flow sums its years (None if any is missing); a stock or a cumul reads its last year."""
    if basis == "flux_annuel":
        return None if any(missing(v) for v in values) else sum(float(v) for v in values)
    return None if missing(values[-1]) else float(values[-1])


def over_period(achievement: pd.DataFrame, first: int, last: int, params: Parameters) -> pd.DataFrame:
    """Targets against results over the years ``first``-``last`` (e.g. the CLS mid-term, 2024-2025), one
    row per indicator with every year of the period, read by its time basis (see :func:`_period_value`);
    same columns as the yearly frame, ``year`` being the period's last year."""
    period = achievement[(achievement["year"] >= first) & (achievement["year"] <= last)]
    rows = []
    for _, group in period.groupby("indicator_id", sort=False):
        group = group.sort_values("year")
        if list(group["year"]) != list(range(first, last + 1)):
            continue
        head = group.iloc[-1].to_dict()
        basis = head["time_basis"]
        res, tgt = _period_value(list(group["result"]), basis), _period_value(list(group["target"]), basis)
        raw, capped = attainment(res, tgt, head["direction"], params.attainment_cap)
        start = head["baseline"] if basis != "flux_annuel" else (
            None if missing(head["baseline"]) else float(head["baseline"]) * len(group))
        rows.append({
            **head, "target": tgt, "result": res, "attainment_raw": raw, "attainment": capped,
            "progress_from_baseline": progress(res, start, tgt, basis),
            "status": status(capped, params.near_band, params.late_band),
        })
    return pd.DataFrame(rows, columns=ACHIEVEMENT_COLUMNS).astype({c: float for c in _FLOATS})
