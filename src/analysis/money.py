"""Money exact to the cent: the cent, zero, the one rounding rule, exact sums, missing values.

Every amount of the library is a :class:`~decimal.Decimal` in euros. A computed amount (a share, a
prorata, a rate times credits) is rounded to the cent by :func:`cents`, always the same way: half up,
as a person rounds by hand and as a spreadsheet's ``ARRONDI`` does (register H44). A blank is never a
zero: :func:`total_or_none` keeps « not reported » apart from « reported as 0 ».
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import pandas as pd

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: The register's rounding readings (H44, ``money_rounding``) and the decimal module's modes.
ROUNDING_MODES = {"demi_superieur": ROUND_HALF_UP}


@cache
def rounding() -> str:
    """The rounding mode of :func:`cents` (register H44, ``money_rounding``)."""
    from analysis.assumptions import default

    return ROUNDING_MODES[default("money_rounding")]


def cents(value) -> Decimal:
    """``value`` rounded to the cent, half up (H44): ``cents(Decimal('0.125'))`` -> ``Decimal('0.13')``.

    A float is read through its shortest text (``0.1`` is 0.1, not its binary expansion).
    """
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(CENT, rounding=rounding())


def is_missing(value) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT`` (and False for containers such as tuples)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def known(values) -> list:
    """The values that are not missing."""
    return [v for v in values if not is_missing(v)]


def total(values) -> Decimal:
    """Exact sum of the known amounts (0,00 when none is known)."""
    return sum(known(values), ZERO)


def total_or_none(values) -> Decimal | None:
    """Exact sum of the known amounts; None when none is known (a blank is never a zero)."""
    present = known(values)
    return sum(present, ZERO) if present else None


def add(a, b) -> Decimal | None:
    """``a + b`` with a missing side left out; None when both are missing."""
    return total_or_none((a, b))
