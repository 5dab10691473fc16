#!/usr/bin/env bash
# Set up a fresh machine of this kind: Debian packages (Chromium, CJK fonts, PDF tools), then .venv with uv,
# then the front-end assets served by the project itself (ECharts; government intranets have no internet).
#   bash scripts/setup.sh           everything (development machines, CI)
#   bash scripts/setup.sh echarts   only ECharts (production installs, see README)
set -euo pipefail
cd "$(dirname "$0")/.."

# ECharts: a pinned release from the npm registry, checked against the registry's sha512 integrity of
# that release before anything is extracted; only dist/echarts.min.js (and its licence) is kept, under
# zhiben/static/vendor/echarts/ (not committed). Skipped when the file is present with the expected sha256.
# ZHIBEN_NPM_REGISTRY picks a mirror (default: npm's configured registry); ZHIBEN_ECHARTS_TGZ installs from a
# tarball copied onto an offline machine (the same checks apply).
ECHARTS_VERSION="6.1.0"
ECHARTS_SHA512="q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=="
ECHARTS_MIN_SHA256="b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0"
ECHARTS_DIR="zhiben/static/vendor/echarts"

sha256_of() { python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }
sha512_of() {
  python3 -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode())' "$1"
}

fetch_echarts() {
  local target="$ECHARTS_DIR/echarts.min.js"
  if [ -f "$target" ] && [ "$(sha256_of "$target")" = "$ECHARTS_MIN_SHA256" ]; then
    return 0
  fi
  local tmp tgz registry
  tmp="$(mktemp -d)"
  ECHARTS_TMP="$tmp"
  trap 'rm -rf "$ECHARTS_TMP"' EXIT
  tgz="$tmp/echarts-$ECHARTS_VERSION.tgz"
  if [ -n "${ZHIBEN_ECHARTS_TGZ:-}" ]; then
    cp "$ZHIBEN_ECHARTS_TGZ" "$tgz"
  else
    registry="${ZHIBEN_NPM_REGISTRY:-}"
    if [ -z "$registry" ] && command -v npm >/dev/null; then registry="$(npm config get registry 2>/dev/null || true)"; fi
    registry="${registry:-https://registry.npmjs.org/}"
    echo "下载 ECharts $ECHARTS_VERSION（${registry%/}）"
    if ! curl -fsSL --retry 2 --max-time 300 -o "$tgz" "${registry%/}/echarts/-/echarts-$ECHARTS_VERSION.tgz"; then
      echo "错误：无法从 npm 仓库 ${registry%/} 下载 ECharts $ECHARTS_VERSION（大屏与统计图表需要它）。" >&2
      echo "  请检查网络或设置 ZHIBEN_NPM_REGISTRY=镜像地址；离线机器可在能上网的机器上运行" >&2
      echo "  npm pack echarts@$ECHARTS_VERSION，把得到的文件拷来后以 ZHIBEN_ECHARTS_TGZ=文件路径 重新运行本脚本。" >&2
      exit 1
    fi
  fi
  if [ "$(sha512_of "$tgz")" != "$ECHARTS_SHA512" ]; then
    echo "错误：ECharts $ECHARTS_VERSION 安装包的 sha512 与脚本中固定的值不符（文件损坏或被篡改），未安装。" >&2
    exit 1
  fi
  tar -xzf "$tgz" -C "$tmp" package/dist/echarts.min.js package/LICENSE package/NOTICE
  if [ "$(sha256_of "$tmp/package/dist/echarts.min.js")" != "$ECHARTS_MIN_SHA256" ]; then
    echo "错误：ECharts 安装包中的 echarts.min.js 与预期不符，未安装。" >&2
    exit 1
  fi
  mkdir -p "$ECHARTS_DIR"
  cp "$tmp/package/LICENSE" "$tmp/package/NOTICE" "$ECHARTS_DIR/"
  mv "$tmp/package/dist/echarts.min.js" "$target.part" && mv "$target.part" "$target"
  echo "ECharts $ECHARTS_VERSION 已安装到 $target"
}

if [ "${1:-}" = "echarts" ]; then
  fetch_echarts
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
PKGS="chromium fonts-noto-cjk fonts-wqy-zenhei libharfbuzz-subset0 poppler-utils libreoffice-writer-nogui"
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
fetch_echarts
touch .venv/.setup-done
