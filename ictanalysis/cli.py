"""The `ictanalysis` command: a thin shell over the library, one sub-command per stage.

Each command parses its options, makes one library call, prints a short
summary and maps errors to the exit codes of :class:`ictanalysis.errors.ExitCode`.
Heavy libraries are imported inside the command that needs them, so `--help`
answers at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ictanalysis import __version__
from ictanalysis.errors import DiskFullError, ExitCode, IctAnalysisError, is_disk_full, one_line
from ictanalysis.startup import skip_iri_grammar

__all__ = ["build_parser", "main"]

EXIT_CODES = """exit codes:
  0  success
  1  internal error (a bug; please report it with the message)
  2  wrong command line
  3  input error: a raw workbook, the catalog or a layout cannot be read or mapped
  4  quality gate failed
  5  report could not be built
  6  report could not be delivered
  7  another run holds the lock
  8  an output could not be written: the disk is full"""


def _clean(args: argparse.Namespace) -> int:
    from ictanalysis.ingest import clean

    result = clean(args.raw, None if args.check else args.out, province=args.province, layout_dirs=args.layouts)
    years = sorted(set(result.table["year"]))
    span = f" ({years[0]}–{years[-1]})" if years else ""
    print(
        f"Read {len(result.files)} workbooks ({len(result.sheets)} tables) from {args.raw}: "
        f"{len(result.table):,} values for {len(years)} years{span}."
    )
    for where, why in result.skipped.items():
        print(f"  skipped {one_line(where)}: {why}")
    if result.outputs:
        print("Wrote " + " and ".join(str(p) for p in result.outputs))
    else:
        print("Checked only (--check): nothing written.")
    return ExitCode.OK


def _add_clean(commands) -> None:
    parser = commands.add_parser(
        "clean",
        help="read the raw workbooks into the tidy indicator table",
        description="Read every workbook in RAW/<year>/ (.xlsx, .xls, .ods, .csv), map it through the "
        "catalog and the layouts, check total rows, and write OUT/indicators.parquet and .csv. "
        "All problems are reported together; on any problem nothing is written.",
        epilog="example:\n  ictanalysis clean --raw data/raw --out data/processed\n"
        "  ictanalysis clean --check --layouts my-layouts/   # read and check only\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--raw", type=Path, default=Path("data/raw"), help="raw folder with one sub-folder per year (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("data/processed"), help="where the tidy table goes (default: %(default)s)")
    parser.add_argument("--province", default="58", help="official code of the province the workbooks are about (default: %(default)s, Ninh Thuận)")
    parser.add_argument("--layouts", type=Path, action="append", default=[], metavar="DIR", help="extra folder of layout files (repeatable)")
    parser.add_argument("--check", action="store_true", help="read and check only; write nothing")
    parser.set_defaults(handler=_clean)


def _validate(args: argparse.Namespace) -> int:
    from ictanalysis.validate import gate

    result, page = gate(args.data, args.reports, year=args.year, compare_year=args.compare,
                        province=args.province, language=args.language)  # fmt: skip
    print(result.summary())
    print(f"Data-quality page: {page}")
    return ExitCode.OK


def _add_validate(commands) -> None:
    parser = commands.add_parser(
        "validate",
        help="check the tidy table with the quality gate (Great Expectations)",
        description="Check the tidy table against the rules of catalog/rules.yaml for a pair of years: schema, "
        "known names and units, ranges, unique keys, completeness for both years, districts adding up to the "
        "province, parts adding up to their whole, and plausible year-on-year changes (warnings). Writes "
        "REPORTS/<year>/quality.html and quality.json; exits 4 when an error rule fails.",
        epilog="example:\n  ictanalysis validate --year 2020 --compare 2019\n"
        "  ictanalysis validate --language en        # the page in English\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_year_options(parser)
    parser.add_argument("--language", choices=["vi", "en"], default="vi", help="language of the page (default: %(default)s)")
    parser.set_defaults(handler=_validate)


def _report(args: argparse.Namespace) -> int:
    from ictanalysis.report import ReportParameters, build_report
    from ictanalysis.years import choose_years

    years = _years_in(args.data)
    pair = choose_years(years, args.year, args.compare, args.province)
    parameters = ReportParameters(pair.year, pair.compare_year, args.province, args.language, str(args.data.resolve()))
    result = build_report(parameters, args.reports, timeout=args.timeout)
    print(f"Report {pair.year} vs {pair.compare_year}: {result.html} ({result.size_bytes / 1e6:.1f} MB)")
    print(f"  executed notebook: {result.notebook}\n  charts: {result.charts}/")
    return ExitCode.OK


def _years_in(data: Path) -> list[int]:
    from ictanalysis.report import table_years

    return table_years(data)


def _add_report(commands) -> None:
    parser = commands.add_parser(
        "report",
        help="build the year-comparison report (papermill, Altair, offline HTML)",
        description="Run notebooks/annual_report.py with papermill for a pair of years and export it as "
        "REPORTS/<year>/annual_report.html: one self-contained file, no code, nothing fetched from a network, "
        "with the executed notebook and the charts (HTML, PNG, SVG) beside it. A failed run keeps the last "
        "good report and leaves annual_report.failed.ipynb showing the failing cell (exit 5). Run `validate` "
        "first: the report's data notes carry the gate's warnings.",
        epilog="example:\n  ictanalysis report --year 2020 --compare 2019\n"
        "  ictanalysis report --language en --timeout 1200\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_year_options(parser)
    parser.add_argument("--language", choices=["vi", "en"], default="vi", help="language of the report (default: %(default)s)")
    add_timeout_option(parser)
    parser.set_defaults(handler=_report)


def add_timeout_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--timeout SECONDS``, the longest a report notebook cell may run (``report`` and ``run``)."""
    parser.add_argument("--timeout", type=_seconds, default=600, metavar="SECONDS",
                        help="stop the report when one notebook cell runs longer than this, keeping the last good "
                        "report (default: %(default)s)")  # fmt: skip


def _seconds(text: str) -> int:
    """Parse a positive whole number of seconds (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds above 0, not {text!r}")
    return value


def _add_year_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, help="the report year (default: the latest year in the data)")
    parser.add_argument("--compare", type=int, help="the year to compare with (default: the year before)")
    parser.add_argument("--data", type=Path, default=Path("data/processed/indicators.parquet"), help="the tidy table (default: %(default)s)")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="where reports go, one folder a year (default: %(default)s)")
    parser.add_argument("--province", default="58", help="official code of the province (default: %(default)s)")


def _send(args: argparse.Namespace) -> int:
    from ictanalysis.deliver import DeliveryError, decode_reply, load_mail_config, send_report
    from ictanalysis.report import table_years
    from ictanalysis.years import choose_years

    pair = choose_years(table_years(args.data), args.year, args.compare, args.province)
    config = None if args.eml_only else load_mail_config(args.config)
    try:
        result = send_report(pair.year, pair.compare_year, config, reports=args.reports, data=args.data,
                             province=args.province, language=args.language, resend=args.resend)  # fmt: skip
    except DeliveryError as exc:
        eml = args.reports / str(pair.year) / "annual_report.eml"
        raise DeliveryError(f"{exc}\nThe message is in {eml}" if eml.is_file() else str(exc)) from None
    print(f"Email {pair.year} vs {pair.compare_year}: {result.eml} ({result.size_bytes / 1e6:.2f} MB)")
    if args.eml_only:
        print("Not sent (--eml-only): open or forward the .eml.")
    elif config is None:
        print(f"Not sent: no mail settings ({args.config} or ICTANALYSIS_SMTP_* variables); open or forward the .eml.")
    elif result.already_sent:
        print(f"Not sent: already sent on {result.already_sent}; use --resend to send again.")
    else:
        print(f"Sent to {', '.join(config.recipients)} through {config.address}.")
        for who, (code, why) in result.refused.items():
            print(f"  refused by the server: {who} ({code} {decode_reply(why)})")
    return ExitCode.OK


def _add_send(commands) -> None:
    parser = commands.add_parser(
        "send",
        help="email the report to leadership (or write it as .eml)",
        description="Build the email version of REPORTS/<year>/annual_report.html: inline styles, charts as "
        "images inside the message, a plain-text part, the full report and the data table (Excel) attached. "
        "Always writes REPORTS/<year>/annual_report.eml. With mail settings ([mail] in ictanalysis.toml, or "
        "ICTANALYSIS_SMTP_* variables; the password only in ICTANALYSIS_SMTP_PASSWORD) it sends the message, "
        "retrying temporary failures, and never sends the same report to the same people twice unless "
        "--resend.",
        epilog="example:\n  ictanalysis send --year 2020 --compare 2019           # .eml only without settings\n"
        "  ICTANALYSIS_SMTP_PASSWORD=… ictanalysis send --config ictanalysis.toml\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_year_options(parser)
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("ictanalysis.toml"),
        help="mail settings, git-ignored (default: %(default)s)",
    )
    parser.add_argument(
        "--resend", action="store_true", help="send even if this report was already sent to these recipients"
    )
    parser.add_argument("--eml-only", action="store_true", help="write the .eml and send nothing, whatever the settings")
    parser.add_argument(
        "--language", choices=["vi", "en"], default="vi", help="language of the email (default: %(default)s)"
    )
    parser.set_defaults(handler=_send)


def _add_run(commands) -> None:
    from ictanalysis.run import add_parser  # standard library only: --help stays fast

    add_parser(commands)


COMMANDS: list[Callable] = [_add_clean, _add_validate, _add_report, _add_send, _add_run]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="ictanalysis",
        description="Turn a provincial ICT department's yearly workbooks into a checked, traceable "
        "comparison between two years.",
        epilog="example:\n  ictanalysis clean            # data/raw → data/processed/indicators.parquet\n"
        "  ictanalysis clean --help     # options of one command\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    skip_iri_grammar()  # seconds off every stage; see ictanalysis.startup
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except IctAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except OSError as exc:
        if not is_disk_full(exc):
            return _report_crash(_command_name(args), exc)
        full = DiskFullError(exc.filename)  # a write outside ictanalysis.atomic
        print(f"error: {full}", file=sys.stderr)
        return int(full.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # a bug (or a Rust panic, which is no Exception): one line here, the rest in a log
        return _report_crash(_command_name(args), exc)


CRASH_LOG_DIR = Path("reports/logs")
"""Where a command that fails unexpectedly leaves its traceback, relative to the working folder."""


def _command_name(args: argparse.Namespace) -> str:
    return getattr(args.handler, "__name__", "command").strip("_")


def _report_crash(command: str, exc: BaseException) -> int:
    """Say in one line on stderr that `command` failed unexpectedly; write the traceback to a log.

    Never raises: a log that cannot be written, or a terminal that is gone,
    leaves the exit code as it is.
    """
    log = _write_crash_log(command, "".join(traceback.format_exception(exc)))
    where = f"details in {log}" if log else "no log file could be written"
    if isinstance(exc, MemoryError):
        summary = ("MemoryError: out of memory; the input is larger than this machine can hold even within "
                   "the limits of ictanalysis/workbook.py (MAX_FILE_BYTES, MAX_SHEET_CELLS…): "
                   "close other programs, or lower those limits")  # fmt: skip
    else:
        summary = f"{type(exc).__name__}: {_first_line(exc)}"
    try:
        print(f"internal error: {summary} ({where})", file=sys.stderr)
    except (OSError, ValueError):
        pass
    return ExitCode.INTERNAL


def _first_line(exc: BaseException) -> str:
    try:
        lines = str(exc).strip().splitlines()
    except Exception:  # an exception whose message cannot be built
        return "(no message)"
    line = lines[0] if lines else ""
    return line if len(line) <= 200 else line[:199] + "…"


def _write_crash_log(command: str, details: str) -> Path | None:
    """Write `details` to a new ``ictanalysis-<command>-<time>.log``; return its path, or None if none could be written.

    Tries CRASH_LOG_DIR, then the system's temporary folder.
    """
    stem = f"ictanalysis-{command}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    for folder in _crash_log_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return _new_log_file(folder, stem, details)
        except (OSError, ValueError):
            continue
    return None


def _crash_log_folders() -> Iterator[Path]:
    yield CRASH_LOG_DIR
    try:
        temporary = Path(tempfile.gettempdir())
    except OSError:  # no usable temporary folder at all
        return
    yield temporary


def _new_log_file(folder: Path, stem: str, details: str) -> Path:
    """Write `details` to a file named `stem` (or `stem-1`, `stem-2`…) that did not exist before."""
    for suffix in ("", *(f"-{n}" for n in range(1, 100))):
        path = folder / f"{stem}{suffix}.log"
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as log:
            log.write(details)
        return path
    raise FileExistsError(f"no free log name for {stem} in {folder}")
