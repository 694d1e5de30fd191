# sopflow: the two commands a newcomer needs are `make run` and `make test`.
UV_VERSION := 0.13.8
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install system-deps run test lint typecheck unit

install:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	uv sync --frozen

system-deps:
	bash scripts/install-system-deps.sh

run: install
	$(BIN)/sopflow serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

unit: install
	$(BIN)/pytest tests/unit -q

test: system-deps install lint typecheck
	$(BIN)/pytest -q
