# The two commands: `make run` and `make test`. Everything else is set up on the way.
#
# Two virtual environments, from the lock files in requirements/ (requirements/README.md says how to update them):
#   .venv-run  `make run`: only what the hub needs to run (requirements/run.txt), no test tools;
#   .venv      `make test`, `make lint`, `make install`: the hub, the test tools and the `hub` CLI
#              (requirements/dev.txt, which is run.txt plus the dev extras).
# Not one venv with extras: pip can add the dev extras to a venv but `make run` after `make test` could not take
# them out again, and the running hub would have pytest, moto and playwright in it. Two venvs keep both clean
# whatever order the commands run in, and `make run` installs no more than it needs.
#
# `make run` installs with uv (https://docs.astral.sh/uv/pip/), `make test` with pip. uv reads the same pip-tools
# lock and installs the 59 packages of run.txt in a few seconds from its cache (~/.cache/uv), linking the files
# rather than unpacking every wheel again, where pip took 40 to 190 s for the same on this machine (BENCHMARKS.md,
# first run). uv is pinned (UV_VERSION) and comes from PyPI into a small venv of its own under ~/.cache, made on
# the first `make run` on a machine and shared by every checkout after it, as the caches are; not `pip install
# --user`, which Debian's and Ubuntu's Pythons refuse (PEP 668); `make clean` leaves it, as it leaves the caches.
# UV=uv uses one's own uv instead. uv does not read pip's configuration: a package mirror is given to it as
# UV_INDEX_URL (or UV_DEFAULT_INDEX).
PYTHON ?= python3
VENV ?= .venv
RUN_VENV ?= .venv-run
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist: a process per core (at most 4), each with its own database, broker and var folder
# (hub/settings/test.py), the tests of one file in one process (tests/conftest.py says why). 4 processes on this
# 2-core machine were tried and measured slower (CI's embedded pass 20 min 41 s against 7 min 54 s with 2 at the
# stop before, a quiet machine): each process collects the whole suite and starts its own shared worker, and the
# suite is bound by CPU (about 25 CPU-minutes), not by its waits. PYTEST_XDIST= runs in one process.
PYTEST_XDIST ?= --numprocesses=auto --maxprocesses=4 --dist=loadfile
# --no-compile: no bytecode written at install for every module of pandas, scipy, botocore and the rest; Python
# writes it on first import for the modules used, most of them in runhub's own process (migrate, the built-in
# build) before it starts the others. Measured both ways with bench/first_run.py (BENCHMARKS.md, a loaded machine):
# about even to /healthz (install 60 s + 44-59 s after it, against 102 s + 22 s compiled), and 150 MB less on disk.
# Where PYTHONDONTWRITEBYTECODE is set (as on this project's CI machine) nothing is written on import either, and
# each process compiles what it imports: the reason runhub has the web server import beside migrate.
PIP_INSTALL = -m pip install --quiet --no-compile
UV_VERSION := 0.13.8
UV_TOOL := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/practice-hub/uv-$(UV_VERSION)
UV ?= $(UV_TOOL)/bin/uv
# Made here only when it is the pinned one (not for UV=uv).
UV_BOOTSTRAP := $(filter $(UV_TOOL)/bin/uv,$(UV))

.PHONY: run test install install-run lint lock bench clean

# uv's venv has no pip in it (nothing in `make run` needs one); `uv pip sync` makes the venv exactly the lock,
# taking out what an older lock had. No bytecode compiled at install, as with pip above (BENCHMARKS.md measures
# both: uv's --compile-bytecode compiles every module of every package, most of which the hub never imports).
# --python: the interpreter given, never one uv would download.
$(RUN_VENV)/.installed: pyproject.toml requirements/run.txt | $(UV_BOOTSTRAP)
	$(UV) venv --quiet --allow-existing --python "$$(command -v $(PYTHON))" $(RUN_VENV)
	$(UV) pip sync --quiet --python $(RUN_VENV)/bin/python requirements/run.txt
	$(UV) pip install --quiet --python $(RUN_VENV)/bin/python --no-deps -e .
	touch $@

$(UV_TOOL)/bin/uv:
	$(PYTHON) -m venv --clear $(UV_TOOL)
	$(UV_TOOL)/bin/python $(PIP_INSTALL) uv==$(UV_VERSION)

# The CLI's own distribution (hub_cli/pyproject.toml) goes in a second step: a venv made before the CLI had one
# has `hub` from the old practice-hub, which pip would remove on replacing that after installing the new `hub`.
$(VENV)/.installed: pyproject.toml hub_cli/pyproject.toml requirements/run.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python $(PIP_INSTALL) -r requirements/dev.txt -e '.[dev]'
	$(VENV)/bin/python $(PIP_INSTALL) --no-deps -e ./hub_cli
	touch $@

install-run: $(RUN_VENV)/.installed

install: $(VENV)/.installed

run: install-run
	PORT=$(PORT) $(RUN_VENV)/bin/python manage.py runhub

test: install
	$(VENV)/bin/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# Re-resolve requirements/*.txt after a change to the dependencies in pyproject.toml or hub_cli/pyproject.toml.
# Versions already locked stay as they are; LOCK_ARGS=--upgrade takes the newest allowed of everything,
# LOCK_ARGS='--upgrade-package kombu' of one package. pip-tools runs in a venv of its own (.venv-lock).
LOCK_VENV := .venv-lock
PIP_TOOLS := pip-tools==7.6.2
LOCK_ARGS ?=
PIP_COMPILE = CUSTOM_COMPILE_COMMAND='make lock' $(LOCK_VENV)/bin/pip-compile --quiet --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

lock:
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) \
		&& $(LOCK_VENV)/bin/python -m pip install --quiet $(PIP_TOOLS); }
	$(PIP_COMPILE) --output-file=requirements/run.txt pyproject.toml
	$(PIP_COMPILE) --extra=dev --constraint=requirements/run.txt --output-file=requirements/dev.txt \
		pyproject.toml hub_cli/pyproject.toml

clean:
	rm -rf $(VENV) $(RUN_VENV) $(LOCK_VENV) var .cli-venvs
