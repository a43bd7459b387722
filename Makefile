# Two commands matter: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench install migrate messages screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput

## Serve the site at http://127.0.0.1:8000 on the SQLite file db.sqlite3.
run: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## Run the whole suite, browser tests included.
test: install
	$(BIN)/python -m pytest

## Signups per second against the password-hashing limit, and each request's cost (about 3 minutes).
## SQLite in a temporary directory; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set.
bench: install
	$(BIN)/python -m bench.run

## Save PNGs of every step and state (phone and desktop width, English and Korean) into screenshots/.
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
