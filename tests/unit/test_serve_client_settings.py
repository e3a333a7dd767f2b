"""What dondoc serve sets for the Prefect clients of its runner and flow runs when it started the server itself."""

from dondoc.serve import client_settings


def test_a_server_started_here_has_no_csrf_protection_so_its_clients_ask_for_no_token():
    assert client_settings({}) == {"PREFECT_CLIENT_CSRF_SUPPORT_ENABLED": "false"}
    assert client_settings({"PREFECT_SERVER_CSRF_PROTECTION_ENABLED": "false"}) == {
        "PREFECT_CLIENT_CSRF_SUPPORT_ENABLED": "false"
    }


def test_a_server_told_to_protect_itself_keeps_its_clients_asking_for_tokens():
    for value in ("true", "1", "True", " yes "):
        assert client_settings({"PREFECT_SERVER_CSRF_PROTECTION_ENABLED": value}) == {}
