# Two entry points, both idempotent on a fresh clone with Python 3.11:
#   make run    install everything (pose model included) and start the app
#   make test   install everything and run the tests
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install models browser run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Byte-compile the package: where PYTHONDONTWRITEBYTECODE is set (as on our CI machines),
# Python would otherwise compile it afresh in every process, ~0.17 s each, twice per analysis
# (this process and its worker). Files edited later are compiled in memory as usual.
install: $(STAMP)
	$(PY) -m compileall -q assess

models: install
	$(PY) -m assess models install

run: models
	$(VENV)/bin/streamlit run app.py --server.headless true --server.port 8501 --browser.gatherUsageStats false

# The browser tests drive Debian's Chromium: install it when missing (as root,
# or through passwordless sudo); otherwise say so, and those tests skip with that reason.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
		if [ "$$SUDO" = none ]; then \
			echo "(Chromium is missing and cannot be installed without root: browser tests will skip. Install it with: sudo apt-get install chromium)"; \
		else \
			$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		fi; \
	fi

# The tests run inside a private network namespace (loopback only) when the
# machine allows it, so no test can reach the outside world.
test: models browser lint
	@if unshare -n true 2>/dev/null && command -v ip >/dev/null; then \
		unshare -n sh -c 'ip link set lo up && $(PY) -m pytest'; \
	else \
		echo "(unshare -n not available: running the tests without network isolation)"; \
		$(PY) -m pytest; \
	fi

lint: install
	$(VENV)/bin/ruff check assess tests app.py benchmarks
	$(VENV)/bin/mypy assess tests benchmarks app.py

clean:
	rm -rf $(VENV) models/*.task models/.cache models/installed.json
