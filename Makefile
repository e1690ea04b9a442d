# The two commands of the README. Each sets up what it needs first.
.PHONY: serve test build check lint bench

serve:
	@scripts/bootstrap
	.venv/bin/lantoa serve

test:
	@scripts/bootstrap
	@scripts/install-browser
	.venv/bin/python -m ruff check .
	.venv/bin/python -m pytest -n 2 --dist loadfile

build:
	@scripts/bootstrap
	.venv/bin/lantoa build --strict

check:
	@scripts/bootstrap
	.venv/bin/lantoa check

lint:
	@scripts/bootstrap
	.venv/bin/python -m ruff check .
