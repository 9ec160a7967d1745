"""An e-mail backend for tests with a real worker: each message leaves as a file in the folder
ARBITER_TEST_OUTBOX (the "mail server"), written and flushed to disk before `send` returns.

With ARBITER_TEST_DIE_AFTER_SEND set, the worker process is SIGKILLed the moment the first mail
has left, before Arbiter can record it as sent: a machine dying at the worst moment.
"""

from __future__ import annotations

import os
import signal
import uuid
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        outbox = Path(os.environ["ARBITER_TEST_OUTBOX"])
        for email in email_messages:
            path = outbox / f"{uuid.uuid4().hex}.eml"
            with path.open("wb") as out:
                out.write(email.message().as_bytes())
                out.flush()
                os.fsync(out.fileno())
            if os.environ.get("ARBITER_TEST_DIE_AFTER_SEND"):
                os.kill(os.getpid(), signal.SIGKILL)
        return len(email_messages)


def sent_mail(outbox: Path) -> list[Message]:
    """Every message that left, as parsed e-mails."""
    return [message_from_bytes(path.read_bytes()) for path in sorted(outbox.glob("*.eml"))]
