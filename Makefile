.PHONY: demo test lint
demo:  ## start the dashboard with the sandbox, demo connection and demo users
	scripts/demo.sh
test:  ## install everything and run all tests
	scripts/test.sh
lint:
	scripts/bootstrap.sh && .venv/bin/ruff check .
