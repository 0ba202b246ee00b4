"""What was sent to whom: the ledger of a report folder, so that a report is not sent twice to the same people."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.settings import MailConfig

__all__ = ["fingerprint", "record_sent", "sent_before"]


def fingerprint(report: Path, recipients: Sequence[str], year: int, compare_year: int) -> str:
    """Return the sha256 that identifies one delivery: the report's bytes, the recipients, the years."""
    digest = hashlib.sha256(Path(report).read_bytes())
    digest.update(("\n".join(sorted(recipients)) + f"\n{year}/{compare_year}").encode())
    return digest.hexdigest()


def sent_before(path: Path, mark: str) -> str:
    """Return when the delivery `mark` (a :func:`fingerprint`) was sent, per the ledger at `path`; "" if never."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if record.get("fingerprint") != mark:
        return ""
    return record.get("sent_at", "?") + (" (the server did not confirm it)" if record.get("unconfirmed") else "")


def record_sent(path: Path, mark: str, message: EmailMessage, config: MailConfig, *, unconfirmed: bool = False) -> None:
    """Record in the ledger at `path` that `message` was sent to the recipients of `config` (atomically).

    `unconfirmed`: the whole message went out but the server's answer never came back; it may
    have been delivered, so it counts as sent (``--resend`` sends it again).
    """
    record = {"fingerprint": mark, "sent_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
              "message_id": str(message["Message-ID"]), "recipients": list(config.recipients)}  # fmt: skip
    if unconfirmed:
        record["unconfirmed"] = True
    text = json.dumps(record, ensure_ascii=False, indent=1)
    write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))

