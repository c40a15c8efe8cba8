"""Results side by side: what a scenario changes against the base (or against each other).

:func:`compare` takes assessments (:func:`analysis.assess`'s or :func:`~analysis.scenarios.run`'s, or
``(name, assessment)`` pairs) and returns a :class:`Comparison` of tidy long frames, one row per result
(``scenario``, its name) and scope; the first result is the reference. :mod:`analysis.display` writes
them side by side in French (``scenario_*`` functions) and :func:`analysis.display.export_scenario_comparison` exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from analysis.assessment import Assessment
from analysis.domain import BASE_SCENARIO_NAME, CLS
from analysis.money import ZERO, cents
from analysis.money import total as money_total
from analysis.scenarios.engine import action_key
from analysis.scenarios.model import Scenario, setting

#: Exposure per CLS axis and year, per year, per axis over all years and in total (``axis`` / ``year`` None).
EXPOSURE_COLUMNS = ["scenario", "convention", "axis", "year", "amount_at_risk", "amount_under_review", "reduction_estimate",
                    "projected"]
#: Action-years, present in every result, whose flag or exposure differs between results.
FLAG_COLUMNS = ["scenario", "convention", "axis", "action", "year", "flag", "amount_at_risk", "amount_under_review",
                "projected"]
#: France Travail settlement total per result.
SETTLEMENT_COLUMNS = ["scenario", "due", "advance", "balance_due", "refund_due"]
#: Indicator-years whose status differs between results.
STATUS_COLUMNS = ["scenario", "convention", "action", "indicator_id", "label", "year", "attainment", "status"]


@dataclass(frozen=True)
class Comparison:
    """Results side by side (long frames keyed by ``scenario``, the results' names, in order)."""

    names: tuple[str, ...]
    scenarios: tuple[Scenario | None, ...]
    exposure: pd.DataFrame
    flags: pd.DataFrame
    settlement: pd.DataFrame
    statuses: pd.DataFrame

    def total(self, name: str, column: str = "amount_at_risk", year: int | None = None) -> Decimal:
        """A CLS total of one result: ``column`` over all years (or ``year``)."""
        e = self.exposure
        rows = e[(e["scenario"] == name) & e["axis"].isna() & (e["year"].isna() if year is None else e["year"] == year)]
        return rows[column].iloc[0] if len(rows) else ZERO

def _named(results) -> list[tuple[str, Assessment, Scenario | None]]:
    out, seen = [], set()
    for i, item in enumerate(results):
        name, result = item if isinstance(item, tuple) else (None, item)
        if not isinstance(result, Assessment):
            raise TypeError(f"résultat {i + 1} : une évaluation (analysis.assess ou scenarios.run) est attendue")
        scenario = getattr(result, "scenario", None)
        name = name or (scenario.name if scenario is not None else BASE_SCENARIO_NAME)
        unique, n = name, 2
        while unique in seen:
            unique, n = f"{name} ({n})", n + 1
        seen.add(unique)
        out.append((unique, result, scenario))
    return out


def exposure_rows(name: str, result: Assessment, share: float) -> list[dict]:
    """CLS exposure of one result: per axis and year, per year, per axis over all years, in total."""
    cls = result.consumption[result.consumption["convention"] == CLS.code]
    projected = set(getattr(result, "projected_years", ()))
    factor = Decimal(repr(float(share)))
    reduction = [cents(factor * a) if k == "reduction_n1" else ZERO for a, k in zip(cls["amount_at_risk"], cls["risk_kind"])]
    cls = cls.assign(_reduction=reduction)

    def row(group, axis, year):
        return {"scenario": name, "convention": CLS.code, "axis": axis, "year": year,
                "amount_at_risk": money_total(group["amount_at_risk"]),
                "amount_under_review": money_total(group["amount_under_review"]),
                "reduction_estimate": money_total(group["_reduction"]), "projected": year in projected if year else None}

    axes = sorted({str(a) for a in cls["axis"]}, key=lambda a: (len(a), a))
    years = sorted({int(y) for y in cls["year"]})
    rows = []
    for year in years:
        of_year = cls[cls["year"] == year]
        rows += [row(of_year[of_year["axis"].astype(str) == axis], axis, year) for axis in axes] + [row(of_year, None, year)]
    if years:
        period = result.position_over(years[0], years[-1])
        rows += [_period_row(name, cls, period, axis, factor) for axis in axes] + [_period_row(name, cls, period, None, factor)]
    return rows


def _period_row(name: str, cls: pd.DataFrame, period: pd.DataFrame, axis, factor: Decimal) -> dict:
    """All the years of one axis (or all axes): each euro once (H45, :meth:`analysis.Assessment.position_over`);
    the reduction estimate, at most the reduced share of what is exposed over the period."""
    own = period if axis is None else period[period["axis"].astype(str) == axis]
    years = cls if axis is None else cls[cls["axis"].astype(str) == axis]
    at_risk = money_total(own["amount_at_risk"])
    reduction = min(money_total(years["_reduction"]), cents(factor * at_risk))
    return {"scenario": name, "convention": CLS.code, "axis": axis, "year": None, "amount_at_risk": at_risk,
            "amount_under_review": money_total(own["amount_under_review"]), "reduction_estimate": reduction,
            "projected": None}


def _flag_rows(named) -> list[dict]:
    """Rows of the action-years present in every result whose flag or exposure is not the same in all
    (a projected year is compared only between results that project it)."""
    tables = []
    for name, result, _ in named:
        c = result.consumption[result.consumption["convention"] == CLS.code]
        projected = set(getattr(result, "projected_years", ()))
        tables.append((name, {(a, int(y)): (ax, f, r, v, int(y) in projected) for ax, a, y, f, r, v in zip(
            c["axis"], c["action"], c["year"], c["flag"], c["amount_at_risk"], c["amount_under_review"])}))
    keys = sorted({k for _, t in tables for k in t}, key=lambda k: (k[1], action_key(k[0])))
    rows = []
    for action, year in keys:
        values = [t.get((action, year)) for _, t in tables]
        if any(v is None for v in values) or len({v[1:4] for v in values}) == 1:
            continue
        for (name, _), (axis, flag, at_risk, review, projected) in zip(tables, values):
            rows.append({"scenario": name, "convention": CLS.code, "axis": str(axis), "action": action, "year": year,
                         "flag": flag, "amount_at_risk": at_risk, "amount_under_review": review, "projected": projected})
    return rows


def _settlement_rows(named) -> list[dict]:
    rows = []
    for name, result, _ in named:
        s = result.settlement
        total = s[s["row_type"] == "total"] if not s.empty else s
        if len(total):
            t = total.iloc[0]
            rows.append({"scenario": name, **{c: t[c] for c in SETTLEMENT_COLUMNS[1:]}})
    return rows


def _status_rows(named) -> list[dict]:
    frames = [result.achievement.set_index(["indicator_id", "year"]) for _, result, _ in named]
    differs = pd.Series(False, index=frames[0].index)
    for frame in frames[1:]:
        other = frame["status"].reindex(differs.index)
        differs |= other.ne(frames[0]["status"])
    keys = list(differs[differs].index)
    rows = []
    for (name, _, _), frame in zip(named, frames):
        for key in keys:
            r = frame.loc[key] if key in frame.index else None
            rows.append({"scenario": name, "convention": frames[0].at[key, "convention"], "action": frames[0].at[key, "action"],
                         "indicator_id": key[0], "label": frames[0].at[key, "label"], "year": key[1],
                         "attainment": None if r is None else r["attainment"], "status": None if r is None else r["status"]})
    return rows


def compare(*results) -> Comparison:
    """Results side by side: the first is the reference (see :class:`Comparison`). Each argument is an
    assessment or a ``(name, assessment)`` pair; a scenario's result is named after its scenario, a plain
    :func:`analysis.assess` result « Base »; names are made unique."""
    if not results:
        raise ValueError("rien à comparer : au moins un résultat est attendu")
    named = _named(results)
    exposure = []
    for name, result, scenario in named:
        exposure += exposure_rows(name, result, setting(scenario or Scenario(), "reduction_share"))
    return Comparison(
        names=tuple(n for n, _, _ in named),
        scenarios=tuple(s for _, _, s in named),
        exposure=pd.DataFrame(exposure, columns=EXPOSURE_COLUMNS).astype({"year": "Int64"}),
        flags=pd.DataFrame(_flag_rows(named), columns=FLAG_COLUMNS).astype({"year": "Int64"}),
        settlement=pd.DataFrame(_settlement_rows(named), columns=SETTLEMENT_COLUMNS),
        statuses=pd.DataFrame(_status_rows(named), columns=STATUS_COLUMNS).astype({"year": "Int64"}),
    )


#: Columns of :func:`threshold_sensitivity`.
SENSITIVITY_COLUMNS = ["threshold", "conforme", "a_surveiller", "justification_a_apprecier", "sous_consommation_manifeste",
                       "amount_at_risk", "amount_under_review"]


def threshold_sensitivity(runner, thresholds) -> pd.DataFrame:
    """The CLS under each threshold of manifest under-consumption (H15), every other rule as the register
    says, through the scenario engine (the same rules as :func:`analysis.assess`): per threshold, the
    action-years per flag and the amounts exposed and to be assessed by the State over the years loaded, each
    euro once (H45).

    A threshold above the bound of conformity (1 − tolerance, H16) is refused by the scenario's checks.
    """
    rows = []
    for threshold in thresholds:
        result = runner.run(Scenario(name="Sensibilité au seuil", threshold=float(threshold)))
        cls = result.consumption[result.consumption["convention"] == CLS.code]
        flags = cls["flag"].value_counts()
        period = result.position_over(int(cls["year"].min()), int(cls["year"].max()))
        rows.append({"threshold": float(threshold), **{f: int(flags.get(f, 0)) for f in SENSITIVITY_COLUMNS[1:5]},
                     "amount_at_risk": money_total(period["amount_at_risk"]),
                     "amount_under_review": money_total(period["amount_under_review"])})
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS).astype({"amount_at_risk": object, "amount_under_review": object})
