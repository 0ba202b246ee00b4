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
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis.contents import load_contents
from ictanalysis.deliver import ledger
from ictanalysis.deliver.alert import quality_alert
from ictanalysis.deliver.compose import build_email, missing_charts, write_eml
from ictanalysis.deliver.ledger import fingerprint, message_id
from ictanalysis.deliver.smtp import send_message
from ictanalysis.errors import DeliveryError, MaybeDeliveredError
from ictanalysis.export import made_from_of, read_made_from
from ictanalysis.outputs import ReportFolder
from ictanalysis.settings import DEFAULTS, MailConfig
from ictanalysis.years import YearPair

__all__ = ["SendResult", "build_email", "send_quality_alert", "send_report"]


@dataclass(frozen=True)
class SendResult:
    """What :func:`send_report` did: where the .eml is, whether it was sent now, and when before."""

    eml: Path
    size_bytes: int
    sent: bool = False
    already_sent: str = ""  #: the date of an earlier send of the same report, when skipped
    refused: dict = field(default_factory=dict)
    left_out: tuple[str, ...] = ()  #: charts the email shows that the report has no file of


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
    """Write ``reports/<year>/annual_report.eml`` and, with `config`, send it unless already sent.

    The ledger (:mod:`.ledger`) keeps the same report from going to the same recipients
    twice unless `resend`; each send of it has the same Message-ID. `sending` goes to :func:`send_message`.

    Raises:
        DeliveryError: the report is missing or in another language (nothing is written), or the message
            could not be sent (the .eml is written first).
        MaybeDeliveredError: the whole message went out and no answer came back, or an earlier send of
            it stopped before it heard one (see :func:`_earlier`): it may have been delivered.
    """
    folder = ReportFolder(Path(reports) / str(year))
    eml = folder.email
    _check_report(folder.report, language, made_from_of(year, compare_year, province, Path(data)))
    mark = fingerprint(folder.report, config.recipients if config else (), year, compare_year)
    earlier = _earlier(folder.sent_ledger, mark) if config and not resend else None
    if earlier and eml.is_file():  # already sent, and the .eml of that send is on disk: nothing to do
        return SendResult(eml, eml.stat().st_size, already_sent=str(earlier))
    message = build_email(year, compare_year, reports=reports, data=data, province=province, language=language,
                          config=config)  # fmt: skip
    message.replace_header("Message-ID", message_id(mark, config.sender if config else None))
    write_eml(message, eml)
    size, left_out = eml.stat().st_size, tuple(missing_charts(folder.charts, load_contents().email.charts))
    if config is None or earlier:
        return SendResult(eml, size, already_sent=str(earlier or ""), left_out=left_out)
    refused = _send_and_record(message, config, folder.sent_ledger, mark, sending)
    return SendResult(eml, size, sent=True, refused=refused, left_out=left_out)


def _send_and_record(message, config: MailConfig, path: Path, mark: str, sending: dict) -> dict:
    """Send `message`, recording the attempt before its data goes out and the outcome after.

    A refusal puts the ledger back as it was (nothing was delivered); a failure after the
    whole message went out leaves it recorded as sent but unconfirmed.

    Raises:
        MaybeDeliveredError: recorded as sent but not confirmed: a later send does not send it again by itself.
        DeliveryError: the server refused it, or could not be reached; the ledger is as it was.
    """
    before = ledger.read_text(path)

    def attempt() -> None:
        try:
            ledger.record(path, mark, message, config, ledger.ATTEMPT)
        except OSError as exc:  # smtplib's own errors are OSErrors: this one must not pass for the server's
            raise DeliveryError(f"cannot record the attempt in {path} ({exc.strerror or exc}); nothing was sent") from None

    try:
        refused = send_message(message, config, before_data=attempt, **sending)
    except MaybeDeliveredError:
        ledger.record(path, mark, message, config, ledger.UNCONFIRMED)
        raise
    except DeliveryError:
        ledger.restore(path, before)
        raise
    ledger.record(path, mark, message, config, ledger.SENT)
    return refused


def _earlier(path: Path, mark: str) -> ledger.Earlier | None:
    """Return the ledger's earlier delivery of `mark`; one that stopped before the server answered is said once.

    Raises:
        MaybeDeliveredError: (exit 6) the earlier send stopped before it heard the server's answer: the
            message may have been delivered; from now on it counts as sent but unconfirmed.
    """
    earlier = ledger.earlier_delivery(path, mark)
    if earlier is None or not earlier.interrupted:
        return earlier
    ledger.settle_interrupted(path)
    raise MaybeDeliveredError(
        f"the message may have been delivered: an earlier send of this report to these recipients (process "
        f"{earlier.pid or '?'}, started {earlier.at}) stopped before it heard the server's answer. Ask a recipient "
        "whether it arrived (or check the server's log) before sending again: `ictanalysis send` will not send it "
        "again by itself; `--resend` sends it anyway, with the same Message-ID")  # fmt: skip


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
                       **sending) -> Path:  # fmt: skip
    """Write ``reports/<year>/quality_alert.eml`` from the gate's result for `pair` and send it to the analysts.

    Returns the .eml's path. Without `config` nothing is sent.

    Raises:
        DeliveryError: there is no quality result for `pair`, no analyst to send to, or the message could not be sent.
    """
    from ictanalysis.quality import read_quality

    folder = ReportFolder(Path(reports) / str(pair.year))
    data, page = folder.quality_json(pair.compare_year), folder.quality_page(pair.compare_year)
    quality = read_quality(data)
    if quality is None:
        raise DeliveryError(f"no quality result at {data}: run `ictanalysis validate` first")
    message = quality_alert(quality, config, language, page=page)
    eml = write_eml(message, folder.alert)
    if config is not None:
        if not config.analysts:
            raise DeliveryError(f"no analysts in the [mail] settings to send the quality alert to; it is in {eml}")
        send_message(message, config, to=config.analysts, **sending)
    return eml
