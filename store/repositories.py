"""The gateway's repositories on one database, each by its name (no store object above them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from store.auditlog import AuditLog
from store.blocks import BlockStore
from store.feedstore import FeedStore
from store.overrides import OverrideStore
from store.stamkortstore import StamkortStore


@dataclass(frozen=True, slots=True)
class Repositories:
    """One repository per aggregate the gateway owns."""

    blocks: BlockStore
    overrides: OverrideStore
    stamkort: StamkortStore
    feeds: FeedStore
    access_log: AuditLog

    @classmethod
    def open(cls, engine: AsyncEngine, *, timeout_s: float | None = None) -> Repositories:
        """Every repository on ``engine``, each call bounded by ``timeout_s`` (and the deadline)."""
        return cls(
            blocks=BlockStore(engine, timeout_s=timeout_s),
            overrides=OverrideStore(engine, timeout_s=timeout_s),
            stamkort=StamkortStore(engine, timeout_s=timeout_s),
            feeds=FeedStore(engine, timeout_s=timeout_s),
            access_log=AuditLog(engine, timeout_s=timeout_s),
        )
