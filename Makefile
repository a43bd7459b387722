# Two commands matter: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# make run PORT=8001 when 8000 is taken.
PORT ?= 8000

.PHONY: run serve test test-fast lint format bench bench-admin install requirements migrate messages screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## Write requirements.txt and requirements-dev.txt from requirements.in and requirements-dev.in (the direct
## dependencies, pinned): every transitive pin, with markers for other platforms and Python 3.11 releases.
## Pins already in the .txt files are kept unless a changed .in needs others. Commit the four files.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --custom-compile-command "make requirements"
requirements: install
	$(UV_COMPILE) requirements.in -o requirements.txt
	$(UV_COMPILE) requirements-dev.in -o requirements-dev.txt

migrate: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput

## Serve the site at http://127.0.0.1:8000 (or PORT) on the SQLite file db.sqlite3.
run: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Serve the production stack (DEBUG off, gunicorn, WhiteNoise) over plain HTTP at http://127.0.0.1:8000.
## Uses DATABASE_URL / REDIS_URL when set; a throwaway secret key unless DJANGO_SECRET_KEY is set.
## The mail worker (manage.py mail_worker) runs beside gunicorn under deploy/keep-running, which starts it
## again whenever it exits, and stops with gunicorn.
serve: install
	@set -e; \
	export DJANGO_DEBUG=0 DJANGO_HTTPS=0; \
	export DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}"; \
	export SITE_URL="$${SITE_URL:-http://$${GUNICORN_BIND:-127.0.0.1:8000}}"; \
	if [ -z "$$DJANGO_SECRET_KEY" ]; then \
		echo "DJANGO_SECRET_KEY is not set: using a throwaway key, so sessions end when the server stops."; \
		export DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	fi; \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0; \
	DJANGO_DB_STATEMENT_TIMEOUT=0 $(BIN)/python manage.py migrate --noinput; \
	deploy/keep-running $(BIN)/python manage.py mail_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --config config/gunicorn.conf.py config.wsgi

## Run the whole suite on SQLite, then again on PostgreSQL with Redis sessions when
## DATABASE_URL / REDIS_URL are set (.ci/run sets them; CI requires them).
test: install
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python -m pytest -m "not postgres and not redis"
	@if [ -n "$$DATABASE_URL$$REDIS_URL" ]; then \
		echo "== Again on DATABASE_URL=$${DATABASE_URL:-(SQLite)} with REDIS_URL=$${REDIS_URL:-(none)}"; \
		$(BIN)/python -m pytest; \
	elif [ "$$CI" = true ]; then \
		echo "CI needs DATABASE_URL and REDIS_URL: the PostgreSQL and Redis tests must run."; exit 1; \
	else \
		echo "DATABASE_URL and REDIS_URL are not set: skipped the PostgreSQL and Redis pass."; \
	fi

## The suite without the browser tests, on SQLite: the quick loop while working.
test-fast: install
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python -m pytest -m "not postgres and not redis and not browser" -q

## ruff: lint (pyflakes, pycodestyle, import order, bugbear, pyupgrade, Django rules) and format, as CI checks them.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Apply ruff's formatting and its safe fixes.
format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Signups per second against the password-hashing limit, and each request's cost (about 3 minutes).
## SQLite in a temporary directory; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set.
bench: install
	$(BIN)/python -m bench.run

## The admin at 1,000,000 signups (BENCH_ADMIN_COUNT to change): seeds a throwaway PostgreSQL database
## (DATABASE_URL's server, or 127.0.0.1:5432), times each admin page, the CSV export and approving 10,000;
## prints a table, writes bench/admin-results.json, drops the database.
bench-admin: install
	$(BIN)/python -m bench.admin

## Save PNGs of every page and state (phone and desktop width, English and Korean, light and dark) into screenshots/.
screenshots: install
	@fc-list :lang=ko | grep -q . || (echo "No Korean font: Korean pages would show boxes. apt-get install -y fonts-nanum" && exit 1)
	rm -rf screenshots
	$(BIN)/python -m pytest -q -p no:randomly tests/browser/screenshots.py
	@echo "Saved $$(ls screenshots/*.png | wc -l) screenshots in screenshots/"

## Refresh the Korean catalogue from the code, then compile it (needs GNU gettext: apt-get install -y gettext).
## Translate the new or fuzzy entries in onboarding/locale/ko/LC_MESSAGES/django.po, run it again, commit both files.
messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l ko --no-obsolete --add-location=file \
		--ignore=tests --ignore=staticfiles --ignore=screenshots
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l ko --ignore=.venv --ignore=staticfiles

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
