"""Who signed up: the user account and the profile answers given in the wizard."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.identities import email_key, normalize_email, username_key


def search_text(username, email, real_name):
    """What the admin's search reads: username, email address and full name, one per line.

    One column on the user table (with one trigram index on PostgreSQL) lets a search of several words
    narrow down inside a single index, instead of joining the profiles to check each word. The lines
    keep a word from matching across two of them: the search box never sends a line break.
    """
    return "\n".join((username or "", email or "", real_name or ""))


class UserManager(DjangoUserManager):
    def with_username(self, username):
        """Users with this username, however it is spelled (case, width, composition), as the constraint sees it."""
        return self.filter(username_key=username_key(username or ""))

    def with_email(self, email):
        """Users with this email address, however it is spelled, the domain in either Unicode or xn-- form."""
        return self.filter(email_key=email_key(email))

    def for_login(self, identifier):
        """The user a login's one field names: a username first (one may hold an @), else an email address."""
        user = self.with_username(identifier).first()
        if user is None and "@" in (identifier or ""):
            user = self.with_email(identifier).first()
        return user

    @classmethod
    def normalize_email(cls, email):
        return normalize_email(email)

    def get_by_natural_key(self, username):
        # Usernames are unique whatever their spelling, so logging in ignores case and width too.
        return self.with_username(username).get()

    def set_searched_name(self, user_id, real_name):
        """Put a changed full name into the user's search_text (one UPDATE, the user row need not be loaded)."""
        searched = Concat(
            models.F("username"), models.Value("\n"), models.F("email"), models.Value("\n" + real_name),
            output_field=models.TextField(),
        )  # fmt: skip
        self.filter(pk=user_id).update(search_text=searched)


class User(AbstractUser):
    email = models.EmailField(_("email address"))
    # When the person proved they read mail at `email`; null until then.
    email_verified_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    # What usernames and addresses are unique by (onboarding/identities.py), kept in step by save().
    username_key = models.CharField(max_length=600, editable=False)
    # NULL, not "", for an account without an address: the unique constraint then lets many have none.
    email_key = models.CharField(max_length=1000, null=True, editable=False)  # noqa: DJ001
    # Username, email and the profile's full name (search_text above), kept in step by User.save() and Profile.save().
    search_text = models.TextField(default="", editable=False)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # The form checks these too; the database has the last word when two
            # people race for the same name.
            models.UniqueConstraint(fields=["username_key"], name="user_username_key_unique"),
            models.UniqueConstraint(fields=["email_key"], name="user_email_key_unique"),
        ]
        # The admin lists users newest first (Django adds the id to make the order total):
        # with this index a page of a million-row list reads only its own rows.
        indexes = [models.Index(fields=["date_joined", "id"], name="user_date_joined_id_idx")]

    def save(self, *args, **kwargs):
        self.username_key = username_key(self.username)
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"username", "email"} & set(update_fields):
            self.search_text = search_text(self.username, self.email, self.searched_name())
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "username_key", "email_key", "search_text"}
        super().save(*args, **kwargs)

    def searched_name(self):
        """The full name search_text holds: the loaded profile's, else the one already stored (no query)."""
        if User.profile.is_cached(self):
            profile = getattr(self, "profile", None)  # cached as None once found missing
            return profile.real_name if profile else ""
        lines = self.search_text.split("\n", 2)
        return lines[2] if len(lines) == 3 else ""

    @property
    def greeting_name(self):
        """What we call the person: their preferred or full name; the username for an account made without a signup."""
        profile = getattr(self, "profile", None)
        return profile.greeting_name if profile else self.get_username()

    @property
    def mail_language(self):
        """The language their mail is written in: the one they signed up in."""
        profile = getattr(self, "profile", None)
        return profile.language if profile else settings.LANGUAGE_CODE


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


# Sorting by the level's name would put "high" between nothing and "low": the list sorts by this rank.
RISK_RANKS = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


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
    # The IANA zone the browser reported at signup (changeable on the account page); blank: the language's default.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
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
    # Written when the account is made and when its confirmation link expires unused (review/risk.py),
    # so the list reads it instead of working it out per row. The reasons are codes; risk.py words them.
    risk_level = models.CharField(
        _("risk"), max_length=8, choices=RiskLevel, default=RiskLevel.LOW, db_index=True, editable=False
    )
    risk_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    risk_reasons = models.JSONField(_("risk reasons"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        permissions = [("review_signup", _("Can approve or reject signups"))]
        # The list sorted by risk reads this index in order (profile.user_id is the user's id, the tie-break).
        indexes = [
            models.Index(fields=["risk_rank", "user"], name="profile_risk_rank_user_idx"),
            # The "By risk" filter's rows and count, read from the index alone (the user id joins the user).
            models.Index(fields=["risk_level", "user"], name="profile_risk_level_user_idx"),
        ]

    def __str__(self):
        return self.real_name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "real_name" not in update_fields:
            return
        # The user's search_text carries the full name. A user saved with this profile loaded (as
        # create_account does) already has it: then no second write.
        if Profile.user.is_cached(self):
            searched = search_text(self.user.username, self.user.email, self.real_name)
            if self.user.search_text == searched:
                return
            self.user.search_text = searched
        User.objects.set_searched_name(self.user_id, self.real_name)

    @property
    def greeting_name(self):
        return self.preferred_name or self.real_name


class EmailDomain(models.Model):
    """An email domain some account has had: a signup from a domain not in here is from a newly seen one.

    A table of its own because finding "any account at this domain" among a million addresses has no index.
    """

    domain = models.CharField(max_length=255, unique=True)
    first_seen = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.domain


class KeyedByEmail:
    """A row found by its address's key (identities.email_key), kept in step with `email` on every save.

    The key is what "the same address" means here, whatever spelling was typed; a bulk write that bypasses
    save() must set it itself.
    """

    def save(self, *args, **kwargs):
        self.email_key = email_key(self.email) or ""
        super().save(*args, **kwargs)


class SignupDraft(KeyedByEmail, models.Model):
    """A signup carried to another browser by "Email me a link to finish later".

    Only a hash of the link's token is kept. One draft per wizard: sending a
    newer link replaces the older one's hash, so the older link stops working.
    """

    wizard_id = models.CharField(max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    # The address's key (onboarding/identities.py), as accounts are found by: the proven-address check
    # and deleting an account's drafts compare it, whatever spelling was typed.
    email_key = models.CharField(max_length=1000, default="", db_index=True)
    # formtools' storage for the wizard: answers as typed, never a password nor its hash. Emptied once used.
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Until when the link works; once used, until when the row stays to tell the old copies they are dead.
    expires_at = models.DateTimeField(db_index=True)
    # Set when the link was opened: the signup moved to the browser that opened it, under a new wizard id.
    # The row stays, so that the old wizard (`wizard_id`) is refused and a second opening is told why.
    used_at = models.DateTimeField(null=True, blank=True)
    moved_to = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("signup draft")
        verbose_name_plural = _("signup drafts")

    def __str__(self):
        return self.email


class ReservedUsername(models.Model):
    """A username kept from use because a signup chose it with an address that already has an account.

    In mandatory verification mode the wizard never says an address is registered: "Create account" with a
    taken address makes no account, so without this the username would stay free, and trying it again
    would tell that the address has an account. Reserved, it reads as taken, as after a real signup.
    """

    username_key = models.CharField(max_length=600, unique=True)
    # The hash of the password that signup chose (never the password) and the key of the address it typed:
    # logging in with both answers as for a real account awaiting confirmation, and "Send it again" mails
    # that address's owner (see LoginForm). Blank for rows made before they were kept.
    password_hash = models.CharField(max_length=256, blank=True, default="")
    email_key = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reserved username")
        verbose_name_plural = _("reserved usernames")

    def __str__(self):
        return self.username_key


class EmailChange(models.Model):
    """A request to move an account to a new address, waiting for the link mailed there to be opened.

    The link carries only a random token, and the database only its SHA-256 hash, so neither the link nor a
    leaked row names the address or opens it. `fingerprint` (links.account_fingerprint at the request)
    voids the request when the password or the address changes; a newer request of the same account makes
    older ones out of date. The row stays after use, so that a second opening is told it was used.
    """

    # SET_NULL: a link of a deleted account still finds its row and says the account is gone.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    email = models.EmailField()
    email_key = models.CharField(max_length=1000)
    token_hash = models.CharField(max_length=64, unique=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("email change")
        verbose_name_plural = _("email changes")

    def __str__(self):
        return f"email change #{self.pk}"


class FunnelDay(models.Model):
    """One day's count of one funnel event: the durable roll-up of the counters kept in the cache.

    Only what is needed to count: the event, the page's language, and for validation errors the field
    and the error code; for timings a bucket. Never a value typed, an id, an address or a name.
    """

    day = models.DateField(_("day"))
    event = models.CharField(_("event"), max_length=32)
    language = models.CharField(_("language"), max_length=16, blank=True)
    field = models.CharField(_("field"), max_length=64, blank=True)
    code = models.CharField(_("code"), max_length=64, blank=True)
    count = models.PositiveBigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("signup funnel")
        verbose_name_plural = _("signup funnel")
        constraints = [
            models.UniqueConstraint(fields=["day", "event", "language", "field", "code"], name="funnel_day_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.event} {self.count}"


class FunnelMark(models.Model):
    """A funnel event already counted for one wizard, on a site without Redis (with it, a Redis key).

    The key names the event and the wizard's random id, nothing of the person; a mark lasts as long as
    a session may hold its wizard, and `clearsessions` deletes it with the expired sessions.
    """

    key = models.CharField(max_length=100, primary_key=True)
    expires = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.key


class MailWorker(models.Model):
    """A mail worker's last sign of life, for /healthz/mail: one row per worker process, updated as it runs."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)
    seen_at = models.DateTimeField(_("seen at"), db_index=True)

    class Meta:
        verbose_name = _("mail worker")
        verbose_name_plural = _("mail workers")

    def __str__(self):
        return f"{self.host}:{self.pid} ({self.worker_id})"


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(KeyedByEmail, models.Model):
    """An invitation to sign up, mailed to one address (onboarding/access/).

    Its link carries a random token made when the mail is sent (by the mail worker), and only the token's
    SHA-256 is kept here; a re-send makes a new token, so the older link stops working. The link opens the
    wizard once, with the address filled in and proven; the row stays, so that later openings are told why.
    """

    email = models.EmailField(_("email address"))
    # The address's key (onboarding/identities.py): duplicates and existing accounts are found by it.
    email_key = models.CharField(max_length=1000, db_index=True, editable=False)
    # The language the mail is written in.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True, db_index=True)
    # Null until the worker has made the link (and again after a re-send, until the new one is made).
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)  # noqa: DJ001
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The account made from it (the person may have changed the address on the way).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["created_at", "id"], name="invitation_created_id_idx")]

    def __str__(self):
        return self.email

    @property
    def status(self):
        if self.used_at:
            return InvitationStatus.USED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        if self.opened_at:
            return InvitationStatus.OPENED
        return InvitationStatus.SENT


class WaitlistEntry(KeyedByEmail, models.Model):
    """Someone waiting to be invited (SIGNUP_MODE=waitlist), once they proved the address by a mailed link.

    The link carries a random token; only its SHA-256 is kept. The row stays after confirming, so that a
    second opening of the link is told it was used.
    """

    email = models.EmailField(_("email address"))
    email_key = models.CharField(max_length=1000, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=150, blank=True)
    # The language of the page they joined from: their confirmation and invitation are written in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)  # noqa: DJ001
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        # The admin lists the waitlist oldest first: with this index a page reads only its own rows.
        indexes = [models.Index(fields=["created_at", "id"], name="waitlist_created_id_idx")]

    def __str__(self):
        return self.email


class Passkey(models.Model):
    """A passkey (a WebAuthn credential) that logs this user in: only its public part is kept.

    `user_handle` is the random id the authenticator stores beside the credential (no personal data); all of
    one user's passkeys share it, so an authenticator that already holds one for this site replaces it
    rather than adding a second. A discoverable login finds the passkey by `credential_id`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys")
    # base64url, as the browser sends it; WebAuthn allows up to 1,023 bytes (1,364 characters).
    credential_id = models.CharField(_("credential id"), max_length=1400, unique=True, editable=False)
    user_handle = models.CharField(max_length=100, editable=False, db_index=True)
    public_key = models.BinaryField(editable=False)
    sign_count = models.PositiveBigIntegerField(default=0, editable=False)
    transports = models.JSONField(default=list, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    # The browser and system it was made from ("Chrome on Android"), to help the person tell them apart.
    made_with = models.CharField(_("made with"), max_length=100, blank=True)
    backed_up = models.BooleanField(_("synced"), default=False)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class AccountSession(models.Model):
    """One place an account is logged in ("Where you're logged in"), whichever store holds the session.

    Keyed by the SHA-256 of the session key, never the key: a leaked row opens no session. Ending the
    session needs its key, so `sealed_key` holds it encrypted with a key derived from SECRET_KEY
    (onboarding/security/sessions.py). Written at login, at most every few minutes while in use, and
    deleted when the session ends.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_sessions")
    key_hash = models.CharField(max_length=64, unique=True)
    # A text: a store's key is short, but the signed-cookie store's "key" is the whole cookie.
    sealed_key = models.TextField()
    browser = models.CharField(_("browser"), max_length=100, blank=True)
    system = models.CharField(_("system"), max_length=100, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    last_active_at = models.DateTimeField(_("last active"), default=timezone.now)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["user", "last_active_at"], name="account_session_user_idx")]

    def __str__(self):
        return f"session #{self.pk}"


class SecurityEvent(models.Model):
    """Something that changed how an account logs in (or a login), for the person's security log."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events")
    kind = models.CharField(_("what"), max_length=40)
    at = models.DateTimeField(_("when"), default=timezone.now)
    browser = models.CharField(_("browser"), max_length=100, blank=True)
    system = models.CharField(_("system"), max_length=100, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [models.Index(fields=["user", "-at"], name="security_event_user_idx")]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class TwoStepDevice(models.Model):
    """The authenticator app a person set up for two-step verification (TOTP, RFC 6238): at most one each.

    It exists only once the person proved the app works (the secret waits in their session until then).
    `last_step` is the time step of the last code taken: a code from that step or an earlier one is refused,
    so a code seen over someone's shoulder (or sent twice) cannot be used again.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_step")
    # base32, as the setup key showed it: the app and we must both hold it, so it cannot be a hash.
    secret = models.CharField(max_length=64, editable=False)
    last_step = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("turned on at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("two-step verification")
        verbose_name_plural = _("two-step verifications")

    def __str__(self):
        return f"two-step verification of user {self.user_id}"


class RecoveryCode(models.Model):
    """One of a person's ten recovery codes, for logging in without the app: each works once.

    Only a keyed hash of the code is kept (twostep/totp.py), so neither the table nor a backup of it lets
    anyone in.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_once_per_user")]

    def __str__(self):
        return f"recovery code {self.pk} of user {self.user_id}"
