# Two commands do all the set-up on a fresh machine:
#   make run   — create .venv if needed, install, start the gateway on 127.0.0.1:8080 in front of the
#                real MCP servers from PyPI listed in examples/mcp_servers.json
#   make test  — create .venv if needed, install dev dependencies, run lint, type check and every test

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck unit e2e contract bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[code-mode,examples,semantic,multilingual]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,code-mode,examples,semantic,multilingual]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	PATH="$(abspath $(BIN)):$$PATH" GATEWAY_HOST="$${GATEWAY_HOST:-127.0.0.1}" GATEWAY_PORT="$${GATEWAY_PORT:-8080}" \
		$(BIN)/python -m gateway_app --config examples/mcp_servers.json

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests examples bench
	$(BIN)/ruff format --check src tests examples bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

unit: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/unit

e2e: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/e2e

contract: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/contract

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
