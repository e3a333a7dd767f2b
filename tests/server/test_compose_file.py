"""The docker-compose file of server mode, checked statically (this machine has a Docker client but no engine)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

SERVER = Path(__file__).resolve().parents[2] / "deployments" / "server"


def test_compose_defines_the_services_in_order_with_no_secret_in_it():
    text = (SERVER / "docker-compose.yml").read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    services = spec["services"]
    assert set(services) == {"app-db", "prefect-db", "prefect-server", "migrate", "deploy", "worker"}
    assert services["migrate"]["command"] == "dondoc sync"
    assert services["migrate"]["depends_on"] == {"app-db": {"condition": "service_healthy"}}
    assert services["deploy"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["deploy"]["depends_on"]["prefect-server"] == {"condition": "service_healthy"}
    assert services["worker"]["command"] == "prefect worker start --pool dondoc"
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("migrate", "deploy", "worker"):
        assert services[name]["env_file"] == ".env"
        assert services[name]["environment"]["DONDOC_DATABASE_URL"].startswith("postgresql+psycopg://dondoc:${")
        assert services[name]["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"
        # the server does not protect itself with CSRF tokens, so its clients ask for none
        assert services[name]["environment"]["PREFECT_CLIENT_CSRF_SUPPORT_ENABLED"] == "false"
    assert "PREFECT_SERVER_CSRF_PROTECTION_ENABLED" not in services["prefect-server"]["environment"]
    assert services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"].startswith(
        "postgresql+asyncpg://prefect:${PREFECT_DB_PASSWORD}@prefect-db"
    )
    assert services["prefect-server"]["ports"] == ["127.0.0.1:4200:4200"]  # not open to the network
    # passwords only as ${VARIABLES} from .env
    assert not re.search(r"(?im)^\s*\w*PASSWORD\w*\s*:\s*(?!\$\{)\S", text)
    assert not re.search(r"://\w+:(?!\$\{)[^@\s]+@", text)


def test_the_env_example_names_every_setting_and_holds_no_real_secret():
    lines = [
        line
        for line in (SERVER / "dondoc.env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    values = dict(line.split("=", 1) for line in lines)
    assert {
        "DONDOC_DB_PASSWORD",
        "PREFECT_DB_PASSWORD",
        "DONDOC_HMAC_KEY",
        "DONDOC_SMTP_PASSWORD",
        "DONDOC_IMAP_PASSWORD",
    } <= set(values)
    assert all(values[k].startswith("change-me") for k in values if "PASSWORD" in k or "KEY" in k)
    assert all(
        v.endswith(("example.org", "example.com")) for k, v in values.items() if k.endswith(("_HOST", "_USER", "_FROM"))
    )
