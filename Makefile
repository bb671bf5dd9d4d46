# Two entry points (see README): `make run` and `make test`. Both create .venv with python3 and
# install the locked packages, each checked against its sha256 (`--require-hashes`), then the
# project itself without dependencies; nothing is reinstalled unless a lock file or pyproject.toml
# changed since the last install. `make lock` compiles the lock files from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --disable-pip-version-check -q
HOST   ?= 127.0.0.1
PORT   ?= 7860
# requirements.lock: the app's packages; requirements-test.lock: the same pins plus the test extra.
# Both are compiled for CPython 3.11 on Linux x86_64: the torch CPU wheel in $(WHEELS) is cp311.
LOCK      := requirements.lock
TEST_LOCK := requirements-test.lock
WHEELS    := /opt/wheels
PIP_TOOLS := pip-tools==7.6.2

.PHONY: run test lock index eval bench bench-covidqa bench-suite clean

PY311  := $(PYTHON) -c 'import sys; sys.exit(None if sys.version_info[:2] == (3, 11) else "The lock files are for Python 3.11 (the torch CPU wheel in $(WHEELS) is cp311), and $(PYTHON) is " + sys.version.split()[0] + ": run make with PYTHON=python3.11.")'

$(BIN)/python:
	@$(PY311)
	$(PYTHON) -m venv $(VENV)

# $(1): the lock file. Installs it with hashes, then the project with no dependencies of its own
# (setuptools, its build backend, comes from the lock: no build isolation, nothing unlocked).
# `pip check` then fails when pyproject.toml asks for a package the lock lacks.
define install_locked
	@test -d $(WHEELS) || { echo "$(WHEELS) is missing: it holds the torch 2.13.0 CPU wheel the lock pins (see README, Set-up)."; exit 1; }
	$(PIP) --require-hashes -r $(1)
	$(PIP) --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "The installed packages do not meet pyproject.toml: run \`make lock\` and commit the lock files."; exit 1; }
endef

$(VENV)/.stamp-run: $(LOCK) pyproject.toml | $(BIN)/python
	$(call install_locked,$(LOCK))
	@touch $@

$(VENV)/.stamp-test: $(TEST_LOCK) pyproject.toml | $(BIN)/python
	$(call install_locked,$(TEST_LOCK))
	@touch $@ $(VENV)/.stamp-run

# After changing pyproject.toml's dependencies (or constraints.txt): `make lock`, then commit both
# lock files. Pins already in the locks are kept where they still fit; LOCK_ARGS=--upgrade moves
# every pin to the newest release allowed, LOCK_ARGS="-P gradio" only gradio. pip-tools runs from
# a throwaway venv (it is not a dependency of the project); the runtime lock is compiled under
# the test lock's pins, so the app runs on exactly the versions the tests ran on.
LOCK_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" "$$tools/bin/pip-compile" --quiet --generate-hashes \
	--strip-extras --build-deps-for editable --unsafe-package quoteqa --no-emit-index-url \
	--find-links $(WHEELS) -c constraints.txt $(LOCK_ARGS)
lock:
	@$(PY311)
	tools=$$(mktemp -d) && trap 'rm -rf "$$tools"' EXIT && \
	$(PYTHON) -m venv "$$tools" && "$$tools/bin/python" -m pip install -q $(PIP_TOOLS) && \
	$(LOCK_COMPILE) --extra test -o $(TEST_LOCK) pyproject.toml && \
	$(LOCK_COMPILE) -c $(TEST_LOCK) -o $(LOCK) pyproject.toml

index: $(VENV)/.stamp-run
	$(BIN)/python -m ingest

run: index
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

test: $(VENV)/.stamp-test
	$(BIN)/ruff check --no-cache qa ingest eval serving chatpage app.py tests
	$(BIN)/python -m pytest $(PYTEST_ARGS)

eval: $(VENV)/.stamp-test index
	$(BIN)/python -m eval

bench: $(VENV)/.stamp-test index
	$(BIN)/python -m eval.bench

# The outside benchmark (../shared/benchmarks/covidqa): build its index once (~3 min), then score
# the dev questions; the "bm25 only" column is the BM25-over-paragraphs baseline.
COVIDQA ?= ../shared/benchmarks/covidqa
bench-covidqa: $(VENV)/.stamp-test
	$(BIN)/python -m ingest --corpus $(COVIDQA)/corpus --index index.covidqa
	$(BIN)/python -m eval --index index.covidqa --questions $(COVIDQA)/questions-dev.jsonl $(EVAL_ARGS)

# All three corpora, each split by article into a tuning and a check part (eval/split.py): builds
# index.covidqa and index.medquad once, generates the conversations (eval/conversations.py), then
# scores the tuning parts. `make bench-suite SUITE_ARGS="--part both"` adds the check parts.
BENCH  ?= ../shared/benchmarks
bench-suite: $(VENV)/.stamp-test index
	for b in covidqa medquad; do \
	  $(BIN)/python -m ingest --quiet --corpus $(BENCH)/$$b/corpus --index index.$$b && \
	  $(BIN)/python -m eval.conversations --questions $(BENCH)/$$b/questions-dev.jsonl \
	    --corpus $(BENCH)/$$b/corpus --out eval/generated/conversations-$$b.jsonl || exit 1; \
	done
	$(BIN)/python -m eval.suite $(SUITE_ARGS)

clean:
	rm -rf $(VENV) index index.covidqa index.medquad eval/generated .pytest_cache .hypothesis
