"""The public answer page: no login, the one-time token in the link is the key."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from kefu.core import clock
from kefu.core.errors import NotFound, ValidationFailed
from kefu.surveys import actions, selectors
from kefu.surveys import definition as qdef
from kefu.surveys.forms import answers_from_post, layout
from kefu.surveys.models import Invitation, InvitationState, Response

LANGUAGES = ("zh-hans", "en")


def _language(request: HttpRequest, invitation: Invitation, response: Response | None) -> str:
    """The language the page's switch asked for, else the one the answers were saved in,
    else the invitation's (the customer's preference, chosen when it was sent), and only
    then the browser's."""
    asked = request.GET.get("lang") or request.POST.get("lang")
    if asked in LANGUAGES:
        return asked
    if response is not None and response.language in LANGUAGES:
        return response.language
    if invitation.language in LANGUAGES:
        return invitation.language
    browser = getattr(request, "LANGUAGE_CODE", "") or ""
    return "en" if browser.startswith("en") else "zh-hans"


def _invitation(token: str) -> Invitation:
    try:
        return selectors.invitation_by_token(token)
    except NotFound as exc:
        raise Http404("no survey") from exc


def _expired(invitation: Invitation) -> bool:
    return invitation.state == InvitationState.EXPIRED or invitation.expires_at <= clock.now()


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    existing = selectors.response_of(invitation)
    language = _language(request, invitation, existing)
    if existing is not None and existing.complete:
        return redirect("surveys:thanks", token=token)
    with translation.override(language):
        if _expired(invitation):
            return render(
                request, "surveys/public/expired.html", {"language": language}, status=410
            )
        definition = invitation.version.definition
        answers = dict(existing.answers) if existing is not None else {}
        errors: dict[str, str] = {}
        saved = False
        if request.method == "POST":
            answers = answers_from_post(definition, request.POST)
            try:
                if request.POST.get("action") == "save":
                    actions.save_progress(token, answers, language=language)
                    saved = True
                else:
                    actions.submit_answers(token, answers, language=language)
                    return redirect("surveys:thanks", token=token)
            except ValidationFailed as exc:
                errors = exc.fields
            except actions.TokenExpired:
                return render(
                    request, "surveys/public/expired.html", {"language": language}, status=410
                )
        sections = layout(definition, answers, errors, language)
        context = {
            "invitation": invitation,
            "title": invitation.survey.title(language),
            "intro": qdef.text(definition.get("intro"), language),
            "sections": sections,
            "errors": [
                {"key": k, "message": m, "text": _question_text(sections, k)}
                for k, m in errors.items()
            ],
            "saved": saved,
            "language": language,
            "other_language": "en" if language == "zh-hans" else "zh-hans",
            "total": sum(len(s["questions"]) for s in sections),
            "answered": len(answers),
        }
        status = 422 if errors else 200
        return render(request, "surveys/public/answer.html", context, status=status)


def _question_text(sections: list[dict], key: str) -> str:
    for section in sections:
        for q in section["questions"]:
            if q["key"] == key:
                return str(q["text"])
    return key


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    response = selectors.response_of(invitation)
    language = _language(request, invitation, response)
    if response is None or not response.complete:
        return redirect("surveys:answer", token=token)
    with translation.override(language):
        return render(
            request,
            "surveys/public/thanks.html",
            {
                "title": invitation.survey.title(language),
                "closing": qdef.text(invitation.version.definition.get("closing"), language),
                "language": language,
            },
        )
