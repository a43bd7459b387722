"""The one place that writes a new account."""

from django.db import transaction

from .models import Profile, User


@transaction.atomic
def create_account(*, username, email, password_hash, real_name, preferred_name="", phone="", signup_token=None):
    """Create a user with an already hashed password, and their profile, in one transaction."""
    user = User(username=User.normalize_username(username), email=User.objects.normalize_email(email))
    user.password = password_hash
    user.save()
    Profile.objects.create(
        user=user, real_name=real_name, preferred_name=preferred_name, phone=phone, signup_token=signup_token
    )
    return user
