"""Who has received what: the ledger of a report folder, so that no one receives the same message twice.

A ledger (``reports/<year>/.sent.json`` for the report, ``.alert-sent.json``
for the analysts' alert) holds, for each message it has seen (its *mark*: the
digest of the report's bytes and years, or of the alert's text), the state of
each recipient, by address (:func:`address_key`: ``Lãnh Đạo <A@B.vn>`` and
``a@b.vn`` are one person):

- ``attempt``: written just before the message's data goes to the server. A
  recipient still in this state later means the sending process stopped
  (killed, power cut) before it heard the server's answer: the message may
  have reached them.
- ``sent``: the server took it for them; ``unconfirmed``: the whole message
  went out but no answer came back, or an interrupted attempt was found later.

A send goes only to the recipients the ledger does not count as reached
(:meth:`Ledger.pending`), so a recipient added to the list, a changed case or
another report sent in between never makes anyone receive a message twice.
The Message-ID derives from the mark alone (:func:`message_id`), so every copy
of one report carries the same one, and mail systems that drop duplicates by
Message-ID drop a repeat. A ledger of the earlier format (one delivery, keyed
by the report and the recipient list together) is read as it meant.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import getaddresses, parseaddr
from pathlib import Path

from ictanalysis.atomic import fsync_folder, write_atomically
from ictanalysis.errors import DeliveryError

__all__ = ["ATTEMPT", "SENT", "UNCONFIRMED", "Earlier", "Ledger", "address_key", "distinct", "earlier_fingerprint", "message_id", "report_mark",
           "text_mark"]

ATTEMPT, SENT, UNCONFIRMED = "attempt", "sent", "unconfirmed"
FORMAT = 2
#: How many messages a ledger remembers: enough for every pair of years a folder is sent for.
KEPT_MARKS = 50


def report_mark(report: Path, year: int, compare_year: int) -> str:
    """Return the sha256 that identifies a report's message: the report's bytes and its years."""
    digest = hashlib.sha256(Path(report).read_bytes())
    digest.update(f"\n{year}/{compare_year}".encode())
    return digest.hexdigest()


def earlier_fingerprint(report: Path, year: int, compare_year: int):
    """Return the earlier format's fingerprint of a report's delivery, as a function of its recipient list."""
    data = Path(report).read_bytes()

    def of(recipients: Sequence[str]) -> str:
        digest = hashlib.sha256(data)
        digest.update(("\n".join(sorted(recipients)) + f"\n{year}/{compare_year}").encode())
        return digest.hexdigest()

    return of


def text_mark(*parts: str) -> str:
    """Return the sha256 that identifies a message by its text (the analysts' alert: subject and body)."""
    return hashlib.sha256("\n\0".join(parts).encode()).hexdigest()


def address_key(address: str) -> str:
    """Return the address an entry of a recipient list reaches, as the ledger compares them.

    >>> address_key("Lãnh Đạo Sở <GiamDoc@STTTT.NinhThuan.gov.vn> "), address_key("giamdoc@stttt.ninhthuan.gov.vn")
    ('giamdoc@stttt.ninhthuan.gov.vn', 'giamdoc@stttt.ninhthuan.gov.vn')

    The whole address is compared without case (mail systems treat the part before "@" so too), by
    :meth:`str.lower`, which never merges two different letters ("ß" stays "ß").
    """
    found = [spec for _, spec in getaddresses([address]) if spec]
    return (found[0] if found else address).strip().lower()


def distinct(addresses: Sequence[str]) -> list[str]:
    """Return `addresses` with an address given twice (in another case, with a name) kept once, the first time.

    >>> distinct(["a@b.vn", "Giám đốc <A@B.vn>", "c@b.vn"])
    ['a@b.vn', 'c@b.vn']
    """
    seen: set[str] = set()
    return [a for a in addresses if not (address_key(a) in seen or seen.add(address_key(a)))]


def message_id(mark: str, sender: str | None) -> str:
    """Return the Message-ID of the message `mark`: the same for every copy of it, whoever receives it.

    >>> message_id("ab" * 32, "bao-cao@stttt.ninhthuan.gov.vn")
    '<ictanalysis.abababababababababababab@stttt.ninhthuan.gov.vn>'

    96 bits of the mark, short enough to keep the header on one line.
    """
    domain = parseaddr(sender or "")[1].rpartition("@")[2] or "ictanalysis.invalid"  # "Sở … <a@b.vn>" too
    return f"<ictanalysis.{mark[:24]}@{domain}>"


@dataclass(frozen=True)
class Earlier:
    """What the ledger records of one recipient and one message."""

    state: str
    at: str  #: when it was sent, or when the attempt began
    pid: int | None = None  #: the process that made the attempt

    @property
    def interrupted(self) -> bool:
        """Whether the sending process stopped before it heard the server's answer."""
        return self.state == ATTEMPT

    def __str__(self) -> str:
        return self.at + (" (the server did not confirm it)" if self.state == UNCONFIRMED else "")


class Ledger:
    """The ledger at `path`, as it concerns the message `mark`; every change is written at once, atomically.

    `legacy` is the earlier format's fingerprint of this message for a recipient list
    (a function of the list), so that a ledger written before keeps its meaning.
    """

    def __init__(self, path: Path, mark: str, legacy=None) -> None:
        self.path, self.mark = Path(path), mark
        self._all = _read(self.path, mark, legacy)
        self._attempted: set[str] = set()  #: the recipients this ledger's attempts are for

    @property
    def _mine(self) -> dict:
        return self._all["messages"].setdefault(self.mark, {})

    def earlier(self, address: str) -> Earlier | None:
        """Return what the ledger records of `address` for this message, or None."""
        found = self._mine.get(address_key(address))
        if not found:
            return None
        return Earlier(found["state"], found.get("at", "?"), found.get("pid"))

    def pending(self, addresses: Sequence[str]) -> list[str]:
        """Return the `addresses` this message has not reached (an address given twice counts once)."""
        return [a for a in distinct(addresses) if self.earlier(a) is None]

    def interrupted(self, addresses: Iterable[str]) -> list[tuple[str, Earlier]]:
        """Return those of `addresses` whose attempt stopped before the server answered, with the attempt."""
        return [(a, e) for a in addresses if (e := self.earlier(a)) is not None and e.interrupted]

    def attempt(self, addresses: Iterable[str]) -> None:
        """Record that the message's data is about to go to `addresses` (what they had before is kept)."""
        when = _now()
        for address in addresses:
            key = address_key(address)
            before = self._mine.get(key)
            self._mine[key] = {"address": address, "state": ATTEMPT, "at": when, "pid": os.getpid(),
                               **({"before": before} if before else {})}  # fmt: skip
            self._attempted.add(key)
        self._write()

    def outcome(self, addresses: Iterable[str], state: str) -> None:
        """Record the server's answer for `addresses`: :data:`SENT`, or :data:`UNCONFIRMED` when none came."""
        when = _now()
        for address in addresses:
            key = address_key(address)
            began = self._mine.get(key, {})
            at = began.get("at", when) if state == UNCONFIRMED else when
            self._mine[key] = {"address": address, "state": state, "at": at}
            self._attempted.discard(key)
        self._write()

    def undo_attempts(self) -> None:
        """Put back what this ledger's attempts replaced: the server refused the message, nothing was delivered.

        Only its own: an attempt an earlier process left (killed before the answer) stays, whatever its pid.
        """
        mine = [k for k in self._attempted if self._mine.get(k, {}).get("state") == ATTEMPT]
        for key in mine:
            before = self._mine.pop(key).get("before")
            if before:
                self._mine[key] = before
        self._attempted.clear()
        if mine:
            self._write()

    def attempted(self) -> list[str]:
        """Return the recipients this ledger's attempts are for that have no answer recorded yet."""
        return [self._mine[k]["address"] for k in sorted(self._attempted) if k in self._mine]

    def settle_interrupted(self) -> None:
        """Record every interrupted attempt of this message as delivered but unconfirmed (it may have been)."""
        stopped = [e for e in self._mine.values() if e.get("state") == ATTEMPT]
        for entry in stopped:
            entry["state"] = UNCONFIRMED
            entry.pop("pid", None), entry.pop("before", None)
        if stopped:
            self._write()

    def _write(self) -> None:
        messages = self._all["messages"]
        for old in [m for m in messages if m != self.mark][: max(0, len(messages) - KEPT_MARKS)]:
            del messages[old]
        if not messages.get(self.mark, True):
            del messages[self.mark]
        if not messages:  # nothing recorded: no ledger, as before the first send
            self.path.unlink(missing_ok=True)
        else:
            text = json.dumps(self._all, ensure_ascii=False, indent=1)
            write_atomically(self.path, lambda p: p.write_text(text, encoding="utf-8"))
        fsync_folder(self.path.parent)  # the rename or removal survives a power cut, not only a kill


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _read(path: Path, mark: str, legacy) -> dict:
    """Read the ledger at `path`; an earlier format's delivery of this message becomes its recipients' entries.

    Raises:
        DeliveryError: the ledger exists but cannot be read, or is not a ledger (a damaged file, a later
            format): sending without it could send everyone a second copy.
    """
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        found = {"format": FORMAT, "messages": {}}
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"cannot read the ledger of what was sent, {path} ({exc}): nothing was sent. Restore it "
                            "from a backup, or remove it if no one has received this report yet") from None  # fmt: skip
    if isinstance(found, dict) and found.get("format") == FORMAT and isinstance(found.get("messages"), dict):
        return found
    if not isinstance(found, dict) or "fingerprint" not in found:
        written = found.get("format", "?") if isinstance(found, dict) else "?"
        raise DeliveryError(f"{path} is not a ledger this version can read (format {written}): nothing was sent. Use "
                            "the version that wrote it, or remove it if no one has received this report yet")  # fmt: skip
    ledger = {"format": FORMAT, "messages": {}}
    recipients = found.get("recipients") or []
    if legacy is not None and found.get("fingerprint") == legacy(recipients):
        state = found.get("state", UNCONFIRMED if found.get("unconfirmed") else SENT)
        at = found.get("started_at" if state == ATTEMPT else "sent_at", "?")
        ledger["messages"][mark] = {
            address_key(a): {"address": a, "state": state, "at": at, **({"pid": found["pid"]} if "pid" in found else {})}
            for a in recipients
        }
    return ledger
