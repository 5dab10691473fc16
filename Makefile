# Zhiben: `make run` serves the demo, `make test` runs the whole suite, `make serve` is production
# (gunicorn through scripts/serve.sh; see README, 生产部署).
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo is development: DEBUG on, keys derived from the development SECRET_KEY, published passwords.
DEMO := ZHIBEN_DEBUG=1

.PHONY: setup run test test-fast lint bench demo migrate clean serve not-production

.venv/.setup-done: requirements.txt requirements-dev.txt scripts/setup.sh
	bash scripts/setup.sh

setup: .venv/.setup-done

not-production:
	@if [ "$${ZHIBEN_DEBUG:-1}" = "0" ] || [ -n "$${ZHIBEN_SECRET_KEY:-}" ]; then \
	  echo "make run / make demo 是演示（公开密码的演示账号），不能在生产环境变量下运行：生产请用 make serve。" >&2; exit 1; fi

migrate: setup not-production
	$(DEMO) $(PY) manage.py migrate --noinput -v0

demo: migrate
	$(DEMO) $(PY) manage.py load_demo

run: demo
	@echo ""
	@echo "治本已启动：在浏览器打开 http://$(HOST):$(PORT)/ ，用上面任一演示账号登录（按 Ctrl+C 停止）。"
	$(DEMO) $(PY) manage.py runserver $(HOST):$(PORT)

serve:
	bash scripts/serve.sh

# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): every test worker and every
# `manage.py` a test starts would otherwise compile the project, and pytest rewrite every test module, again (~8 s
# of each worker's start).
PYC := PYTHONDONTWRITEBYTECODE=

test: setup
	$(PYC) .venv/bin/pytest -n 2 $(ARGS)

lint: setup
	.venv/bin/ruff check zhiben tests bench
	.venv/bin/ruff format --check zhiben tests bench

test-fast: setup
	$(PYC) .venv/bin/pytest -n 2 -m "not browser" $(ARGS)

bench: setup
	$(PY) -m bench $(ARGS)

clean:
	rm -rf var/zhiben.sqlite3* var/static var/media
