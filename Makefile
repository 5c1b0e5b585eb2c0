# gridgeo: `make run` starts the app on the embedded Guangming demo (synthetic data inside the real
# district outline) in a data dir of its own, var/demo/; `make test` runs every test.
# Both set up everything they need on a fresh machine (virtualenv, pinned packages, offline
# map assets; for tests also PostGIS and headless Chromium from Debian's packages).

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCKS := requirements.lock requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat $(LOCKS) pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8501
DEMO_DIR ?= $(CURDIR)/var/demo

.PHONY: run test setup sysdeps vendor lint lock bench data serve clean

# gridgeo and every extra from pyproject.toml's declarations, at the versions the locks pin
$(STAMP): $(LOCKS) pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -c requirements-dev.lock -e ".[app,api,partition,postgis,dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP) vendor

vendor: $(STAMP)
	@if [ -f scripts/vendor_assets.py ]; then $(BIN)/python scripts/vendor_assets.py; fi

sysdeps:
	bash scripts/install_sysdeps.sh

# the demo: its own data dir (never the office's store), no GRIDGEO_DATABASE_URL, the demo atlas
# (app_server.py: app.py with a start-up warm-up of the pages' caches, gridgeo_app/warmup.py)
run: setup
	GRIDGEO_DATA_DIR=$(DEMO_DIR) GRIDGEO_DATABASE_URL= GRIDGEO_ATLAS= $(BIN)/streamlit run app_server.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

serve: setup
	$(BIN)/gridgeo serve

test: setup sysdeps
	bash scripts/run_tests.sh

# style (ruff) and the architecture (import-linter contracts in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# rewrite the lock files from the installed environment after a change to the declarations
lock: $(STAMP)
	$(BIN)/python scripts/lock.py

bench: setup
	bash scripts/run_benchmarks.sh

data: $(STAMP)
	$(BIN)/gridgeo demo-data --out data/boundaries

clean:
	rm -rf $(VENV) var static/vendor .pytest_cache .ruff_cache
