# segmap: two commands on a fresh Debian/Ubuntu machine with Python 3.11+
#   make demo   create .venv, install segmap, build the three demo reports (snakemake --cores 4)
#   make test   run the test suite in the same environment

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.segmap-installed
CORES  ?= 4

.PHONY: install demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/snakemake --lint

clean:
	rm -rf data/processed/*/ outputs/*/ logs benchmarks/*/ data/raw/demo .snakemake
