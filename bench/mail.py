"""What telling a session's participants costs, against the floor of the same work done
by hand in the same run.

Run: .venv/bin/python bench/mail.py [--quick] [--sizes 100,1000,5000]
(``--quick``: 100 and 1,000 recipients)

Builds a throwaway SQLite database (or uses DATABASE_URL), loads Gia Lai's units and, for
each size, a scheduled session of Xã Ia Grai ten days ahead with that many participants,
each with an address. Starts a real SMTP server (aiosmtpd) on 127.0.0.1 in this process
and points MAIL_SERVER at it. Then, per size:

(a) *queue*: ``send_invitations`` and its commit, what the secretary's request waits for:
    the notice with its frozen texts, calendar and letter content, one invitation and two
    reminders per person (the deliveries, by multi-row INSERT … ON CONFLICT DO NOTHING),
    the sending job; with the SQL statements it sends;
(a0) *floor*: the same number of delivery rows inserted by one executemany of a plain
    INSERT, committed (what storing the outbox cannot go below);
(b) *send*: the sending jobs (``run_queued``, batches of MAIL_BATCH_SIZE over one SMTP
    connection each) until every invitation has arrived: the message built per recipient
    (greeting, calendar naming them), the letter laid out once per notice, each delivery
    claimed and committed;
(b0) *floor*: smtplib sending one prebuilt copy of the same message as often, over one
    connection (the SMTP conversation alone).

Prints a table (ms, messages a second, ratios to the floors) and as its last line
``result: queue_ratio=X send_ratio=Y`` (the largest size's (a)/(a0) and (b)/(b0)).
Exits with status 1 if (a)'s statements grow with the number of recipients faster than
one per INSERT chunk.
"""

import argparse
import smtplib
import sys
import tempfile
import time
from datetime import timedelta

from aiosmtpd.controller import Controller
from common import StatementCounter, add_secretary, backend, check_scratch_database, scratch_app
from sqlalchemy import func, insert, select

from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs.operations import run_queued
from dialogue.notices.models import Delivery, DeliveryState, Notice, NoticeKind
from dialogue.notices.operations import INSERT_CHUNK, message_for, send_invitations
from dialogue.sessions.models import Participant, ParticipantRole, SessionFormat, SessionKind
from dialogue.sessions.operations import SessionDetails, schedule_session
from dialogue.units.models import Era, Unit, UnitLevel


class Counting:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_with(size: int, by):
    unit = db.session.scalar(select(Unit).where(
        Unit.name == "Xã Ia Grai", Unit.era == Era.Y2025, Unit.level == UnitLevel.COMMUNE))
    starts = (utcnow() + timedelta(days=10)).replace(hour=1, minute=0, second=0, microsecond=0)
    session, _warnings = schedule_session(SessionDetails(
        title=f"Hội nghị đối thoại với Nhân dân xã Ia Grai ({size} người)", unit=unit,
        kind=SessionKind.PERIODIC, format=SessionFormat.IN_PERSON, starts_at=starts,
        ends_at=starts + timedelta(hours=3), venue="Hội trường UBND xã Ia Grai",
        topic="Bồi thường, hỗ trợ, tái định cư; cấp giấy chứng nhận quyền sử dụng đất.",
        chair_name="Rơ Mah Tuấn"), by=by)
    session.participants = [
        Participant(position=n, full_name=f"Người dân số {n}",
                    role=ParticipantRole.CITIZEN_REPRESENTATIVE, email=f"nd{n}.{size}@example.vn")
        for n in range(size)]
    db.session.commit()
    return session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default="100,1000,5000")
    args = parser.parse_args()
    check_scratch_database(parser)
    sizes = [100, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    rows = []
    statements_by_size = {}
    try:
        with tempfile.TemporaryDirectory() as folder, scratch_app(folder) as app:
            app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_BATCH_SIZE=200,
                              MAIL_SENDER="Văn phòng UBND xã Ia Grai <vanphong@iagrai.example>")
            with app.app_context(), app.test_request_context():
                secretary = add_secretary("thuky.bench")
                counter = StatementCounter(db.engine)
                for size in sizes:
                    session = session_with(size, secretary)
                    counter.count = 0
                    started = time.perf_counter()
                    send_invitations(session, by=secretary)
                    db.session.commit()
                    queue_ms = (time.perf_counter() - started) * 1000
                    statements_by_size[size] = counter.count
                    queued = db.session.scalar(select(func.count()).select_from(Delivery).join(
                        Notice).where(Notice.session_id == session.id))

                    notice_id = db.session.scalar(select(Notice.id).where(
                        Notice.session_id == session.id).limit(1))
                    floor_rows = [{"notice_id": notice_id, "key": f"floor:{size}:{n}",
                                   "email": f"f{n}@example.vn", "name": "x",
                                   "state": "withdrawn", "attempts": 0, "error": "",
                                   "send_after": utcnow()} for n in range(queued)]
                    started = time.perf_counter()
                    db.session.execute(insert(Delivery.__table__), floor_rows)
                    db.session.commit()
                    floor_queue_ms = (time.perf_counter() - started) * 1000

                    before = handler.received
                    started = time.perf_counter()
                    while db.session.scalar(select(func.count()).select_from(Delivery).join(
                            Notice).where(Notice.session_id == session.id,
                                          Notice.kind == NoticeKind.INVITATION,
                                          Delivery.state == DeliveryState.QUEUED)):
                        run_queued()
                    send_ms = (time.perf_counter() - started) * 1000
                    sent = handler.received - before

                    sample = db.session.scalars(select(Delivery).join(Notice).where(
                        Notice.session_id == session.id,
                        Notice.kind == NoticeKind.INVITATION).limit(1)).one()
                    message = message_for(sample, {})
                    started = time.perf_counter()
                    with smtplib.SMTP("127.0.0.1", port) as smtp:
                        for _n in range(sent):
                            smtp.send_message(message, to_addrs=[sample.email])
                    floor_send_ms = (time.perf_counter() - started) * 1000
                    rows.append((size, queued, queue_ms, floor_queue_ms, statements_by_size[size],
                                 sent, send_ms, floor_send_ms, len(message.as_bytes())))
                    print(f"{size} recipients done", file=sys.stderr)
    finally:
        controller.stop()

    print(f"\nbench/mail.py on {backend()} (aiosmtpd on 127.0.0.1)\n")
    print("| recipients | deliveries queued | (a) queue ms | SQL | (a0) floor ms | (a)/(a0) "
          "| sent | (b) send ms | msg/s | (b0) floor ms | (b)/(b0) | message bytes |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (size, queued, queue_ms, floor_queue_ms, statements, sent, send_ms, floor_send_ms,
         size_bytes) in rows:
        print(f"| {size:,} | {queued:,} | {queue_ms:.0f} | {statements} | {floor_queue_ms:.0f} "
              f"| {queue_ms / floor_queue_ms:.1f} | {sent:,} | {send_ms:.0f} "
              f"| {sent / send_ms * 1000:.0f} | {floor_send_ms:.0f} "
              f"| {send_ms / floor_send_ms:.1f} | {size_bytes:,} |")
    last = rows[-1]
    print(f"\nresult: queue_ratio={last[2] / last[3]:.1f} send_ratio={last[6] / last[7]:.1f}")
    smallest, largest = sizes[0], sizes[-1]
    # Each of the three queueings (invitations, two reminders) reads opt-outs and inserts by
    # chunks of INSERT_CHUNK rows: two statements a chunk, nothing per recipient.
    allowed = statements_by_size[smallest] + 3 * 2 * (largest // INSERT_CHUNK)
    if statements_by_size[largest] > allowed:
        print(f"statements grow with recipients: {statements_by_size}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
