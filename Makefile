# Two entry points (see README): `make run` and `make test`. Both create .venv with python3 and
# install only when pyproject.toml or constraints.txt changed since the last install.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: run test index eval bench bench-covidqa clean

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

clean:
	rm -rf $(VENV) index index.covidqa .pytest_cache .hypothesis
