"""Reads remembered for the rest of one unit of work, until it writes.

A page's use cases join one unit of work (``services.uow``) and several of them ask the same question: the
care relation behind each access check (a 4-table union, asked by every use case on the patient page), the
list of care units. ``remembered(session, key, read)`` answers from this session's memo when it can and
runs ``read`` otherwise.

The memo lives in ``Session.info`` (a unit of work has its own session, so it never outlives the unit of
work: the next request asks the database again) and is emptied

- by every statement that is not a SELECT run through the session (inserts, updates, deletes, raw SQL),
  and by every ORM flush, so a write in the same transaction (a new pathway, a handover) is seen by the
  next check;
- at the end of every transaction and savepoint (``after_transaction_end``), so a rolled-back savepoint
  cannot leave an answer that includes what it undid.

The value kept must be immutable, or copied by the caller before it is handed out.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

T = TypeVar("T")

_INFO_KEY = "canrehab_read_memo"


def _memo(session: Session) -> dict[Hashable, Any]:
    memo: dict[Hashable, Any] | None = session.info.get(_INFO_KEY)
    if memo is None:
        memo = session.info[_INFO_KEY] = {}
    return memo


def remembered(session: Session, key: Hashable, read: Callable[[], T]) -> T:
    memo = _memo(session)
    if key in memo:
        value: T = memo[key]
        return value
    value = read()
    memo[key] = value
    return value


def remember(session: Session, key: Hashable, value: Any) -> None:
    """Keep ``value`` as the answer to ``key`` (a read that answered it on the way to another question)."""
    _memo(session)[key] = value


def forget(session: Session) -> None:
    memo = session.info.get(_INFO_KEY)
    if memo:
        memo.clear()


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        forget(state.session)


@event.listens_for(Session, "after_flush")
def _forget_on_flush(session: Session, _context: object) -> None:
    forget(session)  # an ORM flush writes without passing through do_orm_execute


@event.listens_for(Session, "after_transaction_end")
def _forget_on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    forget(session)
