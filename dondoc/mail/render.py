"""The Jinja2 environment and rendering with errors that name the template and line."""

from __future__ import annotations

import traceback
from pathlib import Path

import jinja2

from dondoc.errors import TemplateError

__all__ = ["jinja_environment", "render"]


def jinja_environment(templates_dir: Path) -> jinja2.Environment:
    """The one environment: strict about missing values, HTML autoescaped.

    Filters: ``lower_first`` (a title inside a sentence, proper nouns and acronyms kept: never ``lower``) and
    ``with_period(label)`` (a report's title with its period said once), from :mod:`dondoc.vocabulary`.
    """
    from dondoc.vocabulary import lower_first, report_title

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2", "htm")),
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["lower_first"] = lower_first
    env.filters["with_period"] = report_title
    return env


def render(env: jinja2.Environment, name: str, context: dict) -> str:
    """Render template ``name``; a ``TemplateError`` says ``name:line: problem``."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"templates/{error.name or name}:{error.lineno}: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise TemplateError(f"templates/{error.name}: template not found") from None
    except jinja2.TemplateError as error:
        line = next(
            (frame.lineno for frame in reversed(traceback.extract_tb(error.__traceback__))
             if frame.filename.endswith(name)),
            None,
        )
        raise TemplateError(f"templates/{name}:{line}: {error}") from None
