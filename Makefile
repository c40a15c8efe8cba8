# Two commands for a new user: `make report` (the main job) and `make test`.
# Both create .venv on first use and install the project under constraints.txt (exact pins).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

.PHONY: install report test unit lab bench constraints clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[notebooks,dev]"
	touch $(STAMP)

report: $(STAMP)
	$(PY) -m analysis.report

test: $(STAMP)
	$(PY) -m pytest $(NBVAL) tests notebooks

unit: $(STAMP)
	$(PY) -m pytest -p no:nbval tests

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

bench: $(STAMP)
	$(PY) bench/bench_load.py

# Re-run the notebooks in place so their stored outputs match the pinned environment.
notebooks: $(STAMP)
	$(PY) -m analysis.report --inplace

# Regenerate the pins (maintainers only, after changing dependencies).
constraints:
	$(PY) -m pip freeze --exclude-editable --exclude analysis > constraints.txt

clean:
	rm -rf $(VENV) data/processed/*.html
