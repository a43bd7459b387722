"""Admin "Invitations": invite one address or many, see each invitation's status and who invited, revoke, re-send."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from onboarding import links
from onboarding.access import invitations, waitlist
from onboarding.access.forms import InviteForm
from onboarding.models import Invitation, InvitationStatus, WaitlistEntry

INVITE_PERMISSION = "onboarding.add_invitation"


def status_filter(status, now):
    """The rows whose Invitation.status is `status`, as a query (the property, in SQL)."""
    standing = Q(used_at__isnull=True, revoked_at__isnull=True)
    return {
        InvitationStatus.USED: Q(used_at__isnull=False),
        InvitationStatus.REVOKED: Q(used_at__isnull=True, revoked_at__isnull=False),
        InvitationStatus.EXPIRED: standing & Q(expires_at__lte=now),
        InvitationStatus.OPENED: standing & Q(expires_at__gt=now, opened_at__isnull=False),
        InvitationStatus.SENT: standing & Q(expires_at__gt=now, opened_at__isnull=True),
    }[status]


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return InvitationStatus.choices

    def queryset(self, request, queryset):
        if self.value() in InvitationStatus.values:
            return queryset.filter(status_filter(self.value(), timezone.now()))
        return queryset


def report_invited(model_admin, request, report):
    """Say what an invite did: how many were invited, and which addresses were left alone and why."""
    count = len(report.invited)
    model_admin.message_user(
        request,
        ngettext("Invited %(count)d address.", "Invited %(count)d addresses.", count) % {"count": count},
        messages.SUCCESS if count else messages.WARNING,
    )

    def listed(addresses):
        return ", ".join(addresses[:20]) + (" …" if len(addresses) > 20 else "")

    left_alone = [
        (
            report.members,
            ngettext(
                "Not invited, already an account: %(addresses)s",
                "Not invited, already accounts: %(addresses)s",
                len(report.members),
            ),
        ),
        (
            report.already_invited,
            gettext("Not sent again, already invited (use “Re-send” for a new link): %(addresses)s"),
        ),
        (report.repeated, gettext("Listed more than once, invited once: %(addresses)s")),
    ]
    for addresses, message in left_alone:
        if addresses:
            model_admin.message_user(request, message % {"addresses": listed(addresses)}, messages.WARNING)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "status_shown", "invited_by", "created_at", "sent_at", "expires_at", "user")
    list_filter = (StatusFilter, "language")
    list_select_related = ("invited_by", "user")
    search_fields = ("email",)
    ordering = ("-created_at", "-id")
    actions = ["resend_selected", "revoke_selected"]
    readonly_fields = (
        "email",
        "status_shown",
        "language",
        "invited_by",
        "created_at",
        "sent_at",
        "expires_at",
        "opened_at",
        "used_at",
        "revoked_at",
        "user",
    )
    fields = readonly_fields
    invite_template = "admin/onboarding/invitation/invite.html"

    @admin.display(description=_("status"))
    def status_shown(self, invitation):
        return invitation.status.label

    def has_change_permission(self, request, obj=None):
        return False  # what happened, not something to edit: the actions change it

    def has_invite_permission(self, request):
        return request.user.has_perm(INVITE_PERMISSION)

    def add_view(self, request, form_url="", extra_context=None):
        """Invite: paste one address or many; the list then says what was done."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            report = invitations.invite(
                emails=form.cleaned_data["addresses"],
                invited_by=request.user,
                language=form.cleaned_data["language"],
                origin=links.site_origin(request),
            )
            report_invited(self, request, report)
            return HttpResponseRedirect(reverse("admin:onboarding_invitation_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Invite people"),
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "days": links.lifetimes()["invitation_days"],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.invite_template, context)

    @admin.action(permissions=["invite"], description=_("Re-send selected invitations (a new link)"))
    def resend_selected(self, request, queryset):
        count = invitations.resend(invitations=queryset, origin=links.site_origin(request))
        self.message_user(
            request,
            ngettext("Sent %(count)d invitation again.", "Sent %(count)d invitations again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(permissions=["invite"], description=_("Revoke selected invitations"))
    def revoke_selected(self, request, queryset):
        count = invitations.revoke(invitations=queryset)
        self.message_user(
            request,
            ngettext("Revoked %(count)d invitation.", "Revoked %(count)d invitations.", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


class YesNoFilter(admin.SimpleListFilter):
    """Whether a date field is set: "Yes" or "No"."""

    field = None

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.field}__isnull": self.value() == "no"})
        return queryset


class ConfirmedFilter(YesNoFilter):
    title = _("confirmed")
    parameter_name = "confirmed"
    field = "confirmed_at"


class InvitedFilter(YesNoFilter):
    title = _("invited")
    parameter_name = "invited"
    field = "invited_at"


@admin.register(WaitlistEntry)
class WaitlistAdmin(admin.ModelAdmin):
    """The waitlist, oldest first; "Invite selected people" invites the confirmed ones, 10,000 at a time."""

    list_display = ("email", "name", "language", "created_at", "confirmed", "invited_at")
    list_filter = (ConfirmedFilter, InvitedFilter, "language")
    search_fields = ("email",)
    ordering = ("created_at", "id")
    actions = ["invite_selected"]
    fields = readonly_fields = ("email", "name", "language", "created_at", "confirmed_at", "invited_at")
    show_full_result_count = False  # a long waitlist is not counted on every page

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed_at")
    def confirmed(self, entry):
        return entry.confirmed_at is not None

    def has_add_permission(self, request):
        return False  # people join themselves, from the waitlist page, and confirm by mail

    def has_change_permission(self, request, obj=None):
        return False

    def has_invite_permission(self, request):
        return request.user.has_perm(INVITE_PERMISSION)

    @admin.action(permissions=["invite"], description=_("Invite selected people"))
    def invite_selected(self, request, queryset):
        report, left_out = waitlist.invite_from_waitlist(
            entries=queryset, invited_by=request.user, origin=links.site_origin(request)
        )
        report_invited(self, request, report)
        if left_out:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected person was left out: not confirmed yet, or invited before.",
                    "%(count)d selected people were left out: not confirmed yet, or invited before.",
                    left_out,
                )
                % {"count": left_out},
                messages.INFO,
            )
