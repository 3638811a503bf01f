"""The shipped questionnaires and index groups, structured as the seeds teach: introduction,
respondent facts, main questions, open questions, closing."""

from __future__ import annotations

from typing import Any

INDEX_GROUPS = [
    # key, 中文, English, weight, order
    ("service_quality", "感知服务质量", "Perceived service quality", "0.700", 1),
    ("care", "客户关怀", "Customer care", "0.150", 2),
    ("leadership", "市场领先", "Market leadership", "0.150", 3),
]

LOW_SCORES = {"csat": 2, "nps": 6, "ces": 2, "overall": 2}


def t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def opt(value: str, zh: str, en: str) -> dict[str, str]:
    return {"value": value, "zh": zh, "en": en}


def rating(key: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": "rating", "scale": 5, "text": t(zh, en), "required": True, **extra}


def open_q(key: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": "open", "text": t(zh, en), "required": False, **extra}


CLOSING = t(
    "感谢您抽出宝贵时间！您的意见会直接送到负责的班组。",
    "Thank you for your time! Your answers go straight to the team responsible.",
)

FACTS = {
    "key": "facts",
    "title": t("您的基本情况", "About you"),
    "questions": [
        {
            "key": "contact_role",
            "type": "single",
            "text": t("您在本次服务中的身份是？", "What was your role in this contact?"),
            "required": False,
            "options": [
                opt("self", "本人办理", "I contacted you myself"),
                opt("for_other", "替家人或单位办理", "On behalf of family or my organisation"),
            ],
        }
    ],
}

CSAT: dict[str, Any] = {
    "intro": t(
        "您好！您的工单已办结。请用一分钟告诉我们这次服务怎么样。",
        "Hello! Your case is closed. Please take a minute to tell us how we did.",
    ),
    "closing": CLOSING,
    "sections": [
        FACTS,
        {
            "key": "main",
            "title": t("对本次服务的评价", "This contact"),
            "questions": [
                rating(
                    "csat",
                    "总体来说，您对本次服务满意吗？",
                    "Overall, how satisfied are you with this service?",
                    metric="csat",
                    group="service_quality",
                    style="stars",
                ),
                {
                    "key": "ces",
                    "type": "ces",
                    "metric": "ces",
                    "required": True,
                    "text": t(
                        "办理这件事对您来说有多容易？（1 很难，7 很容易）",
                        "How easy was it to get this done? (1 very hard, 7 very easy)",
                    ),
                },
                {
                    "key": "aspects",
                    "type": "matrix",
                    "scale": 5,
                    "required": False,
                    "group": "service_quality",
                    "text": t("请为以下方面打分", "Please rate each of these"),
                    "rows": [
                        {"key": "speed", **t("响应速度", "Speed of response")},
                        {"key": "attitude", **t("服务态度", "Attitude")},
                        {"key": "skill", **t("业务能力", "Knowledge")},
                        {"key": "result", **t("处理结果", "Outcome")},
                    ],
                },
                {
                    "key": "nps",
                    "type": "nps",
                    "metric": "nps",
                    "required": True,
                    "group": "leadership",
                    "text": t(
                        "您有多大可能向亲友推荐我们？（0–10）",
                        "How likely are you to recommend us to friends? (0–10)",
                    ),
                },
            ],
        },
        {
            "key": "open",
            "title": t("您的意见", "Your comments"),
            "questions": [
                open_q(
                    "why_low",
                    "很抱歉没有让您满意，问题出在哪里？",
                    "We are sorry. What went wrong?",
                    show_if={"question": "csat", "at_most": 3},
                ),
                open_q("suggestion", "您还有什么建议？", "Anything else we should improve?"),
            ],
        },
    ],
}

RETURN_VISIT: dict[str, Any] = {
    "intro": t(
        "您好！这是关于您投诉处理情况的回访。",
        "Hello! This is a follow-up on how your complaint was handled.",
    ),
    "closing": CLOSING,
    "sections": [
        {
            "key": "main",
            "title": t("投诉处理情况", "How your complaint was handled"),
            "questions": [
                {
                    "key": "solved",
                    "type": "single",
                    "required": True,
                    "text": t("您的问题解决了吗？", "Was your problem solved?"),
                    "options": [
                        opt("yes", "已解决", "Yes"),
                        opt("partly", "部分解决", "Partly"),
                        opt("no", "没有解决", "No"),
                    ],
                },
                rating(
                    "csat",
                    "您对投诉的处理满意吗？",
                    "How satisfied are you with how your complaint was handled?",
                    metric="csat",
                    group="service_quality",
                    style="stars",
                ),
                rating("speed", "处理速度", "Speed of handling", group="service_quality"),
                rating(
                    "attitude", "处理人员的态度", "Attitude of the staff", group="service_quality"
                ),
                rating(
                    "fairness",
                    "处理结果是否公平合理",
                    "Fairness of the outcome",
                    group="service_quality",
                ),
                {
                    "key": "nps",
                    "type": "nps",
                    "metric": "nps",
                    "required": False,
                    "group": "leadership",
                    "text": t(
                        "您有多大可能向亲友推荐我们？（0–10）",
                        "How likely are you to recommend us to friends? (0–10)",
                    ),
                },
            ],
        },
        {
            "key": "open",
            "title": t("您的意见", "Your comments"),
            "questions": [
                open_q(
                    "unsolved",
                    "还有哪些没有解决？",
                    "What is still not solved?",
                    show_if={"question": "solved", "values": ["partly", "no"]},
                ),
                open_q(
                    "comment",
                    "您对我们的处理还有什么意见？",
                    "Any other comments on how we handled it?",
                ),
            ],
        },
    ],
}

RELATIONSHIP: dict[str, Any] = {
    "intro": t(
        "您好！作为贵单位的联系人，请告诉我们这一段时间的合作感受。",
        "Hello! As a contact of your organisation, please tell us how working with us has been.",
    ),
    "closing": CLOSING,
    "sections": [
        {
            "key": "facts",
            "title": t("您的基本情况", "About you"),
            "questions": [
                {
                    "key": "role",
                    "type": "single",
                    "required": True,
                    "text": t("您在采购决策中的角色是？", "Your role in purchasing decisions"),
                    "options": [
                        opt("decider", "决策者", "Decision maker"),
                        opt("influencer", "影响者", "Influencer"),
                        opt("user", "使用者", "User"),
                        opt("buyer", "采购执行", "Buyer"),
                    ],
                }
            ],
        },
        {
            "key": "main",
            "title": t("总体评价", "Overall"),
            "questions": [
                rating(
                    "overall",
                    "总体满意度",
                    "Overall satisfaction",
                    metric="overall",
                    scale=10,
                    group="service_quality",
                ),
                rating("quality", "服务质量", "Quality of service", group="service_quality"),
                rating(
                    "care",
                    "我们对贵单位的关怀",
                    "How well we look after your organisation",
                    group="care",
                ),
                rating(
                    "leader",
                    "与其他同业相比我们的领先程度",
                    "How we compare with other providers",
                    group="leadership",
                ),
                {
                    "key": "nps",
                    "type": "nps",
                    "metric": "nps",
                    "required": True,
                    "group": "leadership",
                    "text": t(
                        "您有多大可能向同行推荐我们？（0–10）",
                        "How likely are you to recommend us to peers? (0–10)",
                    ),
                },
                {
                    "key": "priorities",
                    "type": "ranking",
                    "required": False,
                    "text": t("请按重要性排列", "Rank by importance to you"),
                    "options": [
                        opt("price", "价格", "Price"),
                        opt("quality", "质量", "Quality"),
                        opt("service", "服务", "Service"),
                        opt("speed", "速度", "Speed"),
                    ],
                },
            ],
        },
        {
            "key": "open",
            "title": t("您的意见", "Your comments"),
            "questions": [
                open_q("comment", "您希望我们在哪些方面改进？", "What should we improve?")
            ],
        },
    ],
}

_CARE_ROWS = [
    {"key": "behaviour", **t("行为：沟通真诚用心", "Behaviour: sincere communication")},
    {"key": "value", **t("价值：满足需要，提升生活品质", "Value: meets your needs")},
    {
        "key": "safety",
        **t("安全：值得信赖，账单准确清楚", "Safety: trustworthy, accurate clear bills"),
    },
    {
        "key": "convenience",
        **t("便捷：主动、自助、快速", "Convenience: proactive, self-service, quick"),
    },
]

CARE: dict[str, Any] = {
    "intro": t(
        "您好！我们想了解您对我们客户关怀的感受。",
        "Hello! We would like to know how well we look after you.",
    ),
    "closing": CLOSING,
    "sections": [
        FACTS,
        {
            "key": "main",
            "title": t("客户关怀的四个方面", "The four sides of customer care"),
            "questions": [
                {
                    "key": "care",
                    "type": "matrix",
                    "scale": 5,
                    "required": True,
                    "group": "care",
                    "text": t("请为我们在以下方面的表现打分", "Rate how we do on each"),
                    "rows": _CARE_ROWS,
                },
                {
                    "key": "touchpoints",
                    "type": "multiple",
                    "required": False,
                    "text": t(
                        "您最近接触过我们的哪些渠道？",
                        "Which of our channels have you used lately?",
                    ),
                    "options": [
                        opt("hall", "营业厅", "Service hall"),
                        opt("hotline", "客服热线", "Hotline"),
                        opt("online", "网站/微信", "Web or WeChat"),
                        opt("manager", "客户经理", "Account manager"),
                    ],
                },
                rating(
                    "overall",
                    "总体满意度",
                    "Overall satisfaction",
                    metric="overall",
                    group="service_quality",
                ),
            ],
        },
        {
            "key": "open",
            "title": t("您的意见", "Your comments"),
            "questions": [
                open_q(
                    "comment",
                    "您希望我们在关怀方面做些什么？",
                    "What could we do to look after you better?",
                )
            ],
        },
    ],
}

SURVEYS = [
    # code, 中文标题, English title, purpose, definition, closed kinds, on return visit, anonymous
    (
        "post-case-csat",
        "结案满意度调查",
        "Post-case satisfaction",
        "csat",
        CSAT,
        ["inquiry", "repair_request", "suggestion"],
        False,
        False,
    ),
    (
        "complaint-return-visit",
        "投诉回访调查",
        "Complaint return-visit survey",
        "return_visit",
        RETURN_VISIT,
        ["complaint"],
        False,
        False,
    ),
    (
        "decision-chain-relationship",
        "决策链客户关系调查",
        "Decision-chain relationship survey",
        "relationship",
        RELATIONSHIP,
        [],
        False,
        False,
    ),
    ("customer-care", "客户关怀调查", "Customer-care survey", "care", CARE, [], False, True),
]


def load_shipped(survey_model: Any, version_model: Any, group_model: Any, now: Any) -> list[Any]:
    """Create the shipped rows when missing (models passed in: the migration's or the real).
    Returns the rows it created, in order (none when all were there)."""
    created_rows: list[Any] = []
    for key, zh, en, weight, order in INDEX_GROUPS:
        group, created = group_model.objects.get_or_create(
            key=key, defaults={"name_zh": zh, "name_en": en, "weight": weight, "sort_order": order}
        )
        if created:
            created_rows.append(group)
    for code, zh, en, purpose, definition, kinds, on_visit, anonymous in SURVEYS:
        survey, created = survey_model.objects.get_or_create(
            code=code,
            defaults={
                "title_zh": zh,
                "title_en": en,
                "purpose": purpose,
                "closed_kinds": kinds,
                "on_return_visit": on_visit,
                "anonymous": anonymous,
                "channels": ["email", "sms"],
                "low_scores": LOW_SCORES,
                "created_at": now,
            },
        )
        if created:
            version = version_model.objects.create(
                survey=survey, number=1, definition=definition, published_at=now, created_at=now
            )
            created_rows += [survey, version]
    return created_rows


def ensure_shipped() -> None:
    """For databases emptied by a flush (transactional tests, demo): reload when missing.
    Each row it creates is on the configuration record (actor: the system's setup)."""
    from django.db import transaction

    from kefu.accounts.actors import Actor
    from kefu.accounts.audit import record_configuration_event
    from kefu.core import clock
    from kefu.surveys.models import IndexGroup, Survey, SurveyVersion

    actor = Actor.system("setup")
    with transaction.atomic():
        for row in load_shipped(Survey, SurveyVersion, IndexGroup, clock.now()):
            record_configuration_event(row, "created", actor=actor, **_shipped_facts(row))


def _shipped_facts(row: Any) -> dict[str, Any]:
    """What the record says about a shipped row (the questionnaire by its question keys)."""
    from kefu.surveys import definition as qdef
    from kefu.surveys.models import IndexGroup, Survey

    if isinstance(row, IndexGroup):
        fields = ["key", "name_zh", "name_en", "weight", "sort_order"]
        return {"after": {f: getattr(row, f) for f in fields}}
    if isinstance(row, Survey):
        fields = ["code", "title_zh", "title_en", "purpose", "closed_kinds", "anonymous"]
        return {"after": {f: getattr(row, f) for f in fields}}
    keys = [str(q.get("key", "")) for q in qdef.questions(row.definition)]
    return {"survey": row.survey.code, "version": row.number, "published": True, "questions": keys}
