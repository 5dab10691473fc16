#!/usr/bin/env bash
# Production serving: check the settings, migrate, collect static files, then run gunicorn with several
# workers (deploy/gunicorn.conf.py). The worker (`manage.py run_worker`) runs as its own service.
#
#   scripts/serve.sh                 # reads /etc/zhiben/zhiben.env when it exists
#   ZHIBEN_ENV_FILE=./prod.env scripts/serve.sh
#
# Everything comes from the environment (see deploy/zhiben.env.example); ZHIBEN_DEBUG is 0 here, so the
# process refuses to start without ZHIBEN_SECRET_KEY, ZHIBEN_FIELD_KEYS, ZHIBEN_AUDIT_KEY and
# ZHIBEN_ALLOWED_HOSTS. No demo data is loaded: create the first administrator with
# `python manage.py create_admin`.
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_FILE=${ZHIBEN_ENV_FILE:-/etc/zhiben/zhiben.env}
if [ -f "$ENV_FILE" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
export ZHIBEN_DEBUG=0
export ZHIBEN_DB_POOL=${ZHIBEN_DB_POOL:-2}  # a sync worker serves one request at a time
PY=.venv/bin/python
[ -x .venv/bin/gunicorn ] || { echo "缺少 .venv/bin/gunicorn：请先运行 make setup（或 uv pip install -r requirements.txt）。" >&2; exit 1; }
$PY manage.py check --deploy
if [ "${ZHIBEN_MIGRATE_ON_START:-1}" = 1 ]; then
  $PY manage.py migrate --noinput
fi
if [ ! -f zhiben/static/vendor/echarts/echarts.min.js ]; then  # charts of the dashboards (not in git)
  bash scripts/setup.sh echarts || echo "提示：未能安装 ECharts，统计图表将以表格显示；联网或设置 ZHIBEN_ECHARTS_TGZ 后运行 bash scripts/setup.sh echarts。" >&2
fi
$PY manage.py collectstatic --noinput -v0
exec .venv/bin/gunicorn --config deploy/gunicorn.conf.py zhiben.wsgi:application
