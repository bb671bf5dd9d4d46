# Two entry points (see README): `make run` and `make test`. Both create .venv with python3 and
# install only when pyproject.toml or constraints.txt changed since the last install.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: run test index eval bench bench-covidqa bench-suite clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-run: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) torch==2.13.0
	$(PIP) -e .
	@touch $@

$(VENV)/.stamp-test: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) torch==2.13.0
	$(PIP) -e '.[test]'
	@touch $@ $(VENV)/.stamp-run

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
