"""Stored files follow the transaction that records them: kept when it commits, removed
when it does not, savepoints included."""

import pytest

from dialogue.core.storage import LocalFolderStore, save_with_transaction
from dialogue.extensions import db

#: The minutes of a working visit, as any bytes a secretary uploads.
MINUTES = b"%PDF-1.7 Bien ban lam viec voi 37 ho dan lang Do Lam"


@pytest.fixture
def store(tmp_path) -> LocalFolderStore:
    return LocalFolderStore(tmp_path / "attachments")


def kept(store: LocalFolderStore) -> list[str]:
    return sorted(path.name for path in store.folder.iterdir()) if store.folder.exists() else []


def test_a_file_of_a_released_savepoint_goes_with_the_rollback_around_it(store):
    savepoint = db.session.begin_nested()
    save_with_transaction(store, "bien-ban.pdf", MINUTES)
    savepoint.commit()
    assert kept(store) == ["bien-ban.pdf"]
    db.session.rollback()
    assert kept(store) == []


def test_a_rolled_back_savepoint_takes_the_files_of_the_savepoints_inside_it(store):
    save_with_transaction(store, "bien-ban.pdf", MINUTES)
    outer = db.session.begin_nested()
    save_with_transaction(store, "anh-hien-trang.png", MINUTES)
    inner = db.session.begin_nested()
    save_with_transaction(store, "cong-van.docx", MINUTES)
    inner.commit()
    outer.rollback()
    db.session.commit()
    assert kept(store) == ["bien-ban.pdf"]


def test_released_savepoints_keep_their_files_when_the_transaction_commits(store):
    with db.session.begin_nested():
        save_with_transaction(store, "bien-ban.pdf", MINUTES)
        with db.session.begin_nested():
            save_with_transaction(store, "anh-hien-trang.png", MINUTES)
    db.session.commit()
    db.session.close()
    assert kept(store) == ["anh-hien-trang.png", "bien-ban.pdf"]


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_a_file_saved_before_any_query_follows_the_transaction_it_begins(store, ending):
    db.session.commit()  # nothing begun: the save itself begins the transaction
    assert db.session().get_transaction() is None
    save_with_transaction(store, "bien-ban.pdf", MINUTES)
    getattr(db.session, ending)()
    db.session.close()
    assert kept(store) == (["bien-ban.pdf"] if ending == "commit" else [])


class FullDisk(LocalFolderStore):
    """Writes half the file, then the disk is full."""

    def save(self, name: str, content: bytes) -> None:
        super().save(name, content[:len(content) // 2])
        raise OSError(28, "No space left on device")


def test_a_write_that_fails_halfway_leaves_no_part_of_the_file(tmp_path):
    store = FullDisk(tmp_path / "attachments")
    with pytest.raises(OSError, match="No space left"):
        save_with_transaction(store, "bien-ban.pdf", MINUTES)
    db.session.rollback()
    assert kept(store) == []


@pytest.mark.parametrize("name", ["", ".", "..", "../secret.key", "sub/bien-ban.pdf"])
def test_a_name_never_reaches_outside_the_folder(store, name):
    with pytest.raises(FileNotFoundError):
        store.open(name)
