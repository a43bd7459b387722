"""Groups carry permissions, so only superusers make or change them, after "confirm it's you"; other staff may
read them."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group

from onboarding.review.privileges import confirming_privileges

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    def get_form(self, request, obj=None, **kwargs):
        return confirming_privileges(super().get_form(request, obj, **kwargs), request, ("permissions",))

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
