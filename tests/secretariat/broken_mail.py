"""A mail backend standing in for a mail server that refuses everything: the
one thing outside the machine that tests replace."""

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server refused the connection")
