#!/usr/bin/env bash
# Print a production environment file with freshly generated keys (deploy/zhiben.env.example explains
# each line). Keep the file readable by the service account only, and keep a copy of the keys apart
# from the backups: without ZHIBEN_FIELD_KEYS the encrypted fields of a backup cannot be read, and
# without ZHIBEN_AUDIT_KEY its audit chain cannot be verified.
#
#   scripts/new-env.sh zhiben.example.gov.cn > /etc/zhiben/zhiben.env && chmod 600 /etc/zhiben/zhiben.env
set -euo pipefail
HOST=${1:?用法：scripts/new-env.sh 对外域名}
PY=${PYTHON:-python3}
secret=$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')
field=$($PY -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
audit=$($PY -c 'import secrets; print(secrets.token_urlsafe(48))')
cat <<ENV
# 治本生产环境变量（$(date +%F) 生成）。权限 600，属主为运行服务的账号。
ZHIBEN_DEBUG=0
ZHIBEN_SECRET_KEY=$secret
ZHIBEN_FIELD_KEYS=k$(date +%Y%m):$field
ZHIBEN_AUDIT_KEY=$audit
ZHIBEN_ALLOWED_HOSTS=$HOST
ZHIBEN_CSRF_TRUSTED_ORIGINS=https://$HOST
ZHIBEN_SITE_URL=https://$HOST
ZHIBEN_HTTPS=1
ZHIBEN_BEHIND_PROXY=1
ZHIBEN_TRUSTED_PROXIES=127.0.0.1
DATABASE_URL=postgres://zhiben@127.0.0.1:5432/zhiben
ZHIBEN_MEDIA_ROOT=/var/lib/zhiben/media
ENV
