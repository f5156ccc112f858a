# Two entry points, both idempotent on a fresh clone with Python 3.11:
#   make run    install everything (pose model included) and start the app
#   make test   install everything and run the tests
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install models run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

models: install
	$(PY) -m assess models install

run: models
	$(VENV)/bin/streamlit run app.py --server.headless true --server.port 8501 --browser.gatherUsageStats false

# The tests run inside a private network namespace (loopback only) when the
# machine allows it, so no test can reach the outside world.
test: models
	@if unshare -n true 2>/dev/null && command -v ip >/dev/null; then \
		unshare -n sh -c 'ip link set lo up && $(PY) -m pytest'; \
	else \
		echo "(unshare -n not available: running the tests without network isolation)"; \
		$(PY) -m pytest; \
	fi

lint: install
	$(VENV)/bin/ruff check assess tests app.py benchmarks

clean:
	rm -rf $(VENV) models/*.task models/.cache models/installed.json
