"""The horizon's key: what a chase's plan depends on, read from the environment and the files alone."""

from __future__ import annotations

from pathlib import Path

from dondoc.horizon import surroundings
from tests.support.config import write_config

BASE = {"DONDOC_HMAC_KEY": "a-secret", "DONDOC_DATA_DIR": "data", "PATH": "/usr/bin"}


def environment(config: Path, **more: str) -> dict[str, str]:
    return {**BASE, "DONDOC_CONFIG_DIR": str(config), **more}


def test_it_locates_the_database_and_configuration_as_the_settings_do(tmp_path):
    config = write_config(tmp_path / "config")
    found = surroundings(environment(config), tmp_path)
    assert found is not None
    assert found.database_url == f"sqlite:///{tmp_path / 'data' / 'dondoc.sqlite3'}"
    assert (found.config_dir, found.timezone, found.lang) == (config, "Asia/Ho_Chi_Minh", "vi")
    assert surroundings(environment(config, DONDOC_DATABASE_URL="sqlite:////x/y.db"), tmp_path).database_url == (
        "sqlite:////x/y.db"
    )
    assert surroundings(environment(config, DONDOC_LANG="en"), tmp_path).lang == "en"


def test_any_setting_or_file_of_the_configuration_changes_the_key_a_secret_only_by_being_set(tmp_path):
    config = write_config(tmp_path / "config")
    key = surroundings(environment(config), tmp_path).key
    assert surroundings(environment(config), tmp_path).key == key
    assert surroundings({**environment(config), "HOME": "/elsewhere"}, tmp_path).key == key  # not ours
    assert surroundings(environment(config, DONDOC_SMTP_TIMEOUT="5"), tmp_path).key != key
    assert surroundings(environment(config, DONDOC_TIMEZONE="Asia/Bangkok"), tmp_path).key != key
    assert surroundings(environment(config, DONDOC_HMAC_KEY="another-secret"), tmp_path).key == key
    (config / "policy.yaml").write_text("default: {before: [5]}\n", encoding="utf-8")
    assert surroundings(environment(config), tmp_path).key != key
    (config / "policy.yaml").unlink()
    (config / "calendar").mkdir()
    (config / "calendar" / "2021.yaml").write_text("year: 2021\n", encoding="utf-8")
    assert surroundings(environment(config), tmp_path).key != key


def test_any_doubt_gives_none(tmp_path):
    config = write_config(tmp_path / "config")
    assert surroundings(environment(config), tmp_path) is not None
    assert surroundings({**environment(config), "DONDOC_HMAC_KEY": ""}, tmp_path) is None  # the full run says why
    assert surroundings(environment(config, DONDOC_LOG_LEVEL="INFO"), tmp_path) is None  # it logs what it did
    assert surroundings(environment(config, DONDOC_LANG="fr"), tmp_path) is None
    assert surroundings({**environment(config), "dondoc_data_dir": "other"}, tmp_path) is None  # which one wins?
    assert surroundings(environment(tmp_path / "missing"), tmp_path) is None
    (tmp_path / ".env").write_text("DONDOC_DATA_DIR=elsewhere\n")
    assert surroundings(environment(config), tmp_path) is None
