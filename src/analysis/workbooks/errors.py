"""Problems found in an execution workbook, and the error that rejects it (messages in French)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from analysis.workbooks.parsing import show_value

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
        where = [self.file]
        if self.sheet is not None:
            where.append(f"feuille « {self.sheet} »")
        if self.cell is not None:
            where.append(f"{'cellules' if ':' in self.cell else 'cellule'} {self.cell}")
        value = f"valeur « {self.value} » : " if self.value not in (None, "") else ""
        return f"{', '.join(where)} : {value}{self.reason}"


class WorkbookError(ValueError):
    """Raised when an execution workbook is rejected; ``.problems`` lists every problem, in French."""

    def __init__(self, problems: list[WorkbookProblem]):
        self.problems = list(problems)
        n = len(self.problems)
        s = "s" if n > 1 else ""
        head = f"Classeur d'exécution refusé : {n} problème{s} trouvé{s} ; rien n'a été chargé."
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class ProblemLog:
    """The problems found in one workbook, in the order they are found; :meth:`reject` raises them all."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[WorkbookProblem] = []

    def add(self, sheet: str | None, cell: str | None, value, reason: str) -> None:
        """Record a problem; ``value`` is the cell's content as read (quoted in French in the message)."""
        self.problems.append(WorkbookProblem(self.file, sheet, cell, show_value(value), reason))

    def reject(self) -> NoReturn:
        raise WorkbookError(self.problems)

    def fatal(self, sheet: str | None, cell: str | None, value, reason: str) -> NoReturn:
        """Record a problem that stops the reading, and reject the workbook."""
        self.add(sheet, cell, value, reason)
        self.reject()

    def __bool__(self) -> bool:
        return bool(self.problems)
