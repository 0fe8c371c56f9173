# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Development defaults: production sets DEBUG=false with SECRET_KEY and ALLOWED_HOSTS.
DEV_ENV := DEBUG=$${DEBUG:-true} PATH="$(BIN):$$PATH"

.PHONY: run test bench install migrate demo check-deploy compose-check clean

$(STAMP): pyproject.toml
	test -f .env || cp .env.example .env  # development settings (DEBUG=true); never copied into images
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) locale/fr/LC_MESSAGES/django.mo

## The French admin phrases the portal corrects (msgfmt: Debian's gettext, installed by .ci/run).
locale/fr/LC_MESSAGES/django.mo: locale/fr/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

migrate: install
	$(DEV_ENV) python manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) python manage.py seed_demo

## Serve the portal at http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all).
run: demo
	$(DEV_ENV) honcho start -f Procfile.dev

## Run the whole test suite, after ruff (pyflakes, pycodestyle, import order, bugbear, pyupgrade) and
## import-linter (the one order of the apps: pyproject.toml, [tool.importlinter]).
test: install
	$(DEV_ENV) ruff check .
	$(DEV_ENV) lint-imports
	$(DEV_ENV) python -m pytest $(PYTEST_ARGS)

## Run every benchmark and print one table.
bench: install
	$(DEV_ENV) python bench/run.py

## Production settings must pass Django's deployment checks with no warning.
check-deploy: install
	DEBUG=false SECRET_KEY="$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=inscriptions.example.fr CLAMD_URL=tcp://clamav:3310 REDIS_URL=redis://redis:6379/0 PATH="$(BIN):$$PATH" \
	python manage.py check --deploy --fail-level WARNING

compose-check:
	docker-compose config -q

clean:
	rm -rf $(VENV) var
