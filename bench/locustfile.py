"""The users of the load test (``bench/load.py``), for locust: calendar pollers, secretaries
editing through the real forms, and secretaries finalizing minutes; and the test's phases.

Not run by hand: ``load.py`` seeds the database, writes the plan (who logs in as whom, which
session each edits, which feeds are polled, how long each phase lasts) to the file named by
``LOAD_PLAN``, and starts locust on this file. The pollers run from start to end: a warm-up
(their first fetches fill the servers' caches), the idle phase (they alone), then the loaded
phase (the secretaries and finalizers join them). Every request's time, tagged with the
phase it started in, is written to ``LOAD_SAMPLES`` when locust stops, so that ``load.py``
computes exact percentiles (locust's own round them to two digits). A form's POST is timed
with the page its redirect leads to, as the user waits for both.
"""

import json
import os
import random
import re
import time
from html.parser import HTMLParser
from itertools import count
from urllib.parse import urlencode

from locust import FastHttpUser, LoadTestShape, between, constant_pacing, events, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)

#: (phase, name, milliseconds, HTTP status or 0, error or "") of every request.
SAMPLES: list[tuple] = []
#: When the phases begin, in seconds from the start of the test.
PHASES = (("warm-up", 0), ("idle", PLAN["warmup_seconds"]),
          ("loaded", PLAN["warmup_seconds"] + PLAN["idle_seconds"]))
END = PHASES[-1][1] + PLAN["loaded_seconds"]
#: The test's start (time.time()), set when it starts.
STARTED: list[float] = []
#: How long a finalization may take from the click to the filed revision.
FINALIZE_TIMEOUT = 300
SUCCESS = 'class="flash flash-success"'
REVISION_LINK = re.compile(r'/minutes/revisions/\d+\.pdf')
JOB_URL = re.compile(r'data-job-url="([^"]+)"')


def phase_at(moment: float) -> str:
    elapsed = moment - STARTED[0]
    return next(name for name, begins in reversed(PHASES) if elapsed >= begins)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None,
            exception=None, **_kwargs):
    status = getattr(response, "status_code", 0) or 0
    phase = phase_at(time.time() - response_time / 1000)
    SAMPLES.append((phase, name, response_time, status, str(exception) if exception else ""))


@events.user_error.add_listener
def _record_crash(user_instance, exception, tb, **_kwargs):
    """A user's code that broke (a page without the form it needs…) is an error too."""
    SAMPLES.append((phase_at(time.time()), f"{type(user_instance).__name__}: exception", 0, 0,
                    f"{type(exception).__name__}: {exception}"))


@events.quitting.add_listener
def _dump(**_kwargs):
    with open(os.environ["LOAD_SAMPLES"], "w", encoding="utf-8") as out:
        json.dump({"started": STARTED[0] if STARTED else None, "phases": dict(PHASES),
                   "end": END, "samples": SAMPLES}, out, ensure_ascii=False)


# Forms ---------------------------------------------------------------------------------------

class Form:
    """A form as a browser would submit it: its fields' current values, in order."""

    def __init__(self, attrs: dict):
        self.action = attrs.get("action") or ""
        self.attrs = attrs
        self.fields: list[list[str]] = []

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def names(self) -> list[str]:
        return [key for key, _value in self.fields]

    def data(self, changes: dict | None = None, submit: tuple[str, str] | None = None) -> str:
        changes = changes or {}
        missing = set(changes) - set(self.names())
        if missing:
            raise AssertionError(f"the form has no field {sorted(missing)}")
        pairs = [(key, changes.get(key, value)) for key, value in self.fields]
        return urlencode(pairs + ([submit] if submit else []))


class FormParser(HTMLParser):
    """Every form of a page with what a browser would send: inputs (checked boxes only),
    the selected option of each select (else the first), the text of each textarea."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: list | None = None
        self.textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.form = Form(attrs)
            self.forms.append(self.form)
        elif self.form is None or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.form.fields.append([attrs["name"], attrs.get("value", "on" if kind in (
                "checkbox", "radio") else "")])
        elif tag == "select" and attrs.get("name"):
            self.select = [attrs["name"], None, None]  # name, first, selected
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in attrs:
                self.select[2] = value
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            name, first, selected = self.select
            self.form.fields.append([name, selected if selected is not None else first or ""])
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A newline right after <textarea> is not part of its value.
            name, text = self.textarea
            self.form.fields.append([name, text[1:] if text.startswith("\n") else text])
            self.textarea = None


def forms_of(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def form_posting_to(html: str, action: str) -> Form:
    for form in forms_of(html):
        if form.action == action:
            return form
    raise AssertionError(f"no form posting to {action}")


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class Browser(FastHttpUser):
    """A signed-in user who submits forms the way a browser does."""

    abstract = True

    def get_page(self, url: str, name: str) -> str | None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return None
            return response.text

    def submit(self, url: str, data: str, name: str, *, lands_on: str,
               expect=lambda page: SUCCESS in page) -> str | None:
        """Post a form and follow its redirect; a success is the page the redirect leads to
        (``lands_on``, a path) for which ``expect(page)`` holds (by default: a success
        message shown)."""
        with self.client.post(url, data=data, headers=FORM_HEADERS, name=name,
                              catch_response=True) as response:
            landed = response.url or ""
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif not landed.split("?")[0].split("#")[0].endswith(lands_on):
                response.failure(f"landed on {landed}")
            elif not expect(response.text):
                response.failure("no confirmation on the page: "
                                 + _first_error(response.text))
            else:
                return response.text
        return None

    def log_in(self, username: str) -> None:
        page = self.get_page("/login", "GET /login")
        if page is None:
            return
        form = form_posting_to(page, "")
        data = form.data({"username": username, "password": PLAN["password"]})
        with self.client.post("/login", data=data, headers=FORM_HEADERS, name="POST /login",
                              catch_response=True) as response:
            if response.status_code != 200 or "/login" in (response.url or ""):
                response.failure(f"login refused ({response.status_code})")


def _first_error(html: str) -> str:
    found = re.search(r'class="(?:flash flash-error|error|error form-error)"[^>]*>(.*?)</', html,
                      re.S)
    return found.group(1).strip()[:200] if found else "(no message)"


# Pollers --------------------------------------------------------------------------------------

class Poller(FastHttpUser):
    """A calendar client: fetches its feed once, then asks every few seconds whether it
    changed (If-None-Match), fetching it again only when it did."""

    fixed_count = PLAN["pollers"]
    wait_time = constant_pacing(PLAN["poll_seconds"])
    numbers = count()

    def on_start(self):
        number = next(Poller.numbers)
        self.feed = PLAN["feeds"][number % len(PLAN["feeds"])]
        self.etag = None
        # Spread over the pacing interval, as real clients are.
        time.sleep(random.uniform(0, PLAN["poll_seconds"]))

    @task
    def poll(self):
        url, route = self.feed["url"], self.feed["route"]
        headers = {"If-None-Match": self.etag} if self.etag else {}
        name = f"GET {route}" if self.etag else f"GET {route} (first)"
        with self.client.get(url, headers=headers, name=name, catch_response=True) as response:
            if response.status_code == 304 and self.etag:
                response.success()
            elif response.status_code == 200 and response.content.startswith(
                    b"BEGIN:VCALENDAR"):
                self.etag = response.headers.get("ETag")
                response.success()
            else:
                response.failure(f"status {response.status_code}")


# Secretaries ----------------------------------------------------------------------------------

class Secretary(Browser):
    """A commune's secretary at work on a session she announced: its details, and the
    issues citizens raised, recorded, corrected and, when there are many, some removed."""

    fixed_count = len(PLAN["secretaries"])
    wait_time = between(*PLAN["think_seconds"])
    numbers = count()

    def on_start(self):
        me = PLAN["secretaries"][next(Secretary.numbers) % len(PLAN["secretaries"])]
        self.session_id = me["session_id"]
        self.edits = count(1)
        join_the_loaded_phase()
        self.log_in(me["username"])

    # Mostly the issues, as during a session; now and then the session's own details, which
    # every feed shows (so each such edit changes every feed's ETag).
    @task(1)
    def edit_session(self):
        url = f"/sessions/{self.session_id}/edit"
        page = self.get_page(url, "GET /sessions/[id]/edit")
        if page is None:
            return
        form = form_posting_to(page, "")
        agenda = f"Nội dung đối thoại, bản sửa {next(self.edits)}: đất đai, giao thông nông thôn."
        self.submit(url, form.data({"agenda": agenda}), "POST /sessions/[id]/edit",
                    lands_on=f"/sessions/{self.session_id}")

    def live_page(self) -> str | None:
        return self.get_page(f"/sessions/{self.session_id}/issues", "GET /sessions/[id]/issues")

    @task(3)
    def record_issue(self):
        page = self.live_page()
        if page is None:
            return
        url = f"/sessions/{self.session_id}/issues"
        form = form_posting_to(page, url)
        number = next(self.edits)
        data = form.data({
            "raised_by": random.choice(PLAN["names"]),
            "locality": f"Thôn {number % 12 + 1}",
            "content": f"{random.choice(PLAN['contents'])} (ý kiến {number})",
            "answered_by": "Chủ tịch UBND xã",
            "answer": "Ghi nhận, giao công chức địa chính kiểm tra và trả lời bằng văn bản.",
        })
        self.submit(url, data, "POST /sessions/[id]/issues", lands_on=url)
        # The list stays the length of a real session's: the oldest extra ones go.
        issues = re.findall(r'action="(/issues/\d+/delete)"', page)
        if len(issues) > PLAN["issues_kept"]:
            delete = form_posting_to(page, issues[0])
            self.submit(issues[0], delete.data(), "POST /issues/[id]/delete", lands_on=url)

    @task(3)
    def edit_issue(self):
        page = self.live_page()
        if page is None:
            return
        actions = re.findall(r'action="(/issues/(\d+)/edit)"', page)
        if not actions:
            return
        action, issue_id = random.choice(actions)
        form = form_posting_to(page, action)
        answer = f"Đã trả lời tại hội nghị, lần sửa {next(self.edits)}."
        # Saved without a message: the page then shows the issue with its new answer.
        self.submit(action, form.data({f"issue-{issue_id}-answer": answer}),
                    "POST /issues/[id]/edit", lands_on=f"/sessions/{self.session_id}/issues",
                    expect=lambda page: answer in page)

    @task(2)
    def read(self):
        self.get_page(f"/sessions/{self.session_id}", "GET /sessions/[id]")
        self.get_page("/sessions/", "GET /sessions/")


# Finalizing minutes ---------------------------------------------------------------------------

def revisions(page: str) -> int:
    """How many filed revisions the minutes' page lists."""
    return len(set(REVISION_LINK.findall(page)))


class Finalizer(Browser):
    """A secretary who finalizes the minutes of a held session, then opens a correction and
    finalizes it again, and so on: each round files a new revision (a PDF/A laid out)."""

    fixed_count = len(PLAN["finalizers"])
    wait_time = between(*PLAN["think_seconds"])
    numbers = count()

    def on_start(self):
        me = PLAN["finalizers"][next(Finalizer.numbers) % len(PLAN["finalizers"])]
        self.session_id = me["session_id"]
        self.rounds = count(1)
        join_the_loaded_phase()
        self.log_in(me["username"])

    @task
    def finalize(self):
        url = f"/sessions/{self.session_id}/minutes"
        page = self.get_page(url, "GET /sessions/[id]/minutes")
        if page is None:
            return
        correction = f"/sessions/{self.session_id}/minutes/correction"
        if f'action="{correction}"' in page:
            form = form_posting_to(page, correction)
            data = form.data({"reason": f"Bổ sung kết luận, lần {next(self.rounds)}."})
            page = self.submit(correction, data, "POST /sessions/[id]/minutes/correction",
                               lands_on=url)
            if page is None:
                return
        filed = revisions(page)
        form = form_posting_to(page, url)
        began = time.perf_counter()
        page = self.submit(url, form.data(submit=("action", "finalize")),
                           "POST /sessions/[id]/minutes (finalize)", lands_on=url,
                           # The job's panel, to follow (unless the worker was quicker).
                           expect=lambda page: SUCCESS in page and bool(
                               JOB_URL.search(page) or revisions(page) > filed))
        if page is None:
            return
        job = JOB_URL.search(page)
        error = self.wait_for_job(job.group(1)) if job else ""
        if not error:
            page = self.get_page(url, "GET /sessions/[id]/minutes")
            if page is not None and revisions(page) != filed + 1:
                error = "no new revision filed"
        events.request.fire(
            request_type="FLOW", name="finalize: submit → filed",
            response_time=(time.perf_counter() - began) * 1000, response_length=0,
            response=None, exception=AssertionError(error) if error else None, context={})

    def wait_for_job(self, job_url: str) -> str:
        """Poll the job as its page does (every 1.5 s) until it ends; "" when it is done,
        else why not."""
        deadline = time.monotonic() + FINALIZE_TIMEOUT
        while time.monotonic() < deadline:
            with self.client.get(job_url, name="GET /jobs/[id].json",
                                 catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")
                    return f"job status page {response.status_code}"
                state = response.json().get("state")
            if state == "done":
                return ""
            if state == "failed":
                return f"job failed: {response.json().get('error')}"
            time.sleep(1.5)
        return "job not done in time"


# The phases -----------------------------------------------------------------------------------

class Phases(LoadTestShape):
    """Every user from the start (the secretaries and finalizers wait for the loaded phase,
    see join_the_loaded_phase), until the end."""

    def tick(self):
        run = self.get_run_time()
        if not STARTED:
            STARTED.append(time.time() - run)
        if run >= END:
            return None
        return Poller.fixed_count + Secretary.fixed_count + Finalizer.fixed_count, 100


def join_the_loaded_phase() -> None:
    """Wait for the loaded phase, then a little more: people sign in one after another,
    not all in the same second. (locust will not add users of new classes to a running
    test whose classes have a fixed count, so they are there from the start, waiting.)"""
    begins = STARTED[0] + PHASES[-1][1] + random.uniform(0, PLAN["think_seconds"][1])
    time.sleep(max(0.0, begins - time.time()))
