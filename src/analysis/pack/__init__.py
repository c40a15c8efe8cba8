"""The report packs an evaluator sends: the CLS execution report and the France Travail final report.

- :func:`mid_term_pack` — CLS (art. 2.3, l. 364-388): per action results and factual statements (room left
  for the social impact and the partners' actions the Département adds by hand), the financial report, the
  annexed tables in the layouts the contract prints (Annexe 11 per year, the A-M table), the Annexe 10
  indicator matrix, the open reconciliation findings and a one-page synthesis; the period is a parameter
  (2024-2025 by default: the mid-term report due by 31 March 2026).
- :func:`ft_final_pack` — France Travail (art. 3.2, l. 5795-5806): the expense statement in the layout of
  annexe 3, its eligibility line by line (art. 4.2, dates within 2024), the eligible spending, the
  settlement (advance, due, balance or refund) and the indicators of Annexe 4.
- :func:`write_pack` writes a pack through :mod:`analysis.xlsx` (one sheet per table, print setup).

Modules: :mod:`~analysis.pack.tables` (CLS tables in the contract's layouts), :mod:`~analysis.pack.report`
(financial report, statements), :mod:`~analysis.pack.ft` (France Travail), :mod:`~analysis.pack.synthesis`,
:mod:`~analysis.pack.base` (tables, packs, export), :mod:`~analysis.pack.figures` (the packs' figures).
"""

from analysis.pack.base import FICTITIOUS_NOTICE, Pack, Table, write_pack
from analysis.pack.cls import mid_term_pack
from analysis.pack.ft import ft_final_pack

__all__ = ["FICTITIOUS_NOTICE", "Pack", "Table", "ft_final_pack", "mid_term_pack", "write_pack"]
