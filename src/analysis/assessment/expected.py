"""The expected consumption of each action and year: the trajectory against which a shortfall is judged.

CLS art. 2.2 (l. 331-335) excludes from a reduction the under-consumption that is linked to « la
trajectoire de montée en charge prévue », but prints no trajectory. By default an action is expected to
consume 100 % of its available credits (source 'contrat'). Where the fiches print a start inside the year
(« dès la signature », « 2ème trimestre 2024 »…), the expected rate is the share of the year each
sub-action is active, weighted by the sub-actions' amounts normalised to the fiche's annual budget
(source 'dates_fiches', H17; « dès la signature » is the signature date H03; a start printed without a
day reads as H18 says). A rate declared in the workbook overrides both (source 'declaree', H19).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from fractions import Fraction

import pandas as pd

from analysis.assessment.parameters import Parameters
from analysis.domain import CONVENTIONS
from analysis.money import is_missing as missing

EXPECTED_COLUMNS = ["convention", "action", "year", "expected_rate", "expected_rate_source"]
#: « … trimestre 2024 »: a literal first (the regular expression engine finds it by a fast scan), the quarter's
#: number read before it by plain string operations (:func:`quarter_of`).
_QUARTER = re.compile(r"trimestre\s*+([0-9]{4})")
_ORDINALS = ("ème", "eme", "er", "e")


def _period_start(first: date, last: date, reading: str) -> date:
    """The first day of a period, or its middle (H18)."""
    return first if reading == "debut" else first + (last - first) / 2


def start_date(text, contract_start: date, signature: date, reading: str = "debut") -> date:
    """The start of a sub-action from its printed text (ISO date, ``AAAA-MM``, ``AAAA``, « 2ème trimestre
    2024 », « dès la signature… »); no text: the start of the contract. ``reading`` (H18, 'debut' or
    'milieu') places a start printed without a day. French ``ValueError`` when unreadable."""
    if missing(text) or not str(text).strip():
        return contract_start
    text = str(text).strip()
    if "signature" in text.lower():
        return signature
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        return _period_start(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), reading)
    quarter = quarter_of(text)
    if quarter:
        q, year = quarter
        first = date(year, 3 * q - 2, 1)
        last = date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
        return _period_start(first, last, reading)
    bare = text.lower().removeprefix("année").strip()
    if len(bare) == 4 and bare.isascii() and bare.isdigit():
        y = int(bare)
        return _period_start(date(y, 1, 1), date(y, 12, 31), reading)
    raise ValueError(f"date de démarrage illisible : « {text} »")


def quarter_of(text: str) -> tuple[int, int] | None:
    """(quarter, year) of « 2ème trimestre 2024 », « 1er trimestre 2025 »; None when the text says no quarter."""
    found = _QUARTER.search(text.lower())
    if not found:
        return None
    head = text[:found.start()].rstrip()
    for ordinal in _ORDINALS:
        if head.lower().endswith(ordinal):
            head = head[:-len(ordinal)].rstrip()
            break
    number = head[-1:]
    return (int(number), int(found.group(1))) if number in ("1", "2", "3", "4") and number else None


def end_date(start: date, duration_months, contract_end: date) -> date:
    """Last active day: ``duration_months`` after ``start`` when printed, else the end of the contract."""
    if missing(duration_months):
        return contract_end
    months = start.month - 1 + int(duration_months)
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return min(date(year, month, day) - timedelta(days=1), contract_end)


def active_share(start: date, end: date, year: int) -> Fraction:
    """Share of ``year`` between ``start`` and ``end`` (both included), to the day."""
    first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
    days = 366 if calendar.isleap(year) else 365
    return Fraction(max((last - first).days + 1, 0), days)


def weighted_share(subs: list[tuple], year: int) -> Fraction:
    """Share of ``year`` an action is active: its sub-actions' shares weighted by their amounts (normalised
    to their sum, i.e. to the fiche's annual budget); equal weights when no amount is printed."""
    weights = [Fraction(str(a)) if not missing(a) else Fraction(0) for _, _, a in subs]
    if sum(weights) == 0:
        weights = [Fraction(1)] * len(subs)
    total = sum(weights)
    return sum(w * active_share(s, e, year) for w, (s, e, _) in zip(weights, subs)) / total


def expected_rates(contract, params: Parameters) -> pd.DataFrame:
    """Expected rate and its source per convention, action and year of the contract (H17, H18, H03).

    'contrat' (1.0) when every sub-action is active the whole year or the method is 'contrat';
    'dates_fiches' otherwise, rounded to 4 decimals.
    """
    rows = []
    subs = contract.sub_actions
    for code, convention in CONVENTIONS.items():
        own = subs[subs["convention"] == code]
        for action, group in own.groupby("action", sort=True):
            periods = []
            for text, months, amount in zip(group["start"], group["duration_months"], group["amount_eur"]):
                start = start_date(text, convention.start, params.signature_date, params.start_without_day)
                periods.append((start, end_date(start, months, convention.end), amount))
            for year in convention.years:
                share = weighted_share(periods, year) if params.expected_rate_method == "dates_fiches" else Fraction(1)
                source = "contrat" if share == 1 else "dates_fiches"
                rows.append((code, action, year, round(float(share), 4), source))
    return pd.DataFrame(rows, columns=EXPECTED_COLUMNS)


def apply_declared(expected: dict, ledger: pd.DataFrame, overrides: bool) -> list[tuple[float, str]]:
    """(expected rate, source) for each ledger row: the declared ramp-up when there is one and ``overrides``
    (H19), else the contract's trajectory from ``expected`` ((convention, action, year) -> (rate, source)),
    else 100 % from the contract."""
    out = []
    for convention, action, year, declared in ledger[["convention", "action", "year", "declared_rate"]].itertuples(index=False):
        if overrides and not missing(declared):
            out.append((float(declared), "declaree"))
        else:
            out.append(expected.get((convention, action, int(year)), (1.0, "contrat")))
    return out
