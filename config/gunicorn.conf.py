"""gunicorn settings (`gunicorn -c config/gunicorn.conf.py config.wsgi`); the environment can change each one."""

import multiprocessing
import os

# Loopback unless told otherwise: the public address belongs to the proxy or load balancer in front.
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
# X-Forwarded-Proto is believed only from FORWARDED_ALLOW_IPS (gunicorn's default: 127.0.0.1,::1); set it to the
# proxy's address when TLS ends there, so that Django sees HTTPS and does not redirect for ever.
# gunicorn's control socket sits at one path per user, which several servers on one machine would share; off.
control_socket_disable = True
