"""dondoc — đôn đốc báo cáo: a workflow engine for reporting deadlines and assignments."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["installed_version"]


def installed_version() -> str:
    """dondoc's installed version, or ``0+unknown`` when it runs from a checkout that was not installed."""
    try:
        return version("dondoc")
    except PackageNotFoundError:
        return "0+unknown"
