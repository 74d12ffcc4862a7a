"""`flask --app dialogue backup` and `restore`, end to end through the commands.

The source is the suite's database with its instance folder moved to a temporary one. The
target is another application on an empty database (PostgreSQL: ``<test database>_restore``,
created afresh; SQLite: a new file) with an empty instance folder of its own, as a new
server would be.
"""

import hashlib
import io
import json
import tarfile
from datetime import date

import pytest
import sqlalchemy as sa

from dialogue.accounts.models import User
from dialogue.accounts.operations import authenticate
from dialogue.extensions import db
from dialogue.issues.attachments import Upload, open_attachment
from dialogue.issues.models import Issue, ProgressUpdate
from dialogue.issues.operations import add_progress_update
from dialogue.jobs.models import Job, JobState
from dialogue.jobs.operations import enqueue, open_job_file, run_queued, save_job_file, task
from dialogue.minutes.models import MinutesRevision
from dialogue.sessions.models import DialogueSession
from tests.conftest import PASSWORD
from tests.minutes.conftest import draft, final, held_session, minutes_details  # noqa: F401  (fixtures)

PDF = b"%PDF-1.7\n% bien ban lam viec voi ho ong Ro Cham Hyun\n%%EOF\n"
EXPORT = "Mã;Tên\n52;Tỉnh Gia Lai\n".encode()
DATABASE_MEMBER = {"postgresql": "database/dialogue.pgdump", "sqlite": "database/dialogue.sqlite"}


@task("tests.backup_export")
def _export(job, progress):
    return save_job_file(job, "Báo cáo Gia Lai.csv", EXPORT, "text/csv")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def invoke(application, *args: str):
    """Run a command of ``application`` in its own application context, as `flask` does."""
    with application.app_context():
        result = application.test_cli_runner().invoke(args=list(args))
        db.session.remove()
    return result


@pytest.fixture
def source(app, monkeypatch, tmp_path):
    """The suite's application, its instance folder moved to an empty temporary one."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "source"))
    return app


@pytest.fixture
def restore_url(database_url, tmp_path):
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    target = url.set(database=f"{url.database}_restore")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    drop = sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    with admin.connect() as connection:
        connection.execute(drop)
        connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    yield target.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(drop)
    admin.dispose()


@pytest.fixture
def target(build_app, restore_url, monkeypatch, tmp_path):
    """A new installation: an empty database and an empty instance folder."""
    application = build_app(restore_url)
    monkeypatch.setattr(application, "instance_path", str(tmp_path / "target"))
    return application


@pytest.fixture
def installation(source, held_session, final, secretary, create_session):  # noqa: F811
    """Sessions, issues, a filed revision, an attachment and a job's file; returns what a
    restore must give back."""
    held = held_session()
    create_session(title="Đối thoại với Nhân dân xã Ia Grai về đất đai")
    revision = final(held)
    commitment = db.session.scalars(sa.select(Issue).where(
        Issue.session_id == held.id).order_by(Issue.number)).first().commitments[0]
    update = add_progress_update(commitment, on=date(2026, 3, 20), by=secretary,
                                 text="Đoàn kiểm tra làm việc với 37 hộ dân làng Dơ Lâm.",
                                 upload=Upload("bien-ban-lam-viec.pdf", PDF))
    job = enqueue("tests.backup_export", {}, label="Xuất báo cáo Gia Lai", by=secretary,
                  unit=None)
    db.session.commit()
    assert run_queued() == 1 and job.state is JobState.DONE
    return {
        "sessions": set(db.session.execute(sa.select(DialogueSession.id,
                                                     DialogueSession.title))),
        "issues": set(db.session.execute(sa.select(Issue.id, Issue.session_id, Issue.number,
                                                   Issue.content))),
        "revisions": {(revision.id, revision.pdf_sha256, sha256(revision.pdf))},
        "update": update.id,
        "job": job.id,
    }


def backup(source, tmp_path, name="backup.tar"):
    archive = tmp_path / name
    result = invoke(source, "backup", "--out", str(archive))
    assert result.exit_code == 0, result.output
    return archive


def table_names(application) -> set[str]:
    with application.app_context():
        names = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


def rewritten(archive, tmp_path, change) -> str:
    """A copy of ``archive`` whose manifest went through ``change(manifest)``."""
    copy = tmp_path / "changed.tar"
    with tarfile.open(archive) as original, tarfile.open(copy, "w") as changed:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            changed.addfile(member, io.BytesIO(data))
    return str(copy)


# Backup and restore --------------------------------------------------------------------------

def test_a_restore_into_an_empty_installation_gives_back_everything(
        installation, source, target, tmp_path):
    archive = backup(source, tmp_path)
    assert archive.stat().st_mode & 0o777 == 0o600  # passwords' hashes, citizens' contacts

    result = invoke(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "mọi bảng và mọi tệp khớp bản kê" in result.output

    with target.app_context():
        assert set(db.session.execute(sa.select(DialogueSession.id, DialogueSession.title))
                   ) == installation["sessions"]
        assert set(db.session.execute(sa.select(Issue.id, Issue.session_id, Issue.number,
                                                Issue.content))) == installation["issues"]
        assert {(revision.id, revision.pdf_sha256, sha256(revision.pdf)) for revision in
                db.session.scalars(sa.select(MinutesRevision))} == installation["revisions"]
        with open_attachment(db.session.get(ProgressUpdate, installation["update"])) as stored:
            assert stored.read() == PDF
        with open_job_file(db.session.get(Job, installation["job"])) as stored:
            assert stored.read() == EXPORT
        # The accounts work on the new server: same password, same roles.
        user, refusal = authenticate("thuky.tinh", PASSWORD, "192.0.2.7")
        assert (user, refusal) == (db.session.scalar(sa.select(User).where(
            User.username == "thuky.tinh")), "")
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # The trigger that keeps filed revisions came back with the tables.
            with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as connection:
                connection.execute(sa.text("UPDATE minutes_revisions SET reason = 'sửa'"))
        db.session.remove()
        db.engine.dispose()


def test_the_manifest_lists_every_table_and_file_with_its_sha256(installation, source,
                                                                  tmp_path):
    archive = backup(source, tmp_path)
    with tarfile.open(archive) as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())
        members = {member.name for member in opened.getmembers()}
        stored = {name: sha256(opened.extractfile(name).read())
                  for name in members - {"manifest.json"}}

    dialect = db.engine.dialect.name
    assert manifest["database"]["dialect"] == dialect
    assert manifest["database"]["schema_revision"] == [db.session.scalar(
        sa.text("SELECT version_num FROM alembic_version"))]
    counts = manifest["database"]["counts"]
    assert set(counts) == set(sa.inspect(db.engine).get_table_names())
    for model in (DialogueSession, Issue, MinutesRevision, ProgressUpdate, Job, User):
        assert counts[model.__tablename__] == db.session.scalar(
            sa.select(sa.func.count()).select_from(model))
    assert {name: entry["sha256"] for name, entry in manifest["files"].items()} == stored
    update = db.session.get(ProgressUpdate, installation["update"])
    assert stored[f"files/attachments/{update.attachment_path}"] == sha256(PDF)
    job = db.session.get(Job, installation["job"])
    assert stored[f"files/job-files/{job.result['file']}"] == sha256(EXPORT)
    assert DATABASE_MEMBER[dialect] in stored
    assert manifest["missing_files"] == []
    assert manifest["app_version"] and manifest["created_at"]


def test_a_file_missing_from_the_instance_is_reported_not_hidden(
        installation, source, target, tmp_path):
    update = db.session.get(ProgressUpdate, installation["update"])
    (tmp_path / "source" / "attachments" / update.attachment_path).unlink()

    result = invoke(source, "backup", "--out", str(tmp_path / "backup.tar"))
    assert result.exit_code == 0, result.output
    assert "Cảnh báo: 1 tệp" in result.output and update.attachment_path in result.output

    # Restored all the same: the archive says the file was already missing.
    result = invoke(target, "restore", str(tmp_path / "backup.tar"))
    assert result.exit_code == 0, result.output


# Refusals ------------------------------------------------------------------------------------

def test_a_corrupted_archive_is_refused_before_anything_changes(
        installation, source, target, tmp_path):
    archive = backup(source, tmp_path)
    with tarfile.open(archive) as opened:
        offset = opened.getmember(DATABASE_MEMBER[db.engine.dialect.name]).offset_data
    data = bytearray(archive.read_bytes())
    data[offset + 4096] ^= 0xFF
    archive.write_bytes(bytes(data))

    result = invoke(target, "restore", str(archive))
    assert result.exit_code == 1
    assert "đã hỏng" in result.output and "SHA-256" in result.output
    assert table_names(target) == set()
    assert not (tmp_path / "target").exists()


@pytest.mark.parametrize("damage", ["truncated", "not a tar"])
def test_an_unreadable_archive_is_refused(installation, source, target, tmp_path, damage):
    archive = backup(source, tmp_path)
    data = archive.read_bytes()
    archive.write_bytes(data[:len(data) // 2] if damage == "truncated"
                        else b"PK\x03\x04 not a backup " * 100)

    result = invoke(target, "restore", str(archive))
    assert result.exit_code == 1
    assert "bản sao lưu" in result.output and "Traceback" not in result.output
    assert table_names(target) == set()


@pytest.mark.parametrize(("change", "refusal"), [
    (lambda manifest: manifest["database"].update(schema_revision=["0123456789ab"]),
     "phiên bản 0123456789ab"),
    (lambda manifest: manifest["database"].update(
        dialect={"sqlite": "postgresql", "postgresql": "sqlite"}[manifest["database"]["dialect"]]),
     "chỉ khôi phục được vào cùng loại"),
    (lambda manifest: manifest.update(format=2), "không có bản kê"),
    (lambda manifest: manifest["files"].pop(next(name for name in manifest["files"]
                                                 if name.startswith("files/"))),
     "thừa files/"),
], ids=["unknown schema", "other database", "other format", "unlisted file"])
def test_an_archive_that_does_not_match_this_installation_is_refused(
        installation, source, target, tmp_path, change, refusal):
    changed = rewritten(backup(source, tmp_path), tmp_path, change)

    result = invoke(target, "restore", changed)
    assert result.exit_code == 1
    assert refusal in result.output
    assert table_names(target) == set()


def test_a_target_that_holds_data_is_replaced_only_with_force(installation, source, target,
                                                               tmp_path):
    archive = backup(source, tmp_path)
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))

    # The source itself holds data: refused, and nothing is touched.
    result = invoke(source, "restore", str(archive))
    assert result.exit_code == 1
    assert "đã có dữ liệu" in result.output and "--force" in result.output
    assert f"{users} tài khoản" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users

    assert invoke(target, "restore", str(archive)).exit_code == 0
    with target.app_context():
        db.session.add(User(username="them.sau", full_name="Người thêm sau khi khôi phục",
                            password_hash="x"))
        db.session.commit()
        db.session.remove()
    result = invoke(target, "restore", str(archive))
    assert result.exit_code == 1 and "đã có dữ liệu" in result.output

    result = invoke(target, "restore", "--force", str(archive))
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "them.sau")) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users
        db.session.remove()
        db.engine.dispose()
