"""The four stages as functions of the settings: what each command and the scheduled run call.

``ictanalysis clean | validate | report | send`` each call one function here
and print its :class:`Outcome`; ``ictanalysis run`` calls the very same
functions in turn and logs them. The pair of years follows one rule
everywhere (:func:`choose_pair`): the latest year of the tidy table against
the year before, unless years are given. ``report`` and ``send`` go on only
from a table the gate passed for that very pair (:func:`require_gate`). Heavy
libraries are imported inside the stage that needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis.errors import DeliveryError
from ictanalysis.settings import SETTINGS_FILE, Settings
from ictanalysis.text import one_line
from ictanalysis.years import YearPair, choose_years

__all__ = ["Outcome", "alert", "choose_pair", "clean", "report", "require_gate", "send", "validate"]


@dataclass
class Outcome:
    """What a stage did: the lines a person reads, and the files it wrote by name."""

    lines: list[str]
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """The first line, for the run's log."""
        return self.lines[0] if self.lines else ""

    def __str__(self) -> str:
        return "\n".join(self.lines)


def choose_pair(settings: Settings, year: int | None = None, compare_year: int | None = None) -> YearPair:
    """Return the pair of years to compare: by default the latest year of the tidy table and the year before.

    Raises:
        InputError: there is no tidy table (run ``clean`` first).
        YearError: a year asked for is not in the table, or both years are the same.
    """
    from ictanalysis.tidy import indicator_years

    return choose_years(indicator_years(settings.outputs.table), year, compare_year, settings.province)


def require_gate(settings: Settings, pair: YearPair) -> None:
    """Refuse to go on unless the quality gate passed on the tidy table of `settings` for `pair`.

    Raises:
        QualityError: (exit 4) no result for the pair, a failed one, or one for another table; it says what to run.
    """
    from ictanalysis.quality import require_passed

    require_passed(settings.outputs.year(pair.year), pair, settings.outputs.table)


def clean(settings: Settings, *, check: bool = False,
          locked: Callable[[], AbstractContextManager] = nullcontext) -> Outcome:  # fmt: skip
    """Read the raw folder into the tidy table (nothing written with `check`).

    The workbooks are read first; the table is written holding `locked()` (the command's
    lock of the table; the scheduled run holds it already), so that a failed read writes nothing.
    """
    from ictanalysis import ingest
    from ictanalysis.tidy import write_indicators

    outputs = settings.outputs
    done = ingest.clean(settings.raw, None, province=settings.province, layout_dirs=settings.layouts)
    if not check:
        with locked():
            done.outputs = write_indicators(done.table, outputs.written_table, outputs.written_csv)
    years = sorted(set(done.table["year"]))
    span = f" ({years[0]}–{years[-1]})" if years else ""
    lines = [f"Read {len(done.files)} workbooks ({len(done.sheets)} tables) from {settings.raw}: "
             f"{len(done.table):,} values for {len(years)} years{span}."]  # fmt: skip
    lines += [f"  skipped {one_line(where)}: {why}" for where, why in done.skipped.items()]
    if check:  # which layout read each sheet: how a new layout is seen to be used
        lines += [f"  read {one_line(where)} with layout {layout}" for where, layout in done.sheets.items()]
    lines.append("Wrote " + " and ".join(str(p) for p in done.outputs) if done.outputs else
                 "Checked only (--check): nothing written.")  # fmt: skip
    return Outcome(lines, {"table": outputs.written_table} if done.outputs else {})


def validate(settings: Settings, pair: YearPair) -> Outcome:
    """Run the quality gate on the tidy table and write the data-quality page and its JSON.

    A gate that passes forgets the analysts' alerts of the year (``.alert-sent.json``): the same
    failure found again later is news again, and is sent again.

    Raises:
        QualityError: an error rule failed (the page is written first).
    """
    from ictanalysis.validate import gate

    result, page = gate(settings.outputs.table, settings.reports, year=pair.year, compare_year=pair.compare_year,
                        province=settings.province, language=settings.language)  # fmt: skip
    settings.outputs.year(pair.year).alert_ledger.unlink(missing_ok=True)
    return Outcome([*result.summary().splitlines(), f"Data-quality page: {page}"], {"quality": page})


def report(settings: Settings, pair: YearPair) -> Outcome:
    """Build the report of `pair` (papermill, Altair, the offline HTML page) in the report year's folder.

    Raises:
        YearError: the pair holds nothing the report compares (exit 2, before the gate is looked at).
        QualityError: the gate has not passed this table for `pair` (see :func:`require_gate`).
    """
    from ictanalysis.report import ReportParameters, build_report, check_pair

    parameters = ReportParameters(pair.year, pair.compare_year, settings.province, settings.language,
                                  str(settings.outputs.table.resolve()), plans=str(settings.plans.resolve()))  # fmt: skip
    check_pair(parameters)  # nothing to compare is exit 2, whatever the gate said
    require_gate(settings, pair)
    built = build_report(parameters, settings.reports, timeout=settings.timeout, document=settings.document)
    pdf, docx = settings.outputs.year(pair.year).documents(pair.year)
    lines = [f"Report {pair.year} vs {pair.compare_year}: {built.html} ({built.size_bytes / 1e6:.1f} MB)",
             f"  official document: {pdf} (to print and sign), {docx} (the editable draft)",
             f"  executed notebook: {built.notebook}", f"  charts: {built.charts}/"]  # fmt: skip
    return Outcome(lines, {"report": built.html, "document": pdf})


def send(settings: Settings, pair: YearPair, *, resend: bool = False, eml_only: bool = False) -> Outcome:
    """Write the report's email as .eml and, with mail settings, send it (never twice unless `resend`).

    The first line says whether the email went out (the scheduled run logs it).

    Raises:
        QualityError: the gate has not passed this table for `pair` (see :func:`require_gate`).
        DeliveryError: the report is missing, the mail settings are wrong or the message could not be sent;
            the message says where the .eml is.
    """
    from ictanalysis.deliver import send_report

    require_gate(settings, pair)
    eml = settings.outputs.year(pair.year).email
    before = _modified(eml)
    try:
        config = None if eml_only else settings.mail
        done = send_report(pair.year, pair.compare_year, config, reports=settings.reports, data=settings.outputs.table,
                           province=settings.province, language=settings.language, resend=resend)  # fmt: skip
    except DeliveryError as exc:  # name the .eml only when this send wrote it: an older one is another report's
        written = _modified(eml) not in (None, before)
        raise type(exc)(f"{exc}\nThe message is in {eml}" if written else str(exc)) from None
    lines = [_send_status(settings, done, config, eml_only),
             f"Email {pair.year} vs {pair.compare_year}: {done.eml} ({done.size_bytes / 1e6:.2f} MB)"]  # fmt: skip
    return Outcome(lines, {"email": done.eml})


def _modified(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _send_status(settings: Settings, done, config, eml_only: bool) -> str:
    """Say whether the email went out, and to whom, or why not."""
    if eml_only:
        return "Not sent (--eml-only): open or forward the .eml."
    if config is None:
        return (f"Not sent: no mail settings ({settings.mail_file or SETTINGS_FILE} or ICTANALYSIS_SMTP_* variables); "
                "open or forward the .eml.")  # fmt: skip
    had = "; ".join(f"{who} on {when}" for who, when in done.already.items())
    if not done.sent:
        return f"Not sent: already sent to {had}; use --resend to send again."
    return f"Sent to {', '.join(done.sent_to)} through {config.address}" + (
        f" (not again to those who had it: {had})." if had else ".")


def alert(settings: Settings, pair: YearPair) -> Outcome:
    """Write the analysts' summary of a failed gate as .eml and, with mail settings, send it to them."""
    from ictanalysis.deliver import send_quality_alert

    config = settings.mail
    done = send_quality_alert(settings.reports, pair, config, settings.language)
    if config is None:
        said = f"wrote {done.eml}"
    elif done.sent:
        said = f"sent to {', '.join(done.sent_to)}"
    else:
        said = "not sent again: already sent to " + "; ".join(f"{who} on {when}" for who, when in done.already.items())
    return Outcome([f"analysts alerted: {said}"], {"alert": done.eml})
