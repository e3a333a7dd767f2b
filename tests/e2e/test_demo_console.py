"""`dondoc demo` ends by saying how to open its season in the console, and the console opens it as said."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from dondoc.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.prefect]


def test_the_demo_says_how_to_open_its_season_and_the_console_does(prefect_harness, tmp_path, monkeypatch):
    from dondoc.cli_web import data_dir
    from dondoc.settings import Settings
    from dondoc.web import create_app
    from dondoc.wiring import build
    from tests.web.conftest import signed_in

    for name in ("DONDOC_CONFIG_DIR", "DONDOC_TEMPLATES_DIR", "DONDOC_DATA_DIR", "DONDOC_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "dondoc-demo"
    played = CliRunner().invoke(app, ["demo", "--dir", str(folder)])
    assert played.exit_code == 0, played.output
    assert f"dondoc users add TÊN --role coordinator --dir {folder}" in played.stdout
    assert f"dondoc web --dir {folder}" in played.stdout
    # as it says: an account on the demo's folder, then the console on it
    made = CliRunner().invoke(
        app,
        ["users", "add", "dieuphoi", "--role", "coordinator", "--password-stdin", "--dir", str(folder)],
        input="mật-khẩu-thử-nghiệm\n",
    )
    assert made.exit_code == 0, made.output
    assert data_dir(folder) == folder / "data"
    season = build(Settings(data_dir=data_dir(folder)))
    try:
        client = signed_in(create_app(season, secret=b"k" * 32), "dieuphoi")
        overview = client.get("/").text
        assert re.search(r"\d+/22 \(\d+,\d%\)", overview)  # the season's 22 agencies, with the rate
    finally:
        season.dispose()
