"""The `ictanalysis` command: a thin shell over the stages, one sub-command per stage, options declared once.

Each command reads the settings (``ictanalysis.toml``, then its options over
them), makes one call to :mod:`ictanalysis.stages` (``run``: to
:mod:`ictanalysis.run`, which calls the same stages), prints what it did and
maps errors to the exit codes of :class:`ictanalysis.errors.ExitCode`. An
option means the same in every command that takes it, and is the
:class:`~ictanalysis.settings.Settings` field of the same name. Heavy
libraries are imported inside the stage that needs them, so ``--help``
answers at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis import __version__
from ictanalysis.errors import DiskFullError, ExitCode, IctAnalysisError, is_disk_full
from ictanalysis.settings import DEFAULTS, SETTINGS_FILE, Settings, load_settings, with_mail_file
from ictanalysis.startup import skip_iri_grammar
from ictanalysis.words import languages

__all__ = ["COMMANDS", "OPTIONS", "build_parser", "main"]

EXIT_CODES = """exit codes:
  0  success
  1  internal error (a bug; please report it with the message)
  2  wrong command line, or parameters the data cannot answer
  3  input error: a raw workbook, the catalog or a layout cannot be read or mapped
  4  quality gate failed
  5  report could not be built
  6  report could not be delivered
  7  another command holds the lock (a run, or a clean, validate, report or send)
  8  an output could not be written: the disk is full, or a file is held open by another program"""


def _seconds(text: str) -> int:
    """Parse a positive whole number of seconds (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds above 0, not {text!r}")
    return value


@dataclass(frozen=True)
class Option:
    """One command-line option: its flags, its help, and argparse's other arguments."""

    flags: tuple[str, ...]
    help: str
    arguments: dict = field(default_factory=dict)

    def add_to(self, parser: argparse.ArgumentParser, dest: str) -> None:
        """Add the option to `parser`, its value stored as `dest` (None when not given)."""
        arguments = {key: value() if callable(value) and key == "choices" else value
                     for key, value in self.arguments.items()}  # choices known when the parser is built  # fmt: skip
        if not self.flags[0].startswith("-"):  # a positional argument
            parser.add_argument(dest, metavar=self.flags[0].upper(), help=self.help, **arguments)
            return
        parser.add_argument(*self.flags, dest=dest, help=self.help, **{"default": None, **arguments})


_FROM_SETTINGS = "default: the settings' {}, {} without a settings file"

#: Every option of every command, by the name of the setting or flag it sets.
OPTIONS: dict[str, Option] = {
    "settings": Option(("--settings",), f"the settings file (default: ./{SETTINGS_FILE} or the nearest one above; "
                       "without one, the defaults)", {"type": Path, "metavar": "FILE"}),
    "config": Option(("--config",), "mail settings: the [mail] table of this file instead of the settings file's "
                     "(a file that does not exist holds none)", {"type": Path, "metavar": "FILE"}),
    "year": Option(("--year",), "the report year (default: the latest year of the tidy table)", {"type": int}),
    "compare_year": Option(("--compare-year", "--compare"), "the year to compare with (default: the year before)",
                           {"type": int, "metavar": "YEAR"}),
    "province": Option(("--province",), "official code of the province (" + _FROM_SETTINGS.format(
        "province", DEFAULTS.province) + ")"),
    "language": Option(("--language",), "language of the outputs (" + _FROM_SETTINGS.format(
        "language", DEFAULTS.language) + ")", {"choices": languages}),
    "raw": Option(("--raw",), f"raw folder, one sub-folder per year (default: {DEFAULTS.raw})",
                  {"type": Path, "metavar": "DIR"}),
    "processed": Option(("--processed", "--out"), f"where the tidy table goes (default: {DEFAULTS.processed})",
                        {"type": Path, "metavar": "DIR"}),
    "data": Option(("--data",), "the tidy table to read (default: PROCESSED/indicators.parquet)",
                   {"type": Path, "metavar": "FILE"}),
    "reports": Option(("--reports",), f"where reports and logs go, one folder a year (default: {DEFAULTS.reports})",
                      {"type": Path, "metavar": "DIR"}),
    "layouts": Option(("--layouts",), "a folder of layout files besides the bundled ones (repeatable)",
                      {"type": Path, "action": "append", "metavar": "DIR"}),
    "timeout": Option(("--timeout",), "stop the report when one notebook cell runs longer than this, keeping the "
                      f"last good report (default: {DEFAULTS.timeout})", {"type": _seconds, "metavar": "SECONDS"}),
    "wait": Option(("--wait",), "wait this long for another command that holds the lock to finish before giving up "
                   f"(default: the settings' wait, {DEFAULTS.wait:g} without a settings file)",
                   {"type": float, "metavar": "SECONDS"}),
    "check": Option(("--check",), "read and check only; write nothing", {"action": "store_true"}),
    "resend": Option(("--resend",), "send to every recipient, even those who already have this report",
                     {"action": "store_true"}),
    "eml_only": Option(("--eml-only",), "write the .eml and send nothing, whatever the settings",
                       {"action": "store_true"}),
    "force": Option(("--force",), "redo every stage even when nothing changed", {"action": "store_true"}),
    "no_send": Option(("--no-send",), "stop after the report: no email, no alert", {"action": "store_true"}),
    "folder": Option(("folder",), "the new project folder (created when missing; an existing project is refused)",
                     {"type": Path}),
    "layout_action": Option(("action",), "what to do: suggest (print a first layout for a sheet no layout reads)",
                            {"choices": ("suggest",)}),
    "file": Option(("file",), "the workbook (.xlsx, .xlsm, .xls, .ods or .csv)", {"type": Path}),
    "sheet": Option(("--sheet",), "the sheet to describe (default: the first visible sheet no layout reads)",
                    {"metavar": "NAME"}),
}
_SETTINGS_FIELDS = ("province", "language", "raw", "processed", "data", "reports", "timeout", "wait")
_PAIR = ("year", "compare_year")
_TABLE = ("settings", *_PAIR, "province", "data", "reports")


def _settings(args: argparse.Namespace) -> Settings:
    """Return the settings file's settings with the options given on the command line over them."""
    if args.command == "init":  # a new project: no settings yet
        return DEFAULTS
    settings = load_settings(getattr(args, "settings", None))
    if getattr(args, "config", None) is not None:
        settings = with_mail_file(settings, args.config)
    given = {name: getattr(args, name) for name in _SETTINGS_FIELDS if getattr(args, name, None) is not None}
    if getattr(args, "layouts", None):
        given["layouts"] = (*settings.layouts, *args.layouts)
    return settings.replace(**given)


def _pair(args: argparse.Namespace, settings: Settings):
    from ictanalysis.stages import choose_pair

    return choose_pair(settings, args.year, args.compare_year)


def _locked(args: argparse.Namespace, settings: Settings, call: Callable[[], object], scope: str = "reports"):
    """Make `call` holding the lock of what it writes (see :mod:`ictanalysis.lock`), waiting up to ``--wait``."""
    from ictanalysis.lock import holding

    with holding(settings.outputs, settings.wait, args.command, scope):
        return call()


def _clean(args, settings):
    from ictanalysis import stages
    from ictanalysis.lock import holding

    def locked():  # taken once the workbooks are read: a refused read writes nothing, not even the lock
        return holding(settings.outputs, settings.wait, args.command, scope="table")

    return stages.clean(settings, check=args.check, locked=locked)


def _with_pair(args, settings, stage: Callable):
    """Check the years before the lock (a refusal writes nothing), then run `stage` on them under it."""
    _pair(args, settings)
    return _locked(args, settings, lambda: stage(_pair(args, settings)))  # the table as it is under the lock


def _validate(args, settings):
    from ictanalysis import stages

    return _with_pair(args, settings, lambda pair: stages.validate(settings, pair))


def _report(args, settings):
    from ictanalysis import stages

    return _with_pair(args, settings, lambda pair: stages.report(settings, pair))


def _send(args, settings):
    from ictanalysis import stages

    return _with_pair(args, settings, lambda pair: stages.send(settings, pair, resend=args.resend,
                                                               eml_only=args.eml_only))  # fmt: skip


def _run(args, settings) -> int:
    from ictanalysis.run import RunOptions, run_pipeline, seconds

    options = RunOptions(args.year, args.compare_year, force=args.force, send=not args.no_send,
                         progress=sys.stdout.isatty())  # fmt: skip
    result = run_pipeline(settings, options)
    if result.up_to_date:
        print(result.message)
        return ExitCode.OK
    years = f" {result.pair.year} vs {result.pair.compare_year}" if result.pair else ""
    done = [f"{s.name} {s.status}" + (f" {seconds(s.duration)}" if s.status in ("ok", "failed") else "")
            for s in result.stages]  # fmt: skip
    print(f"Run{years}: " + ", ".join(done) + f" (total {seconds(result.duration)})")
    for stage in result.stages:
        if stage.status == "ok" and stage.name in ("validate", "send"):  # the gate's verdict; whether mail went out
            print(f"  {stage.output}")
    for name, path in result.outputs.items():
        print(f"  {name}: {path}")
    if result.exit_code != ExitCode.OK:
        message = result.message if result.exit_code != ExitCode.INTERNAL else result.message.splitlines()[0]
        print(f"error: {message}\nsee {result.log}", file=sys.stderr)
    else:
        print(f"  log: {result.log}")
    return result.exit_code


def _layout(args, settings):
    from ictanalysis.suggest import suggest_layout

    return suggest_layout(args.file, sheet=args.sheet, province=settings.province, layout_dirs=settings.layouts)


def _init(args, settings) -> int:
    from ictanalysis.project import init

    for line in init(args.folder):
        print(line)
    return ExitCode.OK


@dataclass(frozen=True)
class Command:
    """One sub-command: what it does, its options (names of :data:`OPTIONS`), its examples and its call."""

    help: str
    description: str
    options: tuple[str, ...]
    examples: tuple[str, ...]
    call: Callable


COMMANDS: dict[str, Command] = {
    "init": Command(
        "lay out a new project folder: settings, data/raw/, layouts/, notebooks/",
        "Create a project folder for ictanalysis, as an analyst who installed the package needs one: "
        "an ictanalysis.toml whose every setting is explained, data/raw/ for one folder of workbooks per year, "
        "a layouts/ folder for new forms and the notebooks to open in JupyterLab. Nothing existing is overwritten.",
        ("folder",), ("ictanalysis init so-tttt   # then put the workbooks in so-tttt/data/raw/<year>/",), _init),
    "clean": Command(
        "read the raw workbooks into the tidy indicator table",
        "Read every workbook in RAW/<year>/ (.xlsx, .xls, .ods, .csv), map it through the catalog and the "
        "layouts, check total rows, and write PROCESSED/indicators.parquet and .csv. All problems are reported "
        "together; on any problem nothing is written.",
        ("settings", "raw", "processed", "province", "layouts", "check", "wait"),
        ("ictanalysis clean --raw data/raw --processed data/processed",
         "ictanalysis clean --check --layouts my-layouts/   # read and check only"), _clean),
    "layout": Command(
        "suggest a first layout for a sheet no layout reads (prints YAML, writes nothing)",
        "Describe one sheet of FILE as a layout: the header row(s) and the column of row labels, found by the "
        "table's shape; each column header matched to a catalog indicator, or left as a comment to fill in; what "
        "the rows are (districts, enterprises, agencies, indicators or years); the unit of a unit line; file and "
        "sheet patterns. The sheet is then read with it, and comments say what it read or what is left to fill in. "
        "Prints the YAML; save it in the project's layouts/ folder (a project's layouts are tried before the "
        "bundled ones) and check it with `ictanalysis clean --check`.",
        ("layout_action", "file", "sheet", "settings", "province", "layouts"),
        ("ictanalysis layout suggest data/raw/2021/vnpt_bts_2021.xlsx > layouts/vnpt-bts.yaml",
         "ictanalysis layout suggest data/raw/2021/vien-thong-2021.xlsx --sheet 'Trạm BTS'"), _layout),
    "validate": Command(
        "check the tidy table with the quality gate (Great Expectations)",
        "Check the tidy table against the rules of catalog/rules.yaml for a pair of years: schema, known names "
        "and units, ranges, unique keys, completeness for both years, districts adding up to the province, "
        "enterprises and agencies adding up to all of them, parts adding up to their whole (exactly, unless the "
        "catalog states a tolerance), and plausible year-on-year changes and no year repeating another's "
        "figures (warnings). Writes "
        "REPORTS/<year>/quality/<year>-vs-<compare year>.html and .json (kept per pair, with the sha256 of the table "
        "checked); exits 4 when an error rule fails.",
        (*_TABLE, "language", "wait"),
        ("ictanalysis validate --year 2020 --compare 2019", "ictanalysis validate --language en   # the page in English"),
        _validate),
    "report": Command(
        "build the year-comparison report (papermill, Altair, offline HTML)",
        "Run the report notebook with papermill for a pair of years and export it as "
        "REPORTS/<year>/annual_report.html: one self-contained file, no code, nothing fetched from a network, "
        "with the executed notebook and the charts (HTML, PNG, SVG) beside it. A failed run keeps the last "
        "good report and leaves annual_report.failed.ipynb showing the failing cell (exit 5). Run `validate` "
        "first: without a passed quality result for this pair and this very table, nothing is built (exit 4); "
        "the report's data notes carry the gate's warnings.",
        (*_TABLE, "language", "timeout", "wait"),
        ("ictanalysis report --year 2020 --compare 2019", "ictanalysis report --language en --timeout 1200"),
        _report),
    "send": Command(
        "email the report to leadership (or write it as .eml)",
        "Build the email version of REPORTS/<year>/annual_report.html: inline styles, charts as images inside "
        "the message, a plain-text part, the official document (PDF) and the data table (Excel) attached. Always writes "
        "REPORTS/<year>/annual_report.eml. With mail settings ([mail] in the settings file, or ICTANALYSIS_SMTP_* "
        "variables; the password only in ICTANALYSIS_SMTP_PASSWORD) it sends the message, retrying temporary "
        "failures, and only to the recipients who do not have this report yet, unless --resend. Like `report`, it "
        "goes on only when the gate passed this table for this pair (exit 4).",
        (*_TABLE, "language", "config", "resend", "eml_only", "wait"),
        ("ictanalysis send --year 2020 --compare 2019           # .eml only without mail settings",
         "ICTANALYSIS_SMTP_PASSWORD=… ictanalysis send --config ictanalysis.toml"), _send),
    "run": Command(
        "run clean → validate → report → send, for cron (locked, logged, incremental)",
        "Run the whole pipeline for a pair of years: read RAW into PROCESSED, check it with the quality gate, "
        "build the report in REPORTS/<year>/ and write or send the email. A lock (REPORTS/.run.lock) keeps two "
        "runs from overlapping; each run logs one line per stage to REPORTS/logs/. When neither the raw files, "
        "the code nor the parameters changed since the last successful run, it only says the report is up to "
        "date. When the quality gate fails, the analysts get the data-quality summary and leadership nothing.",
        ("settings", *_PAIR, "province", "language", "raw", "processed", "reports", "layouts", "timeout", "wait",
         "config", "force", "no_send"),
        ("ictanalysis run                           # the latest year against the year before",
         "ictanalysis run --year 2020 --compare 2019 --force --no-send",
         "ictanalysis run --wait 600                # from cron: wait up to 10 min for a running run"), _run),
}


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
    for name, command in COMMANDS.items():
        examples = "".join(f"\n  {line}" for line in command.examples)
        sub = commands.add_parser(name, help=command.help, description=command.description,
                                  epilog=f"example:{examples}\n\n{EXIT_CODES}",
                                  formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
        for option in command.options:
            OPTIONS[option].add_to(sub, option)
        sub.set_defaults(command=name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    skip_iri_grammar()  # seconds off every stage; see ictanalysis.startup
    args = build_parser().parse_args(argv)
    logs = DEFAULTS.outputs.logs
    try:
        settings = _settings(args)
        logs = settings.outputs.logs
        done = COMMANDS[args.command].call(args, settings)
        if isinstance(done, int):
            return done
        print(done)
        return ExitCode.OK
    except IctAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except OSError as exc:
        return _os_error(args.command, exc, logs)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # a bug (or a Rust panic, which is no Exception): one line here, the rest in a log
        from ictanalysis.crash import report_crash

        return report_crash(args.command, exc, logs)


def _os_error(command: str, exc: OSError, logs: Path) -> int:
    """Report a full disk met outside :mod:`ictanalysis.atomic` as one met inside; any other OSError is a bug."""
    if not is_disk_full(exc):
        from ictanalysis.crash import report_crash

        return report_crash(command, exc, logs)
    full = DiskFullError(exc.filename)
    print(f"error: {full}", file=sys.stderr)
    return int(full.exit_code)
