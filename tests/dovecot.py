"""A throwaway Dovecot IMAP server for tests, from the machine's ``dovecot`` binary.

Everything lives in one temporary folder — configuration, sockets, state,
log and the mail itself — so the system's Dovecot configuration is never
read or touched. The server listens on a free loopback port without TLS and
allows plaintext login there. It runs as an unprivileged user: under root as
the ``dovecot`` system user (created by the Debian package), else as the
current user; all its services run as that one user, which is how Dovecot
runs without root.
"""

from __future__ import annotations

import grp
import mailbox
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient, imap_utf7

__all__ = ["DovecotServer", "find_dovecot"]

USER = "dondoc"
PASSWORD = "s3cret-Hue-2021"  # distinctive, so a test can check it never shows in an error
OTHER_USER, OTHER_PASSWORD = "vanthu", "Mật khẩu Huế 2021"  # a second account, with a non-ASCII password

CONFIG = """\
# A throwaway Dovecot for dondoc's tests; nothing here reads /etc/dovecot.
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
info_log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
auth_failure_delay = 0
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
last_valid_gid = {gid}
mail_location = maildir:{folder}/mail/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {folder}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service imap-urlauth-login {{
  chroot =
}}
service anvil {{
  chroot =
  # no growing delay for logins after a failed one (a test tries a wrong password)
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def find_dovecot() -> str | None:
    """The ``dovecot`` binary from PATH or /usr/sbin (not always on a non-root PATH)."""
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")


def _unprivileged_account() -> pwd.struct_passwd:
    for name in ("dovecot", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("no unprivileged user (dovecot, nobody) to run Dovecot as")


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie has closed its sockets already: it does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):  # gone: no file, or ESRCH while the process exits under our read
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DovecotServer:
    """``dovecot -F -c <our config>`` on a free loopback port; a test user with a Maildir, and a second one."""

    host = "127.0.0.1"
    user = USER
    password = PASSWORD
    other_user = OTHER_USER
    other_password = OTHER_PASSWORD

    def __init__(self, binary: str):
        self.binary = binary
        # Not under pytest's tmp folder: that one is private to root, and the
        # server may run as another user.
        self.folder = Path(tempfile.mkdtemp(prefix="dondoc-dovecot-"))
        self.port = _free_port()
        account = _unprivileged_account() if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        self.uid, self.gid = account.pw_uid, account.pw_gid
        self.maildir = self.folder / "mail" / USER / "Maildir"
        """The user's Maildir: INBOX is the folder itself, ``Name`` is ``.Name`` (Maildir++)."""
        self._process: subprocess.Popen | None = None

    @property
    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _write_config(self) -> Path:
        for sub in ("run", "state", "mail"):
            (self.folder / sub).mkdir()
        (self.folder / "users").write_text(
            "".join(
                f"{user}:{{PLAIN}}{password}:{self.uid}:{self.gid}::{self.folder / 'mail' / user}::\n"
                for user, password in [(USER, PASSWORD), (OTHER_USER, OTHER_PASSWORD)]
            ),
            encoding="utf-8",
        )
        config = self.folder / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                folder=self.folder,
                port=self.port,
                uid=self.uid,
                gid=self.gid,
                user=pwd.getpwuid(self.uid).pw_name,
                group=grp.getgrgid(self.gid).gr_name,
            )
        )
        self.maildir.parent.mkdir(parents=True)
        mailbox.Maildir(self.maildir, create=True)
        for path in [self.folder, *self.folder.rglob("*")]:
            os.chown(path, self.uid, self.gid)
        return config

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait for its IMAP greeting."""
        config = self._write_config()
        as_user = {} if os.geteuid() != 0 else {"user": self.uid, "group": self.gid, "extra_groups": []}
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(config)],
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **as_user,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                output = self._process.stdout.read().decode(errors="replace")
                raise RuntimeError(f"dovecot exited with {self._process.returncode}:\n{output}\n{self.log}")
            if self._greets():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dovecot did not greet on port {self.port} within {timeout} s:\n{self.log}")
            time.sleep(0.05)

    def _greets(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1) as connection:
                return connection.recv(200).startswith(b"* OK")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server and delete its folder, mail included."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def kick(self, timeout: float = 5.0) -> None:
        """Close every IMAP session of the test user from the server side; returns once their processes are gone."""
        sessions = self._doveadm("who", "-1", USER).splitlines()[1:]
        pids = [int(line.split()[2]) for line in sessions if len(line.split()) >= 3]
        self._doveadm("kick", USER)
        deadline = time.monotonic() + timeout
        while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.01)

    def _doveadm(self, *args: str) -> str:
        doveadm = shutil.which("doveadm", path=f"{Path(self.binary).parent}:/usr/bin:/usr/sbin") or "doveadm"
        as_user = {} if os.geteuid() != 0 else {"user": self.uid, "group": self.gid, "extra_groups": []}
        return subprocess.run(
            [doveadm, "-c", str(self.folder / "dovecot.conf"), *args],
            check=True,
            capture_output=True,
            text=True,
            cwd="/",
            **as_user,
        ).stdout

    def client(self) -> IMAPClient:
        """A logged-in IMAP client for the test user (use it as a context manager)."""
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def source(self, folder: str = "INBOX", **options):
        """dondoc's ``ImapSource`` on ``folder`` as the test user, without TLS (``options``: batch, timeout, …)."""
        from dondoc.mail.sources import ImapSource

        options.setdefault("timeout", 10)
        return ImapSource(
            host=self.host,
            port=self.port,
            username=self.user,
            password=self.password,
            mailbox=folder,
            security="none",
            **options,
        )

    def deliver(self, raw: bytes, folder: str = "INBOX") -> Path:
        """Drop ``raw`` into ``folder``'s ``new/`` as a mail delivery agent would; the file's path.

        Folder ``Name`` is the directory ``.Name`` in modified UTF-7, as Dovecot names it.
        """
        path = self.maildir if folder == "INBOX" else self.maildir / f".{imap_utf7.encode(folder).decode()}"
        box = mailbox.Maildir(path, create=True)
        key = box.add(raw)
        written = path / "new" / key
        for made in [path, *path.rglob("*")]:
            os.chown(made, self.uid, self.gid)
        return written
