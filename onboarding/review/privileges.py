"""Who may change whom in the admin: only superusers hand out or take away privileges, or change another
staff member's account; nobody sets their own password there without the current one; a change of
privileges waits for "confirm it's you"."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from onboarding.account.reauth import confirm_url, confirmed_recently

# The fields that grant privileges: read-only to everyone but superusers.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


def is_privileged(user):
    return user.is_staff or user.is_superuser


def may_grant_privileges(actor):
    return actor.is_superuser


def may_change(actor, user):
    """Another staff member's account (its email, its password) is a superuser's to change: whoever could set
    it could log in as them. One's own account stays one's own."""
    return not is_privileged(user) or user.pk == actor.pk or actor.is_superuser


def may_delete(actor, user):
    return not is_privileged(user) or actor.is_superuser


def confirming_privileges(form_class, request, fields):
    """`form_class`, refusing a change to any of `fields` (what grants privileges) unless the person confirmed
    it is them in the last few minutes (account/reauth.py): a stolen superuser session cannot hand out staff
    status or permissions by itself. Nothing is saved; the error links to the page that asks."""

    class ConfirmingForm(form_class):
        def clean(self):
            cleaned_data = super().clean()
            if set(self.changed_data) & set(fields) and not confirmed_recently(request):
                link = format_html(
                    '<a href="{}">{}</a>', confirm_url(request.get_full_path()), gettext("Confirm it's you")
                )
                raise ValidationError(
                    format_html(
                        "{} {}",
                        gettext("Changing privileges needs one more step, and nothing was saved."),
                        format_html(gettext("{link}, then make the change again."), link=link),
                    ),
                    code="confirm_its_you",
                )
            return cleaned_data

    ConfirmingForm.__name__ = form_class.__name__
    return ConfirmingForm


class PrivilegeRules:
    """The rules above, on a user admin (put before Django's UserAdmin)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if may_grant_privileges(request.user):
            form = confirming_privileges(form, request, PRIVILEGE_FIELDS)
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and not may_grant_privileges(request.user):
            # Read-only fields are left out of the form, so a crafted POST cannot change them either.
            readonly = (*readonly, *PRIVILEGE_FIELDS)
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_change(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not may_delete(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # This form sets a password without the current one. For one's own account that would turn a stolen
        # staff session into a lasting takeover (ASVS 5.0 V6.2.3): staff use the page that asks for it.
        # Superusers keep it: they may set any password, their own included.
        if str(request.user.pk) == unquote(id) and not request.user.is_superuser:
            return HttpResponseRedirect(reverse("admin:password_change"))
        return super().user_change_password(request, id, form_url)
