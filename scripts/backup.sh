#!/usr/bin/env bash
# Nightly backup (deploy/zhiben-backup.timer): database and stored files into one .tar.gz, then remove
# backups older than KEEP_DAYS. Copy the folder to another machine as well: a backup on the same disk
# does not survive the disk.
#
#   scripts/backup.sh [DIR] [KEEP_DAYS]      # default /var/backups/zhiben, 30 days
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_FILE=${ZHIBEN_ENV_FILE:-/etc/zhiben/zhiben.env}
if [ -f "$ENV_FILE" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
DIR=${1:-${ZHIBEN_BACKUP_DIR:-/var/backups/zhiben}}
KEEP_DAYS=${2:-${ZHIBEN_BACKUP_KEEP_DAYS:-30}}
umask 077
mkdir -p "$DIR"
.venv/bin/python manage.py backup_data "$DIR/zhiben-$(date +%Y%m%d-%H%M%S).tar.gz"
find "$DIR" -maxdepth 1 -name 'zhiben-*.tar.gz' -mtime +"$KEEP_DAYS" -delete
