"""The "Signup funnel" admin page: where people get to in the wizard and where they stop, for reviewers."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from onboarding.funnel import report
from onboarding.models import FunnelDay
from onboarding.review.services import REVIEW_PERMISSION


@admin.register(FunnelDay)
class FunnelAdmin(admin.ModelAdmin):
    """Shown as one page instead of a list of rows; read-only, for staff who may review signups."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.has_perm(REVIEW_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", report.PERIODS[0]))
        except ValueError:
            days = report.PERIODS[0]
        if days not in report.PERIODS:
            days = report.PERIODS[0]
        numbers = report.funnel(days)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Signup funnel"),
            "subtitle": None,
            "opts": self.opts,
            "periods": report.PERIODS,
            "funnel": numbers,
            "chart": report.chart(numbers["per_day"]),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/onboarding/funnel.html", context)
