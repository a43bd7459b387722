"""gunicorn settings for `make bench`: the site's own (config/gunicorn.conf.py), plus a CPU meter per request.

With BENCH_CPU_DIR set, each worker appends one line per request that carries an X-Bench-Label header
(the load generator's name for it): the label, the CPU time the worker process spent on the request
(from just before the app is called until the response is written), and the part of it spent in Argon2.
A sync worker serves one request at a time, so the process's CPU time over that span is the request's,
Argon2's threads included. Requests without the header (the warm-up) are not written.
"""

import os
import time
from pathlib import Path

# The site's settings as `make serve` uses them; this file only adds the hooks below.
_site_config = Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"
exec(compile(_site_config.read_text(), str(_site_config), "exec"))

_hash_seconds = 0.0  # CPU time spent in Argon2 by this worker so far
_log = None


def post_worker_init(worker):
    global _log
    directory = os.environ.get("BENCH_CPU_DIR")
    if not directory:
        return
    from django.contrib.auth.hashers import Argon2PasswordHasher

    def timed(method):
        def wrapper(*args, **kwargs):
            global _hash_seconds
            start = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                _hash_seconds += time.process_time() - start

        return wrapper

    # The stock hasher's methods, which our normalising subclass calls after NFKC: only Argon2 itself is counted.
    Argon2PasswordHasher.encode = timed(Argon2PasswordHasher.encode)
    Argon2PasswordHasher.verify = timed(Argon2PasswordHasher.verify)
    _log = open(Path(directory) / f"{os.getpid()}.tsv", "a", encoding="utf-8")


def pre_request(worker, req):
    worker.bench_start = (time.process_time(), _hash_seconds)


def post_request(worker, req, environ, resp):
    label = environ.get("HTTP_X_BENCH_LABEL")
    if _log is None or not label:
        return
    cpu_start, hash_start = worker.bench_start
    cpu, hashing = time.process_time() - cpu_start, _hash_seconds - hash_start
    _log.write(f"{label}\t{cpu:.6f}\t{hashing:.6f}\n")
    _log.flush()  # read by the benchmark between levels
