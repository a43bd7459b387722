"""Two-step verification with an authenticator app: a code after the password, recovery codes, and staff who
reach the admin only with a second factor."""
