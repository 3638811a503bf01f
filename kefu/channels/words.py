"""Why an email is in quarantine, in the reader's language. The stored reason stays as the
parser or the store wrote it (English, with the technical detail); the known kinds of
reason are put into words here, the detail kept as it is."""

from __future__ import annotations

from django.utils.translation import gettext as _


def quarantine_reason_text(reason: str) -> str:
    """存储失败、没有发件人… for a stored reason; one not known is shown as stored."""
    whole = {
        "empty message": _("空邮件"),
        "no headers": _("没有邮件头"),
        "no sender address (From)": _("没有发件人地址（From）"),
    }
    if reason in whole:
        return whole[reason]
    prefixes = {
        "retry failed: ": lambda rest: (
            _("重试失败：%(reason)s") % {"reason": quarantine_reason_text(rest)}
        ),
        "malformed MIME structure: ": lambda rest: (
            _("邮件结构损坏（%(detail)s）") % {"detail": rest}
        ),
        "MIME parser failed: ": lambda rest: _("无法解析邮件（%(detail)s）") % {"detail": rest},
        "could not store: ": lambda rest: _("无法保存：%(detail)s") % {"detail": rest},
    }
    for prefix, words in prefixes.items():
        if reason.startswith(prefix):
            return words(reason[len(prefix) :])
    return reason
