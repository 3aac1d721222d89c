# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export AFTERCARE_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test install browser bench-intake profile-intake bench-routing bench-stock clean help

help:
	@echo "make run    - install, migrate, load demo data, serve on PORT (default 5000) with the scheduler, print the URLs"
	@echo "make test   - install test needs (Chromium too, when root) and run every test"
	@echo "make bench-intake - intake benchmark on PostgreSQL (gunicorn, 16 clients)"
	@echo "make profile-intake - CPU, Python calls and SQL statements per report vs the bare insert, in one process (ARGS='--sql')"
	@echo "make bench-stock - 32 clients reserving the last units on PostgreSQL: conditional update beside a naive read-then-write"
	@echo "make bench-routing - routing benchmark beside VROOM and PyVRP (about 35 minutes; ARGS='--quick' for a smoke run)"

# Re-installs whenever pyproject.toml changes; the stamp keeps repeated runs fast.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# numba compiles the routing polish once (seconds) and caches it: not inside the first timed solve.
	$(BIN)/python -c "from dispatch.routing import sisr; sisr.warm_up()"
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/aftercare db upgrade
	$(BIN)/aftercare demo load
	@echo
	@echo "Aftercare is starting on $(AFTERCARE_PUBLIC_BASE_URL). Open:"
	@$(BIN)/aftercare demo urls
	@echo
	@# The scheduler runs beside the web server and stops with it.
	$(BIN)/aftercare scheduler & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/aftercare serve --port $(PORT)

browser:
	@sh scripts/ensure_chromium.sh

# One pytest worker per core: each has its own SQLite file and PostgreSQL database (tests/conftest.py).
# Worksteal: a worker that runs out takes tests queued for the other, so a few long tests do not end the run alone.
test: install browser
	$(BIN)/python -m pytest -n auto --dist worksteal $(PYTEST_ARGS)

bench-intake: install
	$(BIN)/python scripts/bench_intake.py $(ARGS)

profile-intake: install
	$(BIN)/python scripts/profile_intake.py $(ARGS)

bench-stock: install
	$(BIN)/python scripts/bench_stock.py $(ARGS)

bench-routing: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python scripts/bench_routing.py $(ARGS)

clean:
	rm -rf $(VENV) var out .pytest_cache
