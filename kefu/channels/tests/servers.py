"""Real mail servers for the tests: a Dovecot IMAP server in a temporary directory and an
aiosmtpd SMTP server, each on a free port. Never a mock of imaplib or smtplib."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Imap:
    port: int
    user: str = "support"
    password: str = "secret"
    tls_port: int = 0
    ca_file: str = ""

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        conn.login(self.user, self.password)
        return conn

    def append(self, *raws: bytes) -> None:
        conn = self.client()
        for raw in raws:
            conn.append("INBOX", "", None, raw)
        conn.logout()

    def seen_uids(self) -> list[int]:
        conn = self.client()
        conn.select("INBOX")
        _typ, data = conn.uid("SEARCH", "SEEN")
        conn.logout()
        return [int(x) for x in (data[0] or b"").split()]


def dovecot_available() -> bool:
    return os.path.exists(DOVECOT)


def _self_signed(root: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (the tests trust it through SSL_CERT_FILE)."""
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def dovecot(root: Path, *, tls: bool = False) -> Iterator[Imap]:
    """Start Dovecot in the foreground on free ports (IMAP, and IMAPS with a self-signed
    certificate when `tls`), with one user; stop it after."""
    if os.geteuid() == 0:  # Dovecot refuses to give mail to uid 0: use its own user
        entry = pwd.getpwnam("dovecot")
        uid, gid = entry.pw_uid, entry.pw_gid
    else:
        uid, gid = os.getuid(), os.getgid()
    port = free_port()
    tls_port = free_port() if tls else 0
    for d in ("run", "state", "home"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "users").write_text("support:{PLAIN}secret\n")
    ssl_conf, ca_file = "ssl = no", ""
    if tls:
        cert, key = _self_signed(root)
        ssl_conf, ca_file = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}", str(cert)
    (root / "dovecot.conf").write_text(
        CONFIG.format(root=root, uid=uid, gid=gid, port=port, tls_port=tls_port, ssl=ssl_conf)
    )
    if os.geteuid() == 0:
        os.chown(root / "home", uid, gid)
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise RuntimeError(f"dovecot did not start: {err}") from None
                time.sleep(0.1)
        yield Imap(port=port, tls_port=tls_port, ca_file=ca_file)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Smtp:
    port: int
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)


@contextmanager
def smtp_server() -> Iterator[Smtp]:
    """aiosmtpd on a free port, keeping every envelope it receives."""
    from aiosmtpd.controller import Controller

    server = Smtp(port=free_port())

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):
            server.received.append(
                (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
            )
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
