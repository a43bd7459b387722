"""A person managing their own account: details, password, deletion. One transaction per change."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from ..models import Profile, SignupDraft, User


@transaction.atomic
def update_details(*, user, real_name, preferred_name="", phone="", language):
    """Replace the profile answers given at signup, and the language of our mail to the person."""
    Profile.objects.filter(user=user).update(
        real_name=real_name, preferred_name=preferred_name, phone=phone, language=language
    )


@transaction.atomic
def change_password(*, user, password):
    """Set a new password; sessions that checked the old one end (Django compares the session's password hash)."""
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def delete_account(*, user):
    """Delete the user, everything that cascades from them (profile), and unfinished signups with their address.

    The admin history about them stays, for the reviewers' record, but names the account only by its id.
    """
    types = ContentType.objects.get_for_models(User, Profile, for_concrete_models=False)
    about_them = Q(content_type=types[User], object_id=str(user.pk))
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        about_them |= Q(content_type=types[Profile], object_id=str(profile.pk))
    LogEntry.objects.filter(about_them).update(object_repr=f"deleted account #{user.pk}")
    SignupDraft.objects.filter(email__iexact=user.email).delete()
    user.delete()
