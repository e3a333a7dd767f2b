"""A test that needs a program of the machine (PostgreSQL, Dovecot, Chromium): skipped where it is missing, failed
instead where ``scripts/test`` says it must run (``DONDOC_REQUIRE_<NAME>=1``, as in CI)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

__all__ = ["unavailable"]


def unavailable(what: str, variable: str, hint: str = "") -> NoReturn:
    """End the calling test for want of ``what``: fail it when the environment ``variable`` is 1, else skip it
    (``hint``: how to install it)."""
    if os.environ.get(variable) == "1":
        pytest.fail(f"{what} not found and {variable}=1")
    pytest.skip(f"{what} not found ({hint})" if hint else f"{what} not found")
