"""The outbox's background work: sending what is due, batch after batch, and noticing what
falls due with time (reminders, digests). Imported by :mod:`.views`, hence by every process
that builds the app."""

from ..extensions import db
from ..jobs.operations import periodic, task
from .digests import queue_due_digests
from .mailer import mail_configured
from .operations import DELIVER_TASK, deliver_due, has_due, request_delivery

#: How often a worker looks for deliveries that fell due (a reminder's hour, a retry).
TICK_SECONDS = 60


@task(DELIVER_TASK)
def deliver(job, progress) -> dict:
    """One batch over one connection; a full batch asks for the next one, so a session of
    5,000 recipients goes out batch by batch without any request waiting for it."""
    report = deliver_due(progress=progress)
    if report.more:
        request_delivery(again=True)
    return {"sent": report.sent, "failed": report.failed, "retried": report.retried,
            "withdrawn": report.withdrawn}


@periodic(TICK_SECONDS)
def tick() -> None:
    queue_due_digests()
    if mail_configured() and has_due():
        request_delivery()
    db.session.commit()
