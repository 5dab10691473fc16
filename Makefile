# Zhiben: `make run` serves the demo, `make test` runs the whole suite.
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-fast lint bench demo migrate clean

.venv/.setup-done: requirements.txt requirements-dev.txt scripts/setup.sh
	bash scripts/setup.sh

setup: .venv/.setup-done

migrate: setup
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo ""
	@echo "治本已启动：在浏览器打开 http://$(HOST):$(PORT)/ ，用上面任一演示账号登录（按 Ctrl+C 停止）。"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	.venv/bin/pytest -n 2 $(ARGS)

lint: setup
	.venv/bin/ruff check zhiben tests bench
	.venv/bin/ruff format --check zhiben tests bench

test-fast: setup
	.venv/bin/pytest -n 2 -m "not browser" $(ARGS)

bench: setup
	$(PY) -m bench $(ARGS)

clean:
	rm -rf var/zhiben.sqlite3* var/static var/media
