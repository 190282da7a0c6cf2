# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app telehealth
PORT ?= 5000
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)

.PHONY: run test install frontend migrate seed serve lint bench clean

run: install frontend migrate seed serve

test: install frontend tests/identity/op/node_modules/.installed lint
	$(PY) -m pytest
	cd frontend && npx vitest run

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

frontend: frontend/dist/index.html

# `npm ci` first; where the local npm wrote a lockfile without other platforms' optional
# packages it refuses, and a lockfile-respecting `npm install --no-save` installs the same tree.
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && (npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund)
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build

# The OpenID provider (npm `oidc-provider`) that the single sign-on tests run on loopback.
tests/identity/op/node_modules/.installed: tests/identity/op/package.json tests/identity/op/package-lock.json
	cd tests/identity/op && (npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund)
	touch $@

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

serve:
	@echo "Serving on http://127.0.0.1:$(PORT)"
	$(VENV)/bin/gunicorn --worker-class gthread --workers 1 --threads 256 --bind 127.0.0.1:$(PORT) \
		--access-logfile - telehealth.wsgi:app

lint: install
	$(VENV)/bin/ruff check telehealth tests bench
	$(VENV)/bin/mypy telehealth

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist tests/identity/op/node_modules
