"""The request id, carried to every log line and upstream call without threading it through.

``REQUEST_ID`` holds the id of the request being served (``None`` outside one). The gateway's
request middleware opens a ``request_id_scope`` once per HTTP request; the log formatter reads
``current_request_id()`` for each line and ``connectors/transport.py`` sends it to the sources
as ``X-Request-ID``. Tasks started inside the scope inherit it (asyncio copies the context).

An id a client sends is used only when it is short and plain (``accept_request_id``): anything
else is replaced by a fresh one, so a header can never smuggle text into a log line.

Example::

    with request_id_scope(accept_request_id(headers.get("x-request-id"))):
        ...
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("spo_request_id", default=None)
# Letters, digits and ``-_.:``, 8 to 64 characters: a UUID, a ULID, a trace id, a
# load balancer's id. Not ``/`` or spaces, and too short for a CPR number to be the whole id.
_VALID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
# A run of ten digits (a CPR number, with or without its hyphen) is refused even inside an id.
_CPR_LIKE = re.compile(r"[0-9]{6}-?[0-9]{4}")


def new_request_id() -> str:
    """A fresh request id: 32 lowercase hex digits."""
    return uuid.uuid4().hex


def accept_request_id(offered: str | None) -> str:
    """``offered`` when it is an acceptable request id, else a fresh one."""
    if offered is not None and _VALID.fullmatch(offered) and not _CPR_LIKE.search(offered):
        return offered
    return new_request_id()


@contextmanager
def request_id_scope(request_id: str) -> Iterator[str]:
    """Make ``request_id`` the current request id for the enclosed block."""
    token = REQUEST_ID.set(request_id)
    try:
        yield request_id
    finally:
        REQUEST_ID.reset(token)


def current_request_id() -> str | None:
    """The id of the request being served, or ``None`` outside one."""
    return REQUEST_ID.get()
