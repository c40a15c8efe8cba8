"""Cell values typed by analysts (numbers may be French text) parsed strictly, and quoted in messages.

Rules that protect the figures (see the README, « Sécurité des fichiers »):

- a formula is never accepted in an input cell, nor text that a spreadsheet would turn into one: ``=``
  behind leading blanks (space, tab, line break, no-break space, invisible characters) is refused;
  every other text is kept exactly as typed;
- a number must be finite and plausible: beyond 10^12 (assumption H30) it is refused with its cell;
  ``-0`` is zero; only the ASCII digits 0-9 make a number (« ١٢ » or « １２ » are refused, not read as 12);
- the length of a text is checked before anything else looks at it (a number typed as text has at most
  :data:`MAX_NUMBER_TEXT` characters, a text :data:`MAX_TEXT`, a date :data:`MAX_DATE_TEXT`), and no
  pattern has ambiguous repetition: the cost of parsing a cell is bounded whatever it holds;
- a percentage indicator is read in percent points whatever the storage (assumption H34): the text
  « 85 % », the number 85 and the number 0.85 shown as a percentage all give 85; a percentage typed or
  formatted for an indicator of another unit is refused.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from analysis.assumptions import default
from analysis.formatting import format_eur, format_number
from analysis.money import cents
from analysis.workbooks.layout import GAP_REASONS, MONEY_KINDS, Column

#: Numbers beyond this are refused as implausible (H30).
CEILING = Decimal(default("implausible_value_ceiling"))
#: Units of an indicator measured in percent (compared in lower case, without blanks at the ends).
PERCENT_UNITS = {"%", "pourcentage", "pourcentages", "pour cent", "pourcent", "taux", "taux (%)", "points de pourcentage"}
#: Longest text accepted in a text input cell.
MAX_TEXT = 2000
#: Longest number typed as text (« 1 000 000 000 000,00 € » has 22 characters).
MAX_NUMBER_TEXT = 64
#: Longest date typed as text (« 15/03/2024 » has 10 characters).
MAX_DATE_TEXT = 32


# --------------------------------------------------------------------------------------------------
# What a cell holds
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Damaged:
    """A value the file stores in a form no spreadsheet program writes (``text`` as stored)."""

    text: str
    reason: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class CellContent:
    """One cell as read from the file.

    ``value``: None, str, int, float, bool, a date or :class:`Damaged`; for a formula cell, the result a
    spreadsheet program cached (None when none was). ``formula``: the formula (``'=SUM(H5:H8)'``) or
    None. ``array``: an array or data-table formula. ``percent``: the number format shows a percentage.
    """

    value: object = None
    formula: str | None = None
    array: bool = False
    percent: bool = False

    @property
    def content(self):
        """What a person sees typed in the cell: the formula, else the value."""
        return self.formula if self.formula is not None else self.value


EMPTY = CellContent()


class CellError(Exception):
    """A cell value that cannot be accepted; the message is the French reason."""


# --------------------------------------------------------------------------------------------------
# Text that would become a formula
# --------------------------------------------------------------------------------------------------

_BLANK_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}
_BLANKS = re.compile(r"\s+")


def formula_attempt(text: str) -> int | None:
    """Where text would become a formula: the index of its ``=`` (0: none hidden), or None.

    Leading blanks (white space, no-break and invisible characters) are skipped; full-width and small
    equals signs count as ``=``.
    """
    for i, ch in enumerate(text):
        if ch.isspace() or unicodedata.category(ch) in _BLANK_CATEGORIES:
            continue
        return i if unicodedata.normalize("NFKC", ch) == "=" else None
    return None


def _refuse_formula_text(text: str, wanted: str) -> None:
    where = formula_attempt(text)
    if where == 0:
        raise CellError(f"formule dans une cellule de saisie : saisir {wanted}")
    if where is not None:
        raise CellError("formule dissimulée derrière des blancs (« = » précédé d'espaces ou de caractères invisibles) : "
                        f"une formule n'est jamais acceptée dans une cellule de saisie ; saisir {wanted}")


# --------------------------------------------------------------------------------------------------
# Parsing cell values (numbers may be typed as French text)
# --------------------------------------------------------------------------------------------------

# Numbers typed as text: ASCII digits only, matched whole (``fullmatch``), each without ambiguous repetition and
# anchored (``\A``), so that no way of running them can take more than linear time.
_SPACES = re.compile("[ \u00a0\u202f\u2009]+")
_FRENCH = re.compile(r"\A(?:[0-9]{1,3}(?: [0-9]{3})+(?:,[0-9]+)?|[0-9]+(?:,[0-9]+)?)")
_DOT_THOUSANDS = re.compile(r"\A[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?")
_DOT_DECIMAL = re.compile(r"\A(?:[0-9]+\.[0-9]+|[0-9]{1,3}(?: [0-9]{3})+\.[0-9]+)")
_AMBIGUOUS = re.compile(r"\A[0-9]{1,3}\.[0-9]{3}")


def _number_text(s: str) -> str:
    """The digits of a French or dotted number as Python reads them ('618 000,50' -> '618000.50')."""
    if _FRENCH.fullmatch(s):
        return s.replace(" ", "").replace(",", ".")
    if _DOT_THOUSANDS.fullmatch(s) and not _AMBIGUOUS.fullmatch(s):
        return s.replace(".", "").replace(",", ".")
    if _AMBIGUOUS.fullmatch(s):
        raise CellError("nombre ambigu (point des milliers ou décimal ?) : écrire « 1 234 » ou « 1,234 »")
    if _DOT_DECIMAL.fullmatch(s):
        return s.replace(" ", "")
    raise CellError("nombre attendu (ex. 618 000,00)")


def _too_long_for_a_number(text: str) -> str:
    return f"nombre attendu (texte de {format_number(len(text), 0)} caractères ; un nombre en compte {MAX_NUMBER_TEXT} au plus)"


def parse_text_number(text: str, *, allow_percent: bool, allow_euro: bool) -> tuple[Decimal, bool]:
    """'618 000,00 €' -> (Decimal('618000.00'), False); '12,5 %' -> (Decimal('12.5'), True)."""
    if len(text) > MAX_NUMBER_TEXT:
        raise CellError(_too_long_for_a_number(text))
    s = _SPACES.sub(" ", text.strip())
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
    number = _number_text(s)
    if percent and not allow_percent:
        raise CellError("pourcentage inattendu : un montant en euros est attendu")
    if euro and not allow_euro:
        raise CellError("montant en euros inattendu : un nombre sans unité est attendu")
    value = Decimal(number)
    return (-value if negative else value), percent


def _stored_number(value) -> Decimal:
    """A number stored in the file as an exact Decimal; infinite or undefined numbers are refused."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise CellError("nombre hors limites (infini ou indéfini) : saisir un nombre")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _raw_number(value, *, allow_percent: bool, allow_euro: bool) -> tuple[Decimal | None, bool]:
    """(number, typed with %), or (None, False) for a blank cell; -0 is returned as 0."""
    if value is None:
        return None, False
    if isinstance(value, Damaged):
        raise CellError(value.reason)
    if isinstance(value, bool):
        raise CellError("nombre attendu (valeur logique VRAI/FAUX trouvée)")
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time, datetime.timedelta)):
        raise CellError("nombre attendu (date ou heure trouvée)")
    if isinstance(value, (int, float, Decimal)):
        number, percent = _stored_number(value), False
    elif isinstance(value, str):
        if value.strip() == "":
            return None, False
        if len(value) > MAX_NUMBER_TEXT:  # the length first: nothing else runs on a long text
            raise CellError(_too_long_for_a_number(value))
        _refuse_formula_text(value, "une valeur (coller en valeurs)")
        if value.strip().startswith("#"):
            raise CellError("nombre attendu (erreur du tableur trouvée)")
        number, percent = parse_text_number(value, allow_percent=allow_percent, allow_euro=allow_euro)
    else:
        raise CellError("nombre attendu")
    return (number.copy_abs() if number.is_zero() else number), percent


def _plausible(number: Decimal, what: str) -> Decimal:
    if number.copy_abs() > CEILING:
        raise CellError(f"{what} invraisemblable (au-delà de {format_number(CEILING, 0)}) : vérifier la saisie")
    return number


def _non_negative(value, reason: str, what: str, *, allow_percent: bool, allow_euro: bool) -> tuple[Decimal | None, bool]:
    number, percent = _raw_number(value, allow_percent=allow_percent, allow_euro=allow_euro)
    if number is not None:
        _plausible(number, what)
        if number < 0:
            raise CellError(reason)
    return number, percent


def _parse_money(value) -> Decimal | None:
    number, _ = _non_negative(value, "montant négatif interdit", "montant", allow_percent=False, allow_euro=True)
    if number is None:
        return None
    rounded = cents(number)
    if abs(number - rounded) > Decimal("0.000001"):
        raise CellError("montant au centime près attendu (deux décimales au plus)")
    return rounded


def is_percent_unit(unit) -> bool:
    """Whether an indicator's unit is a percentage (H34)."""
    return isinstance(unit, str) and unit.strip().lower() in PERCENT_UNITS


def _parse_indicator(value, percent_format: bool = False, unit=None) -> float | None:
    """An indicator's result; percentage units in percent points however stored (H34)."""
    number, typed = _non_negative(value, "valeur négative interdite", "valeur", allow_percent=True, allow_euro=False)
    if number is None:
        return None
    stored_fraction = percent_format and not isinstance(value, str)
    if (typed or stored_fraction) and not is_percent_unit(unit):
        shown = f"« {unit} »" if unit else "nombre"
        raise CellError(f"pourcentage inattendu : l'indicateur se mesure en {shown}, saisir un nombre sans « % » "
                        "(format de cellule Standard)")
    if stored_fraction:
        number = number * 100  # 0.85 shown as 85 % is 85 points
    if is_percent_unit(unit) and default("percent_indicator_scale") != "points":
        number = number / 100
    return float(number)


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
    """Text kept exactly as typed (None when blank); formulas and hidden formulas refused."""
    if value is None:
        return None
    if isinstance(value, Damaged):
        raise CellError(value.reason)
    if isinstance(value, bool):
        value = "VRAI" if value else "FAUX"
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_TEXT:  # the length first: nothing else runs on a long text
        raise CellError(f"texte trop long ({format_number(len(text), 0)} caractères ; 2 000 au plus)")
    _refuse_formula_text(text, "du texte")
    return text if text.strip() else None


def _parse_choice(value, choices=()) -> str | None:
    """A value of a list: the gap reasons by default, else ``choices`` (white space collapsed)."""
    text = _parse_text(value)
    if text is None:
        return None
    wanted = _BLANKS.sub(" ", text).strip()
    accepted = choices or GAP_REASONS
    if wanted not in accepted:
        if not choices:
            raise CellError("motif hors de la liste (choisir : " + " ; ".join(GAP_REASONS) + ")")
        shown = " ; ".join(accepted) if len(accepted) <= 12 else " ; ".join(accepted[:12]) + " …"
        raise CellError(f"valeur hors de la liste (choisir : {shown})")
    return wanted


#: Dates accepted in a date cell: a few years around the contracts (anything else is a typing error).
DATE_RANGE = (datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))
_DATE_TEXT = (re.compile(r"\A([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"), re.compile(r"\A([0-9]{4})-([0-9]{2})-([0-9]{2})"))


def _date_of_text(text: str) -> datetime.date:
    s = text.strip()
    if len(s) > MAX_DATE_TEXT:
        raise CellError("date attendue (ex. 15/03/2024)")
    french, iso = (pattern.fullmatch(s) for pattern in _DATE_TEXT)
    try:
        if french:
            return datetime.date(int(french.group(3)), int(french.group(2)), int(french.group(1)))
        if iso:
            return datetime.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        raise CellError("date impossible (jour ou mois hors limites)") from None
    raise CellError("date attendue (ex. 15/03/2024)")


def _parse_date(value) -> datetime.date | None:
    """A date cell: a spreadsheet date, or text « 15/03/2024 » / « 2024-03-15 »; a bare number is refused."""
    if value is None:
        return None
    if isinstance(value, Damaged):
        raise CellError(value.reason)
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise CellError("date sans heure attendue (ex. 15/03/2024)")
        value = value.date()
    elif isinstance(value, str):
        if value.strip() == "":
            return None
        if len(value) > MAX_TEXT:  # the length first: nothing else runs on a long text
            raise CellError(f"date attendue (ex. 15/03/2024) ; texte de {format_number(len(value), 0)} caractères trouvé")
        _refuse_formula_text(value, "une date")
        value = _date_of_text(value)
    elif not isinstance(value, datetime.date) or isinstance(value, bool):
        raise CellError("date attendue (ex. 15/03/2024) : un nombre n'est pas une date (format de cellule Date)")
    if not DATE_RANGE[0] <= value <= DATE_RANGE[1]:
        raise CellError("date invraisemblable (hors des années 2000 à 2099) : vérifier la saisie")
    return value


#: Parser of each input kind: raw cell value -> parsed value (or None when blank); raises CellError.
PARSERS = {"money": _parse_money, "number": _parse_indicator, "rate": _parse_rate, "text": _parse_text,
           "choice": _parse_choice, "date": _parse_date}


def parse_input(kind: str, cell: CellContent, unit=None, choices=()):
    """Parse an input cell of ``kind``; ``unit`` is the indicator's unit (for 'number'), ``choices`` the
    accepted values of a 'choice' cell (default: the gap reasons). Raises CellError."""
    if cell.formula is not None:
        what = "formule matricielle" if cell.array else "formule"
        raise CellError(f"{what} dans une cellule de saisie : saisir une valeur (coller en valeurs)")
    if kind == "number":
        return _parse_indicator(cell.value, cell.percent, unit)
    if kind == "choice":
        return _parse_choice(cell.value, choices)
    return PARSERS[kind](cell.value)


# --------------------------------------------------------------------------------------------------
# Quoting values in messages
# --------------------------------------------------------------------------------------------------


def plain_number(value) -> str:
    """A number in French without forced decimals: 1234.5 -> '1 234,5'."""
    d = value if isinstance(value, Decimal) else Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not d.is_finite():
        return str(value)
    if d.copy_abs() >= Decimal("1e15"):  # beyond any plausible figure: scientific notation
        return f"{d.normalize():E}".replace(".", ",")
    exponent = d.normalize().as_tuple().exponent
    decimals = min(max(0, -exponent), 6) if isinstance(exponent, int) else 0
    return format_number(d, decimals)


def show_value(value) -> str | None:
    """How a cell value is quoted in a message (at most 80 characters)."""
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
