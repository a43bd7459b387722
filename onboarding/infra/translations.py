"""Django's own strings that our pages and admin show, listed so that `make messages` keeps them in our
Korean catalogue: Django reads LOCALE_PATHS before its own catalogues, so our wording (아이디, 해 주세요)
replaces Django's (사용자 이름, 하세요). Never imported; only read by makemessages and the tests."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("username"),  # the login form's label and the admin's column
    gettext_noop("Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
    gettext_noop(
        "Designates whether this user should be treated as active. Unselect this instead of deleting accounts."
    ),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("In case you’ve forgotten, you are:"),
    # The admin's user pages: Django writes 스태프, 등록일, 초기화 and the mechanical 사용자(들), 을/를.
    gettext_noop("staff status"),
    gettext_noop("date joined"),
    gettext_noop("users"),
    gettext_noop("Reset password"),
    gettext_noop("Password reset"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop(" By %(filter_title)s "),  # the list filters' headings
]
