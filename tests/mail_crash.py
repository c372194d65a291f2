"""A mail sender in a process of its own that kills itself with SIGKILL in the middle of a delivery, for the
outbox's crash tests: ``after-send`` once the SMTP server has accepted the email (before it is marked sent),
``before-send`` once the email is claimed (before anything is sent)."""

from __future__ import annotations

import os
import signal
import sys
from datetime import timedelta
from email.message import EmailMessage

from data import db
from services.mail import config
from services.mail.sender import Sender, SmtpTransport
from services.unit_of_work import UnitOfWork


class Killed(SmtpTransport):
    def __init__(self, url: str, moment: str) -> None:
        super().__init__(url)
        self.moment = moment

    def deliver(self, message: EmailMessage, email_id: str) -> None:
        if self.moment == "before-send":
            os.kill(os.getpid(), signal.SIGKILL)
        super().deliver(message, email_id)
        os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    database_url, smtp_url, moment, key = sys.argv[1:5]
    engine = db.make_engine(database_url)
    config.configure(config.MailConfig("http://portal.test", "Reseller Portal <no-reply@portal.test>", key.encode()))
    Sender(Killed(smtp_url, moment), uow_factory=lambda: UnitOfWork(engine), lease=timedelta(seconds=1)).deliver_due()
    raise SystemExit("the sender was expected to be killed")


if __name__ == "__main__":
    main()
