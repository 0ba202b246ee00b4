"""Chart files from Vega-Lite specs: SVG, PNG and an offline HTML page, without Altair.

:func:`write_chart_files` turns one spec into ``name.svg``, ``name.png`` (twice the
size, for print) and a standalone ``name.html`` that draws it with the Vega
libraries inlined. :func:`ictanalysis.chart.save_chart` calls it for an Altair chart.

The report does not draw these files in its notebook. The kernel only writes each
chart's spec, ``name.vl.json``, into the charts folder; a :class:`ChartRenderer`,
a separate process started with the kernel (``python -m ictanalysis.render
FOLDER``), draws every spec as it appears, on the other core, while the notebook
goes on. vl-convert keeps Python's global lock while it draws, so a thread in the
papermill process would stall the kernel's next cell; a process does not.
"""

from __future__ import annotations

import argparse
import html
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.embed import spec_html, vega_bundle
from ictanalysis.errors import ReportError
from ictanalysis.formatting import format_locale
from ictanalysis.outputs import CHART_SPEC, chart_file
from ictanalysis.words import DEFAULT_LANGUAGE, languages

__all__ = ["FONT", "INK", "SPEC_SUFFIX", "ChartRenderer", "spec_title", "write_chart_files", "write_spec"]

# Fonts with Vietnamese glyphs on Windows, Android, macOS and Linux, in that order.
# DejaVu Sans comes before Arial and Liberation Sans: Debian's Liberation Sans (1.x, also
# what Linux browsers get for "Arial") has no ạ, ơ, ư, ậ…, and vl-convert then draws the
# whole label in a serif fallback. vl-convert takes the first family it has; a list whose
# fonts are all missing would draw no text at all there, hence the generic one at the end.
FONT = "Segoe UI, Roboto, Helvetica Neue, DejaVu Sans, Arial, Liberation Sans, sans-serif"
INK = "#1d2733"  # the colour of text, in charts and on their pages

#: What a chart's spec file is called (see :func:`ictanalysis.outputs.chart_file`).
SPEC_SUFFIX = CHART_SPEC
_POLL_SECONDS = 0.05


def write_chart_files(spec: dict, directory: Path, name: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Path]:
    """Write ``name.svg``, ``name.png`` and an offline ``name.html`` of a Vega-Lite spec.

    Each file is written atomically (a reader never sees half of one); the folder is
    made when missing. The HTML page holds the Vega libraries itself and fetches nothing.

    Returns:
        The written paths by kind: ``{"svg": …, "png": …, "html": …}``.
    """
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec, format_locale=format_locale(language))
    png = vl_convert.svg_to_png(svg, scale=2)  # from the SVG: no second Vega run
    page = _page(spec, language, spec_title(spec, name))
    directory = Path(directory)
    return {
        "svg": write_atomically(chart_file(directory, name, "svg"), lambda p: p.write_text(svg, encoding="utf-8")),
        "png": write_atomically(chart_file(directory, name, "png"), lambda p: p.write_bytes(png)),
        "html": write_atomically(chart_file(directory, name, "html"), lambda p: p.write_text(page, encoding="utf-8")),
    }


def write_spec(spec: dict, directory: Path, name: str) -> Path:
    """Write the spec as ``name.vl.json`` in `directory`, atomically, for a renderer to draw."""
    text = json.dumps(spec, ensure_ascii=False, allow_nan=False)
    return write_atomically(chart_file(directory, name, "spec"), lambda p: p.write_text(text, encoding="utf-8"))


def spec_title(spec: dict, default: str) -> str:
    """Return the chart's title as plain text (`default` when it has none).

    >>> spec_title({"title": {"text": ["Thuê bao", "2020"]}}, "x"), spec_title({}, "x")
    ('Thuê bao 2020', 'x')
    """
    title = spec.get("title", default)
    text = title.get("text", default) if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def _page(spec: dict, language: str, title: str) -> str:
    """Return a standalone HTML page drawing one chart, with the Vega libraries inlined."""
    return (
        f'<!doctype html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>body {{ font-family: {FONT}; margin: 1.5rem; color: {INK}; }}</style>\n"
        f"<script>{vega_bundle()}</script>\n</head>\n<body>\n"
        f"{spec_html(spec, 'chart', language)}\n</body>\n</html>\n"
    )


class ChartRenderer:
    """A process that draws each ``*.vl.json`` of a folder as it appears, until told to finish.

    Use it around the notebook run::

        with ChartRenderer(staging / "charts", "vi") as renderer:
            run_the_notebook()
            renderer.finish_later()  # no more specs: draw what is left, meanwhile do other work
            export_the_page()
            renderer.finish()        # wait; ReportError if a chart could not be drawn

    Leaving the block before :meth:`finish` (the notebook failed) stops the process.
    """

    def __init__(self, folder: Path, language: str = DEFAULT_LANGUAGE) -> None:
        self.folder = Path(folder)
        self.language = language
        self._process: subprocess.Popen | None = None
        self._errors = tempfile.TemporaryFile("w+", encoding="utf-8")

    def __enter__(self) -> ChartRenderer:
        self._process = subprocess.Popen(  # UTF-8 whatever the code page: its errors are read back as UTF-8
            [sys.executable, "-X", "utf8", "-m", "ictanalysis.render", str(self.folder), "--language", self.language],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors,
        )  # fmt: skip
        return self

    def finish_later(self) -> None:
        """Tell the process no more specs will come: it draws the ones waiting, then ends."""
        assert self._process is not None and self._process.stdin is not None, "called inside the with block"
        self._process.stdin.close()

    def finish(self, timeout: float = 300) -> None:
        """Wait for the process to draw every spec, and raise if a chart could not be drawn.

        Raises:
            ReportError: a chart could not be drawn, or drawing took longer than `timeout` seconds.
        """
        self.finish_later()
        try:
            code = self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise ReportError(f"drawing the charts in {self.folder} took longer than {timeout:.0f} s") from None
        if code != 0:
            self._errors.seek(0)
            lines = self._errors.read().strip().splitlines()
            raise ReportError(f"the charts could not be drawn: {lines[-1] if lines else f'exit code {code}'}")

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._errors.close()


def _serve(folder: Path, language: str) -> None:
    """Draw every spec in `folder` once, as it appears, until standard input closes."""
    import vl_convert

    closed = _watch_input()
    vl_convert.vegalite_to_svg({"mark": "point"}, format_locale=format_locale(language))  # starts V8 now
    drawn: set[str] = set()
    while True:
        finished = closed.wait(_POLL_SECONDS)  # checked first, so the last scan sees every spec
        for spec_file in sorted(folder.glob(f"*{SPEC_SUFFIX}")):
            name = spec_file.name.removesuffix(SPEC_SUFFIX)
            if name not in drawn:
                try:
                    write_chart_files(json.loads(spec_file.read_text(encoding="utf-8")), folder, name, language)
                except Exception as exc:
                    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
                    raise RuntimeError(f"{spec_file}: {type(exc).__name__}: {first}") from exc
                drawn.add(name)
        if finished:
            return


def _watch_input() -> threading.Event:
    """Return an event set when standard input closes (a thread reads it: ``select`` takes no pipe on Windows)."""
    closed = threading.Event()

    def read_to_the_end() -> None:
        sys.stdin.buffer.read()
        closed.set()

    threading.Thread(target=read_to_the_end, daemon=True).start()
    return closed


def main(argv: list[str] | None = None) -> int:
    """``python -m ictanalysis.render FOLDER [--language vi]``: the renderer's process."""
    parser = argparse.ArgumentParser(prog="python -m ictanalysis.render", description=ChartRenderer.__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--language", default=DEFAULT_LANGUAGE, choices=languages())
    args = parser.parse_args(argv)
    try:
        _serve(args.folder, args.language)
    except Exception as exc:  # noqa: BLE001 - the parent shows this line as the report's error
        print(exc if isinstance(exc, RuntimeError) else f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
