# Two commands do everything (see README.md):
#   make serve   build the site from the catalog and serve it at http://127.0.0.1:8000
#   make test    run the whole test suite
# Both create .venv with the project and its dependencies if it is missing or out of date.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev,demos
# Quiet MkDocs 2 / Material end-of-life banners; they never change a build's result.
export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true

.PHONY: serve build test validate install clean help demos

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-$(EXTRAS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(VENV)/.installed-$(EXTRAS) ## Create .venv and install the project with the extras in EXTRAS

validate: install ## Validate the catalog
	$(BIN)/aigc-resources validate

build: install ## Validate the catalog and build the site into site/
	$(BIN)/aigc-resources build

serve: install ## Validate, build and serve the site at http://127.0.0.1:8000
	$(BIN)/aigc-resources serve

test: install ## Run the whole test suite
	$(BIN)/python -m pytest

demos: install ## Re-run every demo in full (seed 0) and refresh its committed run in docs/demos/
	for name in $$($(BIN)/aigc-resources demo list | cut -d' ' -f1); do \
	  $(BIN)/aigc-resources demo run $$name --seed 0 --out docs/demos/$$name || exit 1; done

clean: ## Remove the built site and generated pages
	rm -rf site docs/_generated
