"""What the minutes' PDF costs against the number of issues, and what filing it saves.

Run: .venv/bin/python bench/minutes.py [--quick] [--sizes 10,50,200] [--repeat 9]
(``--quick``: 10, 50 and 100 issues, one timed pair of renders, under a minute)

Builds a throwaway SQLite database (or uses DATABASE_URL), loads Gia Lai's units and, for
each size, a held session of Xã Ia Grai with that many issues (a commitment for every other
one, Vietnamese text as citizens raise it) and the draft of its minutes, all through the
application's operations. For each size it then times, through the Flask test client signed
in as the provincial secretary (each request outside any app context, as in production):

(a) GET /sessions/<id>/minutes/draft.pdf, the endpoint: the session, its issues and
    commitments, the page-count guess, the template and WeasyPrint;
(b) WeasyPrint alone on the HTML that endpoint renders (``draft_content`` and
    ``render_html`` with the same page count), in the same process, interleaved with (a):
    what the endpoint cannot go below; target (a)/(b) ≤ 1.1;
(c) GET /sessions/<id>/minutes.pdf once the minutes are finalized: the filed bytes, read
    back; target (b)/(c) ≥ 100.

Each is warmed up once, then timed: (a) and (b) in pairs, each first every other time,
``--repeat`` pairs and for at least 20 seconds (so the small sizes get more); (c) ten times
``--repeat``; medians. The script checks that (a) and (b) give the same bytes. Prints a
table, the SQL statements per request of (a) and (c), and as its last line
``result: render_ratio=X download_speedup=Y`` (the worst size: the largest (a)/(b), the
smallest (b)/(c)). Exits with status 1 if the statements of (a) or (c) change with the
number of issues.
"""

import argparse
import gc
import io
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta

from common import (
    StatementCounter,
    add_secretary,
    backend,
    check_scratch_database,
    scratch_app,
    signed_in_client,
)
from province import (
    ACTIONS,
    ANSWERERS,
    ANSWERS,
    CONTENTS,
    FIELD_WEIGHTS,
    GIVEN,
    MIDDLES,
    PROJECTS,
    PROVINCIAL_AGENCIES,
    SURNAMES,
    VILLAGES,
)
from pypdf import PdfReader
from sqlalchemy import select

from dialogue.accounts.models import User
from dialogue.core.document import lay_out
from dialogue.core.time import local_to_utc
from dialogue.extensions import db
from dialogue.issues.models import IssueField, IssueKind, IssueOutcome
from dialogue.issues.operations import (
    CommitmentDetails,
    IssueDetails,
    assign_commitment,
    record_issue,
)
from dialogue.minutes import document
from dialogue.minutes.content import draft_content
from dialogue.minutes.models import MinutesTemplate
from dialogue.minutes.operations import (
    MinutesDetails,
    finalize_minutes,
    minutes_of,
    save_minutes,
)
from dialogue.officials.operations import add_official
from dialogue.sessions.models import (
    DialogueSession,
    ParticipantRole,
    SessionFormat,
    SessionKind,
    SessionStatus,
)
from dialogue.sessions.operations import (
    TRANSITIONS,
    SessionDetails,
    change_status,
    schedule_session,
)
from dialogue.units.models import Era, Unit

SEED = 20260305
SIZES = "10,50,200"
#: 200 issues take half a minute to lay out (twice, on the first request), render and
#: finalize: too long for --quick.
QUICK_SIZES = "10,50,100"
SIZE_NAMES = ("small", "medium", "large")
COMMUNE = "Xã Ia Grai"
CONCLUSIONS = [
    "Đồng chí Bí thư Đảng ủy xã Ia Grai kết luận: các ý kiến của Nhân dân đã được trả lời "
    "tại hội nghị; những nội dung giao xử lý phải được giải quyết đúng thời hạn ghi trong "
    "biên bản và trả lời bằng văn bản cho người dân.",
    "Giao Văn phòng HĐND và UBND xã theo dõi, đôn đốc các cơ quan, đơn vị thực hiện, tổng "
    "hợp kết quả báo cáo Thường trực Đảng ủy trước ngày 30/6/2026.",
    "Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam xã giám sát việc thực hiện các nội dung đã "
    "cam kết với Nhân dân.",
]


# The data ---------------------------------------------------------------------------------

def hold_session(day: date, issues: int, by: User, rng: random.Random) -> int:
    """A held session of Xã Ia Grai on ``day`` with ``issues`` issues, a commitment for
    every other one, and the draft of its minutes; returns its id."""
    commune = db.session.scalar(select(Unit).where(Unit.name == COMMUNE, Unit.era == Era.Y2025))
    chair = add_official("Nguyễn Ngọc Lương", "Phó Bí thư Tỉnh ủy", commune.province, by=by)
    secretary = add_official("Phạm Thị Tố Hải", "Trưởng ban Dân vận Tỉnh ủy", commune.province,
                             by=by)
    begins = local_to_utc(day, datetime.strptime("08:00", "%H:%M").time())  # noqa: DTZ007
    session, _warnings = schedule_session(SessionDetails(
        title=f"Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã Ia Grai với "
              f"Nhân dân năm 2026 ({issues} ý kiến)",
        unit=commune, kind=SessionKind.PERIODIC, format=SessionFormat.IN_PERSON,
        starts_at=begins, ends_at=begins + timedelta(hours=3, minutes=30),
        venue="Hội trường UBND xã Ia Grai, tỉnh Gia Lai",
        topic="Đất đai, bồi thường giải phóng mặt bằng, hạ tầng nông thôn",
        chair=chair, secretary=secretary,
        participants=[
            ("Ayun H’Bút", ParticipantRole.LEADER, "Phó Chủ tịch HĐND tỉnh Gia Lai", ""),
            ("Rơ Mah Thuyên", ParticipantRole.LEADER, "Bí thư Đảng ủy xã Ia Grai", ""),
            ("Ksor H’Nga", ParticipantRole.AGENCY, "Phó Giám đốc Sở Nông nghiệp và Môi trường",
             ""),
            ("Nguyễn Văn Hòa", ParticipantRole.FATHERLAND_FRONT,
             "Chủ tịch Ủy ban MTTQ Việt Nam xã Ia Grai", ""),
        ],
    ), by=by, status=SessionStatus.SCHEDULED)
    fields = db.session.scalars(select(IssueField).order_by(IssueField.position)).all()
    for number in range(1, issues + 1):
        position = rng.choices(list(FIELD_WEIGHTS), weights=list(FIELD_WEIGHTS.values()))[0]
        locality = rng.choice([*VILLAGES, f"Thôn {rng.randint(1, 12)}"])
        content = rng.choice(CONTENTS[position]).format(
            p=f"{locality}, xã Ia Grai", n=rng.randint(3, 60), y=rng.randint(2015, 2025),
            d=rng.choice(PROJECTS))
        issue = record_issue(session, IssueDetails(
            raised_by=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}",
            locality=locality, contact=f"09{rng.randint(10_000_000, 99_999_999)}",
            kind=rng.choice(list(IssueKind)), field=fields[position - 1], content=content,
            answered_by=rng.choice(ANSWERERS),
            answer=rng.choice(ANSWERS).format(a=rng.choice(PROVINCIAL_AGENCIES)),
            outcome=IssueOutcome.ANSWERED), by=by)
        if number % 2:  # (issues + 1) // 2 commitments in all
            working_days = rng.choice([None, 10, 15, 30])
            assign_commitment(issue, CommitmentDetails(
                agency_name=rng.choice([*PROVINCIAL_AGENCIES, "UBND xã Ia Grai"]),
                action=rng.choice(ACTIONS), working_days=working_days,
                due_on=None if working_days else day + timedelta(days=rng.choice([30, 60, 90]))),
                by=by)
    change_status(session, TRANSITIONS["hold"], reason="", by=by)
    save_minutes(session, MinutesDetails(
        template=MinutesTemplate.STATE, issuing_body="ỦY BAN NHÂN DÂN XÃ IA GRAI",
        symbol="BB-UBND", place_name="Ia Grai",
        attendance=[("Lãnh đạo tỉnh, xã", 6), ("Các sở, ngành", 9), ("Nhân dân", 180)],
        attendees="Ayun H’Bút, Phó Chủ tịch HĐND tỉnh Gia Lai\n"
                  "Rơ Mah Thuyên, Bí thư Đảng ủy xã Ia Grai",
        conclusions="\n".join(CONCLUSIONS), copies=3,
        recipients="- Thường trực Tỉnh ủy;\n- Thường trực Đảng ủy xã;\n- Các đại biểu dự hội "
                   "nghị;"), by=by)
    db.session.commit()
    return session.id


# Measuring --------------------------------------------------------------------------------

def timed(action) -> tuple[float, object]:
    """Milliseconds of ``action``, started without the garbage of the previous run (a
    rendering leaves much), so no run pays for another's collection."""
    gc.collect()
    began = time.perf_counter()
    result = action()
    return (time.perf_counter() - began) * 1000, result


def get_pdf(client, url: str, counter: StatementCounter, statements: set) -> bytes:
    counter.count = 0
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/pdf", (url, response.mimetype)
    statements.add(counter.count)
    return response.data


def draft_html(app, session_id: int, pages: int) -> str:
    """The HTML the draft endpoint renders once its page-count guess is right."""
    with app.test_request_context():
        minutes = minutes_of(db.session.get(DialogueSession, session_id))
        html = document.render_html(draft_content(minutes), pages=pages, draft=True)
        db.session.remove()
    return html


def render_directly(html: str) -> bytes:
    """WeasyPrint alone, with the fonts and assets as the application gives them."""
    return lay_out(html).write_pdf(pdf_variant="pdf/a-3b")


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def measure_draft(app, client, session_id: int, repeat: int, seconds: float,
                  counter: StatementCounter) -> dict:
    """(a) and (b) in pairs, at least ``repeat`` pairs and ``seconds`` in all (small
    documents take many, to see through the noise of a shared machine)."""
    url = f"/sessions/{session_id}/minutes/draft.pdf"
    statements: set[int] = set()
    served = get_pdf(client, url, counter, statements)  # warms the renderer and the guess
    pages = page_count(served)
    html = draft_html(app, session_id, pages)
    endpoint_ms, direct_ms = [], []
    began, run = time.perf_counter(), 0
    while run < repeat or time.perf_counter() - began < seconds:
        # Each goes first every other time: the second of a pair finds the caches warm.
        for which in ("endpoint", "direct") if run % 2 == 0 else ("direct", "endpoint"):
            if which == "endpoint":
                elapsed, served = timed(lambda: get_pdf(client, url, counter, statements))
                endpoint_ms.append(elapsed)
            else:
                elapsed, direct = timed(lambda: render_directly(html))
                direct_ms.append(elapsed)
        run += 1
    if page_count(direct) != pages:
        raise RuntimeError(f"direct rendering gave {page_count(direct)} pages, not {pages}")
    if len(statements) != 1:
        raise RuntimeError(f"statement count varies between requests: {statements}")
    return {"pages": pages, "runs": run, "endpoint": statistics.median(endpoint_ms),
            "direct": statistics.median(direct_ms), "draft_q": statements.pop(),
            "draft_kb": len(served) / 1024, "same_bytes": served == direct}


def finalize(session_id: int, by: str) -> tuple[float, int]:
    """Finalize the minutes as the secretary would (once: filed texts never change)."""
    user = db.session.scalar(select(User).where(User.username == by))
    minutes = minutes_of(db.session.get(DialogueSession, session_id))
    elapsed, revision = timed(lambda: finalize_minutes(minutes, by=user))
    db.session.commit()
    return elapsed, revision.pages


def measure_download(client, session_id: int, repeat: int, counter: StatementCounter,
                     ) -> tuple[float, int, float]:
    url = f"/sessions/{session_id}/minutes.pdf"
    statements: set[int] = set()
    data = get_pdf(client, url, counter, statements)
    assert data.startswith(b"%PDF")
    timings = [timed(lambda: get_pdf(client, url, counter, statements))[0]
               for _ in range(repeat)]
    if len(statements) != 1:
        raise RuntimeError(f"statement count varies between requests: {statements}")
    return statistics.median(timings), statements.pop(), len(data) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="10, 50 and 100 issues, 1 timed pair of renders (5 s at least) "
                             "and 10 downloads a size: under a minute")
    parser.add_argument("--sizes", help="issues per session (default 10,50,200)")
    parser.add_argument("--repeat", type=int, help="timed renders per size (default 9)")
    args = parser.parse_args()
    sizes = [int(size) for size in
             (args.sizes or (QUICK_SIZES if args.quick else SIZES)).split(",")]
    repeat = args.repeat or (1 if args.quick else 9)
    seconds = 5 if args.quick else 20
    downloads = repeat * 10

    check_scratch_database(parser)
    began = time.perf_counter()
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as tmp, scratch_app(tmp) as app:
        with app.app_context():
            secretary = add_secretary("thuky.tinh")
            rng = random.Random(SEED)
            session_ids = {size: hold_session(date(2026, 3, 5) + timedelta(days=7 * i), size,
                                              secretary, rng)
                           for i, size in enumerate(sizes)}
            counter = StatementCounter(db.engine)
            db.session.remove()
        seeded = time.perf_counter() - began
        client = signed_in_client(app, "thuky.tinh")
        for size in sizes:
            print(f"measuring {size} issues…", file=sys.stderr)
            results[size] = measure_draft(app, client, session_ids[size], repeat, seconds,
                                          counter)
        with app.app_context():
            for size in sizes:
                results[size]["finalize"], results[size]["final_pages"] = finalize(
                    session_ids[size], "thuky.tinh")
            db.session.remove()
        for size in sizes:
            (results[size]["download"], results[size]["download_q"],
             results[size]["final_kb"]) = measure_download(client, session_ids[size],
                                                           downloads, counter)

    runs = "/".join(str(results[size]["runs"]) for size in sizes)
    print(f"Minutes PDF against the number of issues ({backend()}, through the Flask test "
          f"client, signed in; median of {runs} renders and {downloads} downloads, ms)")
    print("  endpoint = GET draft.pdf; direct = WeasyPrint alone on the same HTML; "
          "ratio = endpoint / direct;")
    print("  download = GET minutes.pdf once finalized; speedup = direct / download")
    print("| size   | issues | commitments | pages | endpoint ms | direct ms | ratio "
          "| download ms | speedup |")
    print("|--------|--------|-------------|-------|-------------|-----------|-------"
          "|-------------|---------|")
    for index, size in enumerate(sizes):
        r = results[size]
        label = SIZE_NAMES[index] if len(sizes) == len(SIZE_NAMES) else f"#{index + 1}"
        print(f"| {label:<6} | {size:>6} | {(size + 1) // 2:>11} | {r['pages']:>5} | "
              f"{r['endpoint']:>11.1f} | "
              f"{r['direct']:>9.1f} | {r['endpoint'] / r['direct']:>5.2f} | "
              f"{r['download']:>11.2f} | {r['direct'] / r['download']:>6.0f}× |")
    print("SQL statements per request, draft.pdf: "
          + ", ".join(f"{size} issues q{results[size]['draft_q']}" for size in sizes)
          + "; minutes.pdf: "
          + ", ".join(f"{size} issues q{results[size]['download_q']}" for size in sizes))
    print("sizes (KiB), draft / filed: "
          + ", ".join(f"{size} issues {r['draft_kb']:.0f} / {r['final_kb']:.0f}"
                      for size, r in results.items()))
    differ = [str(size) for size, r in results.items() if not r["same_bytes"]]
    print("the endpoint's draft and the direct rendering are byte for byte the same"
          if not differ else f"the endpoint's draft DIFFERS from the direct rendering at "
          f"{', '.join(differ)} issues")
    print("finalizing once (render with the QR code, hash, store): "
          + ", ".join(f"{size} issues {r['finalize']:.0f} ms ({r['final_pages']} pages)"
                      for size, r in results.items()))
    grew = [name for name in ("draft_q", "download_q")
            if len({results[size][name] for size in sizes}) != 1]
    if grew:
        print("statements CHANGE with the number of issues: "
              + ", ".join("draft.pdf" if name == "draft_q" else "minutes.pdf" for name in grew))
    else:
        print("statements per request do not depend on the number of issues")
    ratio = max(r["endpoint"] / r["direct"] for r in results.values())
    speedup = min(r["direct"] / r["download"] for r in results.values())
    print(f"targets: render_ratio ≤ 1.1 {'met' if ratio <= 1.1 else 'MISSED'}, "
          f"download_speedup ≥ 100 {'met' if speedup >= 100 else 'MISSED'}; "
          f"seeding {seeded:.1f} s, in all {time.perf_counter() - began:.1f} s")
    print(f"result: render_ratio={ratio:.2f} download_speedup={speedup:.0f}")
    if grew:
        sys.exit(1)


if __name__ == "__main__":
    main()
