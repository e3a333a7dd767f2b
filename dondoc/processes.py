"""Child processes that end with their parent (Linux's parent-death signal)."""

from __future__ import annotations

import ctypes
import sys

__all__ = ["signal_on_parent_death"]

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def signal_on_parent_death(signum: int) -> int | None:
    """Ask the kernel to send ``signum`` to this process when its parent ends, even by SIGKILL.

    Returns None when it is set, else the ``errno`` of a refusal (0 where there is no such call: not Linux, or no
    libc to ask); callers that need more than the kernel's word add their own watch.
    """
    if not sys.platform.startswith("linux"):
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
            return ctypes.get_errno()
    except (OSError, AttributeError):
        return 0
    return None
