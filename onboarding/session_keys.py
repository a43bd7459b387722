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
# name to greet the person by. Written by the wizard at "Create account".
SUCCESS_KEYS = ("success_id", "success_name", "success_email", "success_greeting")
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
# When a staff member was last seen, for the idle timeout (infra/middleware.py).
STAFF_SEEN_KEY = "staff_last_seen"
