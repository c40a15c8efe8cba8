"""Tidy tables written to a file and read back exactly: the format of the national view's cache.

A table is stored as its typed columns (one JSON document per cache entry, :func:`write_tables` /
:func:`read_tables`): each column keeps its name and its pandas type (``str``, ``Int64``, ``float64``, ``bool``,
categories with their order…); money stays exact (a ``Decimal`` is written as its text, « 618000.00 »); a
column of objects keeps each value's kind (Decimal, date, tuple of years, text, number, missing). A table read
back equals the table written, column types included (``tests/test_national.py``). Nothing is ever evaluated:
a value is text, a number, or one of these tagged kinds.
"""

from __future__ import annotations

import datetime
import json
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.xlsx import write_atomic

#: Format of a stored document; a document of another format is never read (it is a cache miss).
FORMAT = "analysis-tables/1"


def _encode(value):
    """One value of an object column, as JSON (tagged when JSON has no such kind)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else {"f": repr(float(value))}
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return {"t" if isinstance(value, tuple) else "l": [_encode(v) for v in value]}
    raise TypeError(f"valeur impossible à mettre en cache : {type(value).__name__}")


def _decode(value):
    if not isinstance(value, dict):
        return value
    (kind, raw), = value.items()
    if kind == "d":
        return Decimal(raw)
    if kind == "f":
        return float(raw)
    if kind == "date":
        return datetime.date.fromisoformat(raw)
    if kind == "dt":
        return datetime.datetime.fromisoformat(raw)
    if kind in ("t", "l"):
        items = [_decode(v) for v in raw]
        return tuple(items) if kind == "t" else items
    raise ValueError(f"valeur en cache illisible : {kind}")


def _encode_column(series: pd.Series) -> tuple[dict, list]:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        field = {"dtype": "category", "categories": [_encode(c) for c in dtype.categories], "ordered": bool(dtype.ordered)}
        return field, [None if pd.isna(v) else _encode(v) for v in series.astype(object)]
    name = str(dtype)
    if name == "object":
        return {"dtype": "object"}, [_encode(v) for v in series]
    if name in ("float64", "Float64"):
        return {"dtype": name}, [None if pd.isna(v) else float(v) for v in series]
    if name in ("int64", "Int64", "bool", "boolean"):
        return {"dtype": name}, [None if pd.isna(v) else _encode(v) for v in series]
    if name in ("str", "string"):
        return {"dtype": name}, [None if pd.isna(v) else str(v) for v in series]
    raise TypeError(f"colonne « {series.name} » : type {name} impossible à mettre en cache")


def _decode_column(field: dict, values: list):
    dtype = field["dtype"]
    if dtype == "category":
        categories = [_decode(c) for c in field["categories"]]
        return pd.Categorical([_decode(v) for v in values], categories=categories, ordered=field["ordered"])
    if dtype == "object":
        column = np.empty(len(values), dtype=object)  # filled item by item: a tuple stays one value
        for i, v in enumerate(values):
            column[i] = _decode(v)
        return pd.Series(column, dtype=object)
    if dtype == "float64":
        return np.array([np.nan if v is None else v for v in values], dtype="float64")
    return pd.array(values, dtype=dtype)


def encode_table(frame: pd.DataFrame) -> dict:
    """A table as a JSON-ready document: its fields (name and type) and its columns."""
    fields, columns = [], []
    for name in frame.columns:
        field, values = _encode_column(frame[name])
        fields.append({"name": str(name), **field})
        columns.append(values)
    return {"fields": fields, "columns": columns, "rows": len(frame)}


def decode_table(document: dict) -> pd.DataFrame:
    """The table of :func:`encode_table`, with its column types (a RangeIndex)."""
    index = pd.RangeIndex(document["rows"])
    data = {}
    for field, values in zip(document["fields"], document["columns"]):
        column = _decode_column(field, values)
        data[field["name"]] = column.set_axis(index) if isinstance(column, pd.Series) else column
    return pd.DataFrame(data, index=index, columns=[f["name"] for f in document["fields"]])


def write_tables(path, tables: dict[str, pd.DataFrame], key: str) -> Path:
    """Write ``tables`` (name -> frame) to ``path`` with the ``key`` they were computed for (atomically)."""
    document = {"format": FORMAT, "key": key, "tables": {n: encode_table(f) for n, f in tables.items()}}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return write_atomic(Path(path), text.encode("utf-8"))


def read_tables(path, key: str) -> dict[str, pd.DataFrame] | None:
    """The tables stored at ``path`` for ``key``; None when there is none, or for another key or format."""
    try:
        document = json.loads(Path(path).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("key") != key:
        return None
    return {name: decode_table(table) for name, table in document["tables"].items()}
