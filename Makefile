# segmap: two commands on a fresh Debian/Ubuntu machine with Python 3.11+
#   make demo   create .venv, install segmap, build the three demo reports (snakemake --cores 4)
#   make test   run the test suite in the same environment
#   make recover [CONFIG=mine.yaml] [TARGET=xx]   after a crash: unlock, then finish the incomplete outputs

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.segmap-installed
CORES  ?= 4
CONFIG ?=
TARGET ?=
CONFIG_ARG := $(if $(CONFIG),--configfile $(CONFIG),)

.PHONY: install demo test lint clean recover

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

# After a crash (power cut, killed job, full disk): release Snakemake's lock, then remake the outputs that a
# stopped job left incomplete, and everything after them. Targets come before --configfile (see README).
recover: $(STAMP)
	$(BIN)/snakemake --unlock --cores 1 $(CONFIG_ARG)
	$(BIN)/snakemake --cores $(CORES) --rerun-incomplete $(TARGET) $(CONFIG_ARG)

lint: $(STAMP)
	$(BIN)/snakemake --lint

clean:
	rm -rf data/processed/*/ outputs/*/ logs benchmarks/*/ data/raw/demo .snakemake
