"""gunicorn settings for scripts/serve.sh; each can be changed through the environment file."""

import multiprocessing
import os

# Behind the intranet's proxy on the same machine; use a unix socket ("unix:/run/zhiben/web.sock")
# or 0.0.0.0:8000 only when the proxy is elsewhere (then list it in ZHIBEN_TRUSTED_PROXIES).
bind = os.environ.get("ZHIBEN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ZHIBEN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "sync"
timeout = int(os.environ.get("ZHIBEN_WORKER_TIMEOUT", 120))  # PDF documents, imports of large ledgers
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("ZHIBEN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("ZHIBEN_LOG_LEVEL", "warning").lower()
proc_name = "zhiben"
