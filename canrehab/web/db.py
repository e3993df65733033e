"""The web app's database handle: one engine per app (``app.state.db.engine``), shared by the services, the
server-side sessions and the FHIR API mounted on the same app."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from canrehab.config import Settings
from canrehab.store.repositories.accounts import Account, find_account


class Database:
    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        url = settings.resolved_database_url
        if engine is None:
            kwargs: dict[str, Any] = {"pool_pre_ping": True}
            if url.startswith("sqlite"):
                kwargs["connect_args"] = {"check_same_thread": False}
            else:
                kwargs.update(pool_size=20, max_overflow=40)
            engine = create_engine(url, **kwargs)
        self.engine = engine
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)

    def load_user(self, username: str) -> Account | None:
        """The account named ``username``, or None: the FHIR API's Basic authentication reads it here
        (``canrehab.fhir.auth``); the web pages read it through ``canrehab.services.accounts``."""
        with self.sessions() as session:
            return find_account(session, username)
