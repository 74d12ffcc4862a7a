"""`flask --app dialogue backup --out FILE` and `flask --app dialogue restore FILE`.

A backup is one tar archive:

``database/dialogue.pgdump`` or ``database/dialogue.sqlite``
    PostgreSQL: ``pg_dump -Fc``; SQLite: a copy made with SQLite's online backup API. The
    filed minutes are in it (their PDFs are rows of ``minutes_revisions``).
``files/attachments/…``, ``files/job-files/…``
    the instance's documents attached to progress updates and the files jobs produced.
``manifest.json`` (last)
    the schema revision, the rows of every table, the SHA-256 and size of every file above,
    the app's version and when it was made.

Both are made while the app runs. On PostgreSQL the counts are read in the very snapshot
pg_dump dumps, and on SQLite from the copy itself, so they are exactly what was saved. The
database is saved before the files: every row saved then already had its file (a file is
written before its row commits), so a file can be missing only if it was deleted in
between (an old job's), and the backup says so.

Restoring checks the whole archive against its manifest before it touches anything,
refuses a target that holds data unless ``--force`` (the target is then replaced, not
merged), puts the database and the files back, and checks the result again: the rows of
every table and the SHA-256 of every file. Stop the web server and the job worker first.

The archive holds password hashes and citizens' contacts: it is created readable by its
owner only; keep it as carefully as the database. The secret key is not in it (a restored
installation with another key only signs everyone out).
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path, PurePosixPath

import click
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app

from ..accounts.models import User
from ..core.storage import LocalFolderStore
from ..core.time import utcnow
from ..extensions import db
from ..issues.attachments import attachment_store
from ..issues.models import Issue, ProgressUpdate
from ..jobs.models import Job, JobState
from ..jobs.operations import job_files
from ..minutes.models import MinutesRevision
from ..sessions.models import DialogueSession

#: The layout of the archive; a restore refuses any other.
FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database/dialogue.pgdump",
                    "sqlite": "database/dialogue.sqlite"}
FILES = PurePosixPath("files")
_CHUNK = 1 << 20
#: libpq's settings a database URL may carry in its query, as the environment passes them.
_LIBPQ_ENVIRONMENT = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                      "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
                      "connect_timeout": "PGCONNECT_TIMEOUT"}


class BackupError(click.ClickException):
    """A backup or restore that cannot go on; nothing was replaced."""


@dataclass
class Snapshot:
    """What a saved database holds, read from the saved copy itself."""

    revision: list[str]
    counts: dict[str, int]
    #: {folder: names of the files its rows refer to}
    references: dict[str, set[str]] = field(default_factory=dict)


def _folders() -> dict[str, Path]:
    """The instance's folders of files, by their name in the archive.

    The backup reads and writes the folders themselves: an object store, if one replaces
    them, is backed up by its own means.
    """
    stores = {"attachments": attachment_store(), "job-files": job_files()}
    for name, store in stores.items():
        if not isinstance(store, LocalFolderStore):
            raise BackupError(f"Kho tệp {name} không phải một thư mục trên máy này: hãy sao "
                              "lưu nó bằng công cụ của chính nó.")
    return {name: store.folder for name, store in stores.items()}


def _files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.is_file()) if folder.is_dir() else []


def _referenced_files(connection) -> dict[str, set[str]]:
    attachments = set(connection.scalars(sa.select(ProgressUpdate.attachment_path).where(
        ProgressUpdate.attachment_path != "")))
    produced = {result["file"] for result in connection.scalars(
        sa.select(Job.result).where(Job.state == JobState.DONE))
        if result and result.get("file")}
    return {"attachments": attachments, "job-files": produced}


def _read_snapshot(connection) -> Snapshot:
    tables = sorted(sa.inspect(connection).get_table_names())
    counts = {name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
              for name in tables}
    revision = sorted(connection.scalars(sa.text("SELECT version_num FROM alembic_version"))) \
        if "alembic_version" in tables else []
    references = _referenced_files(connection) if {
        ProgressUpdate.__tablename__, Job.__tablename__} <= set(tables) else {}
    return Snapshot(revision=revision, counts=counts, references=references)


def _dialect() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_MEMBERS:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {name}.")
    return name


# PostgreSQL ----------------------------------------------------------------------------------

def _libpq(url: sa.URL, program: str) -> tuple[list[str], dict[str, str]]:
    """The arguments naming the database of ``url`` for pg_dump or pg_restore, and their
    environment: the password goes there (PGPASSWORD), never on the command line, where
    every user of the machine could read it."""
    arguments = [program, "--no-password"]
    for option, value in (("--host", url.host or url.query.get("host")),
                          ("--port", url.port), ("--username", url.username),
                          ("--dbname", url.database)):
        if value:
            arguments += [option, str(value)]
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    for key, variable in _LIBPQ_ENVIRONMENT.items():
        if isinstance(value := url.query.get(key), str):
            environment[variable] = value
    return arguments, environment


def _run(arguments: list[str], environment: dict[str, str]) -> None:
    try:
        finished = subprocess.run(arguments, env=environment, capture_output=True, text=True,
                                  check=False)
    except FileNotFoundError as error:
        raise BackupError(f"Không tìm thấy chương trình {arguments[0]}: hãy cài gói "
                          "postgresql-client cùng phiên bản với máy chủ PostgreSQL.") from error
    if finished.returncode:
        raise BackupError(f"{arguments[0]} không thành công (mã {finished.returncode}):\n"
                          f"{finished.stderr.strip()[-2000:]}")


def _dump_postgresql(path: Path) -> Snapshot:
    """pg_dump into ``path``, and the counts in the same snapshot (exported to pg_dump from
    a read-only REPEATABLE READ transaction held open while it works)."""
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ",
                                                  postgresql_readonly=True)
        with connection.begin():
            snapshot_id = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            arguments, environment = _libpq(db.engine.url, "pg_dump")
            _run([*arguments, "--format=custom", f"--snapshot={snapshot_id}",
                  f"--file={path}"], environment)
            return _read_snapshot(connection)


def _restore_postgresql(path: Path, *, replace: bool) -> None:
    arguments, environment = _libpq(db.engine.url, "pg_restore")
    # This pg_restore can read the dump (not one of a newer PostgreSQL) before anything is
    # dropped.
    _run(["pg_restore", "--list", f"--file={os.devnull}", str(path)], environment)
    if replace:
        # Everything of the app is in the public schema: dropping it leaves nothing of the
        # old data for the restored rows to clash with.
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    db.engine.dispose()
    # One transaction: a restore that fails adds nothing to the (empty or emptied) target.
    _run([*arguments, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error",
          str(path)], environment)


# SQLite --------------------------------------------------------------------------------------

def _copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # Some pages at a time, so writers are never kept waiting for the whole copy; a write
    # by another connection meanwhile makes SQLite start over, so the copy is always of
    # one moment.
    source.backup(target, pages=1024)


def _dump_sqlite(path: Path) -> Snapshot:
    copy = sqlite3.connect(path)
    live = db.engine.raw_connection()
    try:
        _copy_sqlite(live.driver_connection, copy)
    finally:
        live.close()
        copy.close()
    return _sqlite_snapshot(path)


def _sqlite_snapshot(path: Path) -> Snapshot:
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return _read_snapshot(connection)
    finally:
        engine.dispose()


def _restore_sqlite(path: Path) -> None:
    # Written through SQLite (not a file copy): its locks keep out anyone still connected,
    # and no journal of the old file can be replayed onto the new one.
    if not db.engine.url.database or db.engine.url.database == ":memory:":
        raise BackupError("Cơ sở dữ liệu đích phải là một tệp SQLite.")
    Path(db.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(path)
    target = db.engine.raw_connection()
    try:
        _copy_sqlite(source, target.driver_connection)
    finally:
        target.close()
        source.close()
    db.engine.dispose()


# Archives ------------------------------------------------------------------------------------

class _Hashing:
    """A file read through, its SHA-256 and size counted on the way."""

    def __init__(self, stream):
        self._stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add_file(archive: tarfile.TarFile, path: Path, member: str) -> dict:
    with path.open("rb") as stream:
        info = archive.gettarinfo(fileobj=stream, arcname=member)
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
        hashing = _Hashing(stream)
        archive.addfile(info, hashing)
    return {"sha256": hashing.sha256.hexdigest(), "size": hashing.size}


def _add_bytes(archive: tarfile.TarFile, member: str, data: bytes) -> None:
    info = tarfile.TarInfo(member)
    info.size, info.mode, info.mtime = len(data), 0o600, int(utcnow().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _sha256_of(stream) -> tuple[str, int]:
    hashing = _Hashing(stream)
    while hashing.read(_CHUNK):
        pass
    return hashing.sha256.hexdigest(), hashing.size


@contextmanager
def _private_file(path: Path) -> Iterator:
    """``path`` written whole or not at all (a partial file beside it, renamed at the end),
    readable by its owner only."""
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            # On the disk before it takes the name: a crash never leaves a cut backup
            # under the name of a good one.
            os.fsync(stream.fileno())
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def make_backup(out: Path, *, echo: Callable[[str], None],
                progress: Callable[[str], Callable]) -> dict:
    """Write the backup archive ``out``; returns its manifest."""
    dialect = _dialect()
    folders = _folders()
    out = out.resolve()
    manifest = {"format": FORMAT, "app_version": version("dialogue"),
                "created_at": utcnow().isoformat(), "database": {"dialect": dialect},
                "files": {}, "missing_files": []}
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as scratch:
        echo("Đang sao cơ sở dữ liệu…")
        dumped = Path(scratch) / PurePosixPath(DATABASE_MEMBERS[dialect]).name
        snapshot = (_dump_postgresql if dialect == "postgresql" else _dump_sqlite)(dumped)
        manifest["database"].update(member=DATABASE_MEMBERS[dialect],
                                    schema_revision=snapshot.revision, counts=snapshot.counts)
        with _private_file(out) as stream, tarfile.open(fileobj=stream, mode="w",
                                                         format=tarfile.PAX_FORMAT) as archive:
            manifest["files"][DATABASE_MEMBERS[dialect]] = _add_file(
                archive, dumped, DATABASE_MEMBERS[dialect])
            for folder, root in folders.items():
                present = set()
                for path in progress(f"Đang chép {folder}")(_files_in(root)):
                    member = str(FILES / folder / path.name)
                    try:
                        manifest["files"][member] = _add_file(archive, path, member)
                    except FileNotFoundError:
                        continue  # removed since it was listed (an old job's file)
                    present.add(path.name)
                manifest["missing_files"] += [
                    str(FILES / folder / name)
                    for name in sorted(snapshot.references.get(folder, set()) - present)]
            _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False,
                                                     indent=2).encode())
    return manifest


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        stream = archive.extractfile(MANIFEST)
        manifest = json.loads(stream.read()) if stream else None
    except (KeyError, ValueError, tarfile.TarError, OSError, EOFError):
        manifest = None
    if not _well_formed(manifest):
        raise BackupError("Tệp này không có bản kê (manifest.json) của một bản sao lưu hợp lệ: "
                          "không phải bản sao lưu của ứng dụng, hoặc đã hỏng.")
    return manifest


def _well_formed(manifest) -> bool:
    """Whether the manifest has what a restore reads, of the right kinds."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return False
    database, files = manifest.get("database"), manifest.get("files")
    return (isinstance(database, dict) and isinstance(database.get("member"), str)
            and isinstance(database.get("dialect"), str)
            and isinstance(database.get("schema_revision"), list)
            and isinstance(database.get("counts"), dict)
            and isinstance(manifest.get("missing_files", []), list)
            and isinstance(files, dict) and all(
                isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                and isinstance(entry.get("size"), int) for entry in files.values()))


def _check_archive(archive: tarfile.TarFile, manifest: dict, folders: dict[str, Path],
                   progress: Callable[[str], Callable]) -> None:
    """Every file the manifest lists is in the archive with its SHA-256, and nothing else."""
    listed = manifest["files"]
    members = {member.name: member for member in archive.getmembers()}
    unlisted = sorted(set(members) - set(listed) - {MANIFEST})
    missing = sorted(set(listed) - set(members))
    if unlisted or missing:
        raise BackupError("Bản sao lưu không khớp bản kê: "
                          + "; ".join([*(f"thiếu {name}" for name in missing[:5]),
                                       *(f"thừa {name}" for name in unlisted[:5])]))
    if manifest["database"]["member"] not in listed:
        raise BackupError("Bản sao lưu không có cơ sở dữ liệu.")
    for name in progress("Đang kiểm tra bản sao lưu")(sorted(listed)):
        member = members[name]
        if not member.isfile() or not _known_member(name, folders):
            raise BackupError(f"Bản sao lưu có mục không hợp lệ: {name}.")
        try:
            digest, size = _sha256_of(archive.extractfile(member))
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"Không đọc được {name} trong bản sao lưu: {error}.") from error
        if (digest, size) != (listed[name]["sha256"], listed[name]["size"]):
            raise BackupError(f"Bản sao lưu đã hỏng: {name} không khớp mã SHA-256 ghi trong "
                              "bản kê. Không có gì bị thay đổi.")


def _known_member(name: str, folders: dict[str, Path]) -> bool:
    """Whether ``name`` is one of the places a backup writes: the database, or a plain
    file name in one of the folders (nothing that could reach outside them)."""
    if name in DATABASE_MEMBERS.values():
        return True
    parts = PurePosixPath(name).parts
    return (len(parts) == 3 and parts[0] == str(FILES) and parts[1] in folders
            and not parts[2].startswith(".") and "\\" not in parts[2])


def _check_revision(revision: list[str]) -> None:
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    for name in revision:
        try:
            known = scripts.get_revision(name)
        except CommandError:
            known = None
        if known is None:
            raise BackupError(f"Bản sao lưu có lược đồ ở phiên bản {name}, phiên bản mã này "
                              "không biết: hãy cài phiên bản ứng dụng đã tạo bản sao lưu (hoặc "
                              "mới hơn) rồi khôi phục.")


def _target_holds(folders: dict[str, Path]) -> list[str]:
    """What the target already holds, in words (empty: nothing worth keeping).

    A database with the app's tables but no account and no session counts as empty: the
    migrations and the units import may have run, nobody has entered anything yet.
    """
    held = []
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        if tables and "alembic_version" not in tables:
            held.append(f"{len(tables)} bảng không phải của ứng dụng này")
        elif tables:
            for table, what in ((User.__tablename__, "tài khoản"),
                                (DialogueSession.__tablename__, "hội nghị")):
                if table in tables and (count := connection.scalar(
                        sa.select(sa.func.count()).select_from(sa.table(table)))):
                    held.append(f"{count} {what}")
    for root in folders.values():
        if files := _files_in(root):
            held.append(f"{len(files)} tệp trong {root}")
    return held


def _database_has_tables() -> bool:
    with db.engine.connect() as connection:
        return bool(sa.inspect(connection).get_table_names())


def _put_files_back(archive: tarfile.TarFile, manifest: dict, folders: dict[str, Path],
                    progress: Callable[[str], Callable]) -> None:
    members = sorted(name for name in manifest["files"] if name.startswith(f"{FILES}/"))
    for name in progress("Đang chép tệp")(members):
        folder, filename = PurePosixPath(name).parts[1:]
        folders[folder].mkdir(parents=True, exist_ok=True)
        with archive.extractfile(name) as source, (folders[folder] / filename).open("wb") as copy:
            shutil.copyfileobj(source, copy, _CHUNK)


def _verify(manifest: dict, folders: dict[str, Path]) -> list[str]:
    """What of the restored installation differs from the manifest (empty: nothing)."""
    with db.engine.connect() as connection:
        restored = _read_snapshot(connection)
    problems = [f"bảng {table}: {restored.counts.get(table)} dòng, bản kê ghi {count}"
                for table, count in manifest["database"]["counts"].items()
                if restored.counts.get(table) != count]
    problems += [f"bảng {table} không có trong bản kê" for table in
                 sorted(set(restored.counts) - set(manifest["database"]["counts"]))]
    for name, listed in manifest["files"].items():
        if not name.startswith(f"{FILES}/"):
            continue
        folder, filename = PurePosixPath(name).parts[1:]
        try:
            with (folders[folder] / filename).open("rb") as stream:
                digest, _size = _sha256_of(stream)
        except OSError:
            digest = None
        if digest != listed["sha256"]:
            problems.append(f"tệp {name} không khớp SHA-256")
    known_missing = set(manifest.get("missing_files", []))
    for folder, names in restored.references.items():
        problems += [f"thiếu tệp {FILES / folder / filename}" for filename in sorted(names)
                     if not (folders[folder] / filename).is_file()
                     and str(FILES / folder / filename) not in known_missing]
    return problems


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:*")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"Không mở được bản sao lưu {path}: đây không phải một tệp tar "
                          f"đọc được ({error}).") from error


def restore_backup(path: Path, *, force: bool, echo: Callable[[str], None],
                   progress: Callable[[str], Callable]) -> dict:
    """Restore the archive at ``path`` into this app's database and instance folder;
    returns its manifest."""
    dialect = _dialect()
    folders = _folders()
    with _open_archive(path) as archive:
        manifest = _read_manifest(archive)
        saved_from = manifest["database"]["dialect"]
        if saved_from != dialect:
            raise BackupError(f"Bản sao lưu là của cơ sở dữ liệu {saved_from}, còn cơ sở dữ "
                              f"liệu đích là {dialect}: chỉ khôi phục được vào cùng loại.")
        _check_revision(manifest["database"]["schema_revision"])
        _check_archive(archive, manifest, folders, progress)
        if (held := _target_holds(folders)) and not force:
            raise BackupError("Nơi khôi phục đã có dữ liệu (" + ", ".join(held) + "). Khôi "
                              "phục sẽ thay thế toàn bộ: nếu đúng ý, chạy lại với --force.")
        echo("Đang khôi phục cơ sở dữ liệu…")
        with tempfile.TemporaryDirectory(prefix="dialogue-restore-") as scratch:
            dumped = Path(scratch) / PurePosixPath(manifest["database"]["member"]).name
            with archive.extractfile(manifest["database"]["member"]) as source, \
                    dumped.open("wb") as copy:
                shutil.copyfileobj(source, copy, _CHUNK)
            if dialect == "postgresql":
                _restore_postgresql(dumped, replace=_database_has_tables())
            else:
                _restore_sqlite(dumped)
        _put_files_back(archive, manifest, folders, progress)
    echo("Đang đối chiếu với bản kê…")
    if problems := _verify(manifest, folders):
        raise BackupError("Khôi phục xong nhưng kết quả không khớp bản kê:\n- "
                          + "\n- ".join(problems[:20]))
    return manifest


# Commands ------------------------------------------------------------------------------------

def _size(value: int) -> str:
    return f"{value / 2**20:,.1f} MB".replace(",", " ").replace(".", ",")


def _summary(manifest: dict) -> list[str]:
    counts = manifest["database"]["counts"]
    files = {name: entry for name, entry in manifest["files"].items()
             if name.startswith(f"{FILES}/")}
    lines = [
        f"Lược đồ: {', '.join(manifest['database']['schema_revision']) or '(trống)'}; "
        f"phiên bản ứng dụng {manifest.get('app_version', '?')}; tạo lúc "
        f"{manifest.get('created_at', '?')}.",
        f"Cơ sở dữ liệu ({manifest['database']['dialect']}): {len(counts)} bảng, "
        f"{sum(counts.values())} dòng — hội nghị "
        f"{counts.get(DialogueSession.__tablename__, 0)}, ý kiến "
        f"{counts.get(Issue.__tablename__, 0)}, bản biên bản đã hoàn thiện "
        f"{counts.get(MinutesRevision.__tablename__, 0)}, tài khoản "
        f"{counts.get(User.__tablename__, 0)}.",
        f"Tệp: {len(files)} ({_size(sum(entry['size'] for entry in files.values()))}).",
    ]
    if manifest.get("missing_files"):
        lines.append(f"Cảnh báo: {len(manifest['missing_files'])} tệp được cơ sở dữ liệu nhắc "
                     "tới không còn trên đĩa lúc sao lưu: " + ", ".join(
                         manifest["missing_files"][:10]))
    return lines


def _progress_bar(label: str):
    # Imported here: dialogue.cli imports this module to register its commands.
    from ..cli import progress_bar

    return progress_bar(label)


@click.command("backup")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The archive to write (tar); replaced only once the new one is complete.")
def backup_command(out: Path) -> None:
    """Save the database, the attachments and the jobs' files into one archive, while the
    app runs."""
    if not out.parent.resolve().is_dir():
        raise BackupError(f"Không có thư mục {out.parent}.")
    manifest = make_backup(out, echo=click.echo, progress=_progress_bar)
    click.echo(f"Đã sao lưu vào {out} ({_size(out.stat().st_size)}).")
    for line in _summary(manifest):
        click.echo(line)


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database or instance folder that already holds data.")
def restore_command(archive: Path, force: bool) -> None:
    """Restore a backup into this app's (empty) database and instance folder. Stop the web
    server and the job worker first."""
    manifest = restore_backup(archive, force=force, echo=click.echo, progress=_progress_bar)
    click.echo(f"Đã khôi phục từ {archive}; mọi bảng và mọi tệp khớp bản kê.")
    for line in _summary(manifest):
        click.echo(line)
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    if set(manifest["database"]["schema_revision"]) != set(scripts.get_heads()):
        click.echo("Lược đồ của bản sao lưu cũ hơn phiên bản mã này: hãy chạy "
                   "`flask --app dialogue db upgrade` trước khi mở lại dịch vụ.")
