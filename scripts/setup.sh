#!/usr/bin/env bash
# Set up a fresh machine of this kind: Debian packages (Chromium, CJK fonts, PDF tools), then .venv with uv.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
PKGS="chromium fonts-noto-cjk fonts-wqy-zenhei libharfbuzz-subset0 poppler-utils"
missing=""
for p in $PKGS; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "安装系统软件包:$missing"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
PY=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  if command -v pyenv >/dev/null && pyenv prefix 3.12.1 >/dev/null 2>&1; then PY="$(pyenv prefix 3.12.1)/bin/python3.12"
  elif command -v python3.12 >/dev/null; then PY=python3.12
  else echo "需要 Python 3.12 或更高版本（Django 6）。" >&2; exit 1; fi
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -c 'import sys; assert sys.version_info >= (3, 12), sys.version'
[ -x .venv/bin/uv ] || .venv/bin/pip install -q uv 2>&1 | grep -v "is ignored" || true
UV_COMPILE_BYTECODE=1 .venv/bin/uv pip install -q --python .venv/bin/python -r requirements-dev.txt
mkdir -p var
touch .venv/.setup-done
