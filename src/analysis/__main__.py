"""``python -m analysis COMMAND``: ``report`` runs the notebooks and writes the report (see :mod:`analysis.report`)."""

from __future__ import annotations

import sys

USAGE = "usage : python -m analysis report [--execution CHEMIN ...] [--out DOSSIER] [--only NOTEBOOK ...]"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] != "report":
        print(f"commande inconnue ou absente.\n{USAGE}", file=sys.stderr)
        return 2
    try:
        from analysis.report import main as report

        return report(argv[1:])
    except KeyboardInterrupt:  # before the report has installed its own handling (imports, options)
        print("\nRapport interrompu (Ctrl+C).", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
