.PHONY: demo test
demo:
	scripts/demo.sh
test:
	scripts/test.sh
.PHONY: bench
bench:
	scripts/bootstrap.sh
	.venv/bin/python -m benchmarks.run
