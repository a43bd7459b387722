"""Benchmark settings: the production settings, plus a bare view to measure the floor of one request."""

import os

from config.settings import *  # noqa: F401,F403
from config.settings import CACHES, DATABASES

ROOT_URLCONF = "bench.urls"

# Every key a benchmark run writes carries the run's prefix, so the run can remove them afterwards.
if os.environ.get("BENCH_KEY_PREFIX"):
    CACHES["default"]["KEY_PREFIX"] = os.environ["BENCH_KEY_PREFIX"]
# The counting pass's test database goes beside this run's database, never into the work tree.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}-test"}
