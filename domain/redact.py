"""``redact(text)``: the text with CPR numbers, tokens, feed secrets and URL query strings replaced.

Used by the log filter (``gateway/logs.py``) and the error reporter, for text we do not control.
"""

from __future__ import annotations

import re

# [0-9], not \d: \d also matches other scripts' digits. The number stands alone: not inside a
# longer run of digits or letters (SOR codes, hex request ids), except that a percent-escape
# (``%22`` in a logged URL) may come right before it.
_CPR = re.compile(
    r"(?:(?<![0-9A-Za-z])|(?<=%[0-9A-Fa-f]{2}))"
    r"(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4}"
    r"(?![0-9A-Za-z])"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){1,4}")
_FEED = re.compile(r"(/calendar/)[^\s/?#\"']+")
# A bare feed secret (secrets.token_urlsafe(32)): 43 URL-safe characters, mixed case, so
# identifiers and hex digests are left alone.
_SECRET = re.compile(
    r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])[A-Za-z0-9_-]{43}"
    r"(?![A-Za-z0-9_-])"
)
# A query string may carry query text and variables (GET /graphql?query=…): keep only the path.
_QUERY = re.compile(r"(/[^\s?#\"']*)\?[^\s#\"']+")


def redact(text: str) -> str:
    """``text`` with CPR numbers, tokens, feed secrets and URL query strings replaced."""
    text = _BEARER.sub(r"\1[token]", text)
    text = _JWT.sub("[token]", text)
    text = _FEED.sub(r"\1[secret]", text)
    text = _SECRET.sub("[secret]", text)
    text = _QUERY.sub(r"\1?[query]", text)
    return _CPR.sub("[cpr]", text)
