# jiebang — two commands for a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test mutate bench bench-web load eval install assets clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# htmx comes from the npm registry (package.json + package-lock.json); without npm every page still works.
assets: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
		echo "npm 未安装：页面将在没有 HTMX 的情况下运行（所有功能仍可用）/ npm missing: pages run without HTMX"; \
	fi

run: install assets
	$(BIN)/jiebang db upgrade
	$(BIN)/jiebang demo --if-empty
	@echo "揭榜挂帅平台：http://$(HOST):$(PORT)  （演示账号见 README）"
	$(BIN)/jiebang serve --host $(HOST) --port $(PORT)

# Two processes by default (CI has 2 cores); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

test: install assets
	$(BIN)/pytest -n $(TEST_WORKERS)

# One-line mutations of the rule modules, each against its related tests (tests/mutate.py); prints the kill rate.
mutate: install assets
	$(BIN)/python tests/mutate.py

bench: install
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,bench]'
	mkdir -p var
	$(BIN)/python -m matching.bench --out var/bench.json
	$(BIN)/python -m marketplace.bench.subsidies --out var/bench-subsidies.json $(if $(BASELINE),--baseline $(BASELINE))

# Web benchmark (10k challenges, pages vs a bare FastAPI hello world) and the bounded load test;
# both print figures (README "Web benchmarks and load test"). PostgreSQL: JIEBANG_BENCH_POSTGRES_URL.
bench-web: install
	$(BIN)/python -m marketplace.bench.web --backend $(or $(BACKEND),sqlite)
	$(BIN)/python -m marketplace.bench.load --backend both --clients 100 --seconds 60

load: install
	$(BIN)/python -m marketplace.bench.load --backend both --clients 100 --seconds 60

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .hypothesis
