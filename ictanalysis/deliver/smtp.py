"""Send one message through SMTP with STARTTLS or SSL, retrying temporary failures and stopping at permanent ones.

A temporary failure (connection refused or reset, a 4xx answer, the server
hanging up) is retried with exponential backoff; a permanent one (a 5xx answer,
a refused login, no STARTTLS when it is required, a TLS certificate that does
not verify) stops at once. The password comes from the mail settings, which
read it from the environment; it is never written and never printed.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from ictanalysis.errors import DeliveryError, MaybeDeliveredError
from ictanalysis.settings import SECURITY_PORTS, MailConfig

__all__ = ["Hooks", "decode_reply", "send_message"]


class _Temporary(Exception):
    """A failure worth retrying (connection refused, a 4xx answer); carries the message and, when the
    server refused every recipient for now, its answer for each (`answers`)."""

    def __init__(self, text: str, answers: dict | None = None) -> None:
        super().__init__(text)
        self.answers = answers or {}


class _Tracking:
    """An SMTP connection that knows which recipients the server accepted and whether the whole message went out."""

    message_sent = False
    #: called just before the DATA command with the recipients the server accepted (the ledger's attempt)
    before_data: Callable[[list[str]], object] | None = None
    _in_data = False

    def mail(self, sender, options=()):
        """Begin a transaction as smtplib does: no recipient accepted yet."""
        self.accepted: list[str] = []
        self.turned_away: dict[str, tuple] = {}
        return super().mail(sender, options)

    def rcpt(self, recip, options=()):
        """Name a recipient as smtplib does, noting whether the server took it (any 2xx: 250, 251, 252…)."""
        answer = super().rcpt(recip, options)
        if 200 <= answer[0] < 300:
            self.accepted.append(recip)
        else:
            self.turned_away[recip] = answer
        return answer

    def data(self, msg):
        """Send the message as smtplib does, noting when its end has been written to the server."""
        if self.before_data is not None:
            self.before_data(list(self.accepted))
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s):
        """Write `s`; the end of the data ("\\r\\n.\\r\\n") marks the message as sent, answered or not."""
        super().send(s)
        end = b"\r\n.\r\n" if isinstance(s, bytes) else "\r\n.\r\n"
        if self._in_data and s.endswith(end):
            self.message_sent = True


class _SMTP(_Tracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_Tracking, smtplib.SMTP_SSL):  # noqa: N801 - smtplib's name
    pass


@dataclass
class Hooks:
    """What :func:`send_message` tells its caller as it goes, to keep a ledger of who received what.

    `before_data(accepted)` runs just before an attempt's data goes out, with the recipients the
    server accepted; `delivered(recipients)` once the server took the message for them;
    `refused()` when the server refused the message after its data (before waiting to retry).
    """

    before_data: Callable[[list[str]], object] | None = None
    delivered: Callable[[list[str]], object] = lambda recipients: None
    refused: Callable[[], object] = lambda: None


def send_message(
    message: EmailMessage,
    config: MailConfig,
    *,
    attempts: int = 4,
    backoff: float = 1.0,
    sleep: Callable[[float], object] = time.sleep,
    context: ssl.SSLContext | None = None,
    to: Sequence[str] | None = None,
    hooks: Hooks | None = None,
) -> dict:
    """Send `message` through the SMTP server of `config` to `to` (default: its recipients), retrying temporary failures.

    A temporary failure (connection refused or reset, a 4xx answer, the server hanging up) is retried
    up to `attempts` tries in all, waiting `backoff`, 2×`backoff`, 4×`backoff`… seconds between them;
    recipients refused for now (4xx) while others were accepted are tried again alone. A permanent
    failure (a 5xx answer, a refused login, no STARTTLS when it is required, a TLS certificate that
    does not verify) stops at once. A timeout or a lost connection once the whole message went out
    is not retried: the server may have taken it. `hooks` hear each step.

    Returns the recipients the server did not take while taking it for others, with its answer
    (code and text; the code is None when the last try failed as a whole); {} normally.

    Raises:
        DeliveryError: the message reached no one; the text says why.
        MaybeDeliveredError: the whole message went out but its answer did not come back.
    """
    pending = list(to if to is not None else config.recipients)
    return _Attempts(message, config, context, hooks or Hooks()).run(pending, attempts, backoff, sleep)


@dataclass
class _Attempts:
    """The tries of one :func:`send_message`: who is still to be reached, who was refused."""

    message: EmailMessage
    config: MailConfig
    context: ssl.SSLContext | None
    hooks: Hooks

    def run(self, pending: list[str], attempts: int, backoff: float, sleep) -> dict:
        refused: dict = {}
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                answer = _send_once(self.message, self.config, pending, self.context, self.hooks)
            except (_Temporary, DeliveryError) as exc:
                if isinstance(exc, MaybeDeliveredError) or (isinstance(exc, DeliveryError) and not refused):
                    raise
                self.hooks.refused()
                if isinstance(exc, _Temporary) and not last:
                    sleep(backoff * 2 ** (attempt - 1))
                    continue
                if not refused:  # a temporary failure every time, and nobody has it
                    raise DeliveryError(
                        f"could not send through {self.config.address} after {attempts} attempts: {exc}") from None
                return refused | {r: (None, str(exc)) for r in pending} | getattr(exc, "answers", {})
            taken = [r for r in pending if r not in answer]
            refused = {r: v for r, v in refused.items() if r not in taken} | answer
            pending = [r for r, (code, _) in answer.items() if 400 <= code < 500]
            if not pending or last:
                return refused
            sleep(backoff * 2 ** (attempt - 1))
        raise DeliveryError("attempts must be at least 1")


def _send_once(message: EmailMessage, config: MailConfig, recipients: list[str], context, hooks: Hooks) -> dict:
    try:
        return _deliver(message, config, recipients, context, hooks)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{config.address} refused the login of user {config.user!r} ({_answer(exc)}); "
                            f"check the user and the password in ${config.password_env}") from None  # fmt: skip
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _ in exc.recipients.values()}
        text = "; ".join(f"{who}: {code} {decode_reply(why)}" for who, (code, why) in exc.recipients.items())
        if all(400 <= code < 500 for code in codes):
            raise _Temporary(f"recipients refused for now ({text})", exc.recipients) from None
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


def _deliver(message: EmailMessage, config: MailConfig, recipients: list[str], context, hooks: Hooks) -> dict:
    """Connect, log in and send; return the recipients the server did not take, with its answer.

    The delivery is told (`hooks.delivered`) as soon as the server answers the data, before the
    goodbye: nothing it says afterwards (a 421 or 554 to QUIT, a dropped connection) undoes it. A
    failure once the whole message went out is read by :func:`_after_data`: never retried.
    """
    smtp = _connect(config, context)
    try:
        smtp.before_data = hooks.before_data
        if config.user:
            _login(smtp, config)
        smtp.send_message(message, from_addr=config.sender, to_addrs=recipients)
    except OSError as exc:  # smtplib's errors are OSErrors too
        smtp.close()
        after = _after_data(exc) if smtp.message_sent else "refused"
        if after == "maybe":
            raise _maybe_delivered(config, exc) from None
        if after == "refused":
            raise
    except BaseException:
        smtp.close()
        raise
    try:
        hooks.delivered(list(smtp.accepted))
    finally:
        _goodbye(smtp)
    return dict(smtp.turned_away)


def _after_data(exc: OSError) -> str:
    """Tell what a failure once the whole message went out means for it: "taken", "refused" or "maybe".

    A 2xx other than 250 is taken (smtplib calls it an error); a 4xx or 5xx the server wrote is a
    refusal; no answer, a lost connection, or one that cannot be read (smtplib's code -1, or the 500
    "Line too long." it makes up for an over-long line) leaves it unknown: "maybe".
    """
    if isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
        if 200 <= code < 300:
            return "taken"
        unreadable = code == -1 or (code == 500 and decode_reply(text) == "Line too long.")
        return "refused" if 400 <= code < 600 and not unreadable else "maybe"
    return "maybe" if _unanswered(exc) else "refused"


def _goodbye(smtp: smtplib.SMTP) -> None:
    """Say QUIT and close; the message is delivered whatever the answer."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        smtp.close()


def _unanswered(exc: OSError) -> bool:
    """Tell whether `exc` leaves the server's answer unknown (a timeout, a lost connection), not a refusal."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return not isinstance(exc, smtplib.SMTPException | ssl.SSLCertVerificationError)


def _maybe_delivered(config: MailConfig, exc: BaseException) -> MaybeDeliveredError:
    """Say that the message may have been delivered: the server did not answer once it had all of it."""
    why = "closed the connection" if isinstance(exc, smtplib.SMTPServerDisconnected) else f"did not answer ({exc})"
    return MaybeDeliveredError(f"the message may have been delivered: {config.address} {why} after the whole "
                               "message was sent")  # fmt: skip


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
        return _SMTP_SSL(config.host, port, timeout=config.timeout, context=context or _context(config))
    smtp = _SMTP(config.host, port, timeout=config.timeout)
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

