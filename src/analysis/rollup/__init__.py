"""The national view: many départements' contracts and executions rolled up (issue 17).

- :mod:`~analysis.rollup.reference` — the 101 départements and their cell of the tile map;
- :mod:`~analysis.rollup.results` — what the view keeps of one département's assessment (tidy frames);
- :mod:`~analysis.rollup.sums` — the exact sums per département, region and nation, vectorised across départements;
- :mod:`~analysis.rollup.view` — :func:`national` and :class:`NationalView` (``analysis.national``);
- :mod:`~analysis.rollup.store` — tidy tables written and read back exactly (the cache's format);
- :mod:`~analysis.rollup.folder` — :func:`national_from_folder`, a folder of packages and workbooks through the cache.

The package is named ``rollup`` so that ``analysis.national`` stays the function.
"""
