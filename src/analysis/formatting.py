"""French number formatting for everything a user reads (1 234 567,00 €), and text made safe to print."""

from __future__ import annotations

import html
import re
from decimal import ROUND_HALF_UP, Decimal

#: Thousands separator: a no-break space, as French typography and LibreOffice's fr-FR locale use.
THOUSANDS = "\u00a0"


def format_number(value, decimals: int = 0) -> str:
    """Format a number the French way: ``1234567.5`` -> ``'1 234 567,50'`` (with decimals=2)."""
    if value is None or value != value:  # None or NaN
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):,.{decimals}f}"
    return sign + text.replace(",", "\u2009").replace(".", ",").replace("\u2009", THOUSANDS)


def format_percent(rate, decimals: int = 0) -> str:
    """Format a rate as a French percentage: ``0.773`` -> ``'77 %'`` (``'77,3 %'`` with decimals=1)."""
    text = format_number(None if rate is None or rate != rate else Decimal(str(rate)) * 100, decimals)
    return f"{text} %" if text else ""


def format_eur(value, decimals: int = 2) -> str:
    """Format an amount in euros: ``Decimal('1236000')`` -> ``'1 236 000,00 €'``; empty for missing."""
    text = format_number(value, decimals)
    return f"{text}{THOUSANDS}€" if text else ""


MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


def format_date(day) -> str:
    """A date in words, the French way: ``date(2024, 4, 15)`` -> ``'15 avril 2024'`` (``'1er'`` for the first)."""
    if day is None or day != day:
        return ""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def format_list(items) -> str:
    """Items joined the French way: ``[1, 3, 4]`` -> ``'1, 3 et 4'``."""
    items = [str(i) for i in items]
    return " et ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


#: Characters never written raw into a message: C0 and C1 controls (a terminal would obey escape sequences, a
#: tab or a line break would break a message's layout), the bidirectional marks, overrides and isolates (they
#: reorder what a reader sees), the line and paragraph separators, and lone surrogates (they cannot be printed).
_SHOWN_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
#: CommonMark punctuation that would be read as Markdown (emphasis, code, links, headings, tables, lists).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\n``, ``\\u202e``): the one
    escaping of every message that quotes a file's content (contract CSV files and execution workbooks)."""
    return _SHOWN_CONTROL.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def escape_markdown(text) -> str:
    """Any text from an input (a file name, a cell, a justification, a title) made safe to put in Markdown or
    HTML: shown as the same characters, never read as markup (no emphasis, link, HTML tag nor script), its
    invisible characters written as their escape (:func:`printable`). Empty for a missing value."""
    if text is None or text != text:
        return ""
    return html.escape(_MARKDOWN.sub(r"\\\1", printable(str(text))), quote=True)


def located(where, value, reason: str) -> str:
    """A problem as every reader of a file says it: its place (the non-empty parts of ``where``, joined), the
    value quoted when there is one, the reason; control characters escaped (:func:`printable`)."""
    quoted = f"valeur « {value} » : " if value not in (None, "") else ""
    return printable(f"{', '.join(p for p in where if p)} : {quoted}{reason}")
