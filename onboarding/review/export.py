"""The CSV export of selected users: streamed row by row, so that a million rows take no more memory than ten."""

import csv
import re

from django.http import StreamingHttpResponse
from django.utils import timezone

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list), and a spreadsheet
# set to split on ";" or "|" (some locales) starts a new cell after one: so a formula can start at the
# beginning or after any separator or line break, spaces before it included.
FORMULA = re.compile(r"(?:^|[;,|\t\r\n])\s*[=+\-@\t\r]|^[\t\r]")
# Rows fetched per round trip (a server-side cursor on PostgreSQL).
CHUNK_SIZE = 2000

EXPORT_COLUMNS = [
    "id",
    "username",
    "email",
    "is_active",
    "date_joined",
    "last_login",
    "real_name",
    "preferred_name",
    "phone",
    "review_status",
    "reviewed_by",
    "reviewed_at",
    "review_note",
]
# The same columns read as plain values, without building a model object per row.
EXPORT_VALUES = [
    "pk",
    "username",
    "email",
    "is_active",
    "date_joined",
    "last_login",
    "profile__real_name",
    "profile__preferred_name",
    "profile__phone",
    "profile__review_status",
    "profile__reviewed_by__username",
    "profile__reviewed_at",
    "profile__review_note",
]


class Echo:
    """A file-like object whose write returns the line, for csv.writer to hand to a generator."""

    def write(self, value):
        return value


def csv_response(queryset):
    """Stream the users in `queryset` as CSV: the account and its profile answers, never the password hash."""
    rows = queryset.order_by("pk").values_list(*EXPORT_VALUES).iterator(chunk_size=CHUNK_SIZE)
    # Every cell quoted: a reader that splits on ";" or "|" keeps each of our cells whole.
    writer = csv.writer(Echo(), quoting=csv.QUOTE_ALL)

    def lines():
        # The byte-order mark makes spreadsheets read the file as UTF-8 (Korean names).
        # Field names, not translated labels: scripts reading exports keep working in any language.
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="signups-{timezone.now():%Y%m%d-%H%M%S}.csv"'
    return response


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if FORMULA.search(text) else text
