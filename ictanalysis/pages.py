"""Render the package's Jinja templates: every value escaped, invisible characters written out, words in a language.

The data-quality page and the emails are templates in ``templates/``. Each
renders with autoescaping (text from workbooks cannot become markup), with
:func:`~ictanalysis.text.visible_text` applied to every value, with undefined
names refused, and with the words of the language given as ``_("key", …)``
(Jinja's i18n extension over :mod:`ictanalysis.words`).
"""

from __future__ import annotations

import functools

from ictanalysis.text import visible_text
from ictanalysis.words import words

__all__ = ["render"]


def render(template: str, language: str, **context: object) -> str:
    """Return the template `template` of ``templates/`` rendered with `context` and the words of `language`."""
    environment = _environment(language)
    return environment.get_template(template).render(language=language, **context)


@functools.cache
def _environment(language: str):
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("ictanalysis", "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
        finalize=visible_text, extensions=["jinja2.ext.i18n"],
    )  # fmt: skip
    said = words(language)
    environment.install_gettext_callables(said, lambda one, many, n: said(one if n == 1 else many), newstyle=False)
    return environment
