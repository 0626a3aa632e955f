# Every target sets up .venv first (scripts/bootstrap.sh, a no-op when up to date) from the
# hash-pinned lock files in requirements/ (scripts/lock.sh regenerates them).
#   make demo    the main job on the shipped fixtures (installs the runtime dependencies only)
#   make test    the whole test suite: lint, policies, docs, every test (what CI runs)
#   make unit    the fast subset of the tests (no slow end-to-end tests, no live Kafka)
#   make lint    ruff, ruff format --check, mypy --strict, opa fmt/check, regal
#   make fmt     ruff format, opa fmt -w
#   make docs    the docs site (mkdocs build --strict) into site/
#   make build   wheel and sdist into dist/
#   make bench   the performance targets
#   make lock    regenerate requirements/*.txt after changing a dependency in pyproject.toml
.PHONY: demo test unit lint fmt docs build bench lock
demo:
	scripts/demo.sh
test:
	scripts/test.sh
unit:
	scripts/bootstrap.sh
	.venv/bin/pytest -q -m "not slow" --ignore=tests/kafka
lint:
	scripts/bootstrap.sh
	scripts/install-tools.sh
	scripts/lint.sh
fmt:
	scripts/bootstrap.sh
	scripts/lint.sh fmt
docs:
	scripts/bootstrap.sh
	.venv/bin/mkdocs build --strict --site-dir site
build:
	scripts/bootstrap.sh
	rm -rf dist
	.venv/bin/python -m build --outdir dist
bench:
	scripts/bootstrap.sh
	.venv/bin/python -m benchmarks.run
lock:
	scripts/bootstrap.sh
	scripts/lock.sh
