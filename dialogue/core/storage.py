"""Where uploaded files are kept, in step with the database transaction that records them.

A file is written when the operation saves it, so a failed write fails the operation
before anything is committed; if the transaction then does not commit (a rollback, a
refused flush, a session closed without committing), the file is removed again. A row
that was committed therefore always has its file, and no file outlives a rolled-back row.
"""

import logging
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction

from ..extensions import db

log = logging.getLogger(__name__)

#: session.info key: [(store, name, savepoint or None)] saved in the open transaction.
_PENDING = "files_pending"


class FileStore(Protocol):
    """Files kept under a name the application chooses (a later object store implements
    the same three methods)."""

    def save(self, name: str, content: bytes) -> None: ...

    def open(self, name: str) -> BinaryIO:
        """The file for reading; FileNotFoundError when there is none of that name."""
        ...

    def delete(self, name: str) -> None:
        """Remove the file; nothing happens when there is none."""
        ...


class LocalFolderStore:
    """Files in one folder of the local disk."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, name: str) -> Path:
        # Names come from the database: never let one reach outside the folder.
        if not name or Path(name).name != name or name in (".", ".."):
            raise FileNotFoundError(name)
        return self.folder / name

    def save(self, name: str, content: bytes) -> None:
        path = self._path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    def open(self, name: str) -> BinaryIO:
        return self._path(name).open("rb")

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"LocalFolderStore({str(self.folder)!r})"


def instance_store(folder: str) -> FileStore:
    """The store of ``folder`` in the application's instance folder."""
    return LocalFolderStore(Path(current_app.instance_path) / folder)


def save_with_transaction(store: FileStore, name: str, content: bytes) -> None:
    """Save a file that belongs to what the current transaction records: it is removed
    again unless the transaction commits."""
    session = db.session()
    store.save(name, content)
    session.info.setdefault(_PENDING, []).append(
        (store, name, session.get_nested_transaction()))


def _remove(pending: list) -> None:
    for store, name, _savepoint in pending:
        try:
            store.delete(name)
        except OSError:
            log.exception("could not remove %s from %r after a rollback", name, store)
        else:
            log.info("removed %s from %r: its transaction did not commit", name, store)


@event.listens_for(OrmSession, "after_commit")
def _keep_on_commit(session: OrmSession) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the files still wait for the outer commit
    for store, name, _savepoint in session.info.pop(_PENDING, ()):
        log.info("stored %s in %r", name, store)


@event.listens_for(OrmSession, "after_soft_rollback")
def _remove_on_savepoint_rollback(session: OrmSession, previous: SessionTransaction) -> None:
    """A savepoint rolled back: the files saved inside it (or inside savepoints within it)."""
    if not previous.nested:
        return  # the outermost transaction: see _remove_uncommitted

    def inside(savepoint: SessionTransaction | None) -> bool:
        while savepoint is not None:
            if savepoint is previous:
                return True
            savepoint = savepoint.parent
        return False

    pending = session.info.get(_PENDING, [])
    _remove([entry for entry in pending if inside(entry[2])])
    pending[:] = [entry for entry in pending if not inside(entry[2])]


@event.listens_for(OrmSession, "after_transaction_end")
def _remove_uncommitted(session: OrmSession, transaction: SessionTransaction) -> None:
    """The outermost transaction ended: a commit took its files already, so what is left
    was rolled back or never committed."""
    if transaction.parent is None:
        _remove(session.info.pop(_PENDING, []))
