"""Cell values typed by analysts (numbers may be French text) parsed strictly, and quoted in messages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from analysis.formatting import format_eur, format_number
from analysis.workbooks.layout import GAP_REASONS, MONEY_KINDS, Column

CENT = Decimal("0.01")


# --------------------------------------------------------------------------------------------------
# Parsing cell values (numbers may be typed as French text)
# --------------------------------------------------------------------------------------------------

_SPACE = "[ \u00a0\u202f\u2009]"
_FRENCH = re.compile(r"^\d{1,3}(?: \d{3})+(?:,\d+)?$|^\d+(?:,\d+)?$")
_DOT_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_DOT_DECIMAL = re.compile(r"^\d+\.\d+$|^\d{1,3}(?: \d{3})+\.\d+$")
_AMBIGUOUS = re.compile(r"^\d{1,3}\.\d{3}$")


class CellError(Exception):
    """A cell value that cannot be accepted; the message is the French reason."""


def parse_text_number(text: str, *, allow_percent: bool, allow_euro: bool) -> tuple[Decimal, bool]:
    """'618 000,00 €' -> (Decimal('618000.00'), False); '12,5 %' -> (Decimal('12.5'), True)."""
    s = re.sub(_SPACE + "+", " ", text.strip())
    percent = euro = False
    if s.endswith("%"):
        percent, s = True, s[:-1].strip()
    if s.endswith("€"):
        euro, s = True, s[:-1].strip()
    elif s.upper().endswith("EUR"):
        euro, s = True, s[:-3].strip()
    negative = False
    if s[:1] in ("-", "\u2212"):
        negative, s = True, s[1:].strip()
    elif s[:1] == "+":
        s = s[1:].strip()
    if _FRENCH.match(s):
        number = s.replace(" ", "").replace(",", ".")
    elif _DOT_THOUSANDS.match(s) and not _AMBIGUOUS.match(s):
        number = s.replace(".", "").replace(",", ".")
    elif _AMBIGUOUS.match(s):
        raise CellError("nombre ambigu (point des milliers ou décimal ?) : écrire « 1 234 » ou « 1,234 »")
    elif _DOT_DECIMAL.match(s):
        number = s.replace(" ", "")
    else:
        raise CellError("nombre attendu (ex. 618 000,00)")
    if percent and not allow_percent:
        raise CellError("pourcentage inattendu : un montant en euros est attendu")
    if euro and not allow_euro:
        raise CellError("montant en euros inattendu : un nombre sans unité est attendu")
    value = Decimal(number)
    return (-value if negative else value), percent


def _raw_number(value, *, allow_percent: bool, allow_euro: bool) -> tuple[Decimal | None, bool]:
    if value is None:
        return None, False
    if isinstance(value, bool):
        raise CellError("nombre attendu (valeur logique VRAI/FAUX trouvée)")
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time, datetime.timedelta)):
        raise CellError("nombre attendu (date ou heure trouvée)")
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise CellError("nombre attendu")
        return (Decimal(repr(value)) if isinstance(value, float) else Decimal(value)), False
    if isinstance(value, str):
        if value.strip() == "":
            return None, False
        if value.startswith("="):
            raise CellError("formule dans une cellule de saisie : saisir une valeur (coller en valeurs)")
        if value.startswith("#"):
            raise CellError("nombre attendu (erreur du tableur trouvée)")
        return parse_text_number(value, allow_percent=allow_percent, allow_euro=allow_euro)
    raise CellError("nombre attendu")


def _non_negative(value, reason: str, *, allow_percent: bool, allow_euro: bool) -> Decimal | None:
    number, _ = _raw_number(value, allow_percent=allow_percent, allow_euro=allow_euro)
    if number is not None and number < 0:
        raise CellError(reason)
    return number


def _parse_money(value) -> Decimal | None:
    number = _non_negative(value, "montant négatif interdit", allow_percent=False, allow_euro=True)
    if number is None:
        return None
    rounded = number.quantize(CENT)
    if abs(number - rounded) > Decimal("0.000001"):
        raise CellError("montant au centime près attendu (deux décimales au plus)")
    return rounded


def _parse_indicator(value) -> float | None:
    number = _non_negative(value, "valeur négative interdite", allow_percent=True, allow_euro=False)
    return None if number is None else float(number)


def _parse_rate(value) -> float | None:
    number, percent = _raw_number(value, allow_percent=True, allow_euro=False)
    if number is None:
        return None
    if percent:
        number = number / 100
    if number < 0 or number > 1:
        raise CellError("taux attendu entre 0 % et 100 % (ex. 50 % ou 0,5)")
    return float(number)


def _parse_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value.startswith("="):
        raise CellError("formule dans une cellule de saisie : saisir du texte")
    if isinstance(value, bool):
        value = "VRAI" if value else "FAUX"
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    text = str(value).strip()
    if len(text) > 2000:
        raise CellError("texte trop long (2 000 caractères au plus)")
    return text or None


def _parse_choice(value) -> str | None:
    text = _parse_text(value)
    if text is None:
        return None
    if text not in GAP_REASONS:
        raise CellError("motif hors de la liste (choisir : " + " ; ".join(GAP_REASONS) + ")")
    return text


#: Parser of each input kind: raw cell value -> parsed value (or None when blank); raises CellError.
PARSERS = {"money": _parse_money, "number": _parse_indicator, "rate": _parse_rate, "text": _parse_text,
            "choice": _parse_choice}


def plain_number(value) -> str:
    """A number in French without forced decimals: 1234.5 -> '1 234,5'."""
    d = value if isinstance(value, Decimal) else Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    exponent = d.normalize().as_tuple().exponent
    decimals = min(max(0, -exponent), 6) if isinstance(exponent, int) else 0
    return format_number(d, decimals)


def show_value(value) -> str | None:
    """How a cell value is quoted in a message."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, (int, float, Decimal)):
        return plain_number(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def show_expected(value, column: Column) -> str:
    """How the expected content of a locked cell is quoted in a message."""
    if value is None:
        return "vide"
    if isinstance(value, str):
        return value
    if column.kind in MONEY_KINDS:
        return format_eur(value)
    return plain_number(value)
