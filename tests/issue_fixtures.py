"""Issues and commitments recorded on the sessions of Gia Lai (a plugin of the root
conftest: the issue, minutes and report tests all use them).

``record(session, **overrides)`` records an issue through ``record_issue`` (by default a
land-certificate recommendation from Làng Dơ Lâm); ``commit_to(issue, **overrides)`` assigns
a commitment through ``assign_commitment`` (by default the Sở Nông nghiệp và Môi trường, due
30/04/2026). Both commit, as a request would. ``field("Đất đai")`` finds a seeded field by
the start of its name; ``commune_secretary`` (thuky.xa) is the secretary of Xã Ia Grai.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.issues.models import Commitment, Issue, IssueField, IssueKind, IssueOutcome
from dialogue.issues.operations import (
    CommitmentDetails,
    IssueDetails,
    assign_commitment,
    record_issue,
)

LAND = "Đất đai"
COMPENSATION = "Bồi thường"
ENVIRONMENT = "Môi trường"
SOCIAL_POLICY = "Chính sách xã hội"


@pytest.fixture
def field():
    """``field("Đất đai")``: the seeded field whose name starts so."""

    def find(start: str) -> IssueField:
        return db.session.scalars(
            sa.select(IssueField).where(IssueField.name.startswith(start))).one()

    return find


@pytest.fixture
def issue_details(field):
    """``issue_details(**overrides)``: what the secretary typed for one issue."""

    def build(**overrides) -> IssueDetails:
        chosen = overrides.pop("field", LAND)
        values = {
            "raised_by": "Ông Rơ Châm Hyưn",
            "locality": "Làng Dơ Lâm",
            "contact": "0905 123 456",
            "kind": IssueKind.RECOMMENDATION,
            "field": field(chosen) if isinstance(chosen, str) else chosen,
            "content": "Đề nghị sớm cấp giấy chứng nhận quyền sử dụng đất cho 37 hộ dân làng "
                       "Dơ Lâm đã sử dụng đất ổn định, không tranh chấp từ năm 1995.",
            "answered_by": "Bà Nguyễn Thị Thanh Lịch, Phó Chủ tịch UBND tỉnh",
            "answer": "Giao Sở Nông nghiệp và Môi trường rà soát hồ sơ, cấp giấy cho các hộ "
                      "đủ điều kiện trong quý II.",
            "outcome": IssueOutcome.FOLLOW_UP,
            **overrides,
        }
        return IssueDetails(**values)

    return build


@pytest.fixture
def record(issue_details, secretary):
    """``record(session, by=secretary, **overrides)``: the session's next issue, committed."""

    def create(session, *, by=None, **overrides) -> Issue:
        issue = record_issue(session, issue_details(**overrides), by=by or secretary)
        db.session.commit()
        return issue

    return create


@pytest.fixture
def commitment_details():
    """``commitment_details(**overrides)``: an agency's promise; due 30/04/2026 unless
    ``working_days`` is given."""

    def build(**overrides) -> CommitmentDetails:
        if "working_days" in overrides:
            overrides.setdefault("due_on", None)
        values = {
            "agency_name": "Sở Nông nghiệp và Môi trường",
            "action": "Rà soát hồ sơ, cấp giấy chứng nhận quyền sử dụng đất cho các hộ đủ "
                      "điều kiện ở làng Dơ Lâm.",
            "due_on": date(2026, 4, 30),
            **overrides,
        }
        return CommitmentDetails(**values)

    return build


@pytest.fixture
def commit_to(commitment_details, secretary):
    """``commit_to(issue, by=secretary, **overrides)``: a commitment on the issue,
    committed."""

    def create(issue: Issue, *, by=None, **overrides) -> Commitment:
        commitment = assign_commitment(issue, commitment_details(**overrides),
                                       by=by or secretary)
        db.session.commit()
        return commitment

    return create
