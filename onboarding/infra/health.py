"""The health checks: /healthz for load balancers, /healthz/mail for a monitor."""

import logging
import socket
import time

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from onboarding.infra.cache import COUNTER_TABLE, CounterCache
from onboarding.mail.worker import mail_queue_state

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request):
    """Answer 200 when the database and the cache answer and take a write, 503 otherwise; the reason goes to the
    log only. For load balancers: it says nothing about mail (see healthz_mail)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        # A committed write, so a full disk or a read-only database fails here, not at the next signup.
        CounterCache(COUNTER_TABLE, {}).set(f"healthz:{socket.gethostname()}", time.time(), timeout=60)
        cache.set("healthz", "ok", timeout=10)
        if cache.get("healthz") != "ok":
            raise RuntimeError("the cache did not return what was just stored")
    except Exception:
        logger.exception("Health check failed")
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
@never_cache
def healthz_mail(request):
    """For a monitor: 503 when no mail worker was seen for a minute or mail waits too long, with the numbers."""
    try:
        state = mail_queue_state()
    except Exception:
        logger.exception("Mail health check failed")
        return JsonResponse({"ok": False, "error": "the database does not answer"}, status=503)
    return JsonResponse(state, status=200 if state["ok"] else 503)
