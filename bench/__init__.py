"""`make bench`: signups per second against the password-hashing limit, and what each request costs."""
