"""The fields of issues an administrator keeps."""

from dialogue.audit.operations import history
from dialogue.extensions import db
from dialogue.issues.admin import active_fields, set_field_archived


def test_retiring_a_field_twice_records_it_once(admin, field):
    land = field("Đất đai")
    set_field_archived(land, True, by=admin)
    db.session.commit()
    retired_at = land.archived_at
    set_field_archived(land, True, by=admin)  # the same button, pressed again
    db.session.commit()
    assert land.archived_at == retired_at
    assert land not in active_fields()
    assert [entry.changes for entry in history("issue_field", land.id)] == [
        {"archived": [False, True]}]
