"""Rules on the domain of a signup's address: throwaway domains, SIGNUP_BLOCKED_DOMAINS, SIGNUP_ALLOWED_DOMAINS
and SIGNUP_AUTO_APPROVE_DOMAINS.

A listed domain covers its subdomains (`example.edu` covers `cs.example.edu`). Domains are compared in the
form the identities module keys addresses by (folded, IDNA), so `Ｅxample.EDU` is `example.edu`.
"""

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onboarding.identities import email_key

MESSAGES = {
    "email_disposable": _(
        "Addresses at %(domain)s are throwaway addresses: they stop working after a while, and then we could "
        "not reach you about your account. Use an email address you will keep."
    ),
    "email_blocked": _("Addresses at %(domain)s cannot be used here. Use a different email address."),
    "email_not_allowed": _("Only addresses at %(domains)s can be used here. Use your address there."),
}


def domain_of(email):
    """The domain of an address as its key has it (folded, IDNA), "" for no address."""
    return (email_key(email) or "").rpartition("@")[2].strip(".")


def listed_domains(domains):
    return [domain_of("@" + domain.strip().lstrip("@")) for domain in domains if domain.strip().lstrip("@")]


def covered(domain, domains):
    """True when `domain` is one of `domains` or a subdomain of one."""
    return any(domain == listed or domain.endswith("." + listed) for listed in listed_domains(domains))


def disposable(domain):
    """The domain on the `disposable-email-domains` list that `domain` is or is under, else None."""
    labels = domain.split(".")
    parents = (".".join(labels[start:]) for start in range(len(labels) - 1))
    return next((parent for parent in parents if parent in DISPOSABLE_DOMAINS), None)


def refusal(email):
    """Why an address may not sign up here, as (code, params), or None when its domain is welcome.

    A domain the site names itself (allowed or approved at once) is never refused as throwaway: the list
    is someone else's guess, the setting is the site's own word.
    """
    domain = domain_of(email)
    if not domain:
        return None
    if covered(domain, settings.SIGNUP_BLOCKED_DOMAINS):
        return "email_blocked", {"domain": domain}
    named = covered(domain, settings.SIGNUP_ALLOWED_DOMAINS) or covered(domain, settings.SIGNUP_AUTO_APPROVE_DOMAINS)
    if settings.SIGNUP_ALLOWED_DOMAINS and not named:
        return "email_not_allowed", {"domains": ", ".join(listed_domains(settings.SIGNUP_ALLOWED_DOMAINS))}
    throwaway = None if named else disposable(domain)
    if throwaway:
        return "email_disposable", {"domain": throwaway}
    return None


def validate_signup_domain(email):
    """Raise ValidationError saying why, for an address whose domain may not sign up here."""
    refused = refusal(email)
    if refused:
        code, params = refused
        raise ValidationError(MESSAGES[code], code=code, params=params)


def auto_approved(email):
    """True when signups with this address are approved as soon as they are made (SIGNUP_AUTO_APPROVE_DOMAINS)."""
    return covered(domain_of(email), settings.SIGNUP_AUTO_APPROVE_DOMAINS)
