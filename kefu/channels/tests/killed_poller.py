"""Run by test_imap in a child process: poll one mailbox and die with SIGKILL at a named
step of the pipeline (no cleanup, no commit, no except clause runs)."""

import os
import signal
import sys

import django


def main() -> None:
    mailbox_id, step, nth = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    django.setup()
    from kefu.channels import faults, imap

    seen = {"n": 0}

    def die(at: str) -> None:
        if at == step:
            seen["n"] += 1
            if seen["n"] == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    faults.HOOKS.append(die)
    imap.poll_mailbox(mailbox_id)


if __name__ == "__main__":
    main()
