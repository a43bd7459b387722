"""Who signed up: the user account and the profile answers given in the wizard."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

# `username__lower=...` compares through LOWER(), so lookups use the same
# expression as the case-insensitive unique constraints (and their indexes).
models.CharField.register_lookup(Lower)


class UserManager(DjangoUserManager):
    def with_username(self, username):
        """Users with this username, ignoring case, as the unique constraint does."""
        return self.filter(username__lower=Lower(Value(username)))

    def with_email(self, email):
        """Users with this email address, ignoring case, as the unique constraint does."""
        return self.filter(email__lower=Lower(Value(email)))

    def get_by_natural_key(self, username):
        # Usernames are unique whatever their case, so logging in ignores case too.
        return self.with_username(username).get()


class User(AbstractUser):
    email = models.EmailField(_("email address"))
    # When the person proved they read mail at `email`; null until then.
    email_verified_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # The form checks these too; the database has the last word when two
            # people race for the same name.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    real_name = models.CharField(_("full name"), max_length=150)
    preferred_name = models.CharField(_("preferred name"), max_length=150, blank=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    # The language the person signed up in: every mail to them is written in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # The wizard that created this account: lets a repeated "Create account"
    # recognise its own finished signup instead of reporting a clash.
    signup_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Written only by services.review_signups, so every decision is logged.
    review_status = models.CharField(
        _("review status"), max_length=16, choices=ReviewStatus, default=ReviewStatus.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        permissions = [("review_signup", _("Can approve or reject signups"))]

    def __str__(self):
        return self.real_name

    @property
    def greeting_name(self):
        return self.preferred_name or self.real_name


class SignupDraft(models.Model):
    """A signup carried to another browser by "Email me a link to finish later".

    Only a hash of the link's token is kept. One draft per wizard: sending a
    newer link replaces the older one's hash, so the older link stops working.
    """

    wizard_id = models.CharField(max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    # formtools' storage for the wizard: answers as typed and the password's hash, never the password.
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("signup draft")
        verbose_name_plural = _("signup drafts")

    def __str__(self):
        return self.email
