"""The 101 départements: INSEE code, name, region and position in the tile map (``data/reference/departements.csv``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from analysis.domain import DEPARTEMENTS_FILE

#: Columns of the reference table, in order.
DEPARTEMENT_COLUMNS = ["code", "nom", "region_code", "region", "grid_x", "grid_y"]


@cache
def _read(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"code": "str", "nom": "str", "region_code": "str", "region": "str"},
                        keep_default_na=False, encoding="utf-8")
    if list(frame.columns) != DEPARTEMENT_COLUMNS:
        raise ValueError(f"{Path(path).name} : colonnes attendues {', '.join(DEPARTEMENT_COLUMNS)}, "
                         f"lues {', '.join(map(str, frame.columns))}")
    if frame["code"].duplicated().any() or frame[["grid_x", "grid_y"]].duplicated().any():
        raise ValueError(f"{Path(path).name} : un code ou une case de la grille apparaît deux fois")
    return frame.astype({"grid_x": int, "grid_y": int})


def load_departements(path=None) -> pd.DataFrame:
    """The reference table of the départements (:data:`DEPARTEMENT_COLUMNS`; codes as text: ``'01'``, ``'2A'``,
    ``'971'``), read once per process."""
    return _read(str(Path(path) if path is not None else DEPARTEMENTS_FILE)).copy()
