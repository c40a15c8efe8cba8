"""Every transcribed figure is printed on or near its ``source_line`` in the shared source text.

Runs wherever ``../shared/source/deliberation-cp-2024-176.txt`` exists (CI has it); skipped elsewhere.
"""

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SOURCE = ROOT.parent / "shared" / "source" / "deliberation-cp-2024-176.txt"
WINDOW = 3  # lines either side of source_line

needs_source = pytest.mark.skipif(not SOURCE.is_file(), reason="texte source partagé absent (../shared/source)")

# file -> columns whose value must be printed near source_line
CHECKED = {
    "actions.csv": ["action"],
    "budget_figures.csv": ["amount_eur"],
    "sub_actions.csv": ["amount_eur", "places"],  # places are checked against places_line
    "indicator_values.csv": ["value_text"],
    "text_amounts.csv": ["amount_eur"],
    "ft_financing_plan.csv": ["amount_eur", "existing_text", "target_text", "delta_text"],
}

SEP = "[ \u00a0\u202f.]?"


def number_pattern(text: str) -> re.Pattern:
    """A regex for a number as a French document prints it: '1236000.00' -> '1 236 000,00 €' and kin."""
    value = Decimal(text)
    integer, _, fraction = f"{value:f}".partition(".")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    body = SEP.join(groups)
    fraction = fraction.rstrip("0")
    tail = f"[,.]{fraction}0?" if fraction else "(?:[,.]0+)?"
    return re.compile(rf"(?<![\d,]){body}{tail}(?!\d)")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def source_lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").splitlines()


def rows_to_check():
    for name, columns in CHECKED.items():
        with (RAW / name).open(encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                for column in columns:
                    if row[column]:
                        line = row["places_line"] if column == "places" else row["source_line"]
                        yield name, number, column, row[column], int(line)


def near(lines: list[str], line: int) -> str:
    return "\n".join(lines[max(0, line - 1 - WINDOW) : line + WINDOW])


def is_printed(value: str, column: str, window: str) -> bool:
    if column in ("amount_eur", "places"):
        return bool(number_pattern(value).search(window))
    if column == "action":  # the FT plan prints action codes with a comma: « 2,1 »
        dotted, comma = re.escape(value), value.replace(".", ",")
        return re.search(rf"(?<![\d.,]){dotted}(?![\d])|(?<![\d.,]){comma}(?![\d])", window) is not None
    return squeeze(value) in squeeze(window)


@needs_source
def test_every_figure_is_printed_near_its_source_line(source_lines):
    checked, missing = 0, []
    for name, number, column, value, line in rows_to_check():
        checked += 1
        if not is_printed(value, column, near(source_lines, line)):
            missing.append(f"{name}:{number} {column}={value!r} absent des lignes {line}±{WINDOW}")
    assert checked > 900, f"only {checked} figures checked"
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize(
    ("value", "text", "printed"),
    [
        ("618000.00", "2024 618 000€ 618 000€  1 236 000€", True),
        ("1236000.00", "2024 618 000€ 618 000€  1 236 000€", True),
        ("18000.00", "2024 618 000€ 618 000€", False),
        ("2556535.20", "soit 2 556 535.20 €", True),
        ("2556535.20", "soit 2 556 535 €", False),
        ("1199016.00", "1\u202f199\u202f016,00 €", True),
        ("600", "300 600   600", True),
        ("60", "300 600   600", False),
    ],
)
def test_number_pattern_matches_printed_forms_only(value, text, printed):
    assert bool(number_pattern(value).search(text)) is printed
