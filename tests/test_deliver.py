"""The email leadership receives, and its delivery through a real SMTP server (aiosmtpd on 127.0.0.1).

One report is built per test run (clean → gate → build_report, about 30 s) and copied
into each test's folder, so a test may send, mark as sent or break it freely.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from browser import open_page, requires_chromium
from conftest import build_once

from ictanalysis.deliver import build_email, send_quality_alert, send_report
from ictanalysis.deliver.compose import MAX_BYTES
from ictanalysis.deliver.ledger import earlier_fingerprint
from ictanalysis.deliver.smtp import send_message
from ictanalysis.deliver.spreadsheet import tidy_workbook
from ictanalysis.errors import DeliveryError, ExitCode, MaybeDeliveredError, QualityError
from ictanalysis.export import read_made_from
from ictanalysis.ingest import clean
from ictanalysis.report import ReportParameters, build_report
from ictanalysis.settings import MailConfig, load_mail_config
from ictanalysis.tidy import read_indicators
from ictanalysis.validate import gate
from ictanalysis.years import YearPair

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "reports" / "email-screenshot.png"
SENDER = "bao-cao@stttt.ninhthuan.gov.vn"
LEADERSHIP = ("giam-doc@stttt.ninhthuan.gov.vn", "pho-giam-doc@stttt.ninhthuan.gov.vn")
ANALYSTS = ("phan-tich@stttt.ninhthuan.gov.vn",)
SUBJECT = "Báo cáo số liệu ngành Thông tin và Truyền thông năm 2020 – Tỉnh Ninh Thuận (so sánh với năm 2019)"
FIGURES = ("555", "481", "669.065")


# --- one report per test run, copied per test --------------------------------------------------


def _build(folder: Path) -> None:
    clean(REPO / "data" / "raw", out_dir=folder / "processed")
    data = folder / "processed" / "indicators.parquet"
    gate(data, folder / "reports", year=2020, compare_year=2019)
    build_report(ReportParameters(2020, 2019, data=str(data)), folder / "reports")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the 2020 report once per run, even across xdist workers (the first builds, the rest wait)."""
    return build_once(tmp_path_factory, "deliver-report", _build)


@pytest.fixture
def work(built: Path, tmp_path: Path) -> Path:
    """Return tmp_path holding a private copy of the built `reports/` and `processed/`."""
    for name in ("reports", "processed"):
        shutil.copytree(built / name, tmp_path / name)
    return tmp_path


def _paths(work: Path) -> dict:
    return {"reports": work / "reports", "data": work / "processed" / "indicators.parquet"}


# --- a real SMTP server -----------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what it accepts; it can refuse the first RCPTs or every DATA."""

    def __init__(self, refuse_rcpt: int = 0, data_reply: str | None = None) -> None:
        self.envelopes: list = []
        self.refuse_rcpt = refuse_rcpt
        self.data_reply = data_reply
        self.rcpt_answers: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            self.refuse_rcpt -= 1
            self.rcpt_answers.append("451")
            return "451 4.3.2 try later"
        envelope.rcpt_tos.append(address)
        self.rcpt_answers.append("250")
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(handler: Inbox, **options) -> Iterator[int]:
    """Run aiosmtpd on 127.0.0.1 at a free port (port 0 does not work) and yield the port."""
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _config(port: int, **changes) -> MailConfig:
    values = {"host": "127.0.0.1", "port": port, "security": "none", "sender": SENDER,
              "recipients": LEADERSHIP, "analysts": ANALYSTS, "timeout": 10.0} | changes  # fmt: skip
    return MailConfig(**values)


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


# --- the email --------------------------------------------------------------------------------


def test_the_email_arrives_whole_through_a_real_server(work: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        result = send_report(2020, 2019, _config(port), **_paths(work))
    assert result.sent and len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == SENDER and sorted(envelope.rcpt_tos) == sorted(LEADERSHIP)
    raw = envelope.original_content
    print(f"email size: {len(raw):,} bytes")
    assert len(raw) < MAX_BYTES
    assert result.eml.is_file() and result.eml == work / "reports" / "2020" / "annual_report.eml"

    message = _parse(raw)
    assert message["Subject"] == SUBJECT
    assert re.search(rb"^Subject: =\?utf-8\?", raw, re.MULTILINE | re.IGNORECASE), "subject not RFC 2047-encoded"
    assert message.get_content_type() == "multipart/mixed"
    alternative = message.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    plain, related = alternative.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert len(images) == 6 and all(p.get_content_type() == "image/png" for p in images)
    assert all(p.get_content().startswith(b"\x89PNG\r\n\x1a\n") for p in images)

    markup, text = html_part.get_content(), plain.get_content()
    cids = {p["Content-ID"].strip().strip("<>") for p in images}
    referenced = set(re.findall(r'src="cid:([^"]+)"', markup))
    assert referenced == cids
    assert "data:" not in markup and "<script" not in raw.decode("ascii", "replace").lower()
    assert "<script" not in markup.lower() and "<style" not in markup.lower()
    assert "<link" not in markup.lower() and "http://" not in markup and "https://" not in markup
    assert markup.count('style="') > 30
    for figure in FIGURES:
        assert figure in markup and figure in text, figure
    assert "Kính gửi Lãnh đạo Sở" in text and "Tỉnh Ninh Thuận" in markup

    attachments = {p.get_filename(): p for p in message.iter_attachments()}
    assert set(attachments) == {"bao-cao-2020.pdf", "indicators.xlsx"}  # the official document, no zipped HTML
    pdf = attachments["bao-cao-2020.pdf"]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content() == (work / "reports" / "2020" / "bao-cao-2020.pdf").read_bytes()
    assert "bao-cao-2020.pdf" in text and "văn bản báo cáo" in text
    book = openpyxl.load_workbook(io.BytesIO(attachments["indicators.xlsx"].get_content()), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    table = read_indicators(_paths(work)["data"])
    assert list(rows[0]) == list(table.columns) and len(rows) == len(table) + 1
    # The .eml on disk is the same message (same structure and figures; its Date and ids are its own).
    on_disk = _parse(result.eml.read_bytes())
    assert on_disk["Subject"] == SUBJECT and "669.065" in on_disk.get_body(("plain",)).get_content()
    assert on_disk["X-Unsent"] == "1" and message["X-Unsent"] is None  # a draft in Outlook; not on the wire


def test_the_email_attaches_the_official_document_and_refuses_a_report_without_one(work: Path) -> None:
    message = build_email(2020, 2019, **_paths(work))
    names = [p.get_filename() for p in message.iter_attachments()]
    assert names == ["bao-cao-2020.pdf", "indicators.xlsx"]
    assert message["To"] is None and message["From"] is None  # no settings: an .eml to forward by hand
    (work / "reports" / "2020" / "bao-cao-2020.pdf").unlink()  # a report built before the document existed
    with pytest.raises(DeliveryError, match=r"no official document at .*bao-cao-2020\.pdf .*run `ictanalysis report`"):
        build_email(2020, 2019, **_paths(work))


def test_the_email_in_english(work: Path) -> None:
    message = build_email(2020, 2019, **_paths(work), language="en")
    assert message["Subject"].startswith("Information and communications figures, 2020")
    assert "669,065" in message.get_body(("plain",)).get_content()


def test_text_is_escaped_in_the_email(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ictanalysis.narrative
    import ictanalysis.view

    frame_of = ictanalysis.view.ReportView.frame

    def planted_headline(self, name):
        frame = frame_of(self, name)
        frame.loc[0, "name"] = "<b>Dịch vụ</b> & <img src=x onerror=alert(1)>"
        return frame

    monkeypatch.setattr(ictanalysis.view.ReportView, "frame", planted_headline)
    monkeypatch.setattr(
        ictanalysis.narrative, "headline_sentences", lambda cmp, language: ["<script>alert(1)</script> 5 < 6"]
    )
    markup = build_email(2020, 2019, **_paths(work)).get_body(("html",)).get_content()
    assert "&lt;b&gt;Dịch vụ&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 5 &lt; 6" in markup
    assert (
        "<script" not in markup
        and "<b>" not in markup
        and "onerror=alert" not in markup.replace("&lt;img src=x onerror=alert", "")
    )


def test_a_chart_with_nothing_to_draw_is_left_out_and_the_others_are_drawn_from_the_table(work: Path) -> None:
    """The email draws its charts from the table (the phone layout), not from the report's files."""
    charts = work / "reports" / "2020" / "charts"
    for drawn in charts.glob("*.png"):
        drawn.unlink()  # the report's own files are not what the email shows
    table = read_indicators(_paths(work)["data"])
    mobile = table["indicator"].str.startswith("mobile_")  # the total and the prepaid and postpaid it is summed from
    shares = mobile & (table["operator"] != "") & (table["year"] == 2020)
    table[~shares].to_parquet(work / "no-shares.parquet", index=False)
    message = build_email(2020, 2019, reports=work / "reports", data=work / "no-shares.parquet")
    images = [p.get_filename() for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 5 and "mobile_share.png" not in images, images


def test_no_report_is_a_delivery_error(work: Path) -> None:
    (work / "reports" / "2020" / "annual_report.html").unlink()
    with pytest.raises(DeliveryError, match="run `ictanalysis report` first") as raised:
        build_email(2020, 2019, **_paths(work))
    assert raised.value.exit_code == ExitCode.DELIVERY == 6


def test_formula_like_text_is_neutralised_in_the_workbook() -> None:
    frame = pd.DataFrame({
        "operator": ["=HYPERLINK(\"http://x\",\"bấm\")", "+84 123", "-1", "@SUM(A1)", "\t=1", "VNPT"],
        "value": [1.0, 2.0, 3.0, 4.0, 5.0, float("nan")],
    })  # fmt: skip
    data = tidy_workbook(frame)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    for row, text in enumerate(frame["operator"], start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.value == text and cell.data_type == "s"
        assert cell.quotePrefix is (text != "VNPT"), text
    assert sheet["B2"].value == 1.0 and sheet["B7"].value is None
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


# --- sending and its failures -------------------------------------------------------------------


def _eml(work: Path) -> Path:
    return work / "reports" / "2020" / "annual_report.eml"


def test_server_down_is_retried_with_backoff_then_fails(work: Path) -> None:
    waits: list[float] = []
    config = _config(_free_port())  # nothing listens there
    with pytest.raises(DeliveryError, match="after 3 attempts") as raised:
        send_report(2020, 2019, config, **_paths(work), attempts=3, backoff=0.5, sleep=waits.append)
    assert raised.value.exit_code == 6
    assert waits == [0.5, 1.0]
    assert _eml(work).is_file() and not (work / "reports" / "2020" / ".sent.json").exists()


def test_a_4xx_answer_is_retried_and_the_message_delivered_once(work: Path) -> None:
    inbox, waits = Inbox(refuse_rcpt=1), []
    with smtp_server(inbox) as port:
        config = _config(port, recipients=LEADERSHIP[:1])
        result = send_report(2020, 2019, config, **_paths(work), sleep=waits.append)
    assert result.sent and inbox.rcpt_answers == ["451", "250"]
    assert len(inbox.envelopes) == 1 and waits == [1.0]


def test_a_5xx_answer_stops_at_once(work: Path) -> None:
    inbox, waits = Inbox(data_reply="554 5.7.1 message rejected by policy"), []
    with smtp_server(inbox) as port:
        with pytest.raises(DeliveryError, match="refused the message: 554 5.7.1 message rejected") as raised:
            send_report(2020, 2019, _config(port), **_paths(work), sleep=waits.append)
    assert raised.value.exit_code == 6 and waits == [] and inbox.envelopes == []
    assert _eml(work).is_file() and not (work / "reports" / "2020" / ".sent.json").exists()


def test_a_refused_login_stops_at_once(work: Path) -> None:
    def refuse(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=False, handled=False)

    inbox, waits = Inbox(), []
    options = {"authenticator": refuse, "auth_required": True, "auth_require_tls": False}
    with pytest.warns(UserWarning), smtp_server(inbox, **options) as port:
        config = _config(port, user="bao-cao", password="sai-mat-khau")
        with pytest.raises(DeliveryError, match="refused the login of user 'bao-cao'") as raised:
            send_report(2020, 2019, config, **_paths(work), sleep=waits.append)
    assert "sai-mat-khau" not in str(raised.value) and "ICTANALYSIS_SMTP_PASSWORD" in str(raised.value)
    assert waits == [] and inbox.envelopes == [] and _eml(work).is_file()


def test_a_password_smtplib_cannot_send_is_a_clear_error(work: Path) -> None:
    inbox = Inbox()
    with pytest.warns(UserWarning), smtp_server(inbox, auth_required=True, auth_require_tls=False) as port:
        config = _config(port, user="bao-cao", password="mật-khẩu")
        with pytest.raises(DeliveryError, match="outside ASCII") as raised:
            send_report(2020, 2019, config, **_paths(work), sleep=lambda s: None)
    assert "mật-khẩu" not in str(raised.value) and inbox.envelopes == []


def test_starttls_required_but_not_offered_stops_at_once(work: Path) -> None:
    inbox, waits = Inbox(), []
    with smtp_server(inbox) as port:
        config = _config(port, security="starttls", user="bao-cao", password="bí-mật")
        with pytest.raises(DeliveryError, match="does not offer STARTTLS") as raised:
            send_report(2020, 2019, config, **_paths(work), sleep=waits.append)
    assert raised.value.exit_code == 6 and waits == [] and inbox.envelopes == [] and _eml(work).is_file()


def test_a_report_is_sent_once_unless_resent(work: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        first = send_report(2020, 2019, _config(port), **_paths(work))
        second = send_report(2020, 2019, _config(port), **_paths(work))
        other_people = send_report(2020, 2019, _config(port, recipients=ANALYSTS), **_paths(work))
        again = send_report(2020, 2019, _config(port, recipients=ANALYSTS), **_paths(work), resend=True)
    assert first.sent_to == LEADERSHIP and not second.sent and set(second.already) == set(LEADERSHIP)
    assert other_people.sent_to == ANALYSTS and again.sent_to == ANALYSTS
    assert len(inbox.envelopes) == 3
    entries = _ledger_entries(work)
    assert set(entries) == {*LEADERSHIP, *ANALYSTS} and {e["state"] for e in entries.values()} == {"sent"}
    assert len(set(_message_ids(inbox))) == 1  # one Message-ID per report, whoever receives it: the resend repeats it


def _ledger_entries(work: Path) -> dict:
    """Return the ledger's entries, by address, of the one report it records."""
    record = json.loads((work / "reports" / "2020" / ".sent.json").read_text(encoding="utf-8"))
    assert record["format"] == 2 and len(record["messages"]) == 1, record
    return next(iter(record["messages"].values()))


def _copies(inbox: Inbox) -> dict[str, int]:
    """Return how many copies the server took for each recipient."""
    counted: dict[str, int] = {}
    for envelope in inbox.envelopes:
        for address in envelope.rcpt_tos:
            counted[address] = counted.get(address, 0) + 1
    return counted


class SlowInbox(Inbox):
    """Takes the whole message, then answers the final "." only after the client has given up waiting."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        self.envelopes.append(envelope)
        await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


def test_a_message_the_server_took_but_never_confirmed_is_sent_once_and_said_maybe(work: Path) -> None:
    inbox = SlowInbox(delay=3.0)
    with smtp_server(inbox) as port:
        config = _config(port, timeout=1.0)
        with pytest.raises(MaybeDeliveredError) as maybe:
            send_report(2020, 2019, config, **_paths(work), sleep=lambda s: None)
        assert len(inbox.envelopes) == 1  # not retried: a retry would deliver it again
        assert maybe.value.exit_code == ExitCode.DELIVERY == 6
        assert str(maybe.value).startswith("the message may have been delivered: ")
        assert "`--resend` sends it anyway" in str(maybe.value)
        again = send_report(2020, 2019, config, **_paths(work), sleep=lambda s: None)  # the next scheduled run
        assert not again.sent and set(again.already) == set(LEADERSHIP)
        assert all(when.endswith("(the server did not confirm it)") for when in again.already.values())
        assert len(inbox.envelopes) == 1


class KillingInbox(Inbox):
    """Takes the whole message, then SIGKILLs the sending process before answering: accepted, never recorded."""

    process: subprocess.Popen | None = None

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        if self.process is not None and len(self.envelopes) == 1:
            self.process.kill()
            self.process.wait(timeout=30)
        return "250 Message accepted for delivery"


def _mail_env(port: int) -> dict[str, str]:
    return {"ICTANALYSIS_SMTP_HOST": "127.0.0.1", "ICTANALYSIS_SMTP_PORT": str(port),
            "ICTANALYSIS_SMTP_SECURITY": "none", "ICTANALYSIS_SMTP_SENDER": SENDER,
            "ICTANALYSIS_SMTP_RECIPIENTS": ",".join(LEADERSHIP)}  # fmt: skip


def _send_process(work: Path, *args: str, env: dict[str, str]) -> subprocess.Popen:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("ICTANALYSIS_SMTP_")}
    return subprocess.Popen(
        [sys.executable, "-m", "ictanalysis", "send", "--reports", str(work / "reports"),
         "--data", str(work / "processed" / "indicators.parquet"), *args],
        cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env={**clean_env, "PYTHONIOENCODING": "utf-8", **env},
    )  # fmt: skip


def _message_ids(inbox: Inbox) -> list[str]:
    return [_parse(envelope.original_content)["Message-ID"].strip() for envelope in inbox.envelopes]


def test_a_send_killed_after_the_server_took_the_message_is_not_sent_again(work: Path) -> None:
    inbox = KillingInbox()
    with smtp_server(inbox) as port:
        killed = _send_process(work, env=_mail_env(port))
        inbox.process = killed
        killed.communicate(timeout=120)
        assert killed.returncode == -9 and len(inbox.envelopes) == 1  # the server has it; the sender never heard
        entries = _ledger_entries(work)
        assert [(e["state"], e["pid"]) for e in entries.values()] == [("attempt", killed.pid)] * 2
        after = _send_cli(work, env=_mail_env(port))  # the next scheduled send
        later = _send_cli(work, env=_mail_env(port))
        resent = _send_cli(work, "--resend", env=_mail_env(port))
    assert after.returncode == 6, after.stderr
    assert f"the message may have been delivered to {', '.join(LEADERSHIP)}: an earlier send of this report" in (
        after.stderr)
    assert f"(process {killed.pid}, started " in after.stderr and "`--resend` sends it anyway" in after.stderr
    assert later.returncode == 0 and "already sent to" in later.stdout and "did not confirm it" in later.stdout
    assert resent.returncode == 0 and "Sent to" in resent.stdout
    assert len(inbox.envelopes) == 2  # the killed send and the --resend, nothing in between
    first, again = _message_ids(inbox)
    assert first == again and first.startswith("<ictanalysis.")  # mail systems can drop the repeat


def test_two_sends_at_once_deliver_one_copy(work: Path) -> None:
    inbox = SlowInbox(delay=20.0)  # the first holds the lock while the server takes its time
    with smtp_server(inbox) as port:
        sends = [_send_process(work, "--wait", "120", env=_mail_env(port)) for _ in range(2)]
        outputs = [process.communicate(timeout=180) for process in sends]
        delivered = len(inbox.envelopes)
        impatient = [_send_process(work, "--resend", env=_mail_env(port)) for _ in range(2)]
        hurried = [process.communicate(timeout=180) for process in impatient]
    assert [p.returncode for p in sends] == [0, 0], outputs
    said = sorted(out.splitlines()[0].split(":")[0].split(" to ")[0] for out, _ in outputs)
    assert said == ["Not sent", "Sent"] and delivered == 1  # the second waited, then found it sent
    codes = sorted(p.returncode for p in impatient)
    assert codes == [0, 7], hurried  # without --wait the second is refused, naming the first
    busy = next(err for (_, err), p in zip(hurried, impatient, strict=True) if p.returncode == 7)
    assert "another `ictanalysis send` holds the lock (pid " in busy and "--wait SECONDS" in busy
    assert len(inbox.envelopes) == 2


def test_a_refused_message_leaves_the_ledger_as_it_was_and_a_later_send_delivers_it(work: Path) -> None:
    ledger = work / "reports" / "2020" / ".sent.json"
    older = {"format": 2, "messages": {"an older report": {"a@b.vn": {"address": "a@b.vn", "state": "sent", "at": "?"}}}}
    ledger.write_text(json.dumps(older), encoding="utf-8")
    refusing = Inbox(data_reply="451 4.3.0 try again later")
    with smtp_server(refusing) as port:
        with pytest.raises(DeliveryError, match="after 2 attempts"):
            send_report(2020, 2019, _config(port), **_paths(work), attempts=2, sleep=lambda s: None)
    assert json.loads(ledger.read_text(encoding="utf-8")) == older  # refused after DATA twice: nothing was delivered
    inbox = Inbox()
    with smtp_server(inbox) as port:
        assert send_report(2020, 2019, _config(port), **_paths(work)).sent
    record = json.loads(ledger.read_text(encoding="utf-8"))["messages"]
    assert len(inbox.envelopes) == 1 and {e["state"] for m, es in record.items() if m != "an older report"
                                          for e in es.values()} == {"sent"}  # fmt: skip


class RudeInbox(Inbox):
    """Accepts the message, then answers QUIT with an error: the message is delivered all the same."""

    def __init__(self, goodbye: str) -> None:
        super().__init__()
        self.goodbye = goodbye

    async def handle_QUIT(self, server, session, envelope):
        return self.goodbye


@pytest.mark.parametrize("goodbye", ["421 4.3.2 shutting down", "554 5.0.0 bye"])
def test_an_error_answer_to_quit_after_the_message_was_accepted_is_a_delivery(work: Path, goodbye: str) -> None:
    inbox = RudeInbox(goodbye)
    with smtp_server(inbox) as port:
        first = send_report(2020, 2019, _config(port), **_paths(work), sleep=lambda s: None)
        again = send_report(2020, 2019, _config(port), **_paths(work), sleep=lambda s: None)
    assert first.sent and not again.sent and set(again.already) == set(LEADERSHIP)
    assert len(inbox.envelopes) == 1  # before: four copies (421 retried as temporary), or two (554 "refused")
    assert {e["state"] for e in _ledger_entries(work).values()} == {"sent"}


def test_a_ledger_of_the_earlier_format_keeps_its_unconfirmed_mark(work: Path) -> None:
    report = work / "reports" / "2020" / "annual_report.html"
    written = earlier_fingerprint(report, 2020, 2019)(LEADERSHIP)  # as the earlier format wrote it
    old = {"fingerprint": written, "sent_at": "2026-11-30T08:00:00+07:00", "message_id": "<x@y>",
           "recipients": list(LEADERSHIP), "unconfirmed": True}  # fmt: skip
    (work / "reports" / "2020" / ".sent.json").write_text(json.dumps(old), encoding="utf-8")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        again = send_report(2020, 2019, _config(port), **_paths(work))
        added = send_report(2020, 2019, _config(port, recipients=(*LEADERSHIP, *ANALYSTS)), **_paths(work))
    assert not again.sent and set(again.already) == set(LEADERSHIP) and inbox.envelopes[0].rcpt_tos == list(ANALYSTS)
    assert again.already[LEADERSHIP[0]] == "2026-11-30T08:00:00+07:00 (the server did not confirm it)"
    assert added.sent_to == ANALYSTS and len(inbox.envelopes) == 1


class PickyInbox(Inbox):
    """Answers 451 to the RCPT of `busy` the first `times` times (a full mailbox), accepts everyone else."""

    def __init__(self, busy: str, times: int = 1) -> None:
        super().__init__()
        self.busy, self.times = busy, times

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.busy and self.times:
            self.times -= 1
            self.rcpt_answers.append("451")
            return "451 4.2.1 mailbox busy, try later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_a_recipient_refused_for_now_is_tried_again_alone_and_nobody_gets_two_copies(work: Path) -> None:
    inbox, waits = PickyInbox(LEADERSHIP[1]), []
    with smtp_server(inbox) as port:
        done = send_report(2020, 2019, _config(port), **_paths(work), sleep=waits.append)
    assert done.sent_to == LEADERSHIP and waits == [1.0]
    assert _copies(inbox) == {LEADERSHIP[0]: 1, LEADERSHIP[1]: 1}  # before: the 451 one was never sent to


def test_a_recipient_refused_at_every_attempt_is_named_and_a_later_send_reaches_them_alone(work: Path) -> None:
    inbox = PickyInbox(LEADERSHIP[1], times=2)
    with smtp_server(inbox) as port:
        with pytest.raises(DeliveryError) as partly:
            send_report(2020, 2019, _config(port), **_paths(work), attempts=2, sleep=lambda s: None)
        assert {a: e["state"] for a, e in _ledger_entries(work).items()} == {LEADERSHIP[0]: "sent"}
        later = send_report(2020, 2019, _config(port), **_paths(work), sleep=lambda s: None)
    said = str(partly.value)
    assert partly.value.exit_code == 6 and said.startswith(f"sent to {LEADERSHIP[0]} through 127.0.0.1:")
    assert f"but not to {LEADERSHIP[1]} (451 4.2.1 mailbox busy" in said and "sends it to the others only" in said
    assert later.sent_to == (LEADERSHIP[1],) and set(later.already) == {LEADERSHIP[0]}
    assert _copies(inbox) == {LEADERSHIP[0]: 1, LEADERSHIP[1]: 1}


def test_a_changed_recipient_list_reaches_only_those_who_have_not_got_it(work: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        send_report(2020, 2019, _config(port), **_paths(work))
        changed = (f"Giám đốc Sở <{LEADERSHIP[0].upper()}>", LEADERSHIP[1], ANALYSTS[0], ANALYSTS[0].upper())
        done = send_report(2020, 2019, _config(port, recipients=changed), **_paths(work))
        again = send_report(2020, 2019, _config(port, recipients=changed), **_paths(work))
    assert done.sent_to == (ANALYSTS[0],) and set(done.already) == {changed[0], LEADERSHIP[1]}
    assert not again.sent
    assert _copies(inbox) == {LEADERSHIP[0]: 1, LEADERSHIP[1]: 1, ANALYSTS[0]: 1}  # before: all of them again


def test_another_report_sent_in_between_does_not_send_the_first_again(work: Path) -> None:
    report = work / "reports" / "2020" / "annual_report.html"
    first = report.read_bytes()
    inbox = Inbox()
    with smtp_server(inbox) as port:
        send_report(2020, 2019, _config(port), **_paths(work))
        report.write_bytes(first + b"\n<!-- built again: another report -->\n")
        other = send_report(2020, 2019, _config(port), **_paths(work))
        report.write_bytes(first)  # the first report again (built once more from the same table)
        back = send_report(2020, 2019, _config(port), **_paths(work))
    assert other.sent_to == LEADERSHIP and not back.sent and set(back.already) == set(LEADERSHIP)
    assert len(inbox.envelopes) == 2 and len(set(_message_ids(inbox))) == 2  # one Message-ID per report


def test_while_it_waits_to_retry_a_refused_message_the_ledger_says_no_attempt(work: Path) -> None:
    ledger = work / "reports" / "2020" / ".sent.json"
    seen: list = []  # what a kill during each wait would leave behind
    with smtp_server(Inbox(data_reply="451 4.3.0 try again later")) as port:
        with pytest.raises(DeliveryError, match="after 3 attempts"):
            send_report(2020, 2019, _config(port), **_paths(work), attempts=3,
                        sleep=lambda s: seen.append(ledger.exists() and _ledger_entries(work)))  # fmt: skip
    assert seen == [False, False]  # before: "attempt", read by the next send as "may have been delivered"


def test_an_alert_that_may_have_been_delivered_is_not_sent_again_and_does_not_mention_send(work: Path) -> None:
    folder = work / "reports" / "2020"
    quality = json.loads((folder / "quality/2020-vs-2019.json").read_text(encoding="utf-8"))
    quality["rules"][0] |= {"success": False, "failed": 1, "rows": []}
    (folder / "quality/2020-vs-2019.json").write_text(json.dumps(quality, ensure_ascii=False), encoding="utf-8")
    pair, inbox = YearPair(2020, 2019), SlowInbox(delay=3.0)
    with smtp_server(inbox) as port:
        with pytest.raises(MaybeDeliveredError) as maybe:
            send_quality_alert(work / "reports", pair, _config(port, timeout=1.0), sleep=lambda s: None)
        again = send_quality_alert(work / "reports", pair, _config(port), sleep=lambda s: None)
        quality["rules"][0]["failed"] = 2  # another night, another result: a new alert
        (folder / "quality/2020-vs-2019.json").write_text(json.dumps(quality, ensure_ascii=False), encoding="utf-8")
        other = send_quality_alert(work / "reports", pair, _config(port), sleep=lambda s: None)
    assert "may have been delivered" in str(maybe.value) and "ictanalysis send" not in str(maybe.value)
    assert "the same alert will not be sent again" in str(maybe.value)
    assert not again.sent and other.sent_to == ANALYSTS
    assert len(inbox.envelopes) == 2 and len(set(_message_ids(inbox))) == 2


@pytest.mark.parametrize(("reply", "taken"), [
    ("251 2.0.0 queued as 7F3A", True),  # a 2xx that is not 250: smtplib calls it an error, the server took it
    ("2.0.0 Ok: queued", False),  # no code: smtplib reads -1
    ("250 " + "x" * 9000, False),  # longer than smtplib reads: it makes up "500 Line too long."
])
def test_an_odd_answer_to_the_end_of_the_data_is_never_a_refusal_that_sends_again(work: Path, reply, taken) -> None:
    class Odd(Inbox):
        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return reply

    inbox = Odd()
    with smtp_server(inbox) as port:
        if taken:
            assert send_report(2020, 2019, _config(port), **_paths(work)).sent_to == LEADERSHIP
        else:
            with pytest.raises(MaybeDeliveredError, match="may have been delivered"):
                send_report(2020, 2019, _config(port), **_paths(work), sleep=lambda s: None)
        again = send_report(2020, 2019, _config(port), **_paths(work), sleep=lambda s: None)
    assert not again.sent and len(inbox.envelopes) == 1  # before: "refused", and the next send delivered again
    assert {e["state"] for e in _ledger_entries(work).values()} == {"sent" if taken else "unconfirmed"}


def test_a_recipient_the_server_answers_252_receives_the_report_once(work: Path) -> None:
    class CannotVerify(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            envelope.rcpt_tos.append(address)
            return "252 2.1.5 cannot verify, will attempt delivery" if address == LEADERSHIP[1] else "250 OK"

    inbox = CannotVerify()
    with smtp_server(inbox) as port:
        first = send_report(2020, 2019, _config(port), **_paths(work))
        again = send_report(2020, 2019, _config(port), **_paths(work))
    assert first.sent_to == LEADERSHIP and not again.sent
    assert _copies(inbox) == {LEADERSHIP[0]: 1, LEADERSHIP[1]: 1}  # before: the 252 one was named refused, sent again


@pytest.mark.parametrize("text", ['{"format": 2, "messages": {"ab": {', '{"format": 3, "messages": {}}', "[]"])
def test_a_ledger_that_cannot_be_read_stops_the_send_instead_of_sending_everyone_again(work: Path, text) -> None:
    ledger = work / "reports" / "2020" / ".sent.json"
    ledger.write_text(text, encoding="utf-8")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        with pytest.raises(DeliveryError, match="nothing was sent") as refused:
            send_report(2020, 2019, _config(port), **_paths(work))
    assert refused.value.exit_code == 6 and str(ledger) in str(refused.value)
    assert inbox.envelopes == [] and ledger.read_text(encoding="utf-8") == text


def test_a_refusal_undoes_only_its_own_attempts_not_one_a_killed_send_left(work: Path) -> None:
    from ictanalysis.deliver.ledger import report_mark

    ledger = work / "reports" / "2020" / ".sent.json"
    mark = report_mark(work / "reports" / "2020" / "annual_report.html", 2020, 2019)
    stale = {"address": "cu@stttt.ninhthuan.gov.vn", "state": "attempt", "at": "2026-11-30", "pid": os.getpid()}
    ledger.write_text(json.dumps({"format": 2, "messages": {mark: {stale["address"]: stale}}}), encoding="utf-8")
    with smtp_server(Inbox(data_reply="554 5.7.1 rejected")) as port:  # the same pid, as in a container
        with pytest.raises(DeliveryError, match="refused the message"):
            send_report(2020, 2019, _config(port), **_paths(work), sleep=lambda s: None)
    assert _ledger_entries(work) == {stale["address"]: stale}  # before: removed, so that address was sent again


def test_the_delivery_is_recorded_before_the_goodbye_and_a_maybe_names_whom(work: Path) -> None:
    seen: list = []

    class SlowGoodbye(Inbox):
        async def handle_QUIT(self, server, session, envelope):
            seen.append({e["state"] for e in _ledger_entries(work).values()})  # what a kill now would leave
            return "221 Bye"

    with smtp_server(SlowGoodbye()) as port:
        send_report(2020, 2019, _config(port), **_paths(work))
    assert seen == [{"sent"}]  # before: "attempt" until QUIT was answered, read later as "maybe"
    with smtp_server(SlowInbox(delay=3.0)) as port:
        with pytest.raises(MaybeDeliveredError) as maybe:
            send_report(2020, 2019, _config(port, recipients=ANALYSTS, timeout=1.0), **_paths(work),
                        sleep=lambda s: None)  # fmt: skip
    assert f"(to {ANALYSTS[0]})" in str(maybe.value)


def test_send_message_needs_at_least_one_attempt(work: Path) -> None:
    message = build_email(2020, 2019, **_paths(work))
    with pytest.raises(DeliveryError):
        send_message(message, _config(_free_port()), attempts=0)


def test_the_analysts_get_the_quality_summary(work: Path) -> None:
    folder = work / "reports" / "2020"
    quality = json.loads((folder / "quality/2020-vs-2019.json").read_text(encoding="utf-8"))
    rule = quality["rules"][0]
    rows = [{"indicator": "mobile_subscribers", "area": "582", "operator": "=VNPT<x>", "value": 1234567.0,
             "source_file": "2020/vien-thong.xlsx", "source_sheet": "TB", "source_cell": f"D{12 + i}"}
            for i in range(8)]  # fmt: skip
    rule |= {"success": False, "failed": 8, "rows": rows}
    quality["passed"] = False
    (folder / "quality/2020-vs-2019.json").write_text(json.dumps(quality, ensure_ascii=False), encoding="utf-8")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        eml = send_quality_alert(work / "reports", YearPair(2020, 2019), _config(port), sleep=lambda s: None).eml
        again = send_quality_alert(work / "reports", YearPair(2020, 2019), _config(port), sleep=lambda s: None)
    assert eml == folder / "quality_alert.eml" and eml.is_file()
    assert not again.sent and set(again.already) == set(ANALYSTS)  # the next failed night: not sent again
    assert len(inbox.envelopes) == 1 and inbox.envelopes[0].rcpt_tos == list(ANALYSTS)
    message = _parse(inbox.envelopes[0].original_content)
    assert message["Subject"] == "[ictanalysis] Số liệu năm 2020 không đạt kiểm tra chất lượng: 1 quy tắc lỗi"
    text, markup = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    assert "8/670 dòng không đạt" in text and "2020/vien-thong.xlsx › TB › D12" in text
    assert "1.234.567" in text and "D16" in text and "D17" not in text and "3 dòng khác" in text
    assert "=VNPT&lt;x&gt;" in markup and "<script" not in markup.lower()
    assert [p.get_filename() for p in message.iter_attachments()] == ["2020-vs-2019.html"]


def test_a_failed_gate_writes_a_quality_page_the_alert_can_use(built: Path, tmp_path: Path) -> None:
    data = read_indicators(built / "processed" / "indicators.parquet")
    broken = pd.concat([data, data.head(3)])  # duplicate keys: an error rule fails
    broken.to_parquet(tmp_path / "broken.parquet")
    with pytest.raises(QualityError):
        gate(tmp_path / "broken.parquet", tmp_path / "reports", year=2020, compare_year=2019)
    eml = send_quality_alert(tmp_path / "reports", YearPair(2020, 2019), None).eml
    message = _parse(eml.read_bytes())
    assert "không đạt kiểm tra chất lượng" in message["Subject"] and message["To"] is None


# --- settings -------------------------------------------------------------------------------------


def test_a_recipient_entry_holding_two_addresses_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ictanalysis.toml"
    path.write_text('[mail]\nhost = "h"\nsender = "a@b.vn"\nrecipients = ["c@b.vn, d@b.vn"]\n', encoding="utf-8")
    with pytest.raises(DeliveryError, match="recipients entry 'c@b.vn, d@b.vn' is not one e-mail address"):
        load_mail_config(path, environ={})
    environ = {"ICTANALYSIS_SMTP_RECIPIENTS": "Giám đốc <c@b.vn>, d@b.vn"}  # a list in a variable is split at commas
    assert load_mail_config(path, environ=environ).recipients == ("Giám đốc <c@b.vn>", "d@b.vn")


def test_a_passed_gate_forgets_the_alerts_so_the_same_failure_later_is_sent_again(work: Path) -> None:
    alerts = work / "reports" / "2020" / ".alert-sent.json"
    alerts.write_text('{"format": 2, "messages": {"x": {}}}', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ictanalysis", "validate", "--reports", str(work / "reports"),
                           "--data", str(work / "processed" / "indicators.parquet")], cwd=work, capture_output=True,
                          text=True, encoding="utf-8")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not alerts.exists()


def test_mail_settings_from_file_and_environment(tmp_path: Path) -> None:
    assert load_mail_config(tmp_path / "none.toml", environ={}) is None
    path = tmp_path / "ictanalysis.toml"
    path.write_text('[mail]\nhost = "mail.example.org"\nsender = "a@example.org"\n'
                    'recipients = ["b@example.org"]\nsecurity = "ssl"\nuser = "a"\n', encoding="utf-8")  # fmt: skip
    environ = {"ICTANALYSIS_SMTP_HOST": "smtp.example.org", "ICTANALYSIS_SMTP_ANALYSTS": "c@example.org, d@example.org",
               "ICTANALYSIS_SMTP_PASSWORD": "mật-khẩu-riêng"}  # fmt: skip
    config = load_mail_config(path, environ=environ)
    assert config.host == "smtp.example.org" and config.address == "smtp.example.org:465"
    assert config.analysts == ("c@example.org", "d@example.org") and config.recipients == ("b@example.org",)
    assert config.password == "mật-khẩu-riêng" and "mật-khẩu-riêng" not in repr(config)
    only_env = load_mail_config(tmp_path / "none.toml", environ={"ICTANALYSIS_SMTP_HOST": "h", "ICTANALYSIS_SMTP_SENDER": "s@x",
                                                                 "ICTANALYSIS_SMTP_RECIPIENTS": "r@x"})  # fmt: skip
    assert only_env.recipients == ("r@x",) and only_env.security == "starttls" and only_env.address == "h:587"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[mail]\nhost = "h"\nsender = "s"\nrecipients = ["r"]\nrecipient = ["x"]\n',
            "unknown key in \\[mail\\]: recipient",
        ),
        ('[mail]\nhost = "h"\nsender = "s"\nrecipients = ["r"]\npassword = "x"\n', "must not hold the password"),
        ('[mail]\nhost = "h"\nsender = "s"\nrecipients = ["r"]\nsecurity = "tls"\n', "security must be one of"),
        ('[mail]\nhost = "h"\n', "lack sender, recipients"),
        ("[mail\n", "not valid TOML"),
    ],
)
def test_wrong_mail_settings_are_refused_clearly(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "ictanalysis.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeliveryError, match=message):
        load_mail_config(path, environ={})


# --- the command line -------------------------------------------------------------------------

def _send_cli(work: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    process = _send_process(work, *args, env=env)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_send_without_settings_writes_the_eml_and_says_where(work: Path) -> None:
    done = _send_cli(work, env={})
    assert done.returncode == 0, done.stderr
    assert str(_eml(work)) in done.stdout and "Not sent: no mail settings" in done.stdout and _eml(work).is_file()


def test_the_password_is_never_written_or_printed(work: Path) -> None:
    password = "Mk-7f3e9c-KHONG-lo-Zq81"
    logins = []

    def accept(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == password.encode(), handled=False)

    inbox = Inbox()
    options = {"authenticator": accept, "auth_required": True, "auth_require_tls": False}
    with pytest.warns(UserWarning), smtp_server(inbox, **options) as port:
        env = {"ICTANALYSIS_SMTP_HOST": "127.0.0.1", "ICTANALYSIS_SMTP_PORT": str(port),
               "ICTANALYSIS_SMTP_SECURITY": "none", "ICTANALYSIS_SMTP_USER": "bao-cao",
               "ICTANALYSIS_SMTP_SENDER": SENDER, "ICTANALYSIS_SMTP_RECIPIENTS": ",".join(LEADERSHIP),
               "ICTANALYSIS_SMTP_PASSWORD": password}  # fmt: skip
        first = _send_cli(work, "--year", "2020", "--compare", "2019", env=env)
        second = _send_cli(work, env=env)
        wrong = _send_cli(work, "--resend", env=env | {"ICTANALYSIS_SMTP_PASSWORD": password + "-sai"})
    assert first.returncode == 0, first.stderr
    assert "Sent to giam-doc@stttt.ninhthuan.gov.vn" in first.stdout
    assert second.returncode == 0 and "already sent to" in second.stdout and "use --resend" in second.stdout
    assert wrong.returncode == 6 and "refused the login" in wrong.stderr and str(_eml(work)) in wrong.stderr
    assert len(inbox.envelopes) == 1 and logins[0] == (b"bao-cao", password.encode())
    outputs = [p.stdout + p.stderr for p in (first, second, wrong)]
    assert not [o for o in outputs if password in o]
    leaks = [p for p in work.rglob("*") if p.is_file() and password.encode() in p.read_bytes()]
    assert leaks == []


def test_the_send_command_has_help_and_an_example() -> None:
    from ictanalysis.cli import build_parser

    parser = build_parser()
    send = parser._subparsers._group_actions[0].choices["send"]
    text = send.format_help()
    assert "example:\n  ictanalysis send" in text and "6  report could not be delivered" in text
    assert "--resend" in text and "--config" in text


# --- the email in a browser --------------------------------------------------------------------


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_the_email_renders_with_its_images(work: Path) -> None:
    message = build_email(2020, 2019, **_paths(work))
    folder = work / "email"
    folder.mkdir()
    markup = message.get_body(("html",)).get_content()
    for part in message.walk():
        if part.get_content_type() == "image/png":
            cid = part["Content-ID"].strip().strip("<>")
            (folder / part.get_filename()).write_bytes(part.get_content())
            markup = markup.replace(f"cid:{cid}", part.get_filename())
    assert "cid:" not in markup
    (folder / "email.html").write_text(markup, encoding="utf-8")
    with open_page(folder / "email.html", screenshot=SCREENSHOT, width=760) as opened:
        widths = opened.page.evaluate("Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth])")
        assert len(widths) == 6 and all(width > 0 for _, width in widths), widths
        assert opened.page.locator("h1").inner_text().startswith("Báo cáo số liệu ngành")
        assert opened.blocked_requests == [] and opened.page_errors == []
        assert opened.page.evaluate("document.scripts.length") == 0


def test_an_email_in_another_language_than_its_report_is_refused(work: Path) -> None:
    with pytest.raises(DeliveryError, match=r"is in 'vi' and the email would be in 'en': send it with --language vi"):
        send_report(2020, 2019, None, **_paths(work), language="en")


def test_the_report_page_records_what_it_was_made_from(work: Path) -> None:
    import hashlib

    made = read_made_from(work / "reports" / "2020" / "annual_report.html")
    table = hashlib.sha256((work / "processed" / "indicators.parquet").read_bytes()).hexdigest()
    assert made == {"year": "2020", "compare-year": "2019", "province": "58", "table-sha256": table}


def test_a_report_of_another_pair_is_not_sent(work: Path) -> None:
    with pytest.raises(DeliveryError, match=r"is 2020 vs 2019 \(province 58\), not 2020 vs 2018 \(province 58\): "
                                            r"run `ictanalysis report --year 2020 --compare-year 2018` first"):
        send_report(2020, 2018, None, **_paths(work))
    assert not (work / "reports" / "2020" / "annual_report.eml").exists()


def test_a_report_made_from_another_table_is_not_sent(work: Path) -> None:
    data = work / "processed" / "indicators.parquet"
    table = read_indicators(data)
    table.loc[table.index[0], "value"] += 1  # cleaned again from a corrected workbook after the report was built
    table.to_parquet(data, index=False)
    with pytest.raises(DeliveryError, match="was made from another tidy table"):
        send_report(2020, 2019, None, **_paths(work))


def test_a_page_that_says_nothing_of_what_it_was_made_from_is_not_sent(work: Path) -> None:
    (work / "reports" / "2020" / "annual_report.html").write_text('<html lang="vi"><body>2020</body></html>', "utf-8")
    with pytest.raises(DeliveryError, match="does not say what it was made from"):
        send_report(2020, 2019, None, **_paths(work))


def test_the_subject_names_the_province_once_in_each_language(work: Path) -> None:
    vi, en = (build_email(2020, 2019, **_paths(work), language=language) for language in ("vi", "en"))
    assert vi["Subject"] == "Báo cáo số liệu ngành Thông tin và Truyền thông năm 2020 – Tỉnh Ninh Thuận (so sánh với năm 2019)"
    assert en["Subject"] == "Information and communications figures, 2020 – Ninh Thuan (compared with 2019)"
    text = vi.get_body(("plain",)).get_content()
    assert "Tỉnh Ninh Thuận · so sánh với năm 2019" in text and "Tỉnh Tỉnh" not in text
