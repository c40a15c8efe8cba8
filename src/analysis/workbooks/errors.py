"""Problems found in an execution workbook, and the error that rejects it (messages in French).

A rejection lists at most :data:`MAX_PROBLEMS` problems (assumption H31), then says how many more were
found: a damaged or hostile workbook can hold hundreds of thousands of problems, and the message stays
small. Files a folder reading skips (lock files, unsupported formats, entries that are not files) are
reported as :class:`WorkbookWarning`. A problem never prints a control character of the file raw (a tab,
a line break, an escape sequence, a bidirectional override): it is escaped as in the contract loader's
messages (:func:`analysis.formatting.printable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from analysis.assumptions import default
from analysis.formatting import format_number, located
from analysis.workbooks.parsing import show_value

#: How many problems a rejection lists at most (H31); the others are counted.
MAX_PROBLEMS = int(default("workbook_problems_listed"))

# --------------------------------------------------------------------------------------------------
# Problems and errors
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookProblem:
    """One problem (or warning) located in a workbook: file, sheet, cell (``D7`` or ``D7:E7``), value."""

    file: str
    sheet: str | None
    cell: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        sheet = None if self.sheet is None else f"feuille « {self.sheet} »"
        cell = None if self.cell is None else f"{'cellules' if ':' in self.cell else 'cellule'} {self.cell}"
        return located((self.file, sheet, cell), self.value, self.reason)


class WorkbookError(ValueError):
    """Raised when an execution workbook is rejected; ``.problems`` lists the problems, in French.

    At most :data:`MAX_PROBLEMS` are kept in ``.problems``; ``.omitted`` counts the others (the message
    ends with « … et N autres problèmes »).
    """

    def __init__(self, problems: list[WorkbookProblem], omitted: int = 0):
        problems = list(problems)
        self.problems = problems[:MAX_PROBLEMS]
        self.omitted = omitted + len(problems) - len(self.problems)
        n = len(self.problems) + self.omitted
        s = "s" if n > 1 else ""
        head = f"Classeur d'exécution refusé : {format_number(n)} problème{s} trouvé{s} ; rien n'a été chargé."
        lines = [head, *(f"  - {p}" for p in self.problems)]
        if self.omitted:
            s = "s" if self.omitted > 1 else ""
            lines.append(f"  - … et {format_number(self.omitted)} autre{s} problème{s} "
                         f"(seuls les {MAX_PROBLEMS} premiers sont listés)")
        super().__init__("\n".join(lines))


class WorkbookWarning(UserWarning):
    """A file of a folder that was not read (lock file, unsupported format); the message is in French."""


class ProblemLog:
    """The problems found in one workbook, in the order they are found; :meth:`reject` raises them all.

    Only the first :data:`MAX_PROBLEMS` are kept; the others are counted in ``omitted``.
    """

    def __init__(self, file: str):
        self.file = file
        self.problems: list[WorkbookProblem] = []
        self.omitted = 0

    def add(self, sheet: str | None, cell: str | None, value, reason: str) -> None:
        """Record a problem; ``value`` is the cell's content as read (quoted in French in the message)."""
        if len(self.problems) >= MAX_PROBLEMS:
            self.omitted += 1
            return
        self.problems.append(WorkbookProblem(self.file, sheet, cell, show_value(value), reason))

    def count(self, n: int) -> None:
        """Count ``n`` more problems that are not listed one by one."""
        self.omitted += n

    def reject(self) -> NoReturn:
        raise WorkbookError(self.problems, self.omitted)

    def fatal(self, sheet: str | None, cell: str | None, value, reason: str) -> NoReturn:
        """Record a problem that stops the reading, and reject the workbook."""
        if len(self.problems) >= MAX_PROBLEMS:
            self.problems.pop()
            self.omitted += 1
        self.problems.append(WorkbookProblem(self.file, sheet, cell, show_value(value), reason))
        self.reject()

    def __bool__(self) -> bool:
        return bool(self.problems) or self.omitted > 0
