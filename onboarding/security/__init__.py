"""Where an account is logged in, and the log (and mail) of what changed how it logs in."""
