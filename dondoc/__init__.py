"""dondoc — đôn đốc báo cáo: a workflow engine for reporting deadlines and assignments."""

__all__ = ["installed_version"]


def installed_version() -> str:
    """dondoc's installed version, or ``0+unknown`` when it runs from a checkout that was not installed."""
    from importlib.metadata import PackageNotFoundError, version  # ~0.1 s: not on every command's start-up

    try:
        return version("dondoc")
    except PackageNotFoundError:
        return "0+unknown"
