"""The settings of one project folder, read from its ``ictanalysis.toml``: province, language, paths, mail.

One object, :class:`Settings`, holds what every stage, the command line, the
scheduled run and the report notebook need; its defaults are those of a
project laid out by ``ictanalysis init``. The file is found in the working
folder or the nearest folder above it (a notebook runs in ``notebooks/``),
and its paths are relative to the file's own folder. The mail settings may
also come from ``ICTANALYSIS_SMTP_*`` variables, and the password only ever
comes from the environment. Standard library only: ``ictanalysis --help`` and
an up-to-date scheduled run read it without importing anything heavy.

Example::

    settings = load_settings()                # ./ictanalysis.toml, or the nearest above
    settings.outputs.table                    # data/processed/indicators.parquet
    settings.replace(language="en").language  # 'en'
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from email.utils import getaddresses
from pathlib import Path

from ictanalysis.document.settings import DOCUMENT_DEFAULTS, DOCUMENT_TABLE, DocumentSettings, document_settings
from ictanalysis.errors import DeliveryError, UsageError
from ictanalysis.outputs import Outputs
from ictanalysis.words import DEFAULT_LANGUAGE, languages

__all__ = ["DEFAULTS", "PASSWORD_ENV", "SETTINGS_FILE", "MailConfig", "Settings", "find_settings", "load_mail_config",
           "load_settings", "with_mail_file"]  # fmt: skip

SETTINGS_FILE = "ictanalysis.toml"
PASSWORD_ENV = "ICTANALYSIS_SMTP_PASSWORD"
SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_ENV_PREFIX = "ICTANALYSIS_SMTP_"


@dataclass(frozen=True)
class MailConfig:
    """Where and how to send: the ``[mail]`` table of the settings, overridden by the environment.

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
            raise DeliveryError("the [mail] settings need host, sender and recipients (see README: `ictanalysis send`)")

    @property
    def address(self) -> str:
        """Return "host:port" with the port filled in."""
        return f"{self.host}:{self.port or SECURITY_PORTS[self.security]}"


_MAIL_KEYS = {f.name for f in fields(MailConfig)} - {"password"}


@dataclass(frozen=True)
class Settings:
    """Everything a run is told: the project's file, then the command line's options over it."""

    province: str = "58"  #: official code of the province the workbooks are about
    language: str = DEFAULT_LANGUAGE  #: language of the report, the data-quality page and the email
    raw: Path = Path("data/raw")  #: one sub-folder per year, as received
    processed: Path = Path("data/processed")  #: where `clean` writes the tidy table
    reports: Path = Path("reports")  #: one folder per report year, the logs and the lock
    plans: Path = Path("data/plans")  #: the department's plan of each year (``ke-hoach-<year>.csv``), its targets
    data: Path | None = None  #: the tidy table to read, when not the processed folder's
    layouts: tuple[Path, ...] = ()  #: folders of layout files besides the bundled ones
    timeout: int = 600  #: the longest a report notebook cell may run, in seconds
    wait: float = 0.0  #: how long a command waits for the lock another command or run holds, in seconds
    #: How many days the logs of ``reports/logs/`` are kept (run logs, crash logs, failed reports' kernel logs);
    #: the scheduled run removes older ones when it starts. 0 in the file means this default.
    log_days: int = 90
    #: The official document's header blocks, signer and recipients (the ``[document]`` table).
    document: DocumentSettings = DOCUMENT_DEFAULTS
    file: Path | None = None  #: the settings file these were read from
    #: The ``[mail]`` table (of the settings file, or of the file ``--config`` names); checked when used.
    mail_table: dict = field(default_factory=dict, repr=False, hash=False)
    mail_file: Path | None = None  #: the file the mail table comes from, for messages
    environ: Mapping[str, str] | None = field(default=None, repr=False, compare=False, hash=False)  #: None: os.environ

    @property
    def outputs(self) -> Outputs:
        """The output paths of these settings."""
        return Outputs(self.processed, self.reports, self.data)

    @property
    def mail(self) -> MailConfig | None:
        """Where and how to send, from the mail table and ``ICTANALYSIS_SMTP_*``; None: the email is only written.

        Raises:
            DeliveryError: the mail settings are wrong (an unknown key, a password in the file, a missing host…),
                checked only by what sends mail, so that a typo there stops no other command.
        """
        return _mail_config(self.mail_table, self.mail_file, os.environ if self.environ is None else self.environ)

    def replace(self, **changes: object) -> Settings:
        """Return a copy with `changes`; None values leave a setting as it is."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


#: The settings of a project without a settings file: every default of the package comes from here.
DEFAULTS = Settings()

# The file's tables and keys, with the type each value must have.
_SCHEMA = {
    "": {"province": str, "language": str, "timeout": int, "wait": (int, float), "log_days": int},
    "paths": {"raw": str, "processed": str, "reports": str, "plans": str, "layouts": list},
}


def find_settings(start: Path | None = None) -> Path | None:
    """Return the nearest ``ictanalysis.toml`` in `start` (the working folder) or a folder above it."""
    folder = Path.cwd() if start is None else Path(start)
    for candidate in (folder, *folder.resolve().parents):
        if (candidate / SETTINGS_FILE).is_file():
            return candidate / SETTINGS_FILE
    return None


def load_settings(path: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `path`, or from the nearest ``ictanalysis.toml``; the defaults without one.

    Raises:
        UsageError: the file is not valid TOML, or holds an unknown key, a value of the wrong type or a
            language without words. (The ``[mail]`` table is checked when mail is sent: :attr:`Settings.mail`.)
    """
    if path is not None and not Path(path).is_file():
        raise UsageError(f"no settings file {path}: give an existing file, or none to use ./{SETTINGS_FILE} or the defaults")
    path = find_settings() if path is None else Path(path)
    table = _read_toml(path) if path is not None else {}
    values = _checked(table, path)
    root = _root(path) if path is not None else Path()
    paths = table.get("paths", {})
    return Settings(
        **{key: values[key] for key in ("province", "language", "timeout", "wait", "log_days") if key in values},
        **{key: root / paths.get(key, getattr(DEFAULTS, key)) for key in ("raw", "processed", "reports", "plans")},
        layouts=tuple(root / p for p in paths.get("layouts", ())),
        document=document_settings(table.get(DOCUMENT_TABLE, {}), str(path)),
        file=path, mail_table=table.get("mail", {}), mail_file=path, environ=environ,
    )  # fmt: skip


def with_mail_file(settings: Settings, path: Path) -> Settings:
    """Return `settings` with the ``[mail]`` table of `path` instead of their own (``--config``).

    A file that does not exist holds no mail settings, as before ``--settings`` existed.

    Raises:
        DeliveryError: `path` is not valid TOML.
    """
    try:
        table = _read_toml(Path(path)) if Path(path).is_file() else {}
    except UsageError as exc:
        raise DeliveryError(str(exc)) from None
    return dataclasses.replace(settings, mail_table=table.get("mail", {}), mail_file=Path(path))


def load_mail_config(path: Path = Path(SETTINGS_FILE), environ: Mapping[str, str] | None = None) -> MailConfig | None:
    """Read the ``[mail]`` table of `path`, let ``ICTANALYSIS_SMTP_*`` variables override it.

    Returns None when there is neither a table nor a variable: the email is
    then written as .eml only. Variables: ``ICTANALYSIS_SMTP_HOST``, ``_PORT``,
    ``_SECURITY``, ``_USER``, ``_SENDER``, ``_RECIPIENTS`` and ``_ANALYSTS``
    (comma-separated), ``_TIMEOUT``, ``_CAFILE``, ``_PASSWORD_ENV``; the password
    itself in ``ICTANALYSIS_SMTP_PASSWORD`` (or the variable `password_env` names).

    Raises:
        DeliveryError: an unknown key, a password in the file, a wrong value, a file that is not TOML.
    """
    return dataclasses.replace(with_mail_file(DEFAULTS, path), environ=environ).mail


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None


def _root(path: Path) -> Path:
    """Return the settings file's folder, relative to the working folder when it is below it."""
    folder = path.parent
    try:
        return Path(os.path.relpath(folder))
    except ValueError:  # another drive (Windows)
        return folder.resolve()


def _checked(table: dict, path: Path | None) -> dict:
    """Return the top-level values of `table`, having refused unknown keys and wrong types in every table."""
    problems = []
    tables = ("paths", "mail", DOCUMENT_TABLE)  # [mail] is checked when mail is sent, [document] when read
    for name, value in table.items():
        if name in tables and isinstance(value, dict):
            if name == "paths":
                problems += _key_problems(value, _SCHEMA["paths"], "[paths] ")
        elif name in _SCHEMA[""]:
            problems += _key_problems({name: value}, _SCHEMA[""], "")
        else:
            problems.append(f"unknown key {name!r} (known: {', '.join([*_SCHEMA[''], *tables])})")
    if "language" in table and isinstance(table["language"], str) and table["language"] not in languages():
        problems.append(f"language = {table['language']!r} has no words (known: {', '.join(languages())})")
    if isinstance(table.get("log_days"), int) and not isinstance(table["log_days"], bool) and table["log_days"] < 0:
        problems.append(f"log_days = {table['log_days']} is not 0 (the default, {DEFAULTS.log_days}) or more days")
    if problems:
        raise UsageError(f"{path}: " + "; ".join(problems))
    return {k: v for k, v in table.items() if k in _SCHEMA[""] and not (k == "log_days" and v == 0)}  # 0: the default


_KINDS = {str: "a text", int: "a whole number", list: "a list"}


def _key_problems(values: dict, schema: dict, where: str) -> list[str]:
    problems = []
    for key, value in values.items():
        if key not in schema:
            problems.append(f"{where}unknown key {key!r} (known: {', '.join(schema)})")
        elif not isinstance(value, schema[key]) or isinstance(value, bool):
            problems.append(f"{where}{key} = {value!r} is not {_KINDS.get(schema[key], 'a number')}")
    return problems


def _check_addresses(typed: dict) -> None:
    """Refuse an entry of `recipients` or `analysts` that is not exactly one address ("a@b.vn, c@b.vn" in one).

    Raises:
        DeliveryError: naming the entry: the server would receive only its first address, or none.
    """
    for key in ("recipients", "analysts"):
        for entry in typed.get(key, ()):
            found = [spec for _, spec in getaddresses([entry]) if spec]
            if len(found) != 1 or "@" not in found[0]:
                raise DeliveryError(f"mail settings: {key} entry {entry!r} is not one e-mail address; give each "
                                    "address as its own entry (\"Name <a@b.vn>\" or a@b.vn)")  # fmt: skip


def _mail_config(table: dict, path: Path | None, environ: Mapping[str, str]) -> MailConfig | None:
    values = _file_mail(table, path) | _env_mail(environ)
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
        raise DeliveryError(f"the mail settings lack {', '.join(missing)} (see README: `ictanalysis send`)")
    config = MailConfig(**typed, password=environ.get(typed.get("password_env", PASSWORD_ENV), ""))
    _check_addresses(typed)
    return config


def _file_mail(table: dict, path: Path | None) -> dict:
    if "password" in table:
        raise DeliveryError(f"{path}: [mail] must not hold the password; put it in the environment variable "
                            f"{table.get('password_env', PASSWORD_ENV)}")  # fmt: skip
    unknown = sorted(set(table) - _MAIL_KEYS)
    if unknown:
        raise DeliveryError(f"{path}: unknown key{'s' if len(unknown) > 1 else ''} in [mail]: {', '.join(unknown)}; "
                            f"known keys: {', '.join(sorted(_MAIL_KEYS))}")  # fmt: skip
    return dict(table)


def _env_mail(environ: Mapping[str, str]) -> dict:
    return {key: environ[_ENV_PREFIX + key.upper()] for key in _MAIL_KEYS if environ.get(_ENV_PREFIX + key.upper())}
