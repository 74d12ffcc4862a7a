"""A progress update whose document cannot be stored (a full disk, an unwritable attachments
folder): a clear message beside the file field, the typed text kept, nothing saved."""

import errno
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from dialogue.core.storage import LocalFolderStore
from dialogue.extensions import db
from dialogue.issues.models import ProgressUpdate
from dialogue.sessions.models import SessionStatus

from ..helpers import at, field_errors, form_token

PDF = (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type "
       b"/Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
PROGRESS = ("Ngày 05/03/2026 đoàn công tác đã làm việc với 37 hộ dân làng Dơ Lâm, thống nhất "
            "phương án đo đạc lại ranh giới thửa đất.")


@pytest.fixture
def commitment(create_session, record, commit_to):
    held = create_session(starts_at=at("2026-03-02 08:00"), status=SessionStatus.HELD)
    return commit_to(record(held))


@pytest.fixture
def instance(app, monkeypatch, tmp_path):
    """The instance folder moved to a temporary one."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


def send_update(client, commitment):
    token = form_token(client, f"/issues/{commitment.issue_id}")
    return client.post(f"/commitments/{commitment.id}/updates", data={
        "csrf_token": token, "on": "05/03/2026", "text": PROGRESS,
        "attachment": (io.BytesIO(PDF), "bien-ban-lam-viec.pdf")},
        content_type="multipart/form-data")


def assert_refused_and_kept(response, expected: str) -> None:
    assert response.status_code == 400
    assert field_errors(response) == {"attachment": [expected]}
    page = response.get_data(as_text=True)
    textarea = re.search(r'<textarea[^>]*name="text"[^>]*>([^<]*)</textarea>', page)
    assert textarea and textarea.group(1).strip() == PROGRESS
    assert '<details class="commitment-actions" open>' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 0


def test_a_full_disk_keeps_the_text_and_saves_nothing(client, commitment, instance,
                                                      monkeypatch):
    def fill_the_disk(store, name, content):
        (store.folder / name).parent.mkdir(parents=True, exist_ok=True)
        (store.folder / name).write_bytes(content[:10])  # the disk filled up midway
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(LocalFolderStore, "save", fill_the_disk)
    response = send_update(client, commitment)
    assert_refused_and_kept(response, "Máy chủ đã hết chỗ lưu tệp nên chưa lưu được tệp này; "
                                      "cập nhật tiến độ chưa được lưu. Hãy báo quản trị hệ "
                                      "thống rồi gửi lại.")
    assert list((instance / "attachments").iterdir()) == []  # the half-written file is gone


def test_an_unwritable_attachments_folder_keeps_the_text_and_saves_nothing(
        client, commitment, instance):
    (instance / "attachments").write_text("not a folder")  # root ignores chmod; this it cannot
    response = send_update(client, commitment)
    assert_refused_and_kept(response, "Máy chủ không ghi được tệp đính kèm vào thư mục lưu "
                                      "tệp; cập nhật tiến độ chưa được lưu. Hãy báo quản trị "
                                      "hệ thống rồi gửi lại.")

    (instance / "attachments").unlink()  # the operator repairs it: the same update goes in
    response = send_update(client, commitment)
    assert response.status_code == 302
    [update] = db.session.scalars(sa.select(ProgressUpdate)).all()
    assert (update.on, update.text) == (date(2026, 3, 5), PROGRESS)
    assert (instance / "attachments" / update.attachment_path).read_bytes() == PDF


def test_a_refused_update_shows_its_messages_beside_the_fields(client, commitment, instance):
    token = form_token(client, f"/issues/{commitment.issue_id}")
    response = client.post(f"/commitments/{commitment.id}/updates", data={
        "csrf_token": token, "on": "01/03/2026", "text": PROGRESS})
    assert response.status_code == 400
    assert field_errors(response) == {"on": ["Ngày cập nhật không thể trước ngày hội nghị."]}
    assert PROGRESS in response.get_data(as_text=True)
