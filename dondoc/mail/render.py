"""The Jinja2 environment and rendering with errors that name the template and line."""

from __future__ import annotations

import traceback
from pathlib import Path

import jinja2

from dondoc.errors import TemplateError

__all__ = ["SharedRender", "jinja_environment", "render"]


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
            (
                frame.lineno
                for frame in reversed(traceback.extract_tb(error.__traceback__))
                if frame.filename.endswith(name)
            ),
            None,
        )
        raise TemplateError(f"templates/{name}:{line}: {error}") from None


class SharedRender:
    """Render a mail's templates once per group of mails that differ only in a few values, then fill those in.

    The reminders of one (obligation, period, stage, language) share every
    word but the agency's name and the deadline's tag: the templates are
    rendered once with a marker in place of each such value (``fills``), and
    each mail gets the marked text with its own values put in (escaped for
    HTML). Other values that differ from mail to mail but that the templates
    are not expected to print (``vary``: the deadline id, the Reply-To) are
    left out of the group's key. The first two mails of every group are also
    rendered in full and compared: a template that does more with such a
    value than print it (a filter, a test) or prints a ``vary`` value makes
    its group render in full, mail by mail.
    """

    CHECKED = 2  # mails of a group rendered in full too, and compared

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self.groups: dict[str, list] = {}  # key → [marked texts or None when unsafe, mails seen]

    @staticmethod
    def _marker(name: str) -> str:
        return f"\ue000{name}\ue001"  # private-use characters: in no real text, untouched by HTML escaping

    def _fill(self, texts: list[str], names: tuple[str, ...], values: dict[str, str]) -> list[str]:
        from markupsafe import escape

        done = []
        for name, text in zip(names, texts, strict=True):
            for key, value in values.items():
                text = text.replace(self._marker(key), str(escape(value)) if ".html" in name else value)
            done.append(text)
        return done

    def render(
        self, names: tuple[str, ...], context: dict, fills: tuple[str, ...], vary: tuple[str, ...] = ()
    ) -> list[str]:
        """The templates ``names`` rendered with ``context``; its keys ``fills`` are filled in afterwards."""
        values = {key: str(context[key]) for key in fills}
        key = repr((names, sorted((k, v) for k, v in context.items() if k not in values and k not in vary)))
        group = self.groups.get(key)
        if group is None:
            marked = {**context, **{k: self._marker(k) for k in values}}
            group = self.groups[key] = [[render(self.env, name, marked) for name in names], 0]
        shared, seen = group
        group[1] += 1
        if shared is not None and seen >= self.CHECKED:
            return self._fill(shared, names, values)
        full = [render(self.env, name, context) for name in names]
        if shared is not None and self._fill(shared, names, values) != full:
            group[0] = None
        return full
