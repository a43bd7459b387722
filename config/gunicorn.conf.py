"""gunicorn settings (`gunicorn -c config/gunicorn.conf.py config.wsgi`); the environment can change each one."""

import multiprocessing
import os

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
# gunicorn's control socket sits at one path per user, which several servers on one machine would share; off.
control_socket_disable = True
