# PartyHub developer and CI entry points. `make run` and `make test` are the two that matter;
# both create and refresh the virtualenv on their own, so a fresh clone needs nothing else.

# bash for `shopt` and arrays in `bench`; -e and pipefail so a failing line fails its target.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Touched after a successful `pip install`; make compares its date with requirements.txt, so pip
# only runs again when the requirements change (a second `make test` starts at once).
STAMP := $(VENV)/.installed

# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k scoping -x"`.
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv install run test test-dates lint typecheck messages worker beat bench require-redis backup restore

help:
	@echo "make run     install, migrate, load the demo province if the database is empty, serve http://127.0.0.1:8000"
	@echo "make test    install, ruff check and format --check, mypy, migrations check, pytest -n 2 (PYTEST_ARGS=...)"
	@echo "make test-dates  the tests marked calendar on each day of TEST_DATES and on the real today"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make typecheck mypy with the django-stubs plugin on the typed part of the code"
	@echo "make messages re-extract translatable strings into locale/en/LC_MESSAGES/django.po and compile the .mo"
	@echo "make worker  Celery worker (needs REDIS_URL)"
	@echo "make beat    Celery beat (needs REDIS_URL)"
	@echo "make backup  the whole database into backups/partyhub-DATE-TIME.dump (PostgreSQL) or .sqlite3 (SQLite)"
	@echo "make restore FILE=backups/... replace the whole database with a backup (asks first; CONFIRM=yes does not)"
	@echo "make bench   PostgreSQL benchmarks at BENCH_SIZES members (default 25000 100000 400000), then bench/*_bench.py"

# --- virtualenv -----------------------------------------------------------------------------
# The interpreter is the venv's target file, so the venv is only created when it is missing.
# pyproject.toml pins Python 3.11; refuse another version rather than fail later in odd ways.
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
		|| { echo "PartyHub needs Python 3.11; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Use make PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv install: $(STAMP)

# --- run ------------------------------------------------------------------------------------
# load_demo --if-empty leaves an existing database alone, so `make run` is safe to repeat.
# The compiled .mo catalogues are committed, so compilemessages is not needed here.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py demo_logins
	$(PY) manage.py runserver 127.0.0.1:8000

# --- tests and linters ----------------------------------------------------------------------
# Playwright's synchronous API runs an event loop in the test thread; live_server tests then touch
# the database from it, which Django refuses unless this is set. Only the test target gets it.
test: export DJANGO_ALLOW_ASYNC_UNSAFE := true
test: install typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The days `make test-dates` runs the tests marked `calendar` on (pytest --today=D freezes their
# clock at 09:00 in Vietnam on D; see tests/conftest.py), then once more on the real today:
#   2026-12-31  the last day of a year;
#   2027-01-01  New Year's Day, a public holiday, the first day of a year;
#   2027-02-11  the first working day after Tết 2027, from the `holidays` package's Vietnam calendar
#               (the one recruitment/working_days.py uses): Tết runs from 04/02 (29 Tết) to 10/02/2027
#               (mùng 5), and the first Monday-to-Friday day after it that is no holiday is Thu 11/02:
#               .venv/bin/python -c 'import datetime as d, holidays; vn = holidays.country_holidays("VN",
#               years=2027, language="vi"); last = max(k for k, v in vn.items() if "Nguyên Đán" in v);
#               print(next(x for x in (last + d.timedelta(n) for n in range(1, 30)) if x.weekday() < 5 and x not in vn))'
#   2028-02-29  a leap day;
#   2030-06-30  the last day of the 2025-2030 term, and 2030-07-01 the first of the next one.
TEST_DATES := 2026-12-31 2027-01-01 2027-02-11 2028-02-29 2030-06-30 2030-07-01

# Each day is a pytest run of its own; every day runs even after one fails, and the target fails
# at the end naming the days that failed. --dist loadscope keeps a class on one worker, so a demo a
# class builds once is built once per day. PYTEST_ARGS=... passes extra arguments to each run.
test-dates: export DJANGO_ALLOW_ASYNC_UNSAFE := true
test-dates: install
	@failed=(); \
	for day in $(TEST_DATES) today; do \
		if [ "$$day" = today ]; then option=(); else option=(--today="$$day"); fi; \
		if [ "$$day" = today ]; then echo "== calendar tests on the real today ($$(TZ=Asia/Ho_Chi_Minh date +%F))"; \
		else echo "== calendar tests on $$day"; fi; \
		$(BIN)/pytest -n 2 --dist loadscope -q -m calendar "$${option[@]}" $(PYTEST_ARGS) || failed+=("$$day"); \
	done; \
	if [ $${#failed[@]} -gt 0 ]; then echo "Calendar tests failed on: $${failed[*]}"; exit 1; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The typed part of the code grows module by module: members/ (its demo builder and management
# commands are left out for now) and recruitment's rules with the two modules they import.
# Configuration (django-stubs plugin, follow_imports = "silent" for everything outside this list,
# the treebeard stubs in typings/) is in pyproject.toml.
typecheck: install
	$(BIN)/mypy members recruitment/rules.py recruitment/rule_numbers.py recruitment/working_days.py

# --- translations ---------------------------------------------------------------------------
# Source strings are Vietnamese; locale/en holds the English. After adding or changing strings: run
# `make messages`, translate the empty and fuzzy entries it reports in the .po (and drop the
# `#, fuzzy` flags), run it again to compile, and commit the .po with the .mo. --ignore=.venv keeps
# both commands out of the virtualenv's packages. tests/test_translations.py extracts with the
# same flags and fails on any string missing from the catalogue.
MAKEMESSAGES_FLAGS := -l en --ignore=.venv --ignore=staticfiles --ignore=tests --no-location
messages: install
	$(PY) manage.py makemessages $(MAKEMESSAGES_FLAGS)
	$(PY) manage.py compilemessages -l en --ignore=.venv
	@msgfmt --statistics -o /dev/null locale/en/LC_MESSAGES/django.po

# --- Celery ---------------------------------------------------------------------------------
# Without REDIS_URL the settings run every task inline (eager), so a worker would have nothing to
# consume. Ask Django rather than the shell, because the value may also come from a .env file.
require-redis: install
	@$(PY) -c 'import os; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyhub.settings"); \
		from django.conf import settings; import sys; sys.exit(0 if settings.REDIS_URL else 1)' \
		|| { echo "REDIS_URL is not set: Celery runs tasks inline without it, so there is nothing for a worker or beat to do."; \
		     echo "Set it, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make $(MAKECMDGOALS) (bash .ci/services.sh starts a local Redis)."; \
		     exit 1; }

worker: require-redis
	$(BIN)/celery -A partyhub worker -l info

beat: require-redis
	$(BIN)/celery -A partyhub beat -l info

# --- backups --------------------------------------------------------------------------------
# manage.py backup / restore (partyhub/backups.py, docs/deployment.md "Backups"): pg_dump --format=custom
# and pg_restore --clean --if-exists when DATABASE_URL is PostgreSQL, SQLite's online backup API for
# the SQLite file otherwise. Files go to backups/ (git-ignored), named with the local date and time.
# No `install` prerequisite: on a production server a backup must never start pip.
backup:
	$(PY) manage.py backup

restore:
	@test -n "$(FILE)" || { echo "make restore needs the backup to restore: make restore FILE=backups/partyhub-....dump [CONFIRM=yes]"; exit 1; }
	$(PY) manage.py restore "$(FILE)" $(if $(filter yes,$(CONFIRM)),--yes)

# --- benchmarks -----------------------------------------------------------------------------
# bench/run.py (docs/performance.md "make bench"): for each size of BENCH_SIZES, a fresh province in
# the PostgreSQL database partyhub_bench, the recompute beside its one-statement baseline, the progress
# report, the pages under locust through gunicorn; then the SQLite benches (bench/*_bench.py). Results
# go to bench/results/. Other knobs are environment variables read by bench/run.py (BENCH_BUILD, ...).
# locust is pinned in bench/requirements.txt, not requirements.txt: the app never imports it.
BENCH_SIZES ?= 25000 100000 400000

bench: install
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	BENCH_SIZES="$(BENCH_SIZES)" $(PY) bench/run.py
