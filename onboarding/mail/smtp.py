"""The SMTP backend our mail leaves through: Django's, with a long wait for the reply that says a mail was kept.

A mail server may take long to answer after the message (DATA): it is checking or storing it. Giving up
early and sending again makes copies (the server kept the first). So the reply after the message gets
EMAIL_DATA_TIMEOUT (RFC 5321 suggests 10 minutes), every other step EMAIL_TIMEOUT; and when even that
reply never comes, or the connection drops while we wait for it, the send raises MaybeSent, which the
queue does not retry (onboarding/mail.py).
"""

import smtplib

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as DjangoEmailBackend


class MaybeSent(Exception):
    """The whole message reached the server, but its answer did not reach us: it may well have been kept."""


class _PatientAfterData:
    _in_data = False
    _after_data = False

    def data(self, msg):
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = self._after_data = False
            if self.sock is not None:
                self.sock.settimeout(self.timeout)

    def send(self, s):
        super().send(s)
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self._after_data = True  # smtplib sends the message with its final dot in one piece
            self.sock.settimeout(settings.EMAIL_DATA_TIMEOUT)

    def getreply(self):
        try:
            return super().getreply()
        except smtplib.SMTPServerDisconnected as error:  # what smtplib makes of a timeout or a dropped connection
            if self._after_data:
                raise MaybeSent(str(error)) from error
            raise


class SMTP(_PatientAfterData, smtplib.SMTP):
    pass


class SMTP_SSL(_PatientAfterData, smtplib.SMTP_SSL):
    pass


class EmailBackend(DjangoEmailBackend):
    """Django's SMTP backend on the connection classes above."""

    @property
    def connection_class(self):
        return SMTP_SSL if self.use_ssl else SMTP
