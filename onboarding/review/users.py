"""Admin for reviewing new signups: find them, read their answers, approve, reject or export them.

Who may grant privileges or change staff accounts is review/privileges.py's."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from onboarding import links
from onboarding.account.services import keep_decisions_of
from onboarding.models import Passkey, Profile, ReviewStatus, User
from onboarding.passkeys.flow import PASSKEY_REMOVED, passkey_changed
from onboarding.passkeys.services import remove_passkey
from onboarding.review import risk as signup_risk
from onboarding.review.export import csv_response
from onboarding.review.privileges import PRIVILEGE_FIELDS, PrivilegeRules
from onboarding.review.scale import EstimatedCountPaginator
from onboarding.review.services import REVIEW_PERMISSION, review_signups
from onboarding.security import events as security_events
from onboarding.security.sessions import end_sessions_by_staff

# Shown in a confirmation; the rest are counted, not listed (a selection can be a million users).
LISTED_IN_CONFIRMATION = 20
# The lookups the users list's filters and date drill-down make (see UserAdmin.list_filter, date_hierarchy).
DATE_PARTS = {"date_joined__year": (1, 9998), "date_joined__month": (1, 12), "date_joined__day": (1, 31)}
LIST_LOOKUPS = {
    "profile__review_status__exact",
    "profile__review_status__isnull",
    "profile__risk_level__exact",
    "profile__risk_level__isnull",
    "email_confirmed",
    "is_active__exact",
    "is_active__isnull",
    "date_joined__gte",
    "date_joined__lt",
    "date_joined__isnull",
    *DATE_PARTS,
}
SEARCH_MAX_LENGTH = 100


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
    fields = (
        "real_name", "preferred_name", "phone", "review_status", "reviewed_by", "reviewed_at", "review_note",
        "risk_level", "risk_reasons_text",
    )  # fmt: skip
    # Decisions go through the review actions, which check the permission, log and email.
    readonly_fields = ("review_status", "reviewed_by", "reviewed_at", "review_note", "risk_level", "risk_reasons_text")

    @admin.display(description=_("why"))
    def risk_reasons_text(self, profile):
        reasons = signup_risk.described(profile.risk_reasons)
        if not reasons:
            return gettext("Nothing stood out when the account was made.")
        return format_html(
            '<ul class="risk-reasons">{}</ul>', format_html_join("", "<li>{}</li>", ((r,) for r in reasons))
        )


class PasskeyInline(admin.TabularInline):
    """A user's passkeys, read-only; a superuser may remove one (a lost or stolen device), which is logged with
    the user's other changes. Nobody adds or edits one here: only the person's own device can make it."""

    model = Passkey
    fk_name = "user"
    extra = 0
    fields = ("name", "made_with", "created_at", "last_used_at", "backed_up")
    readonly_fields = fields
    verbose_name_plural = _("passkeys (only a superuser can remove one)")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("onboarding.view_user") or request.user.has_perm("onboarding.change_user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class EmailConfirmedFilter(admin.SimpleListFilter):
    title = _("email confirmed")
    parameter_name = "email_confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(email_verified_at__isnull=self.value() == "no")
        return queryset


class UserChangeList(ChangeList):
    """The users list, which a sort by risk reads from the profiles' (risk rank, user) index."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            # A sorted column and then the id are the whole order: the default "-date_joined" after it would
            # keep the index from handing over the first page's rows in order (a sort of a million rows).
            queryset = queryset.order_by()
        ordering = super().get_ordering(request, queryset)
        if ordering[:1] == ["profile__risk_rank"] and ordering[-1] == "-pk":
            ordering[-1] = "pk"  # lowest first: the id the same way, so the index is read forwards
        return ordering

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if any(str(field).lstrip("-") == "profile__risk_rank" for field in queryset.query.order_by):
            # Only signups have a risk: accounts without a profile (staff) would sort first as NULLs and make
            # the join an outer one, which no index can read in order.
            queryset = queryset.filter(profile__risk_rank__isnull=False)
        return queryset


@admin.register(User)
class UserAdmin(PrivilegeRules, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    inlines = [ProfileInline, PasskeyInline]
    fieldsets = (
        (None, {"fields": ("username", "password", "email", "is_active")}),
        (
            _("Permissions"),
            {"classes": ("collapse",), "fields": PRIVILEGE_FIELDS},
        ),
        (_("Important dates"), {"fields": ("date_joined", "last_login", "email_verified_at")}),
        (_("Security log"), {"fields": ("security_log",)}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "usable_password", "password1", "password2")}),
    )
    list_display = (
        "username", "email", "email_confirmed", "real_name", "date_joined", "review_status", "risk", "is_active",
    )  # fmt: skip
    list_filter = ("profile__review_status", "profile__risk_level", EmailConfirmedFilter, "is_active", "date_joined")
    list_select_related = ("profile",)
    # Username, email and full name in one column of the user table (User.search_text): each word of a
    # search narrows one trigram index on PostgreSQL, with no join to the profiles (migration 0007).
    search_fields = ("search_text",)
    search_help_text = _("Search by username, email address or full name.")
    date_hierarchy = "date_joined"
    ordering = ("-date_joined",)
    actions = ["approve_selected", "reject_selected", "export_csv", "end_all_sessions"]
    review_confirmation_template = "admin/onboarding/user/review_confirmation.html"
    # At a million users a COUNT per page costs more than the page: counts are capped or estimated.
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_changelist(self, request, **kwargs):
        return UserChangeList

    def lookup_allowed(self, lookup, value, request):
        # Only what the list's own filters and date drill-down send: a crafted ?search_text__regex= could
        # run for as long as the database lets it, and the other fields are not for filtering by URL.
        if lookup not in LIST_LOOKUPS:
            return False
        if lookup in DATE_PARTS:
            low, high = DATE_PARTS[lookup]
            return value.isdigit() and low <= int(value) <= high
        return True

    def get_search_results(self, request, queryset, search_term):
        # A name, an address or a few words of them; a longer search is cut, not run as dozens of index scans.
        return super().get_search_results(request, queryset, search_term[:SEARCH_MAX_LENGTH])

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

    # Sorted by the stored rank (riskiest first when descending) through an index on (rank, user).
    @admin.display(description=_("risk"), ordering="profile__risk_rank")
    def risk(self, user):
        profile = getattr(user, "profile", None)
        if profile is None:
            return None
        # The level in words inside the badge: its colour only repeats what the text says.
        return format_html(
            '<span class="risk-badge risk-{}">{}</span>', profile.risk_level, profile.get_risk_level_display()
        )

    def has_review_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        # Only the person confirms their address, by opening a link mailed to it.
        readonly = (*super().get_readonly_fields(request, obj), "email_verified_at")
        if obj is not None:
            # What happened, not something to edit (and Django's split date/time inputs have no labels).
            readonly = (*readonly, "date_joined", "last_login", "security_log")
        if obj is not None and not self.has_review_permission(request):
            # Activating an account is what approving does; only reviewers decide that.
            readonly = (*readonly, "is_active")
        return readonly

    def delete_model(self, request, obj):
        keep_decisions_of(user=obj)  # the admin history of what they decided stays
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset.filter(is_staff=True) | queryset.filter(is_superuser=True):
            keep_decisions_of(user=user)
        super().delete_queryset(request, queryset)

    def get_inline_instances(self, request, obj=None):
        # Like the password and permissions, the profile is filled in once the user exists;
        # accounts that never signed up (staff made by createsuperuser) have no answers to review.
        # Passkeys are listed for a user who has some.
        if obj is None:
            return []
        shown = {
            ProfileInline: Profile.objects.filter(user=obj).exists(),
            PasskeyInline: Passkey.objects.filter(user=obj).exists(),
        }
        return [inline for inline in super().get_inline_instances(request, obj) if shown.get(type(inline), True)]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Passkey:
            return super().save_formset(request, form, formset, change)
        # Removals only (nothing else is editable), through the service; the change message that
        # log_change records names each removed passkey, as for any inline.
        formset.save(commit=False)
        for passkey in formset.deleted_objects:
            remove_passkey(passkey)
            passkey_changed(request, form.instance, PASSKEY_REMOVED, passkey.name)
        return None

    def get_urls(self):
        opts = self.opts
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(self.review_and_next_view),
            name=f"{opts.app_label}_{opts.model_name}_review",
        )
        return [review, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_review": self.has_review_permission(request),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "preserved_filters_raw": request.GET.get("_changelist_filters", ""),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # The review queue ---------------------------------------------------------

    def review_and_next_view(self, request, object_id):
        """Approve or reject one signup from its page, then open the next one awaiting review."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_review_permission(request):
            raise PermissionDenied
        user = self.get_object(request, unquote(object_id))
        if user is None or not hasattr(user, "profile"):
            raise Http404
        decisions = {"approve": ReviewStatus.APPROVED, "reject": ReviewStatus.REJECTED}
        decision = decisions.get(request.POST.get("decision"))
        if decision is None:
            raise PermissionDenied  # a forged form; the page only offers the two
        filters = request.POST.get("_changelist_filters", "")
        # Rejecting deactivates the account and may mail the person: it asks first, on the list action's
        # page (note, mail choice); approving is undone by rejecting, so it happens at once.
        form = ReviewForm(request.POST if request.POST.get("post") else None)
        if decision == ReviewStatus.REJECTED and not form.is_valid():
            queryset = self.get_queryset(request).filter(pk=user.pk)
            hidden = {"decision": "reject", "_changelist_filters": filters}
            return self.confirmation_page(request, queryset, decision, "reject_selected", form, hidden=hidden)
        review = review_signups(
            users=[user],
            status=decision,
            reviewer=request.user,
            note=form.cleaned_data["note"] if form.is_bound else "",
            notify=form.cleaned_data["notify"] if form.is_bound else True,
            login_url=links.login_url(request),
        )
        self.report(request, review, decision, 1)
        following = next_pending(user)
        if following is None:
            self.message_user(request, gettext("No more signups await review."), messages.SUCCESS)
            return HttpResponseRedirect(self.changelist_url(filters))
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[following.pk])
        query = urlencode({"_changelist_filters": filters}) if filters else ""
        return HttpResponseRedirect(f"{change_url}?{query}" if query else change_url)

    def changelist_url(self, filters=""):
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return f"{url}?{filters}" if filters else url

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
            review = review_signups(
                users=queryset,
                status=status,
                reviewer=request.user,
                note=form.cleaned_data["note"],
                notify=form.cleaned_data["notify"] or status == ReviewStatus.APPROVED,
                login_url=links.login_url(request),
            )
            self.report(request, review, status, selected)
            return None  # back to the changelist, like Django's delete action
        return self.confirmation_page(request, queryset, status, action, form)

    def confirmation_page(self, request, queryset, status, action, form, hidden=None):
        """The page that asks before a decision: who, a note, and (rejecting) whether to mail them.

        `hidden`: fields a decision from a user's page posts back to itself instead of the list.
        """
        approving = status == ReviewStatus.APPROVED
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Approve signups") if approving else gettext("Reject signups"),
            "subtitle": None,
            "opts": self.opts,
            "listed": queryset.select_related("profile")[:LISTED_IN_CONFIRMATION],
            "count": queryset.count(),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across") == "1",
            "form": form,
            "approving": approving,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
            "hidden": hidden,
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
        staff = len(review.skipped)
        if staff:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected user is staff and was left as it was: staff accounts are not reviewed.",
                    "%(count)d selected users are staff and were left as they were: staff accounts are not reviewed.",
                    staff,
                )
                % {"count": staff},
                messages.WARNING,
            )
        unchanged = selected - count - staff
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

    def has_end_sessions_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    @admin.action(permissions=["end_sessions"], description=_("End all sessions of selected %(verbose_name_plural)s"))
    def end_all_sessions(self, request, queryset):
        ended, people = end_sessions_by_staff(users=queryset, keep=request.session.session_key)
        message = ngettext(
            "Ended %(sessions)d session of %(people)d user.", "Ended %(sessions)d sessions of %(people)d users.", ended
        ) % {"sessions": ended, "people": people}
        self.message_user(request, message, messages.SUCCESS if ended else messages.INFO)

    @admin.display(description=_("last 20 events"))
    def security_log(self, user):
        recent = security_events.recent(user)
        if not recent:
            return gettext("Nothing recorded yet.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    event.label,
                    date_format(localtime(event.at), "DATETIME_FORMAT"),
                    event.client or "-",
                    event.ip or "-",
                )
                for event in recent
            ),
        )
        return format_html(
            '<table class="security-log"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            gettext("What"), gettext("When"), gettext("Browser"), gettext("IP address"), rows,
        )  # fmt: skip

    @admin.action(permissions=["view"], description=_("Export selected %(verbose_name_plural)s to CSV"))
    def export_csv(self, request, queryset):
        return csv_response(queryset)


def next_pending(user):
    """The signup after `user` in the list's order (newest first) that awaits review; from the top when none is."""
    pending = User.objects.filter(
        profile__review_status=ReviewStatus.PENDING, is_staff=False, is_superuser=False
    ).exclude(pk=user.pk)
    newest_first = pending.order_by("-date_joined", "-pk")
    older = newest_first.filter(
        Q(date_joined__lt=user.date_joined) | Q(date_joined=user.date_joined, pk__lt=user.pk)
    ).first()
    return older or newest_first.first()
