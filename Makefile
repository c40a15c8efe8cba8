# Two commands for a new user: `make report` (the main job) and `make test`.
# Both create .venv on first use and install the project under constraints.txt (exact pins).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

.PHONY: install report test unit lint lab app bench notebooks examples national national-set constraints clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[notebooks,dev]"
	touch $(STAMP)

# make report                                   -> the embedded fictitious example, under data/processed/
# make report EXECUTION=dossier/ OUT=sortie/     -> the analyst's filled workbooks (folders or .xlsx files)
report: $(STAMP)
	$(PY) -m analysis report $(if $(EXECUTION),--execution $(EXECUTION)) $(if $(OUT),--out $(OUT)) $(if $(ONLY),--only $(ONLY))

test: lint national-set
	$(PY) -m pytest $(NBVAL) tests notebooks

unit: lint
	$(PY) -m pytest -p no:nbval tests

# ruff (configured in pyproject.toml) on the library, the tests, the tools and the notebooks' text sources.
lint: $(STAMP)
	$(PY) -m ruff check src tests tools bench notebooks

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

# The scenario explorer as a web app on this computer, without code (Voilà): notebooks/app_scenarios.ipynb, the panel
# first, on the embedded fictitious example; `make app EXECUTION=dossier_des_bilans` explores real workbooks. Voilà
# keeps APP_KERNELS kernels preheated (the page run up to the panel before anyone opens it; a kernel taken by a page is
# replaced APP_REFILL s later), so that the panel is interactive about 2 s after the page is opened
# (bench/bench_app.py); the page reads the saved scenarios, and the workbooks if they changed, when it is opened.
# Stop with Ctrl+C.
APP_PORT ?= 8866
APP_KERNELS ?= 2
APP_REFILL ?= 5
app: $(STAMP)
	@echo "Explorateur de scénarios : http://127.0.0.1:$(APP_PORT)/ (prêt en une dizaine de secondes, puis chaque page montre le panneau en 2 s environ ; Ctrl+C pour l'arrêter)"
	ANALYSIS_EXECUTION="$(if $(EXECUTION),$(abspath $(EXECUTION)),)" $(PY) -m voila notebooks/app_scenarios.ipynb \
		--no-browser --port=$(APP_PORT) --Voila.ip=127.0.0.1 \
		--preheat_kernel=True --pool_size=$(APP_KERNELS) --VoilaKernelManager.fill_delay=$(APP_REFILL)

bench: $(STAMP)
	$(PY) bench/bench_load.py
	$(PY) bench/bench_reconcile.py
	$(PY) bench/bench_hostile.py
	$(PY) bench/bench_scenarios.py
	$(PY) bench/bench_app.py
	$(PY) bench/bench_national.py

# Re-run the notebooks in place so their stored outputs match the pinned environment.
notebooks: $(STAMP)
	$(VENV)/bin/jupytext --sync notebooks/[0-9][0-9]_*.ipynb notebooks/app_scenarios.ipynb
	$(PY) -m analysis.report --inplace
	$(PY) -c "from analysis.report import execute_notebook as run, write_notebook as write, NOTEBOOKS; \
		write(run(NOTEBOOKS / 'app_scenarios.ipynb'), NOTEBOOKS / 'app_scenarios.ipynb')"
	$(VENV)/bin/jupytext --sync notebooks/[0-9][0-9]_*.ipynb notebooks/app_scenarios.ipynb

# Regenerate the fictitious example workbooks (byte-identical when nothing changed).
examples: $(STAMP)
	$(PY) -m analysis.example

# The FICTITIOUS national set of notebook 07 and bench/bench_national.py: the contract packages and execution
# workbooks of the 101 départements under data/processed/national/ (contracts/<code>/, executions/<code>/; about
# 2 minutes, byte-identical from one run to the next, never committed), then the national view read once to fill
# its cache (data/processed/national/cache/).
NATIONAL := data/processed/national
national: $(STAMP)
	$(PY) -m analysis.synthetic
	$(PY) -m analysis.rollup.folder

# The national set, written only when absent (notebook 07 reads it under nbval).
national-set: $(STAMP)
	@test -d $(NATIONAL)/contracts || $(MAKE) --no-print-directory national

# Regenerate the pins (maintainers only, after changing dependencies).
constraints:
	$(PY) -m pip freeze --exclude-editable --exclude analysis > constraints.txt

clean:
	rm -rf $(VENV) data/processed/*.html data/processed/*.pdf data/processed/bilan_*.xlsx data/processed/figures
