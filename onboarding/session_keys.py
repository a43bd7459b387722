"""Every key this app keeps in the Django session, in one place: what each holds, and who writes it.

The wizard's own answers live under SIGNUP_WIZARD, in the layout that signup/state.py alone knows.
"""

# The signup wizard (formtools' session storage layout, under its view's normalized name). Read and written
# only through signup/state.py's SignupState: by the wizard, by a "finish later" link opened in this browser,
# by "Start over" and by finishing.
SIGNUP_WIZARD = "wizard_signup_wizard"
# Put in the wizard's extra data by a resume link: the key (identities.email_key) of the address that
# link was mailed to, now proven.
PROVEN_EMAIL = "email_proven"
# The id of the invitation this browser opened (onboarding/access/): lets the wizard in when SIGNUP_MODE is
# invite or closed, and marks the invitation used once the account is made. Written by the invitation's page.
INVITATION_KEY = "signup_invitation"
# The proof-of-work at the account step (access/challenge.py): a random value only this session holds, which
# every challenge issued to it carries (a solution works in the session it was asked of), written when the
# first challenge is issued; and the reasons (codes) `auto` asked this session for one, written by the
# honeypot guard and by the account step, read when the account is made (a risk reason).
CHALLENGE_BINDING_KEY = "signup_challenge_binding"
CHALLENGE_ASKED_KEY = "signup_challenge_asked"
# The address a waitlist confirmation went to, for the page after it is sent (onboarding/access/views.py).
WAITLIST_SENT_KEY = "waitlist_sent"

# The handoff to the done page (the project's original contract): username, real name, email, and the
# name to greet the person by, and whether the account logs in with a passkey. Written by the wizard at
# "Create account".
SUCCESS_KEYS = ("success_id", "success_name", "success_email", "success_greeting", "success_passkey")
# Until when the done page shows them (a timestamp): a shared browser does not show the last person's
# username, name and address to the next one.
SUCCESS_UNTIL = "success_until"
# The id of the wizard that finished here: a repeated "Create account" from its pages finds it finished.
FINISHED_KEY = "finished_signup"
# The id of the wizard that "Start over" (or a move to another browser) ended: a tab left behind on it is told so.
ENDED_KEY = "ended_signup"
# Where the "finish later" link went and until when it works, for the page after it is sent.
RESUME_SENT_KEY = "resume_link_sent"

# Whom "Send it again" mails: set by the done page, by a login refused for an unconfirmed address, and by an
# expired confirmation link. {"user": id, "notice": False} or, for an address that was already taken in
# mandatory mode, {"user": id, "notice": True} (the owner gets the notice again).
RESEND_KEY = "confirm_email_for"

# The account home: the new address waiting for its confirmation link, and the page after a deletion.
PENDING_EMAIL_KEY = "pending_email"
DELETED_KEY = "account_deleted"

# The person's time zone, as the browser reported it at signup (timezones.py).
TIME_ZONE_KEY = "time_zone"
# The WebAuthn challenge of the ceremony under way (passkeys/ceremony.py): {"purpose", "challenge", "until"}.
# Spent by the first answer checked against it.
PASSKEY_CHALLENGE = "passkey_challenge"
# The user handle offered to the browser by "Add a passkey" (passkeys/views.py) while its ceremony runs: a
# person's first passkey gets a new random one, which the answer must be kept under.
PASSKEY_NEW_HANDLE = "passkey_new_handle"
# When this person last confirmed it is them ("confirm it's you", account/reauth.py): a timestamp.
CONFIRMED_AT_KEY = "confirmed_at"

# This session's row in "Where you're logged in" (security/sessions.py): {"hash": SHA-256 of the session key
# when the row was last written, "seen": when (a timestamp)}, so "last active" is written only every few minutes.
ACCOUNT_SESSION_KEY = "account_session"
# Two-step verification (onboarding/twostep/flow.py). The setup key being set up, before the person proves
# their app works: {"secret", "until"}; only then is it stored, in TwoStepDevice. Written by "Turn on".
TWO_STEP_SETUP = "two_step_setup"
# The recovery codes just made, in clear, for the page that shows them and its "Download as text":
# {"codes", "until"}; dropped by "I have saved my codes" or after a few minutes.
TWO_STEP_NEW_CODES = "two_step_new_codes"
# Who gave the right password and now owes a code, before being logged in: {"user", "hash" (the session
# auth hash then: a password changed since ends it), "backend", "next", "until"}. Written by the login views.
TWO_STEP_LOGIN = "two_step_login"
# How this session's login passed the second step ("code" or "recovery_code"), that it was a passkey login
# ("passkey": multi-factor in itself, so no code is asked; passkeys/login.py), or that two-step verification
# was turned on in it: the admin opens for staff only in such a session (twostep/staff.py). A password login
# without a second step removes it (login/views.py).
LOGIN_SECOND_STEP = "login_second_step"

# When a staff member was last seen, for the idle timeout (infra/middleware.py).
STAFF_SEEN_KEY = "staff_last_seen"
