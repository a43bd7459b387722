"""Admin for reviewing new signups: find them, read their answers, approve, reject or export them."""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Profile, ReviewStatus, User

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class UniqueIgnoringCaseMixin:
    """Say plainly when a username or email address differs from another account's only in case.

    The database constraints catch it too, but with a message meant for developers.
    """

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and User.objects.with_username(username).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("A user with that username already exists."), code="unique")
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data.get("email"))
        if email and User.objects.with_email(email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("A user with that email address already exists."), code="unique")
        return email


class UserCreationForm(UniqueIgnoringCaseMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class UserChangeForm(UniqueIgnoringCaseMixin, DjangoUserChangeForm):
    class Meta(DjangoUserChangeForm.Meta):
        model = User


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept with the decision for other staff. The person does not see it."),
    )
    # Shown when rejecting only; approving always tells the people it activates.
    notify = forms.BooleanField(
        label=_("Email each person to say their signup was not approved"),
        required=False,
        initial=True,
        help_text=_("In the language they signed up in, with the address to write to. The note is not included."),
    )


class ProfileInline(admin.StackedInline):
    model = Profile
    fk_name = "user"
    can_delete = False
    fields = ("real_name", "preferred_name", "phone", "review_status", "reviewed_by", "reviewed_at", "review_note")
    # Decisions go through the review actions, which check the permission, log and email.
    readonly_fields = ("review_status", "reviewed_by", "reviewed_at", "review_note")


class EmailConfirmedFilter(admin.SimpleListFilter):
    title = _("email confirmed")
    parameter_name = "email_confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(email_verified_at__isnull=self.value() == "no")
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    inlines = [ProfileInline]
    fieldsets = (
        (None, {"fields": ("username", "password", "email", "is_active")}),
        (
            _("Permissions"),
            {"classes": ("collapse",), "fields": ("is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("date_joined", "last_login", "email_verified_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "usable_password", "password1", "password2")}),
    )
    list_display = ("username", "email", "email_confirmed", "real_name", "date_joined", "review_status", "is_active")
    list_filter = ("profile__review_status", EmailConfirmedFilter, "is_active", "date_joined")
    list_select_related = ("profile",)
    search_fields = ("username", "email", "profile__real_name")
    search_help_text = _("Search by username, email address or full name.")
    date_hierarchy = "date_joined"
    ordering = ("-date_joined",)
    actions = ["approve_selected", "reject_selected", "export_csv"]
    review_confirmation_template = "admin/onboarding/user/review_confirmation.html"

    @admin.display(description=_("email confirmed"), boolean=True, ordering="email_verified_at")
    def email_confirmed(self, user):
        return user.email_verified_at is not None

    @admin.display(description=_("full name"), ordering="profile__real_name")
    def real_name(self, user):
        profile = getattr(user, "profile", None)
        return profile.real_name if profile else None

    @admin.display(description=_("review status"), ordering="profile__review_status")
    def review_status(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_review_status_display() if profile else None

    def has_review_permission(self, request):
        return request.user.has_perm(services.REVIEW_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        # Only the person confirms their address, by opening a link mailed to it.
        readonly = (*super().get_readonly_fields(request, obj), "email_verified_at")
        if obj is not None and not self.has_review_permission(request):
            # Activating an account is what approving does; only reviewers decide that.
            readonly = (*readonly, "is_active")
        return readonly

    def get_inline_instances(self, request, obj=None):
        # Like the password and permissions, the profile is filled in once the user exists.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_review": self.has_review_permission(request),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # Actions ----------------------------------------------------------------

    @admin.action(permissions=["review"], description=_("Approve selected %(verbose_name_plural)s"))
    def approve_selected(self, request, queryset):
        return self.review(request, queryset, ReviewStatus.APPROVED, "approve_selected")

    @admin.action(permissions=["review"], description=_("Reject selected %(verbose_name_plural)s"))
    def reject_selected(self, request, queryset):
        return self.review(request, queryset, ReviewStatus.REJECTED, "reject_selected")

    def review(self, request, queryset, status, action):
        """Ask for confirmation (and an optional note); once confirmed, decide and say how many changed."""
        form = ReviewForm(request.POST if request.POST.get("post") else None)
        if form.is_valid():
            selected = queryset.count()
            review = services.review_signups(
                users=queryset,
                status=status,
                reviewer=request.user,
                note=form.cleaned_data["note"],
                notify=form.cleaned_data["notify"] or status == ReviewStatus.APPROVED,
                login_url=request.build_absolute_uri(reverse("login")),
            )
            self.report(request, review, status, selected)
            return None  # back to the changelist, like Django's delete action

        approving = status == ReviewStatus.APPROVED
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Approve signups") if approving else gettext("Reject signups"),
            "subtitle": None,
            "opts": self.opts,
            "queryset": queryset.select_related("profile"),
            "form": form,
            "approving": approving,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.review_confirmation_template, context)

    def report(self, request, review, status, selected):
        count = len(review.changed)
        if status == ReviewStatus.APPROVED:
            message = ngettext("Approved %(count)d signup.", "Approved %(count)d signups.", count)
        else:
            message = ngettext("Rejected %(count)d signup.", "Rejected %(count)d signups.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS if count else messages.WARNING)
        unchanged = selected - count
        if unchanged:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected user was left as it was: it already had that status or is not a signup.",
                    "%(count)d selected users were left as they were: they already had that status or are not "
                    "signups.",
                    unchanged,
                )
                % {"count": unchanged},
                messages.INFO,
            )

    @admin.action(permissions=["view"], description=_("Export selected %(verbose_name_plural)s to CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="signups-{timezone.now():%Y%m%d-%H%M%S}.csv"'
        # The byte-order mark makes spreadsheets read the file as UTF-8 (Korean names).
        response.write("\ufeff")
        writer = csv.writer(response)
        # Field names, not translated labels: scripts reading exports keep working in any language.
        writer.writerow(EXPORT_COLUMNS)
        for user in queryset.select_related("profile", "profile__reviewed_by"):
            writer.writerow([csv_cell(value) for value in export_row(user)])
        return response


EXPORT_COLUMNS = [
    "id",
    "username",
    "email",
    "is_active",
    "date_joined",
    "last_login",
    "real_name",
    "preferred_name",
    "phone",
    "review_status",
    "reviewed_by",
    "reviewed_at",
    "review_note",
]


def export_row(user):
    """One CSV row: the account and its profile answers, never the password hash."""
    account = [user.pk, user.username, user.email, user.is_active, user.date_joined, user.last_login]
    profile = getattr(user, "profile", None)
    if profile is None:  # not a signup, e.g. made with createsuperuser
        return account + [""] * 7
    reviewer = profile.reviewed_by.get_username() if profile.reviewed_by else ""
    return account + [
        profile.real_name,
        profile.preferred_name,
        profile.phone,
        profile.review_status,
        reviewer,
        profile.reviewed_at,
        profile.review_note,
    ]


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
