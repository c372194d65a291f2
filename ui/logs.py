"""What reaches the logs: never a token, never a line a client wrote.

Every log record of the server process passes through :func:`safe_text` when it is made (a log-record factory,
so the messages of NiceGUI, uvicorn, SQLAlchemy and our own code alike): the tokens of emailed links,
sign-in tickets and anything else that looks like a secret (32 or more URL-safe characters in a row) are
replaced by ``[redacted]``, and control, bidi and line-separator characters are written as escapes, so that a
URL with ``%0a`` in it cannot forge a log line. Tracebacks keep their own line breaks and nothing else.
"""

from __future__ import annotations

import logging
import re
import traceback
import unicodedata

REDACTED = "[redacted]"
# The token's place in a link, however the rest of the path is mangled (``/activate//<token>``, ``/x``).
_LINK_PATHS = re.compile(r"(/(?:activate|set-password|reset-password|confirm-email)/)[^\s\"'<>]*", re.IGNORECASE)
_SECRET_QUERY = re.compile(r"((?:ticket|token)=)[^\s&\"'<>]*", re.IGNORECASE)
_SECRET_LOOKING = re.compile(r"[A-Za-z0-9_\-]{32,}")
_ESCAPED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}
_original_factory = logging.getLogRecordFactory()


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with secrets redacted and control characters escaped (line breaks kept in a traceback)."""
    text = _LINK_PATHS.sub(lambda match: match.group(1) + REDACTED, text)
    text = _SECRET_QUERY.sub(lambda match: match.group(1) + REDACTED, text)
    text = _SECRET_LOOKING.sub(REDACTED, text)
    return "".join(
        _escape(ch) if unicodedata.category(ch) in _ESCAPED_CATEGORIES and not (keep_newlines and ch == "\n") else ch
        for ch in text
    )


def _safe_record(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _original_factory(*args, **kwargs)
    if record.name == "uvicorn.access":  # its formatter needs its arguments; it is off anyway (no URLs logged)
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string must still give a line
        message = f"{record.msg!r} % {record.args!r}"
    record.msg, record.args = safe_text(message), ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = safe_text("".join(traceback.format_exception(*record.exc_info)).rstrip(), keep_newlines=True)
    if record.stack_info:
        record.stack_info = safe_text(record.stack_info, keep_newlines=True)
    return record


def install() -> None:
    """Make every log record of this process safe (idempotent)."""
    logging.setLogRecordFactory(_safe_record)
