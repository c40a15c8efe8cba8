"""The 101 départements with their place in the tile map (``data/reference/departements.csv``, see its README)."""

from __future__ import annotations

import pandas as pd

from analysis.reference import departements

#: Columns of :func:`load_departements`, in order.
DEPARTEMENT_COLUMNS = ["code", "nom", "region_code", "region", "grid_x", "grid_y"]


def load_departements() -> pd.DataFrame:
    """The reference table (:data:`DEPARTEMENT_COLUMNS`; codes as text: ``'01'``, ``'2A'``, ``'971'``; the grid
    position of each département as integers), in INSEE order."""
    frame = departements()
    missing = [c for c in DEPARTEMENT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"departements.csv : colonne(s) manquante(s) {', '.join(missing)}")
    frame = frame[DEPARTEMENT_COLUMNS].astype({"grid_x": int, "grid_y": int})
    if frame[["grid_x", "grid_y"]].duplicated().any():
        raise ValueError("departements.csv : deux départements occupent la même case de la grille")
    return frame.reset_index(drop=True)
