"""``dondoc web``: the coordinators' console, server-rendered pages over :mod:`dondoc.operations`.

:func:`create_app` builds the ASGI application for an :class:`~dondoc.wiring.App` (tests build it in-process and
drive it with Starlette's test client); ``dondoc web`` serves it with uvicorn. Pages are Jinja2 templates under
``templates/web/`` (autoescaped), one small stylesheet, no JavaScript. Vietnamese first, English behind the switch
(``DONDOC_LANG`` is the default); dates dd/mm/yyyy, times in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from dondoc.web.app import create_app

__all__ = ["create_app"]
