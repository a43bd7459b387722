"""Confirming an email address: the link we mail, opening it, and asking for it again."""
