"""The deliver stage: the report's email written as .eml and sent at most once; the analysts' alert on a failed gate.

:func:`send_report` writes ``reports/<year>/annual_report.eml`` first, so the
message is on disk whatever happens, sends it when there are mail settings,
and keeps a ledger of the delivery (:mod:`.ledger`): the attempt is recorded
just before the message's data goes out, the outcome once the server answers,
so that a re-run never sends the same report to the same people twice, not
even after a send was killed before it heard the answer (that one is said to
have "maybe" been delivered, exit 6, and ``--resend`` sends it again with the
same Message-ID). :func:`send_quality_alert` writes
and sends the analysts' summary of a failed gate. Composing the messages
(:mod:`.compose`, :mod:`.alert`), the Excel attachment (:mod:`.spreadsheet`),
SMTP (:mod:`.smtp`) and the ledger (:mod:`.ledger`) each live in their own module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ictanalysis.deliver import ledger
from ictanalysis.deliver.alert import quality_alert
from ictanalysis.deliver.compose import build_email, write_eml
from ictanalysis.deliver.ledger import message_id
from ictanalysis.deliver.smtp import Hooks, decode_reply, send_message
from ictanalysis.errors import DeliveryError, MaybeDeliveredError
from ictanalysis.export import made_from_of, read_made_from
from ictanalysis.outputs import ReportFolder
from ictanalysis.settings import DEFAULTS, MailConfig
from ictanalysis.years import YearPair

__all__ = ["SendResult", "build_email", "send_quality_alert", "send_report"]


@dataclass(frozen=True)
class SendResult:
    """What :func:`send_report` did: where the .eml is, to whom it went now, and who had it before."""

    eml: Path
    size_bytes: int
    sent_to: tuple[str, ...] = ()  #: the recipients the server took it for now
    already: dict = field(default_factory=dict)  #: recipient → when they received it before (not sent again)

    @property
    def sent(self) -> bool:
        """Whether it went to anyone now."""
        return bool(self.sent_to)


def send_report(
    year: int,
    compare_year: int,
    config: MailConfig | None,
    *,
    reports: Path = DEFAULTS.reports,
    data: Path = DEFAULTS.outputs.table,
    province: str = DEFAULTS.province,
    language: str = DEFAULTS.language,
    resend: bool = False,
    **sending,
) -> SendResult:
    """Write ``reports/<year>/annual_report.eml`` and, with `config`, send it to the recipients it has not reached.

    The ledger (:mod:`.ledger`) keeps anyone from receiving the report twice unless `resend` (then all
    do); every copy has the same Message-ID. `sending` goes to :func:`send_message`.

    Raises:
        DeliveryError: no report, or one in another language (nothing is written); or some recipient
            was not reached (the .eml is written first; those who have it are recorded).
        MaybeDeliveredError: it may have been delivered (no answer came back, see :func:`_pending`).
    """
    folder = ReportFolder(Path(reports) / str(year))
    _check_report(folder.report, language, made_from_of(year, compare_year, province, Path(data)))
    mark = ledger.report_mark(folder.report, year, compare_year)
    book = ledger.Ledger(folder.sent_ledger, mark, ledger.earlier_fingerprint(folder.report, year, compare_year))
    pending, already = _whom(book, list(config.recipients) if config else [], resend)
    message = build_email(year, compare_year, reports=reports, data=data, province=province, language=language,
                          config=config)  # fmt: skip
    message.replace_header("Message-ID", message_id(mark, config.sender if config else None))
    write_eml(message, folder.email)
    done = SendResult(folder.email, folder.email.stat().st_size, already=already)
    if config is None or not pending:
        return done
    sent_to, refused = _send_and_record(message, config, book, pending, sending, REPORT_ADVICE)
    if refused:
        raise DeliveryError(_partly(config, sent_to, refused, "`ictanalysis send`"))
    return replace(done, sent_to=tuple(sent_to))


def _partly(config: MailConfig, sent_to: list[str], refused: dict, again: str) -> str:
    """Say that the server took the message for some recipients and not for others, and what happens next."""
    whom = "; ".join(f"{who} ({'' if code is None else f'{code} '}{decode_reply(why)})"
                     for who, (code, why) in refused.items())  # fmt: skip
    return (f"sent to {', '.join(sent_to)} through {config.address}, but not to {whom}. Those who have it are "
            f"recorded: {again} again sends it to the others only")


#: What to do when the report's email may have been delivered.
REPORT_ADVICE = ("Ask a recipient whether it arrived (or check the server's log) before sending again: `ictanalysis "
                 "send` will not send it to them again by itself; `--resend` sends it anyway, with the same Message-ID")
#: What to do when the analysts' alert may have been delivered.
ALERT_ADVICE = ("Ask an analyst whether it arrived (or check the server's log); the same alert will not be sent "
                "again, a different quality result will be")


def _send_and_record(message, config: MailConfig, book: ledger.Ledger, pending: list[str], sending: dict,
                     advice: str) -> tuple[list[str], dict]:  # fmt: skip
    """Send `message` to `pending`, recording each attempt before its data goes out and the outcome after.

    A refusal puts the ledger back as it was for those it concerned (nothing was delivered to them);
    a failure after the whole message went out leaves them recorded as reached but unconfirmed.
    Returns who has it now and who the server did not take it for.

    Raises:
        MaybeDeliveredError: recorded as reached but not confirmed: a later send does not send it again by itself.
        DeliveryError: the server refused it for everyone, or could not be reached; the ledger is as it was.
    """
    sent_to: list[str] = []

    def attempt(accepted: list[str]) -> None:
        try:
            book.attempt(accepted)
        except OSError as exc:  # smtplib's own errors are OSErrors: this one must not pass for the server's
            raise DeliveryError(f"cannot record the attempt in {book.path} ({exc.strerror or exc}); nothing was "
                                "sent") from None  # fmt: skip

    def delivered(recipients: list[str]) -> None:
        sent_to.extend(recipients)
        try:
            book.outcome(recipients, ledger.SENT)
        except OSError as exc:
            raise MaybeDeliveredError(f"the server took the message for {', '.join(recipients)}, but that could not "
                                      f"be recorded in {book.path} ({exc.strerror or exc})") from None  # fmt: skip

    hooks = Hooks(before_data=attempt, delivered=delivered, refused=book.undo_attempts)
    try:
        refused = send_message(message, config, to=pending, hooks=hooks, **sending)
    except MaybeDeliveredError as exc:
        raise MaybeDeliveredError(_unconfirmed(exc, book, sent_to, advice)) from None
    except DeliveryError:
        book.undo_attempts()
        raise
    return sent_to, refused


def _unconfirmed(exc: MaybeDeliveredError, book: ledger.Ledger, sent_to: list[str], advice: str) -> str:
    """Record the recipients whose copy was not confirmed as such, and say who they are and who has it for sure."""
    maybe = book.attempted()
    try:
        book.settle_interrupted()
    except OSError:  # the ledger still says "attempt": the next send says "may have been delivered" too
        pass
    said = f"{exc}" + (f" (to {', '.join(maybe)})" if maybe else "")
    confirmed = [r for r in sent_to if r not in maybe]
    return said + (f"; the server confirmed it for {', '.join(confirmed)}" if confirmed else "") + f". {advice}"


def _whom(book: ledger.Ledger, recipients: list[str], resend: bool) -> tuple[list[str], dict[str, str]]:
    """Return whom to send to (all with `resend`, else those it has not reached) and when the others had it."""
    pending = ledger.distinct(recipients) if resend else _pending(book, recipients)
    return pending, {r: str(e) for r in recipients if r not in pending and (e := book.earlier(r))}


def _pending(book: ledger.Ledger, recipients: list[str]) -> list[str]:
    """Return the `recipients` the message has not reached; an earlier send that stopped unanswered is said once.

    Raises:
        MaybeDeliveredError: (exit 6) an earlier send stopped before it heard the server's answer: the
            message may have reached those recipients; from now on they count as reached but unconfirmed.
    """
    stopped = book.interrupted(recipients)
    if not stopped:
        return book.pending(recipients)
    book.settle_interrupted()
    earlier = stopped[0][1]
    raise MaybeDeliveredError(
        f"the message may have been delivered to {', '.join(a for a, _ in stopped)}: an earlier send of this "
        f"report (process {earlier.pid or '?'}, started {earlier.at}) stopped before it heard the server's answer. "
        f"{REPORT_ADVICE}")  # fmt: skip


def _check_report(report: Path, language: str, made_from: dict[str, str]) -> None:
    """Refuse to send no report page, or one in another language or made from another pair or table than the email."""
    if not report.is_file():
        raise DeliveryError(f"no report at {report}: run `ictanalysis report` first")
    _check_language(report, language)
    _check_made_from(report, made_from)


def _check_made_from(report: Path, wanted: dict[str, str]) -> None:
    """Refuse to send a report page made for another pair, province or tidy table than the email's.

    Raises:
        DeliveryError: what the page records (its ``ictanalysis:`` meta tags) differs, or it records nothing.
    """
    found = read_made_from(report)
    if found == wanted:
        return
    command = f"ictanalysis report --year {wanted['year']} --compare-year {wanted['compare-year']}"
    if not found:
        why = "does not say what it was made from (an older or another program's page)"
    elif (found.get("year"), found.get("compare-year"), found.get("province")) != (
            wanted["year"], wanted["compare-year"], wanted["province"]):  # fmt: skip
        why = (f"is {found.get('year')} vs {found.get('compare-year')} (province {found.get('province')}), "
               f"not {wanted['year']} vs {wanted['compare-year']} (province {wanted['province']})")  # fmt: skip
    else:
        why = "was made from another tidy table (cleaned again or changed since)"
    raise DeliveryError(f"the report {report} {why}: run `{command}` first, then send")


def _check_language(report: Path, language: str) -> None:
    """Refuse to send an email in one language with the report attached in another.

    Raises:
        DeliveryError: the report's page says another language (``<html lang="…">``).
    """
    found = re.search(rb'<html[^>]*\blang="([^"]+)"', report.read_bytes()[:4096])
    if found and found.group(1).decode() != language:
        written = found.group(1).decode()
        raise DeliveryError(f"the report {report} is in {written!r} and the email would be in {language!r}: send it "
                            f"with --language {written}, or build the report again with --language {language}")  # fmt: skip


def send_quality_alert(reports: Path, pair: YearPair, config: MailConfig | None, language: str = DEFAULTS.language,
                       **sending) -> SendResult:  # fmt: skip
    """Write ``reports/<year>/quality_alert.eml`` from the gate's result for `pair` and send it to the analysts.

    An alert goes to each analyst once: the same quality result found again (a failed run each
    night) is not sent again (its ledger is ``.alert-sent.json``); a different one is. Without
    `config` nothing is sent.

    Raises:
        DeliveryError: there is no quality result for `pair`, no analyst to send to, or the message could not be sent.
        MaybeDeliveredError: the whole message went out and no answer came back: it may have been delivered.
    """
    from ictanalysis.quality import read_quality

    folder = ReportFolder(Path(reports) / str(pair.year))
    data, page = folder.quality_json(pair.compare_year), folder.quality_page(pair.compare_year)
    quality = read_quality(data)
    if quality is None:
        raise DeliveryError(f"no quality result at {data}: run `ictanalysis validate` first")
    message = quality_alert(quality, config, language, page=page)
    mark = ledger.text_mark(str(message["Subject"]), message.get_body(("plain",)).get_content())
    message.replace_header("Message-ID", message_id(mark, config.sender if config else None))
    eml = write_eml(message, folder.alert)
    done = SendResult(eml, eml.stat().st_size)
    if config is None:
        return done
    if not config.analysts:
        raise DeliveryError(f"no analysts in the [mail] settings to send the quality alert to; it is in {eml}")
    book = ledger.Ledger(folder.alert_ledger, mark)
    book.settle_interrupted()  # an alert that may have been delivered is not sent again: it is only a warning
    pending = book.pending(config.analysts)
    already = {r: str(e) for r in config.analysts if r not in pending and (e := book.earlier(r))}
    if not pending:
        return replace(done, already=already)
    sent_to, refused = _send_and_record(message, config, book, pending, sending, ALERT_ADVICE)
    if refused:
        raise DeliveryError(_partly(config, sent_to, refused, "the next failed run"))
    return replace(done, sent_to=tuple(sent_to), already=already)
