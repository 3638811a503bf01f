"""Polling one IMAP mailbox: fetch the UIDs above the mailbox's progress mark, ingest each,
then flag it \\Seen. The progress mark moves in the ingest transaction, so a crash at any
point repeats at most the message in hand, which the unique keys then skip."""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass

from kefu.channels import actions
from kefu.channels.faults import checkpoint
from kefu.channels.models import ImapSecurity, Mailbox

TIMEOUT = 60


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    ignored: int = 0
    backlog: int = 0


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.imap_security == ImapSecurity.SSL:
        conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.imap_host,
            mailbox.imap_port,
            ssl_context=ssl.create_default_context(),
            timeout=TIMEOUT,
        )
    else:
        conn = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=TIMEOUT)
        if mailbox.imap_security == ImapSecurity.STARTTLS:
            conn.starttls(ssl.create_default_context())
    conn.login(mailbox.imap_username, mailbox.imap_password)
    return conn


def _uidvalidity(conn: imaplib.IMAP4, folder: str) -> int:
    typ, data = conn.status(_quote(folder), "(UIDVALIDITY)")
    match = re.search(rb"UIDVALIDITY (\d+)", b" ".join(d for d in data if isinstance(d, bytes)))
    if typ != "OK" or match is None:
        raise imaplib.IMAP4.error(f"no UIDVALIDITY for {folder}")
    return int(match.group(1))


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _new_uids(conn: imaplib.IMAP4, last_uid: int) -> list[int]:
    typ, data = conn.uid("SEARCH", f"UID {last_uid + 1}:*")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"UID SEARCH failed: {data!r}")
    # "n:*" always matches the highest UID, even below n: keep only the new ones.
    return sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > last_uid)


def _fetch(conn: imaplib.IMAP4, uid: int) -> bytes | None:
    typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"UID FETCH {uid} failed: {data!r}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return None  # expunged meanwhile


def poll_mailbox(mailbox_id: int, *, limit: int = 500) -> PollResult:
    """One fetch round; mailbox health records the outcome (and the error, re-raised)."""
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    result = PollResult()
    try:
        conn = connect(mailbox)
        try:
            uidvalidity = _uidvalidity(conn, mailbox.imap_folder)
            if actions.start_uid_epoch(mailbox.pk, uidvalidity):
                mailbox.refresh_from_db()
            conn.select(_quote(mailbox.imap_folder))
            uids = _new_uids(conn, mailbox.last_uid)
            for uid in uids[:limit]:
                raw = _fetch(conn, uid)
                checkpoint("fetch")
                if raw is None:
                    continue
                result.fetched += 1
                outcome = actions.ingest_email(
                    mailbox.pk, raw, source="imap", uidvalidity=uidvalidity, uid=uid
                )
                if outcome.duplicate:
                    result.duplicates += 1
                elif outcome.status == "quarantined":
                    result.quarantined += 1
                elif outcome.status == "ignored":
                    result.ignored += 1
                else:
                    result.stored += 1
                checkpoint("mark_seen")
                conn.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
            result.backlog = max(0, len(uids) - limit)
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()
    except (imaplib.IMAP4.error, OSError, ssl.SSLError) as exc:
        actions.record_fetch_error(mailbox.pk, f"{type(exc).__name__}: {exc}")
        raise
    actions.record_fetch_success(mailbox.pk, backlog=result.backlog)
    return result


def due_mailboxes() -> list[int]:
    """Active IMAP mailboxes whose last fetch is older than the fetch interval."""
    import datetime as dt

    from django.conf import settings
    from django.db.models import Q

    from kefu.core import clock

    since = clock.now() - dt.timedelta(seconds=settings.KEFU_MAILBOX_FETCH_SECONDS)
    return list(
        Mailbox.objects.filter(active=True)
        .exclude(imap_host="")
        .filter(Q(last_fetch_at__isnull=True) | Q(last_fetch_at__lte=since))
        .values_list("pk", flat=True)
    )
