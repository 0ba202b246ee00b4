"""The analysts' email when the quality gate fails: the failed rules, their rows and cells, the page attached."""

from __future__ import annotations

import html
from email.message import EmailMessage
from pathlib import Path

from ictanalysis.deliver.compose import new_message
from ictanalysis.quality import describe_rule
from ictanalysis.settings import DEFAULTS, MailConfig
from ictanalysis.text import visible_text
from ictanalysis.tidy import key_without, source_of
from ictanalysis.words import words

__all__ = ["ALERT_ROWS", "quality_alert"]

ALERT_ROWS = 5


def quality_alert(
    quality_json: dict, config: MailConfig | None, language: str = DEFAULTS.language, *, page: Path | None = None
) -> EmailMessage:
    """Return the email that tells the analysts the quality gate failed: the failed rules and rows.

    `quality_json` is the pair's result (``reports/<year>/quality/<year>-vs-<compare year>.json``)
    read back; `page`, when given, is attached (its ``.html``). Addressed to ``config.analysts``.
    """
    rules = [r for r in quality_json.get("rules", []) if not r.get("success", True)]
    errors = [r for r in rules if r.get("severity") == "error"]
    year, cy = quality_json.get("year"), quality_json.get("compare_year")
    said = words(language)
    subject = said("alert.subject", year=year, n=len(errors))
    lead = said("alert.lead", year=year, cy=cy, checked=quality_json.get("checked_rows", "?"))
    blocks = [
        (_rule_line(rule, language), _rule_rows(rule, language))
        for rule in errors + [r for r in rules if r not in errors]
    ]
    message = new_message(subject, config, config.analysts if config else ())
    lines = [lead, ""] + [line for head, rows in blocks for line in (head, *(f"  - {r}" for r in rows), "")]
    message.set_content(visible_text("\n".join([*lines, said("alert.page")]) + "\n"))
    message.add_alternative(_alert_html(lead, blocks, language), subtype="html")
    if page is not None and Path(page).is_file():
        message.add_attachment(Path(page).read_bytes(), "text", "html", filename=Path(page).name)
    return message


def _rule_line(rule: dict, language: str) -> str:
    said = words(language)
    description = describe_rule(rule.get("id", ""), language)
    severity = said("severity.error" if rule.get("severity") == "error" else "severity.warning")
    return said("alert.rule", severity=severity, description=description.rstrip("."), failed=rule.get("failed", 0),
                checked=rule.get("checked", 0))  # fmt: skip


def _rule_rows(rule: dict, language: str) -> list[str]:
    rows = rule.get("rows") or []
    shown = [_row_text(row, language) for row in rows[:ALERT_ROWS]]
    more = len(rows) - ALERT_ROWS
    return shown + ([words(language)("alert.more", n=more)] if more > 0 else [])


def _row_text(row: dict, language: str) -> str:
    from ictanalysis.formatting import format_number

    what = ", ".join(str(row[k]) for k in key_without("year") if row.get(k))
    value = format_number(row["value"], language) if isinstance(row.get("value"), (int, float)) else ""
    cells = [cell for cell in (source_of(row, "_before"), source_of(row)) if cell]
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
            f"<body><p>{escape(lead)}</p>{items}<p>{escape(words(language)('alert.page'))}</p></body></html>")  # fmt: skip
    return css_inline.CSSInliner(load_remote_stylesheets=False).inline(page)

