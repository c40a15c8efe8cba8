"""What every chart shares: colours of codes, French axis formats, the fictitious-data notice, and saving.

Colours are keyed by the codes of :mod:`analysis.domain` (flags, statuses, funders); labels always come
from the domain's label dictionaries, never from here.
"""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.ticker import FuncFormatter

from analysis.domain import FIGURES_SUBDIR, PROCESSED_DIR, output_dir
from analysis.formatting import format_number, format_percent
from analysis.money import is_missing
from analysis.xlsx import write_atomic

#: Where :func:`save_figure` writes by default.
FIGURES_DIR = PROCESSED_DIR / FIGURES_SUBDIR

#: The notice every chart built on fictitious data carries in its title.
FICTITIOUS_NOTICE = "DONNÉES FICTIVES"

NAVY, RED, GREEN, ERROR, WARNING = "#000091", "#E1000F", "#18753C", "#CE0500", "#B34000"
GREY, LIGHT_GREY, AMBER, ORANGE, PURPLE = "#929292", "#E5E5E5", "#E9A800", "#E4794A", "#6A6AF4"

FUNDER_COLOURS = {"etat": NAVY, "departement": RED, "autre": "#A0A0A0"}
#: Colours of reconciliation check statuses (analysis.domain.CHECK_STATUSES).
STATUS_COLOURS = {"ok": GREEN, "ecart": ERROR, "non_verifiable": WARNING}
#: Colours of the CLS consumption flags (analysis.domain.ASSESSMENT_FLAGS), least to most severe.
FLAG_COLOURS = {
    "conforme": GREEN,
    "a_surveiller": AMBER,
    "justification_a_apprecier": ORANGE,
    "sous_consommation_manifeste": ERROR,
    "non_renseigne": GREY,
    # only in a scenario where the State judges the justification operative (analysis.scenarios)
    "justification_acceptee": "#7FA8D9",
}
#: Colour of a France Travail consumption row: no flag applies (the final report's balance settles it).
NOT_APPLICABLE_COLOUR = "#5770BE"
#: Colours of indicator statuses (analysis.domain.ACHIEVEMENT_STATUSES).
ACHIEVEMENT_COLOURS = {
    "atteint": GREEN,
    "proche": "#7FB24C",
    "en_retard": AMBER,
    "critique": ERROR,
    "non_renseigne": GREY,
}

#: Rendering settings that make two saves of a figure byte-identical.
DETERMINISTIC_RC = {"svg.hashsalt": "analysis", "svg.fonttype": "path"}
METADATA = {
    "svg": {"Date": None, "Creator": "analysis (matplotlib)"},
    "png": {"Software": "analysis (matplotlib)"},
}
PNG_DPI = 150
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def action_key(code) -> tuple:
    """Sort key of an action code: '1.10' after '1.9'; a missing code last."""
    if is_missing(code):
        return (1, ())
    return (0, tuple(int(p) if p.isdigit() else p for p in str(code).split(".")))


def wrap(text, width: int, lines: int = 3) -> str:
    """``text`` wrapped at ``width`` characters on at most ``lines`` lines (the last cut with « … »)."""
    return textwrap.fill(" ".join(str(text).split()), width=width, max_lines=lines, placeholder=" …")


def euro_tick(value, _pos=None) -> str:
    """An axis tick in euros, the French way: millions above 1 M€ (``1,25 M€``), thousands above 10 k€."""
    if abs(value) >= 1_000_000:
        millions = value / 1_000_000
        decimals = next((d for d in (0, 1) if abs(round(millions, d) - millions) < 1e-9), 2)
        return f"{format_number(millions, decimals)} M€"
    if abs(value) >= 10_000:
        return f"{format_number(value / 1_000, 0)} k€"
    return f"{format_number(value, 0)} €"


def euro_axis(ax, axis: str = "y") -> None:
    """Format an axis in euros the French way (see :func:`euro_tick`)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(euro_tick))


def percent_axis(ax, axis: str = "x", decimals: int = 0) -> None:
    """Format an axis holding rates (0.5) as French percentages (50 %)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(lambda v, _p: format_percent(v, decimals)))


def number_axis(ax, axis: str = "y") -> None:
    """Format an axis holding counts with French thousands separators (1 250)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(lambda v, _p: format_number(v, 0)))


def keur(value, signed: bool = False) -> str:
    """An amount in thousands of euros for a bar label: ``648000`` -> ``'648 k€'`` (``'+30 k€'`` when signed)."""
    amount = float(value) / 1000
    text = f"{format_number(abs(amount), 0)} k€"
    if round(amount) == 0:
        return "0 k€"
    return ("+" if amount > 0 else "−") + text if signed else ("−" if amount < 0 else "") + text


def euros(value) -> str:
    """An amount in whole euros for a label: ``79040.5`` -> ``'79 041 €'``."""
    return f"{format_number(value, 0)} €"


def title(fig, text: str, fictitious: bool) -> None:
    """The figure's title; « DONNÉES FICTIVES » added when the data are fictitious."""
    suffix = f" — {FICTITIOUS_NOTICE}" if fictitious else ""
    fig.suptitle(text + suffix, fontsize=11, fontweight="bold")


def footer(fig, handles: list | None = None, ncols: int = 1, text: str | None = None) -> None:
    """The figure's legend (``handles`` in ``ncols`` columns) and reading note (``text``) under the axes.

    Their height is reserved in the constrained layout (its ``rect``), so that nothing overlaps.
    """
    lines = []
    if text:
        width = int(fig.get_figwidth() * 15)
        lines = [line for part in text.split("\n") for line in wrap(part, width, 4).split("\n")]
    rows = -(-len(handles) // ncols) if handles else 0
    reserved = 0.1 + 0.24 * rows + 0.16 * len(lines) + (0.08 if rows and lines else 0)
    share = reserved / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, share, 1, 1 - share))
    if handles:
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, share), ncols=ncols, frameon=False,
                   fontsize=8, borderaxespad=0.1)
    if lines:
        fig.text(0.5, 0.05 / fig.get_figheight(), "\n".join(lines), ha="center", va="bottom", fontsize=8,
                 color="#3A3A3A")


def tidy(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def figure(nrows: int, ncols: int, width: float, height: float, **kwargs):
    """A figure with a grid of axes (always 2-D) and the constrained layout."""
    return plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, layout="constrained", **kwargs)


def freeze_layout(fig) -> None:
    """Run the figure's layout engine once more and keep the result: the constrained layout moves things by a
    fraction of a point at every draw, which would make two saves differ."""
    engine = fig.get_layout_engine()
    if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
        fig.draw_without_rendering()
        fig.set_layout_engine("none")


def figure_bytes(fig, fmt: str) -> bytes:
    """The figure rendered as ``fmt`` ('png' or 'svg'), with fixed metadata and ids and its layout frozen
    (:func:`freeze_layout`): the same bytes every time."""
    freeze_layout(fig)
    buffer = io.BytesIO()
    with plt.rc_context(DETERMINISTIC_RC):
        fig.savefig(buffer, format=fmt, metadata=METADATA[fmt], dpi=PNG_DPI if fmt == "png" else None)
    return buffer.getvalue()


def save_figure(fig, name: str, folder: str | Path | None = None) -> tuple[Path, Path]:
    """Save ``fig`` as ``name.png`` and ``name.svg`` under ``folder`` (default ``data/processed/figures/``).

    Deterministic (fixed metadata, no date, fixed SVG ids, layout frozen: two saves give the same bytes) and
    atomic: both files are rendered before anything is written, then each goes through a temporary file of
    the same folder replaced into place (:func:`analysis.xlsx.write_atomic`); a failed rendering leaves the
    previous files untouched. Returns the two paths. ``name`` is a plain file name without extension
    (letters, digits, ``_ . -``).
    """
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith((".png", ".svg")):
        raise ValueError(f"nom de figure invalide : {name!r} (lettres, chiffres, « _ », « . », « - », sans extension)")
    folder = Path(folder) if folder is not None else FIGURES_DIR
    rendered = {fmt: figure_bytes(fig, fmt) for fmt in ("png", "svg")}
    png, svg = (write_atomic(folder / f"{name}.{fmt}", data) for fmt, data in rendered.items())
    return png, svg


def show(fig, name: str, out=None):
    """Save ``fig`` under ``<out>/figures/`` as ``name.png`` and ``name.svg`` (:func:`save_figure`; ``out``
    defaults to ``data/processed``) and show it once in the notebook: every figure a page shows is a file too."""
    from IPython.display import display

    save_figure(fig, name, output_dir(out) / FIGURES_SUBDIR)
    display(fig)
    plt.close(fig)
