"""gunicorn settings (`gunicorn -c config/gunicorn.conf.py config.wsgi`); the environment can change each one."""

import multiprocessing
import os

from gunicorn.http import wsgi

# Loopback unless told otherwise: the public address belongs to the proxy or load balancer in front.
# When TLS ends at that proxy, set FORWARDED_ALLOW_IPS (read by gunicorn itself; default 127.0.0.1,::1)
# to its address, so that its X-Forwarded-Proto is believed and Django does not redirect to HTTPS for ever.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers spend much of a request waiting on PostgreSQL and Redis; gunicorn's rule of thumb is 2 x cores + 1.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# A request stuck on a service that stopped answering gives its worker back after this long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Workers are replaced now and then, so a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# The links we mail carry a token in their path: the access log shows [token] instead.
logger_class = "config.gunicorn_logging.RedactingLogger"
# Request heads past these are refused (400) before Django sees them. gunicorn has no body cap:
# Django refuses a form body past DATA_UPLOAD_MAX_MEMORY_SIZE (64 KB) before parsing it, and
# onboarding.infra.middleware.RefuseFileUploads refuses multipart bodies, which that cap does not cover.
# The longest URL we make (a reset link, an admin list with filters) is far under 2 KB.
limit_request_line = 2048
limit_request_fields = 60
limit_request_field_size = 8190
# gunicorn's control socket sits at one path per user, which several servers on one machine would share; off.
control_socket_disable = True


# No "Server: gunicorn" banner: what a scanner learns from it helps nobody else. gunicorn has no
# setting for it, so the header line is dropped from the ones it writes itself.
_default_headers = wsgi.Response.default_headers


def _without_server_banner(response):
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


wsgi.Response.default_headers = _without_server_banner
