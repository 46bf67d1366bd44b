# tierwatch — two commands: `make run` and `make test`.
# Needs only Python >= 3.11 and make; uv is installed with pip when it is missing.

SHELL := /bin/bash
PYTHON ?= python3
DB ?= $(or $(TIERWATCH_DB),data/warehouse.duckdb)
PORT ?= 8501
# The suite runs on this many workers, a test module each at a time (its browser server stays its own).
TEST_WORKERS ?= 2
# Where the server listens: empty = 127.0.0.1 (this computer only). A network address (ADDRESS=0.0.0.0) needs
# sign-in configured first (an account, or [auth] in .streamlit/secrets.toml): serve.py refuses otherwise.
ADDRESS ?=
# uv from PATH, else the copy `setup` installs with pip into this Python.
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")

.PHONY: run test setup demo lint bench clean

setup:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
		{ echo "installing uv with pip…"; $(PYTHON) -m pip install --quiet uv; }
	@$(UV) sync --frozen --quiet

run: setup
	@test -f $(DB) || $(UV) run python -m pipelines demo --db $(DB)
	@$(UV) run python -m pipelines rebuild --db $(DB) --if-stale
	TIERWATCH_DB=$(DB) $(UV) run python serve.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false \
		$(if $(ADDRESS),--server.address $(ADDRESS))

demo: setup
	$(UV) run python -m pipelines demo --db $(DB)

test: setup
	$(UV) run pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: setup
	$(UV) run ruff check .

bench: setup
	$(UV) run python -m pipelines.bench

clean:
	rm -rf .venv .pytest_cache .hypothesis test-artifacts
