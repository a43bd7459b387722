"""Who gets in: the signup mode (open, invite, waitlist, closed), invitations, the waitlist and the rules on
email domains (throwaway, blocked, allowed, approved at once)."""
