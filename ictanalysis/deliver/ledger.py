"""What was sent to whom: the ledger of a report folder, so that a report is not sent twice to the same people.

The ledger (``reports/<year>/.sent.json``) holds the last delivery of the
folder's report: its :func:`fingerprint` (the report's bytes, the recipients,
the years), its Message-ID and its state:

- ``attempt``: written just before the message's data goes to the server. A
  ledger still saying so later means the sending process stopped (killed,
  power cut) before it heard the server's answer: the message may have been
  delivered.
- ``sent``: the server confirmed it; ``unconfirmed``: the whole message went
  out but no answer came back, or an interrupted attempt was found later.

The Message-ID derives from the fingerprint (:func:`message_id`), so every
send of the same report to the same people carries the same one, and mail
systems that drop duplicates by Message-ID drop a repeat.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.settings import MailConfig

__all__ = ["ATTEMPT", "SENT", "UNCONFIRMED", "Earlier", "earlier_delivery", "fingerprint", "message_id", "read_text",
           "record", "restore", "settle_interrupted"]

ATTEMPT, SENT, UNCONFIRMED = "attempt", "sent", "unconfirmed"


def fingerprint(report: Path, recipients: Sequence[str], year: int, compare_year: int) -> str:
    """Return the sha256 that identifies one delivery: the report's bytes, the recipients, the years."""
    digest = hashlib.sha256(Path(report).read_bytes())
    digest.update(("\n".join(sorted(recipients)) + f"\n{year}/{compare_year}").encode())
    return digest.hexdigest()


def message_id(mark: str, sender: str | None) -> str:
    """Return the Message-ID of the delivery `mark`: the same for every send of it.

    >>> message_id("ab" * 32, "bao-cao@stttt.ninhthuan.gov.vn")
    '<ictanalysis.abababababababababababab@stttt.ninhthuan.gov.vn>'

    96 bits of the fingerprint, short enough to keep the header on one line.
    """
    domain = (sender or "").rpartition("@")[2] or "ictanalysis.invalid"
    return f"<ictanalysis.{mark[:24]}@{domain}>"


@dataclass(frozen=True)
class Earlier:
    """An earlier delivery of the same report to the same people, as the ledger records it."""

    state: str
    at: str  #: when it was sent, or when the attempt began
    pid: int | None = None  #: the process that made the attempt

    @property
    def interrupted(self) -> bool:
        """Whether the sending process stopped before it heard the server's answer."""
        return self.state == ATTEMPT

    def __str__(self) -> str:
        return self.at + (" (the server did not confirm it)" if self.state == UNCONFIRMED else "")


def earlier_delivery(path: Path, mark: str) -> Earlier | None:
    """Return the ledger's record of the delivery `mark` (a :func:`fingerprint`), or None when it holds none."""
    found = _read(path)
    if found.get("fingerprint") != mark:
        return None
    state = found.get("state", UNCONFIRMED if found.get("unconfirmed") else SENT)  # the earlier format has no state
    return Earlier(state, found.get("started_at" if state == ATTEMPT else "sent_at", "?"), found.get("pid"))


def record(path: Path, mark: str, message: EmailMessage, config: MailConfig, state: str = SENT) -> None:
    """Record in the ledger at `path` the delivery of `message` to the recipients of `config` (atomically).

    `state` is :data:`ATTEMPT` just before the data is sent, :data:`SENT` once the server
    confirmed it, :data:`UNCONFIRMED` when it may have been delivered.
    """
    when = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    entry = {"fingerprint": mark, "state": state, "message_id": str(message["Message-ID"]),
             "recipients": list(config.recipients)}  # fmt: skip
    if state == ATTEMPT:
        entry |= {"started_at": when, "pid": os.getpid()}
    else:
        entry["sent_at"] = _read(path).get("started_at", when) if state == UNCONFIRMED else when
    _write(path, json.dumps(entry, ensure_ascii=False, indent=1))


def settle_interrupted(path: Path) -> None:
    """Record an interrupted attempt as a delivery the server did not confirm (it may have been delivered)."""
    found = _read(path)
    if found.get("state") == ATTEMPT:
        found |= {"state": UNCONFIRMED, "sent_at": found.pop("started_at", "?")}
        _write(path, json.dumps(found, ensure_ascii=False, indent=1))


def restore(path: Path, text: str | None) -> None:
    """Put back the ledger as it was before an attempt the server refused (`text`: its content, None: none)."""
    if text is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, text)


def read_text(path: Path) -> str | None:
    """Return the ledger's text as it is (None when there is none), to :func:`restore` it later."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _read(path: Path) -> dict:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write(path: Path, text: str) -> None:
    write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))
