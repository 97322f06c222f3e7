# Two entry points for people: `make demo` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3

$(VENV)/.installed: ai_engine/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e 'ai_engine[dev,distributed]'
	touch $@

.PHONY: setup demo test
setup: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/ai-engine demo

test: $(VENV)/.installed
	VENV=$(abspath $(VENV)) scripts/run-tests
