"""The deliver stage: the report as an email leadership can read, written as .eml or sent by SMTP.

:func:`build_email` writes the email from the same computed figures as the
report (:func:`ictanalysis.compare.compare`, :mod:`ictanalysis.narrative`):
HTML that mail clients render (no script, CSS inlined into ``style``
attributes by css-inline, tables for layout), the charts as PNG parts of a
multipart/related message referenced by Content-ID, a plain-text
alternative, and two attachments: the full HTML report and the tidy table as
an Excel workbook. Everything taken from the data is escaped, its control and
bidirectional-override characters written out
(:func:`~ictanalysis.text.visible_text`) in the HTML and the plain text alike.

Size: the charts are rasterised once more from their SVG at screen size
(about 0.5 MB for the six, against 1.3 MB for the print-size PNGs), and the
report is attached as ``annual_report.html`` when the whole message stays
under :data:`MAX_BYTES`, otherwise zipped (its embedded Vega bundle makes it
about 1 MB, 0.3 MB zipped).

:func:`send_message` sends through SMTP with STARTTLS or SSL, retrying
temporary failures (connection refused, 4xx) with exponential backoff and
stopping at once on permanent ones (5xx, authentication, no STARTTLS).
:func:`send_report` writes ``reports/<year>/annual_report.eml`` first, so the
message is on disk whatever happens, and records a successful send in
``.sent.json`` so a re-run never sends the same report twice.

The SMTP password is read from an environment variable (named in the
configuration, ``ICTANALYSIS_SMTP_PASSWORD`` by default); it is never written
to a file and never printed.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import html
import io
import json
import math
import os
import re
import secrets
import smtplib
import ssl
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.errors import ExitCode, IctAnalysisError
from ictanalysis.text import FORMULA_STARTS, visible_text

__all__ = [
    "CHARTS",
    "MAX_BYTES",
    "DeliveryError",
    "MailConfig",
    "SendResult",
    "build_email",
    "fingerprint",
    "load_mail_config",
    "quality_alert",
    "send_message",
    "send_quality_alert",
    "send_report",
    "tidy_workbook",
    "write_eml",
]

MAX_BYTES = 2_000_000
# The charts the email shows, in this order, with their caption's label (ictanalysis.present).
CHARTS = (
    ("headline_change", "change_chart"),
    ("mobile_share", "mobile_share"),
    ("fixed_broadband_by_district", "fixed_broadband_by_district"),
    ("bts_4g_by_district", "bts_4g_by_district"),
    ("level4_by_agency", "level4_by_agency"),
    ("postal_revenue_share", "postal_revenue_share"),
)
EMAIL_WIDTH = 640
PASSWORD_ENV = "ICTANALYSIS_SMTP_PASSWORD"
SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# Control characters that XML 1.0, hence a worksheet, cannot hold.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

_WORDS = {
    "subject": ("{title} – {province} (so sánh với năm {cy})", "{title} – {province} (compared with {cy})"),
    "intro": ("Kính gửi Lãnh đạo Sở,", "Dear director,"),
    "lead": ("Sau đây là những con số chính năm {year} so với năm {cy}, tính từ các báo cáo gửi về Sở.",
             "Here are the main figures of {year} compared with {cy}, computed from the reports sent to the department."),
    "attached": ("Đính kèm: báo cáo đầy đủ ({report}, mở bằng trình duyệt) và bảng số liệu ({table}) "
                 "ghi rõ nguồn của từng số liệu (tệp › trang tính › ô).",
                 "Attached: the full report ({report}, open it in a browser) and the data table ({table}) "
                 "naming the source of every figure (file › sheet › cell)."),
    "generated": ("Thư được tạo tự động bởi ictanalysis lúc {when}.", "Sent automatically by ictanalysis at {when}."),
    "alert_subject": ("[ictanalysis] Số liệu năm {year} không đạt kiểm tra chất lượng: {n} quy tắc lỗi",
                      "[ictanalysis] The {year} data failed the quality gate: {n} rules failed"),
    "alert_lead": ("Kiểm tra chất lượng số liệu năm {year} (so sánh với năm {cy}) không đạt; "
                   "báo cáo chưa được gửi cho Lãnh đạo. {checked} dòng số liệu đã được kiểm tra.",
                   "The quality gate for {year} (compared with {cy}) failed; nothing was sent to leadership. "
                   "{checked} rows were checked."),
    "alert_rule": ("{severity}: {description} — {failed}/{checked} dòng không đạt.",
                   "{severity}: {description} — {failed} of {checked} rows failed."),
    "alert_more": ("… và {n} dòng khác (xem quality.html đính kèm).", "… and {n} more rows (see the attached quality.html)."),
    "alert_page": ("Chi tiết: quality.html đính kèm.", "Details: the attached quality.html."),
    "error": ("Lỗi", "Error"),
    "warning": ("Cảnh báo", "Warning"),
}  # fmt: skip


def _w(key: str, language: str) -> str:
    return _WORDS[key][0 if language == "vi" else 1]


class DeliveryError(IctAnalysisError):
    """The report could not be delivered; the .eml stays on disk."""

    exit_code = ExitCode.DELIVERY


class _Temporary(Exception):
    """A failure worth retrying (connection refused, a 4xx answer); carries the message."""


# --- configuration --------------------------------------------------------------------------


@dataclass(frozen=True)
class MailConfig:
    """Where and how to send: the ``[mail]`` table of ``ictanalysis.toml``, overridden by the environment.

    The password is never in the file: it is read from the environment
    variable named by `password_env` and kept out of ``repr``.
    """

    host: str
    sender: str
    recipients: tuple[str, ...]
    analysts: tuple[str, ...] = ()
    port: int = 0  #: 0: the usual port of `security` (587, 465 or 25)
    security: str = "starttls"  #: "starttls", "ssl" or "none"
    user: str = ""
    password_env: str = PASSWORD_ENV
    password: str = field(default="", repr=False, compare=False)
    timeout: float = 30.0
    cafile: str = ""  #: a CA bundle to trust instead of the system's (a private mail server)

    def __post_init__(self) -> None:
        if self.security not in SECURITY_PORTS:
            raise DeliveryError(f"mail security must be one of {', '.join(SECURITY_PORTS)}, not {self.security!r}")
        if not self.host or not self.sender or not self.recipients:
            raise DeliveryError("the [mail] settings need host, sender and recipients (see README: Delivery)")

    @property
    def address(self) -> str:
        """Return "host:port" with the port filled in."""
        return f"{self.host}:{self.port or SECURITY_PORTS[self.security]}"


_KEYS = {f.name for f in fields(MailConfig)} - {"password"}
_ENV_PREFIX = "ICTANALYSIS_SMTP_"


def load_mail_config(
    path: Path = Path("ictanalysis.toml"), environ: Mapping[str, str] | None = None
) -> MailConfig | None:
    """Read the ``[mail]`` table of `path`, let ``ICTANALYSIS_SMTP_*`` variables override it.

    Returns None when there is neither a file nor a variable: the email is
    then written as .eml only. Variables: ``ICTANALYSIS_SMTP_HOST``, ``_PORT``,
    ``_SECURITY``, ``_USER``, ``_SENDER``, ``_RECIPIENTS`` and ``_ANALYSTS``
    (comma-separated), ``_TIMEOUT``, ``_CAFILE``, ``_PASSWORD_ENV``; the password
    itself in ``ICTANALYSIS_SMTP_PASSWORD`` (or the variable `password_env` names).

    Raises:
        DeliveryError: an unknown key, a password in the file, a wrong value.
    """
    environ = os.environ if environ is None else environ
    values = _file_values(Path(path)) | _env_values(environ)
    if not values:
        return None
    for key in ("recipients", "analysts"):
        if isinstance(values.get(key), str):
            values[key] = [a.strip() for a in values[key].split(",") if a.strip()]
    try:
        typed = {k: tuple(v) if k in ("recipients", "analysts") else v for k, v in values.items()}
        typed["port"] = int(typed.get("port", 0))
        typed["timeout"] = float(typed.get("timeout", 30.0))
    except (TypeError, ValueError) as exc:
        raise DeliveryError(f"mail settings: {exc}") from None
    missing = [key for key in ("host", "sender", "recipients") if not typed.get(key)]
    if missing:
        raise DeliveryError(f"the mail settings lack {', '.join(missing)} (see README: Delivery)")
    password = environ.get(typed.get("password_env", PASSWORD_ENV), "")
    return MailConfig(**typed, password=password)


def _file_values(path: Path) -> dict:
    if not path.is_file():
        return {}
    import tomllib

    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("mail", {})
    except tomllib.TOMLDecodeError as exc:
        raise DeliveryError(f"{path}: not valid TOML: {exc}") from None
    if "password" in table:
        raise DeliveryError(f"{path}: [mail] must not hold the password; put it in the environment variable "
                            f"{table.get('password_env', PASSWORD_ENV)}")  # fmt: skip
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise DeliveryError(f"{path}: unknown key{'s' if len(unknown) > 1 else ''} in [mail]: {', '.join(unknown)}; "
                            f"known keys: {', '.join(sorted(_KEYS))}")  # fmt: skip
    return dict(table)


def _env_values(environ: Mapping[str, str]) -> dict:
    return {key: environ[_ENV_PREFIX + key.upper()] for key in _KEYS if environ.get(_ENV_PREFIX + key.upper())}


# --- the email ------------------------------------------------------------------------------


def build_email(
    year: int,
    compare_year: int,
    *,
    reports: Path = Path("reports"),
    data: Path = Path("data/processed/indicators.parquet"),
    province: str = "58",
    language: str = "vi",
    config: MailConfig | None = None,
    max_bytes: int = MAX_BYTES,
) -> EmailMessage:
    """Return the email of the report of `year` compared with `compare_year`.

    Reads the tidy table at `data`, the report and the charts in
    ``reports/<year>/``; writes nothing. Without `config` the message has no
    sender and no recipients (an .eml to open and forward by hand).

    Raises:
        DeliveryError: the report is not there (run ``ictanalysis report`` first).
    """
    from ictanalysis.compare import compare
    from ictanalysis.tidy import read_indicators

    folder = Path(reports) / str(year)
    report = _report_path(folder)
    table = read_indicators(Path(data))
    cmp = compare(table, year, compare_year, province)
    charts = _chart_images(folder / "charts")
    content = _content(cmp, language)
    workbook = tidy_workbook(table)
    for zipped in (False, True):
        message = _message(content, charts, report, workbook, language, config, zipped)
        if len(message.as_bytes()) <= max_bytes:
            break
    return message


def _report_path(folder: Path) -> Path:
    report = folder / "annual_report.html"
    if not report.is_file():
        raise DeliveryError(f"no report at {report}: run `ictanalysis report` first")
    return report


@dataclass(frozen=True)
class _Chart:
    name: str
    label: str
    png: bytes
    width: int
    height: int
    cid: str


def _chart_images(charts: Path) -> list[_Chart]:
    """Return the charts that exist, as screen-size PNGs (from the SVG when there is one)."""
    images = []
    for name, label in CHARTS:
        png = _screen_png(charts / f"{name}.svg", charts / f"{name}.png")
        if png is None:
            continue
        width, height = _png_size(png)
        images.append(_Chart(name, label, png, width, height, f"<{name}.{secrets.token_hex(6)}@ictanalysis.invalid>"))
    return images


def _screen_png(svg: Path, png: Path) -> bytes | None:
    if svg.is_file():
        import vl_convert

        return vl_convert.svg_to_png(svg.read_text(encoding="utf-8"), scale=1)
    return png.read_bytes() if png.is_file() else None


def _png_size(png: bytes) -> tuple[int, int]:
    """Return a PNG's width and height from its header.

    >>> _png_size(bytes(16) + (640).to_bytes(4, "big") + (480).to_bytes(4, "big"))
    (640, 480)
    """
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@dataclass(frozen=True)
class _Content:
    """The words and figures of the email, shared by the HTML and the plain text."""

    subject: str
    title: str
    subtitle: str
    intro: str
    lead: str
    sentences: list[str]
    table_html: str
    table_rows: list[list[str]]
    language: str


def _content(cmp, language: str) -> _Content:
    from ictanalysis.narrative import headline_sentences
    from ictanalysis.present import CHANGE_COLUMNS, label, table_markup

    year, cy = cmp.year, cmp.compare_year
    title = label("title", language, year=year)
    province = cmp.province_name
    headline = cmp.headline(language)
    rows = [[row["name"], row["unit"], *_formatted(row, language)] for _, row in headline.iterrows()]
    return _Content(
        subject=_w("subject", language).format(title=title, province=province, cy=cy),
        title=title,
        subtitle=label("subtitle", language, province=province, compare_year=cy),
        intro=_w("intro", language),
        lead=_w("lead", language).format(year=year, cy=cy),
        sentences=headline_sentences(cmp, language),
        table_html=table_markup(headline, CHANGE_COLUMNS, language, sources=False),
        table_rows=rows,
        language=language,
    )


def _formatted(row, language: str) -> list[str]:
    from ictanalysis.formatting import format_number
    from ictanalysis.present import change_text

    return [format_number(row["value_before"], language), format_number(row["value"], language),
            change_text(row, language)]  # fmt: skip


def _message(
    content: _Content, charts, report: Path, workbook: bytes, language: str, config, zipped: bool
) -> EmailMessage:
    report_name = "annual_report.html.zip" if zipped else "annual_report.html"
    table_name = "indicators.xlsx"
    attached = _w("attached", language).format(report=report_name, table=table_name)
    generated = _w("generated", language).format(when=dt.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M"))
    message = _headers(content.subject, config, config.recipients if config else ())
    message.set_content(_plain_text(content, attached, generated))
    message.add_alternative(_email_html(content, charts, attached, generated), subtype="html")
    related = message.get_payload()[1]
    for chart in charts:
        related.add_related(
            chart.png, "image", "png", cid=chart.cid, filename=f"{chart.name}.png", disposition="inline"
        )
    data = report.read_bytes()
    if zipped:
        message.add_attachment(_zip("annual_report.html", data), "application", "zip", filename=report_name)
    else:
        message.add_attachment(data, "text", "html", filename=report_name)
    message.add_attachment(workbook, *XLSX_TYPE, filename=table_name)
    return message


def _headers(subject: str, config: MailConfig | None, to: Sequence[str]) -> EmailMessage:
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = subject
    if config is not None:
        message["From"] = config.sender
        if to:
            message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] if config else "ictanalysis.invalid")
    return message


def _plain_text(content: _Content, attached: str, generated: str) -> str:
    headings = _table_headings(content.language)
    table = [" | ".join(headings)] + [" | ".join(row) for row in content.table_rows]
    parts = [content.intro, "", content.title, content.subtitle, "", content.lead, "",
             *(f"- {s}" for s in content.sentences), "", *table, "", attached, "", generated]  # fmt: skip
    return visible_text("\n".join(parts) + "\n")


def _table_headings(language: str) -> list[str]:
    from ictanalysis.present import CHANGE_COLUMNS

    return [labels[0 if language == "vi" else 1] for labels in CHANGE_COLUMNS.values()]


def _email_html(content: _Content, charts, attached: str, generated: str) -> str:
    """Render the template and inline its CSS into style attributes (no <style> left)."""
    import css_inline
    import jinja2
    from markupsafe import Markup

    from ictanalysis.present import label

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("ictanalysis", "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
        finalize=visible_text,
    )
    images = [{"cid": c.cid[1:-1], "caption": label(c.label, content.language), "alt": label(c.label, content.language),
               "width": min(c.width, EMAIL_WIDTH - 40)} for c in charts]  # fmt: skip
    page = environment.get_template("email.html.j2").render(
        c=content, table=Markup(content.table_html), charts=images, attached=attached, generated=generated,
        width=EMAIL_WIDTH,
    )  # fmt: skip
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False).inline(page)


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def tidy_workbook(table) -> bytes:
    """Return the tidy table as an .xlsx workbook, every text cell kept as text.

    A text cell that a spreadsheet would run as a formula (starting with
    ``=``, ``+``, ``-``, ``@``, tab or carriage return) is stored as a string
    with Excel's quote prefix, so it shows as typed and never computes.

    >>> import pandas as pd, openpyxl
    >>> book = openpyxl.load_workbook(io.BytesIO(tidy_workbook(pd.DataFrame({"a": ["=1+1"], "b": [2.5]}))))
    >>> cell = book.active["A2"]
    >>> cell.value, cell.data_type, cell.quotePrefix, book.active["B2"].value
    ('=1+1', 's', True, 2.5)
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("indicators")
    sheet.freeze_panes = "A2"
    sheet.append([str(c) for c in table.columns])
    for row in table.itertuples(index=False):
        sheet.append([_cell_value(sheet, value, WriteOnlyCell) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_value(sheet, value, cell_type):
    """Return what to append for one value: None for missing, a quote-prefixed text cell for formula-like text.

    Control characters a worksheet cannot hold (ESC in a file name…) are written out as ``\\x1b``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = _NOT_IN_XML.sub(lambda found: visible_text(found.group()), value)
        if not value.startswith(FORMULA_STARTS):
            return value
        cell = cell_type(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value.item() if hasattr(value, "item") else value


def write_eml(message: EmailMessage, path: Path) -> Path:
    """Write `message` to `path` as an .eml file, atomically (a reader never sees half of it)."""
    data = message.as_bytes(policy=email.policy.SMTP)
    return write_atomically(Path(path), lambda p: p.write_bytes(data))


# --- sending --------------------------------------------------------------------------------


def send_message(
    message: EmailMessage,
    config: MailConfig,
    *,
    attempts: int = 4,
    backoff: float = 1.0,
    sleep: Callable[[float], object] = time.sleep,
    context: ssl.SSLContext | None = None,
    to: Sequence[str] | None = None,
) -> dict:
    """Send `message` through the SMTP server of `config`, retrying temporary failures.

    A temporary failure (connection refused or reset, a 4xx answer, the
    server hanging up) is retried up to `attempts` tries in all, waiting
    `backoff`, 2×`backoff`, 4×`backoff`… seconds between them. A permanent
    one (a 5xx answer, a refused login, no STARTTLS when it is required, a
    TLS certificate that does not verify) stops at once.

    Returns the recipients the server refused while accepting others ({} normally).

    Raises:
        DeliveryError: the message could not be sent; the text says why.
    """
    recipients = list(to if to is not None else config.recipients)
    for attempt in range(1, attempts + 1):
        try:
            return _send_once(message, config, recipients, context)
        except _Temporary as exc:
            if attempt == attempts:
                raise DeliveryError(
                    f"could not send through {config.address} after {attempts} attempts: {exc}"
                ) from None
            sleep(backoff * 2 ** (attempt - 1))
    raise DeliveryError("attempts must be at least 1")


def _send_once(message: EmailMessage, config: MailConfig, recipients: list[str], context) -> dict:
    try:
        with _connect(config, context) as smtp:
            if config.user:
                _login(smtp, config)
            return smtp.send_message(message, from_addr=config.sender, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{config.address} refused the login of user {config.user!r} ({_answer(exc)}); "
                            f"check the user and the password in ${config.password_env}") from None  # fmt: skip
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _ in exc.recipients.values()}
        text = "; ".join(f"{who}: {code} {decode_reply(why)}" for who, (code, why) in exc.recipients.items())
        if all(400 <= code < 500 for code in codes):
            raise _Temporary(f"recipients refused for now ({text})") from None
        raise DeliveryError(f"{config.address} refused the recipients: {text}") from None
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise _Temporary(f"{config.address} answered {_answer(exc)}") from None
        raise DeliveryError(f"{config.address} refused the message: {_answer(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{config.address}: {exc}") from None
    except smtplib.SMTPServerDisconnected as exc:
        raise _Temporary(f"{config.address} closed the connection ({exc or 'no reason given'})") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{config.address}: {exc}") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with {config.address} failed: {exc}") from None
    except OSError as exc:
        raise _Temporary(f"cannot reach {config.address}: {exc.strerror or exc}") from None


def _login(smtp: smtplib.SMTP, config: MailConfig) -> None:
    try:
        smtp.login(config.user, config.password)
    except UnicodeEncodeError:
        # smtplib sends credentials as ASCII only; say so without echoing them.
        raise DeliveryError(
            f"the user or the password (${config.password_env}) has a character outside ASCII, "
            "which Python's smtplib cannot send; use an ASCII password for the mail account"
        ) from None


def _connect(config: MailConfig, context) -> smtplib.SMTP:
    port = config.port or SECURITY_PORTS[config.security]
    if config.security == "ssl":
        return smtplib.SMTP_SSL(config.host, port, timeout=config.timeout, context=context or _context(config))
    smtp = smtplib.SMTP(config.host, port, timeout=config.timeout)
    try:
        if config.security == "starttls":
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise DeliveryError(f"{config.address} does not offer STARTTLS, which the settings require "
                                    "(security = \"starttls\"); refusing to send the password and the report "
                                    "unencrypted. Use security = \"ssl\" with port 465 if the server speaks TLS "
                                    "from the start.")  # fmt: skip
            smtp.starttls(context=context or _context(config))
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _context(config: MailConfig) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=config.cafile or None)


def _answer(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {decode_reply(exc.smtp_error)}"


def decode_reply(text) -> str:
    """Return an SMTP server's reply text as str."""
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


# --- the report's delivery, once per run ---------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    """What :func:`send_report` did: where the .eml is, whether it was sent now, and when before."""

    eml: Path
    size_bytes: int
    sent: bool = False
    already_sent: str = ""  #: the date of an earlier send of the same report, when skipped
    refused: dict = field(default_factory=dict)


def fingerprint(report: Path, recipients: Sequence[str], year: int, compare_year: int) -> str:
    """Return the sha256 that identifies one delivery: the report's bytes, the recipients, the years."""
    digest = hashlib.sha256(Path(report).read_bytes())
    digest.update(("\n".join(sorted(recipients)) + f"\n{year}/{compare_year}").encode())
    return digest.hexdigest()


def send_report(
    year: int,
    compare_year: int,
    config: MailConfig | None,
    *,
    reports: Path = Path("reports"),
    data: Path = Path("data/processed/indicators.parquet"),
    province: str = "58",
    language: str = "vi",
    resend: bool = False,
    **sending,
) -> SendResult:
    """Write ``reports/<year>/annual_report.eml`` and, with `config`, send it unless already sent.

    After a successful send ``reports/<year>/.sent.json`` records the
    :func:`fingerprint`; the same report to the same recipients is not sent
    again unless `resend`. `sending` goes to :func:`send_message`.

    Raises:
        DeliveryError: the report is missing or the message could not be sent (the .eml is written first).
    """
    folder = Path(reports) / str(year)
    eml = folder / "annual_report.eml"
    mark = fingerprint(_report_path(folder), config.recipients, year, compare_year) if config else ""
    earlier = _sent_before(folder / ".sent.json", mark) if config and not resend else ""
    if earlier and eml.is_file():  # already sent, and the .eml of that send is on disk: nothing to do
        return SendResult(eml, eml.stat().st_size, already_sent=earlier)
    message = build_email(year, compare_year, reports=reports, data=data, province=province, language=language,
                          config=config)  # fmt: skip
    write_eml(message, eml)
    size = eml.stat().st_size
    if config is None:
        return SendResult(eml, size)
    if earlier:
        return SendResult(eml, size, already_sent=earlier)
    refused = send_message(message, config, **sending)
    _record_sent(folder / ".sent.json", mark, message, config)
    return SendResult(eml, size, sent=True, refused=refused)


def _sent_before(path: Path, mark: str) -> str:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return record.get("sent_at", "?") if record.get("fingerprint") == mark else ""


def _record_sent(path: Path, mark: str, message: EmailMessage, config: MailConfig) -> None:
    record = {"fingerprint": mark, "sent_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
              "message_id": str(message["Message-ID"]), "recipients": list(config.recipients)}  # fmt: skip
    text = json.dumps(record, ensure_ascii=False, indent=1)
    write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))


# --- the analysts' alert ---------------------------------------------------------------------

ALERT_ROWS = 5


def quality_alert(
    quality_json: dict, config: MailConfig | None, language: str = "vi", *, page: Path | None = None
) -> EmailMessage:
    """Return the email that tells the analysts the quality gate failed: the failed rules and rows.

    `quality_json` is ``reports/<year>/quality.json`` read back; `page`, when
    given, is attached (``quality.html``). Addressed to ``config.analysts``.
    """
    rules = [r for r in quality_json.get("rules", []) if not r.get("success", True)]
    errors = [r for r in rules if r.get("severity") == "error"]
    year, cy = quality_json.get("year"), quality_json.get("compare_year")
    subject = _w("alert_subject", language).format(year=year, n=len(errors))
    lead = _w("alert_lead", language).format(year=year, cy=cy, checked=quality_json.get("checked_rows", "?"))
    blocks = [
        (_rule_line(rule, language), _rule_rows(rule, language))
        for rule in errors + [r for r in rules if r not in errors]
    ]
    message = _headers(subject, config, config.analysts if config else ())
    lines = [lead, ""] + [line for head, rows in blocks for line in (head, *(f"  - {r}" for r in rows), "")]
    message.set_content(visible_text("\n".join([*lines, _w("alert_page", language)]) + "\n"))
    message.add_alternative(_alert_html(lead, blocks, language), subtype="html")
    if page is not None and Path(page).is_file():
        message.add_attachment(Path(page).read_bytes(), "text", "html", filename="quality.html")
    return message


def _rule_line(rule: dict, language: str) -> str:
    description = rule.get("description_vi" if language == "vi" else "description_en") or rule.get("id", "")
    severity = _w("error" if rule.get("severity") == "error" else "warning", language)
    return _w("alert_rule", language).format(severity=severity, description=description.rstrip("."),
                                             failed=rule.get("failed", 0), checked=rule.get("checked", 0))  # fmt: skip


def _rule_rows(rule: dict, language: str) -> list[str]:
    rows = rule.get("rows") or []
    shown = [_row_text(row, language) for row in rows[:ALERT_ROWS]]
    more = len(rows) - ALERT_ROWS
    return shown + ([_w("alert_more", language).format(n=more)] if more > 0 else [])


def _row_text(row: dict, language: str) -> str:
    from ictanalysis.formatting import format_number

    what = ", ".join(str(row[k]) for k in ("indicator", "area", "operator", "agency") if row.get(k))
    value = format_number(row["value"], language) if isinstance(row.get("value"), (int, float)) else ""
    cells = [" › ".join(str(row.get(f"source_{p}{s}")) for p in ("file", "sheet", "cell"))
             for s in ("_before", "") if all(row.get(f"source_{p}{s}") for p in ("file", "sheet", "cell"))]  # fmt: skip
    parts = [what or "–", *([value] if value else []), *(["(" + "; ".join(cells) + ")"] if cells else [])]
    return " ".join(parts)


def _alert_html(lead: str, blocks, language: str) -> str:
    import css_inline

    def escape(text: str) -> str:
        return html.escape(visible_text(text))

    items = "".join(
        f"<h3>{escape(head)}</h3><ul>{''.join(f'<li>{escape(r)}</li>' for r in rows)}</ul>" for head, rows in blocks
    )
    page = (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><style>'
            "body{font-family:Arial,'Liberation Sans',sans-serif;color:#1a1a1a;font-size:14px}"
            "h3{font-size:15px;color:#9b1c1c;margin:16px 0 4px}li{margin:2px 0}</style></head>"
            f"<body><p>{escape(lead)}</p>{items}<p>{escape(_w('alert_page', language))}</p></body></html>")  # fmt: skip
    return css_inline.CSSInliner(load_remote_stylesheets=False).inline(page)


def send_quality_alert(reports: Path, year: int, config: MailConfig | None, language: str = "vi", **sending) -> Path:
    """Write ``reports/<year>/quality_alert.eml`` from the gate's result and send it to the analysts.

    Returns the .eml's path. Without `config` nothing is sent.

    Raises:
        DeliveryError: there is no quality.json, no analyst to send to, or the message could not be sent.
    """
    from ictanalysis.quality import read_quality

    folder = Path(reports) / str(year)
    quality = read_quality(folder / "quality.json")
    if quality is None:
        raise DeliveryError(f"no quality result at {folder / 'quality.json'}: run `ictanalysis validate` first")
    message = quality_alert(quality, config, language, page=folder / "quality.html")
    eml = write_eml(message, folder / "quality_alert.eml")
    if config is not None:
        if not config.analysts:
            raise DeliveryError(f"no analysts in the [mail] settings to send the quality alert to; it is in {eml}")
        send_message(message, config, to=config.analysts, **sending)
    return eml


# --- command line -----------------------------------------------------------------------------
