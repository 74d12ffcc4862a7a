"""Work that follows the database transaction: done once it commits, or undone when it
does not (a rollback, a refused flush, a session closed without committing).

Work belongs to the innermost transaction open when it is asked for. A savepoint that is
released hands its work to the transaction around it, so only the outermost commit does
the work that waits for a commit; a transaction or savepoint that ends any other way drops
that work and does the work asked for in case of a rollback.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction

from ..extensions import db

log = logging.getLogger(__name__)

#: session.info key: {transaction: _Waiting} for each open transaction that has work waiting.
_WAITING = "transaction_waiting"


@dataclass
class _Waiting:
    committed: list[Callable[[], None]] = field(default_factory=list)
    rolled_back: list[Callable[[], None]] = field(default_factory=list)


def _waiting() -> _Waiting:
    session = db.session()
    transaction = (session.get_nested_transaction() or session.get_transaction()
                   or session.begin())
    return session.info.setdefault(_WAITING, {}).setdefault(transaction, _Waiting())


def on_commit(work: Callable[[], None]) -> None:
    """Do ``work()`` once the current transaction has committed, never if it does not.

    It runs after the commit: give it values, not records (they are expired by then).
    """
    _waiting().committed.append(work)


def on_rollback(work: Callable[[], None]) -> None:
    """Do ``work()`` if the current transaction (or savepoint) ends without committing."""
    _waiting().rolled_back.append(work)


def _run(works: list[Callable[[], None]], ending: str) -> None:
    for work in works:
        try:
            work()
        except Exception:
            # The transaction has ended either way: a failure here must neither undo a
            # commit in the caller's eyes nor hide the error that caused a rollback.
            log.exception("%r failed after the transaction %s", work, ending)


# Both listeners run at the end of every transaction of the application: they return at
# once when nothing is waiting.

@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    waiting = session.info.get(_WAITING)
    if not waiting:
        return
    # The transaction committing is still the session's innermost one.
    transaction = session.get_nested_transaction() or session.get_transaction()
    done = waiting.pop(transaction, None)
    if done is None:
        return
    if transaction.parent is not None:  # a savepoint released: the outer commit decides
        outer = waiting.setdefault(transaction.parent, _Waiting())
        outer.committed += done.committed
        outer.rolled_back += done.rolled_back
        return
    _run(done.committed, "committed")


@event.listens_for(OrmSession, "after_transaction_end")
def _ended(session: OrmSession, transaction: SessionTransaction) -> None:
    """What a transaction still holds when it ends was rolled back, refused by a flush or
    closed without a commit (a commit took its work already)."""
    waiting = session.info.get(_WAITING)
    if not waiting or transaction not in waiting:
        return
    _run(waiting.pop(transaction).rolled_back, "rolled back")
