"""Every write about two-step verification: turning it on and off, taking a code or a recovery code, and
making new recovery codes."""

from django.db import transaction
from django.utils import timezone

from onboarding.models import RecoveryCode, TwoStepDevice
from onboarding.twostep import totp


def device_of(user):
    return TwoStepDevice.objects.filter(user=user).first()


def has_two_step(user):
    return TwoStepDevice.objects.filter(user=user).exists()


def recovery_codes_left(user):
    return RecoveryCode.objects.filter(user=user, used_at=None).count()


def save_recovery_codes(user, codes):
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=totp.recovery_hash(code)) for code in codes)


@transaction.atomic
def turn_on(*, user, secret, step):
    """Keep the app whose code for `step` the person just typed; return their ten new recovery codes (in clear,
    to be shown once: only their hashes are stored)."""
    TwoStepDevice.objects.filter(user=user).delete()
    TwoStepDevice.objects.create(user=user, secret=secret, last_step=step, last_used_at=timezone.now())
    codes = totp.new_recovery_codes()
    save_recovery_codes(user, codes)
    return codes


@transaction.atomic
def turn_off(*, user):
    TwoStepDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


@transaction.atomic
def renew_recovery_codes(*, user):
    """Ten new recovery codes in place of the old ones, used or not; returned in clear to be shown once."""
    codes = totp.new_recovery_codes()
    save_recovery_codes(user, codes)
    return codes


def use_code(*, user, code):
    """Take a six-digit code from the person's app: True once per time step, within the window.

    The step is moved forward by a conditional UPDATE, so of two requests with the same code (or two codes of
    one step) only the first is taken, even at the same moment on two servers.
    """
    device = device_of(user)
    if device is None:
        return False
    step = totp.matching_step(device.secret, totp.plain_code(code), after_step=device.last_step)
    if step is None:
        return False
    moved = TwoStepDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
        last_step=step, last_used_at=timezone.now()
    )
    return moved == 1


def use_recovery_code(*, user, code):
    """Take one of the person's recovery codes: True the first time, never again."""
    if not totp.normal_recovery_code(code):
        return False
    found = RecoveryCode.objects.filter(user=user, used_at=None, code_hash__in=totp.recovery_hashes(code)).first()
    if found is None:
        return False
    return RecoveryCode.objects.filter(pk=found.pk, used_at=None).update(used_at=timezone.now()) == 1
