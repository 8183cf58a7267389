# The two commands of the README's quick start:
#   make sites   set up a virtual environment, install trustcenter, build both sites
#   make test    set up, then run ruff, mypy and the whole test suite
#   make bench   set up, then run every benchmark (installs Prowler into its own venv)
# Both work on a new machine with only Python 3.11+ installed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: sites test bench browser lint typecheck pytest clean

# With AWS credentials (the standard chain, instance metadata left out) collect from AWS;
# without, from the built-in demo account on a local moto server. Then build both sites.
sites: $(VENV)/.installed-demo
	@if AWS_EC2_METADATA_DISABLED=true $(BIN)/python -c \
		'import boto3, sys; sys.exit(boto3.Session().get_credentials() is None)' 2>/dev/null; \
	then $(BIN)/trustcenter collect; \
	else echo "No AWS credentials found: collecting from the built-in demo account."; \
		$(BIN)/trustcenter collect --demo; fi
	$(BIN)/trustcenter build

test: $(VENV)/.installed-dev browser lint typecheck pytest

# The browser tests drive Debian's Chromium; Playwright's own browser download is never used.
# As root (CI) it is installed here; elsewhere the browser tests say what to install and skip.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "chromium is not installed: the browser tests will be skipped (apt-get install chromium chromium-driver)"; fi

# GNU time measures the benchmarks' peak memory; as root it is installed here.
bench: $(VENV)/.installed-dev
	@if [ ! -x /usr/bin/time ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; fi
	benchmarks/run $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes, so a pulled dependency bump is picked up.
$(VENV)/.installed-%: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e ".[$*]"
	touch $@

clean:
	rm -rf $(VENV) build site
