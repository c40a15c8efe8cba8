"""Excel exports of analysis results (French headers, € formats, frozen header row, filters).

Not the execution templates (see :mod:`analysis.workbooks`): these are read-only result workbooks.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

EURO_FORMAT = '#,##0.00 "€";-#,##0.00 "€"'
#: Fixed workbook dates so that exports are reproducible.
FIXED_DATE = pd.Timestamp("2024-04-15").to_pydatetime()


def write_excel(sheets: dict[str, pd.DataFrame], path: str | Path, money_columns=(), widths=None) -> Path:
    """Write DataFrames as sheets: bold frozen header, auto-filter, € format on ``money_columns``.

    Decimal amounts are written as numbers (Excel cannot hold Decimals; the cent is kept).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "analysis"
    wb.properties.created = wb.properties.modified = FIXED_DATE
    for name, frame in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="000091")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        if len(frame):
            ws.auto_filter.ref = ws.dimensions
        for index, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(index)
            if column in money_columns:
                for cell in ws[letter][1:]:
                    cell.number_format = EURO_FORMAT
            width = (widths or {}).get(column) or min(60, max(12, len(str(column)) + 2, *(len(str(v)) + 2 for v in frame[column].head(50))))
            ws.column_dimensions[letter].width = width
    wb.save(path)
    return path


def _cell(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
