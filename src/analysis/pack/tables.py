"""The CLS financial tables in the layouts the contract prints, filled from the execution workbooks.

- :func:`annex11` — « Exécution budgétaire {n} à fournir au bilan » (Annexe 11, l. 4750-4811): credits
  paid, A State executed, B State unconsumed, C Département executed, total (A+C), amounts carried to n+1
  (State and Département shares), one row per action, a « Sous total » per axis and the « TOTAUX
  FINANCIERS »; filled from the year's workbook.
- :func:`table_a_to_m` — the table of year n with its columns A to M (printed for 2025, l. 4955-5235): A-E
  and the total executed of year n-1 (its workbook), F-G the carry-overs to n, H the State participation
  notified for n (the avenant sheet of the n-1 workbook, else the credits paid in the n workbook, else the
  contract), I = F + H, J and L planned for n, K = G + J (printed « G+I », S01), M = I + K + L (H43).
- :func:`indicator_matrix` — the Annexe 10 matrix (l. 5240-5385): theme, indicator, situation at 31/12/2023,
  then the local target, the result and its status for each year.

Every table is a DataFrame with French headers whose money cells are exact Decimals (None when not
reported, never 0), ready for :func:`analysis.pack.export.write_pack`. ``row_type`` tells the export which
rows are sub-totals and totals (it is not written).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from analysis.assumptions import default
from analysis.domain import ACHIEVEMENT_STATUS_LABELS, CLS
from analysis.money import ZERO, total_or_none

ROW_TYPE = "row_type"
AXIS_HEADER, ACTION_HEADER, TITLE_HEADER = "Axes de la contractualisation", "Fiche action N°", "Intitulé de l'action"
SUBTOTAL_LABEL, TOTAL_LABEL = "Sous total", "TOTAUX FINANCIERS"


def minus(a, b) -> Decimal | None:
    return None if a is None else a - (b or ZERO)


class Amounts:
    """The amounts of one convention, by (action, year, quantity, funder): the workbooks' lines and the
    contract's planned lines (quantity 'planned', summed over the sub-funders)."""

    def __init__(self, contract, execution, convention: str):
        self.values: dict[tuple, Decimal] = {}
        b = execution.budget
        b = b[(b["convention"] == convention) & (b["row_type"] == "line") & b["action"].notna()]
        for action, year, quantity, funder, phase, amount in zip(b["action"], b["year"], b["quantity"], b["funder"], b["phase"],
                                                                   b["amount_eur"]):
            key = (str(action), int(year), "notified" if phase == "adjusted" else str(quantity), str(funder))
            self.values[key] = self.values.get(key, ZERO) + amount
        planned = contract.planned_budget(convention)
        for action, year, funder, amount in zip(planned["action"], planned["year"], planned["funder"], planned["amount_eur"]):
            key = (str(action), int(year), "planned", str(funder))
            self.values[key] = self.values.get(key, ZERO) + amount
        reported = execution.workbooks[execution.workbooks["convention"] == convention]
        self.years = {int(y) for y in reported["year"]}

    def get(self, action: str, year: int, quantity: str, funder: str = "etat") -> Decimal | None:
        return self.values.get((action, year, quantity, funder))


def action_rows(contract, convention: str) -> list[tuple]:
    """(axis, axis label, action, title) of each action of the convention, in the contract's order."""
    acts = contract.actions[contract.actions["convention"] == convention]
    return [(str(x), str(lbl), str(a), t if isinstance(t, str) and t.strip() else "(intitulé non imprimé)")
            for x, lbl, a, t in zip(acts["axis"], acts["axis_label"], acts["action"], acts["title"])]


def _scope(members: list[dict], reported: str | None) -> str | None:
    """What a (sub-)total runs over when some actions are not reported: « hors 3.4 (non renseignée) »."""
    if reported is None:
        return None
    blank = [r[ACTION_HEADER] for r in members if r.get(reported) is None]
    if not blank:
        return None
    return f"réalisé hors {', '.join(blank)} (non renseignée{'s' if len(blank) > 1 else ''})"


def with_subtotals(rows: list[dict], money: list[str], axis_key: str = "_axis", reported: str | None = None) -> pd.DataFrame:
    """Action rows grouped by axis, each group followed by its « Sous total », then « TOTAUX FINANCIERS ».

    A blank is never a zero: a (sub-)total adds the amounts reported; with ``reported`` (the column whose blank
    says an action-year is not reported), its title cell says which actions it leaves out."""
    out, groups = [], {}
    for row in rows:
        groups.setdefault(row[axis_key], []).append(row)
    for members in groups.values():
        out += [{**r, ROW_TYPE: "line"} for r in members]
        out.append({AXIS_HEADER: members[0][AXIS_HEADER], ACTION_HEADER: SUBTOTAL_LABEL, TITLE_HEADER: _scope(members, reported),
                    ROW_TYPE: "subtotal", **{m: total_or_none(r[m] for r in members) for m in money}})
    lines = [r for r in out if r[ROW_TYPE] == "line"]
    out.append({ACTION_HEADER: TOTAL_LABEL, TITLE_HEADER: _scope(lines, reported), ROW_TYPE: "total",
                **{m: total_or_none(r[m] for r in lines) for m in money}})
    frame = pd.DataFrame(out).drop(columns=[axis_key], errors="ignore")
    return frame.astype({m: object for m in money})


def annex11_columns(year: int) -> list[str]:
    """The money columns of the Annexe 11 layout for ``year``, as printed (with the year); after the contract's
    first year, the credits carried in from the year before and the credits available (the 2025 table's
    I = F + H, l. 5053), so that B = available − A accounts for every euro."""
    carried = [f"Report reçu de {year - 1} - Part État", f"Crédits État disponibles en {year} (versés + report)"]
    return [f"Crédits État versés en {year}", *(carried if year > CLS.start.year else []),
            f"A — Montant État réalisé au 31/12/{year}",
            f"B — Crédits État {'disponibles' if year > CLS.start.year else str(year)} non consommés en {year}",
            f"C — Montant CD réalisé au 31/12/{year}",
            f"Montant total réalisé au 31/12/{year} (A+C)", f"Montant à reporter en {year + 1} - Part État",
            f"Montant à reporter en {year + 1} - Part CD"]


def annex11(contract, execution, assessment, year: int) -> pd.DataFrame:
    """« Exécution budgétaire {year} à fournir au bilan » (Annexe 11), filled from the year's CLS workbook and the
    assessment (credits available = paid + carried in, H20; B = available − A). An action-year not reported
    (no amount executed) is blank in every column but the credits, never a zero, and the (sub-)totals say so."""
    amounts = Amounts(contract, execution, CLS.code)
    c = assessment.consumption
    own = {r["action"]: r for r in c[(c["convention"] == CLS.code) & (c["year"] == year)].to_dict("records")}
    money = annex11_columns(year)
    rows = []
    for axis, axis_label, action, title in action_rows(contract, CLS.code):
        row = own.get(action, {})
        executed = _known(row.get("executed_state"))
        reported = executed is not None
        cd = amounts.get(action, year, "executed", "departement") if reported else None
        carried = ([_known(row.get("carried_in_state")), _known(row.get("available_state"))]
                   if year > CLS.start.year else [])
        values = [_known(row.get("paid_state")), *carried, executed, _known(row.get("unconsumed_state")) if reported else None,
                  cd, total_or_none([executed, cd]) if reported else None,
                  amounts.get(action, year + 1, "carry_over") if reported else None,
                  amounts.get(action, year + 1, "carry_over", "departement") if reported else None]
        rows.append({"_axis": axis, AXIS_HEADER: f"Axe {axis} — {axis_label}", ACTION_HEADER: action, TITLE_HEADER: title,
                     **dict(zip(money, values))})
    return with_subtotals(rows, money, reported=money[len(money) - 6])


def _known(value):
    return None if value is None or value != value else value


_PILLAR = re.compile(r"pilier (\d)\b", re.IGNORECASE)


def chorus_imputations(contract) -> dict:
    """axis -> « code — label » of the State's budget line printed for it in art. 3 of the CLS (l. 415-431: one
    activity code per « pilier n », the axis n, as the amounts of l. 340-344 show), from ``imputations.csv``."""
    imp = contract.imputations
    own = imp[(imp["convention"] == CLS.code) & (imp["document"] == "cls_convention") & imp["label"].notna()]
    out = {}
    for code, label in zip(own["code"], own["label"]):
        pillar = _PILLAR.search(str(label))
        if pillar and isinstance(code, str):
            out[pillar.group(1)] = f"{code} — {label}"
    return out


def a_to_m_columns(year: int) -> list[str]:
    """The money columns of the A-M table of ``year`` (A-E: year - 1; F-M: ``year``), as printed."""
    before = year - 1
    return [f"A — Crédits État versés en {before}", f"B — Crédits État {before} non consommés",
            f"C — Crédits CD affectés en {before}", f"D — Crédits CD {before} non consommés",
            "E — Participation d'autres financeurs le cas échéant", f"Montant total réalisé au 31/12/{before}",
            f"F — Montant à reporter en {year} - Part État", f"G — Montant à reporter en {year} - Part CD",
            f"H — Participation État notifiée pour la convention {year}", f"I — Budget total État prévu pour {year} (F+H)",
            f"J — Crédits CD affectés pour la convention {year}", f"K — Budget total CD prévu pour {year} (G+J)",
            f"L — Participation d'autres financeurs le cas échéant pour {year}",
            f"M — Budget global de l'action prévu en {year} (I+K+L)"]


def notified(amounts: Amounts, action: str, year: int) -> Decimal | None:
    """H: the avenant's notified amount for ``year``, else the credits paid that year, else the contract's."""
    for quantity in ("notified", "paid", "planned"):
        value = amounts.get(action, year, quantity)
        if value is not None:
            return value
    return None


def _a_to_m_values(amounts: Amounts, action: str, year: int, reading: str) -> list:
    before = year - 1
    executed_cd = amounts.get(action, before, "executed", "departement")
    allocated_cd = amounts.get(action, before, "planned", "departement") if reading == "prevu_fiche" else executed_cd
    unconsumed_cd = None if allocated_cd is None else max(minus(allocated_cd, executed_cd), ZERO)
    executed = [amounts.get(action, before, "executed", f) for f in ("etat", "departement", "autre")]
    f_, g_ = amounts.get(action, year, "carry_over"), amounts.get(action, year, "carry_over", "departement")
    h_ = notified(amounts, action, year)
    j_, l_ = amounts.get(action, year, "planned", "departement"), amounts.get(action, year, "planned", "autre")
    i_, k_ = total_or_none([f_, h_]), total_or_none([g_, j_])
    return [amounts.get(action, before, "paid"), amounts.get(action, before, "unconsumed"), allocated_cd, unconsumed_cd,
            amounts.get(action, before, "executed", "autre"), total_or_none(executed), f_, g_, h_, i_, j_, k_, l_,
            total_or_none([i_, k_, l_])]


def table_a_to_m(contract, execution, year: int, reading: str | None = None) -> pd.DataFrame:
    """The CLS table of ``year`` with its columns A to M (see the module docstring; ``reading``: H43)."""
    reading = reading or default("cls_table_cd_allocated")
    if reading not in ("prevu_fiche", "realise"):
        raise ValueError(f"lecture des crédits CD affectés « {reading} » inconnue (prevu_fiche ou realise)")
    amounts = Amounts(contract, execution, CLS.code)
    money = a_to_m_columns(year)
    chorus = chorus_imputations(contract)
    rows = []
    for axis, axis_label, action, title in action_rows(contract, CLS.code):
        rows.append({"_axis": axis, AXIS_HEADER: f"Axe {axis} — {axis_label}", "Imputation chorus": chorus.get(axis),
                     ACTION_HEADER: action, TITLE_HEADER: title,
                     **dict(zip(money, _a_to_m_values(amounts, action, year, reading)))})
    return with_subtotals(rows, money)[[AXIS_HEADER, "Imputation chorus", ACTION_HEADER, TITLE_HEADER, *money, ROW_TYPE]]


# --------------------------------------------------------------------------------------------------
# Indicators: the Annexe 10 matrix
# --------------------------------------------------------------------------------------------------

_THEME_OPEN, _THEME_CLOSE = "Thématique : « ", " »"
_AXIS = re.compile(r"Axe (\d)")


def indicator_theme(notes) -> tuple[str | None, str | None]:
    """(axis, theme) of an Annexe 10 indicator, as the transcription records them in its notes (the theme found
    by plain search, in one pass whatever the notes hold)."""
    if not isinstance(notes, str):
        return None, None
    axis, start = _AXIS.search(notes), notes.find(_THEME_OPEN)
    end = notes.find(_THEME_CLOSE, start + len(_THEME_OPEN)) if start >= 0 else -1
    theme = notes[start + len(_THEME_OPEN):end] if end > start + len(_THEME_OPEN) else None
    return (axis.group(1) if axis else None), theme


#: The status cell of a fiche indicator counted as the indicator above it (H29): graded once, there.
COUNTED_ABOVE = "compté ci-dessus"


def matrix_columns(years: list[int]) -> list[str]:
    return [c for y in years for c in (f"Cible locale en {y}", f"Résultat atteint en {y}", f"Statut {y}")]


def indicator_matrix(contract, achievement: pd.DataFrame, years: list[int], table: str | None = "cls_annexe10",
                     convention: str = CLS.code, shares: pd.DataFrame | None = None,
                     links: tuple = ("part", "copie")) -> pd.DataFrame:
    """Targets and results in the Annexe 10 layout: one row per indicator of the contract's ``table`` (the 15
    national indicators of Annexe 10 by default; None for every indicator of the convention) that
    ``achievement`` counts (each indicator once, H29), its unit as printed, then for each year the local
    target, the result (empty when not reported) and its status. Under an indicator, ``shares`` (the
    assessment's :attr:`~analysis.assessment.Assessment.indicator_shares`) adds a row per fiche indicator
    counted as it — a fiche's share of a national indicator ('part'), or the same indicator repeated by a
    fiche ('copie'), as ``links`` keeps — with its own target and result but no status: it is not counted
    again."""
    counted = set(achievement["indicator_id"])
    ind = contract.indicators
    ind = ind[(ind["convention"] == convention) & ind["indicator_id"].isin(counted)]
    if table is not None:
        ind = ind[ind["table"] == table]
    shares = shares if shares is not None else pd.DataFrame(columns=["indicator_id", "year", "counted_as", "link"])
    rows_of = {(i, int(y)): r for frame in (achievement, shares)
               for i, y, r in zip(frame["indicator_id"], frame["year"], frame.to_dict("records"))}
    under = {}
    linked = shares[["indicator_id", "counted_as", "link"]].drop_duplicates("indicator_id")
    for ident, counted_as, link in linked.itertuples(index=False):
        if link in links:
            under.setdefault(counted_as, []).append((ident, link))
    fiche = contract.indicators.set_index("indicator_id")
    out = []
    for ident, action, label, unit, notes, printed in zip(ind["indicator_id"], ind["action"], ind["label"], ind["unit"],
                                                          ind["notes"], ind["table"]):
        axis, theme = indicator_theme(notes) if printed == "cls_annexe10" else (None, None)
        out.append(_matrix_row(rows_of, years, ident, action, label, unit, axis, theme, with_status=True))
        for part, link in under.get(ident, []):
            text = (f"dont la part de la fiche action {fiche.loc[part, 'action']}" if link == "part" else
                    f"repris par la fiche action {fiche.loc[part, 'action']} (même indicateur)")
            out.append(_matrix_row(rows_of, years, part, fiche.loc[part, "action"], text, fiche.loc[part, "unit"], axis, None,
                                   with_status=False))
    frame = pd.DataFrame(out)
    keep = [c for c in frame.columns if not (c in ("Thématique", "Axe") and frame[c].isna().all())
            and not (c == "Action" and frame[c].isna().all())]
    return frame[keep]


def _matrix_row(rows_of: dict, years: list[int], ident, action, label, unit, axis, theme, *, with_status: bool) -> dict:
    first = rows_of.get((ident, years[0]), {})
    row = {"Axe": axis, "Action": action if isinstance(action, str) else None, "Identifiant": ident,
           "Thématique": theme, "Indicateur": label, "Unité": unit if isinstance(unit, str) else None,
           "Situation au 31 déc. 2023": _number(first.get("baseline"))}
    for year in years:
        got = rows_of.get((ident, year), {})
        row.update({f"Cible locale en {year}": _number(got.get("target")),
                    f"Résultat atteint en {year}": _number(got.get("result")),
                    f"Statut {year}": ACHIEVEMENT_STATUS_LABELS.get(got.get("status"), "") if with_status else COUNTED_ABOVE})
    return row


def _number(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else value
