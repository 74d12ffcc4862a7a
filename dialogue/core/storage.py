"""Where uploaded files are kept, in step with the database transaction that records them.

A file is written when the operation saves it, so a failed write fails the operation
before anything is committed; if the transaction then does not commit (a rollback, a
refused flush, a session closed without committing), the file is removed again. A row
that was committed therefore always has its file, and no file outlives a rolled-back row.
"""

import logging
from functools import partial
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

from .transaction import on_commit, on_rollback

log = logging.getLogger(__name__)


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
    # Asked for before the write: a write that fails halfway is removed with the rest.
    on_rollback(partial(_remove, store, name))
    on_commit(partial(log.info, "stored %s in %r", name, store))
    store.save(name, content)


def _remove(store: FileStore, name: str) -> None:
    store.delete(name)  # a failure is logged with the rollback (core.transaction)
    log.info("removed %s from %r: its transaction did not commit", name, store)
