"""Logging in and a forgotten password: the login form and its limits, the reset link and the new password."""
