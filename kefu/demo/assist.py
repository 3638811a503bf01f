"""Agent assist in the demo: a knowledge base, and showcase cases where assist is at work —
an angry journalist (the influential-complainant playbook), a complaint arriving as an
inquiry with a suggested kind and cause, and an earlier reply sent despite a warning."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.assist import actions as assist_actions
from kefu.assist.content import CATEGORIES
from kefu.assist.models import ArticleCategory
from kefu.cases import actions
from kefu.cases.models import Case
from kefu.core import clock
from kefu.customers.models import Customer

JOURNALIST_SUBJECT = "宽带一周修不好，记者要求曝光"
JOURNALIST_TEXT = (
    "我是《京华晚报》的记者。我家宽带从上周二开始断网，报修三次师傅都没来，"
    "你们的客服还说“这种问题很正常”。太气人了！今天下班前不给我解决，"
    "我就把这件事写成报道，在报纸和微博上曝光你们。"
)
JOURNALIST_FOLLOW_UP = "已经下午四点了还是没人联系我，你们是不是觉得我说着玩的？气死我了！"
BILLING_SUBJECT = "话费被多扣了 268 元"
BILLING_TEXT = (
    "我这个月话费怎么扣了 268 元？我的套餐才 58 元，也没有订过什么增值业务，"
    "你们乱扣费，请马上查清楚并把多扣的钱退给我！"
)
ROAMING_SUBJECT = "国际漫游流量费太高"
SHOWCASE_SUBJECTS = (JOURNALIST_SUBJECT, BILLING_SUBJECT, ROAMING_SUBJECT)
OVERRIDE_REPLY = "公司的规定就是这样的，套餐外的流量都要另外收费。"

# (code, category, 中文标题, 中文正文, English title, English text, related kinds, public)
ARTICLES: list[tuple[str, str, str, str, str, str, list[str], bool]] = [
    (
        "refund-overcharge",
        "billing",
        "话费多扣如何核实与退款",
        "1. 在计费系统中调取客户近三个月的扣费明细。\n2. 核对套餐、增值业务订购记录和流量使用。"
        "\n3. 确认多扣后，在工单中记录金额，提交退费，三个工作日内原路退回。"
        "\n4. 向客户说明原因并致歉，结案后安排回访。",
        "Checking and refunding an overcharge",
        "1. Pull the customer's charges for the last three months.\n2. Check the plan, "
        "value-added subscriptions and data use.\n3. Once confirmed, record the amount on the "
        "case and submit the refund: it is returned within three working days.\n4. Explain "
        "and apologise; a return visit follows the closing.",
        ["complaint", "inquiry"],
        True,
    ),
    (
        "value-added-cancel",
        "billing",
        "增值业务退订与争议处理",
        "客户称未订购增值业务（如视频彩铃）时，先查询订购渠道和时间；无法证明客户本人订购的，"
        "立即退订并全额退还历史费用。",
        "Cancelling disputed value-added services",
        "When a customer says they never subscribed, check the channel and time of the "
        "subscription; if it cannot be shown the customer ordered it, cancel at once and "
        "refund every charge.",
        ["complaint"],
        True,
    ),
    (
        "broadband-outage",
        "repair",
        "宽带断网排查步骤",
        "1. 请客户查看光猫指示灯：LOS 红灯表示光纤信号中断，需要上门。"
        "\n2. PON 灯闪烁：重启光猫后观察五分钟。"
        "\n3. 仍无法上网：登记报修，约定上门时间，并告知预计修复时限。",
        "Troubleshooting a broadband outage",
        "1. Ask the customer to check the modem lights: a red LOS light means the fibre signal "
        "is lost and a visit is needed.\n2. PON blinking: restart the modem and wait five "
        "minutes.\n3. Still offline: register a repair, book the visit and give the expected "
        "repair time.",
        ["repair_request", "complaint"],
        True,
    ),
    (
        "repair-visit",
        "repair",
        "上门维修预约与改约",
        "预约上门时间应提前与客户电话确认；师傅无法按时到达时，至少提前两小时通知客户并重新预约，"
        "同时在工单中记录。",
        "Booking and rebooking a repair visit",
        "Confirm the visit time by phone beforehand; when the technician cannot make it, tell "
        "the customer at least two hours ahead, rebook, and record it on the case.",
        ["repair_request"],
        False,
    ),
    (
        "media-complaint",
        "policy",
        "媒体、律师投诉的处理要求",
        "客户表明记者、律师或政府工作人员身份，或扬言曝光时：措辞谨慎，不作书面承诺，"
        "立即报告班长和网点第一责任人，优先处理，当天内给出答复。",
        "Complaints from journalists and lawyers",
        "When a customer says they are a journalist, lawyer or official, or threatens to go "
        "public: choose words carefully, make no written promises, report to the team lead and "
        "the site's first responsible person at once, handle it first and answer the same day.",
        ["complaint"],
        False,
    ),
    (
        "consumer-law",
        "policy",
        "《消费者权益保护法》常见条款",
        "第二十四条：不符合质量要求的，消费者可以要求退货、更换或修理。"
        "第五十五条：经营者提供商品或者服务有欺诈行为的，应当按照消费者的要求增加赔偿。",
        "Consumer-protection law: common articles",
        "Article 24: goods that do not meet quality requirements may be returned, exchanged or "
        "repaired. Article 55: fraud entitles the consumer to increased compensation.",
        ["complaint"],
        True,
    ),
    (
        "number-transfer",
        "account",
        "携号转网办理条件",
        "号码需实名登记、无欠费、不在协议期内；"
        "客户可发送短信 CXXZ#姓名#证件号码 查询是否符合条件。",
        "Keeping your number when switching operator",
        "The number must be registered in the customer's name, with no arrears and no contract "
        "term left; text CXXZ#name#ID number to check.",
        ["inquiry"],
        True,
    ),
    (
        "delivery-delay",
        "delivery",
        "终端配送延误的处理",
        "查询物流单号和最后一次签收记录；超过承诺时限两天的，可为客户办理补偿或取消订单。",
        "Handling a late device delivery",
        "Look up the tracking number and the last scan; two days past the promised date the "
        "customer may be compensated or cancel the order.",
        ["complaint", "inquiry"],
        False,
    ),
]


def load_articles() -> int:
    """The knowledge base, in both languages, through the assist actions."""
    system = Actor.system("demo")
    names = {code: (zh, en) for code, zh, en in CATEGORIES}
    categories: dict[str, ArticleCategory] = {}
    for _code, category, title_zh, body_zh, title_en, body_en, kinds, public in ARTICLES:
        if category not in categories:
            zh, en = names[category]
            categories[category] = assist_actions.save_category(
                actor=system, code=category, name_zh=zh, name_en=en
            )
        assist_actions.save_article(
            actor=system,
            category=categories[category],
            title_zh=title_zh,
            body_zh=body_zh,
            title_en=title_en,
            body_en=body_en,
            kinds=kinds,
            public=public,
        )
    return len(ARTICLES)


def _now[T](step: Callable[[], T]) -> T:
    """One step at one moment (an action reads the clock more than once)."""
    with clock.frozen_at(timezone.now()):
        return step()


def load_showcase(agent: User, customers: list[Customer]) -> list[Case]:
    """The three assist stories, after the replayed history (so case numbers still follow
    the calendar), analysed at once: the worker would do it too, but the demo should not
    depend on it having run."""
    a = Actor.staff(agent)

    def opened(kind: str, channel: str, subject: str, text: str, customer: Customer) -> Case:
        return _now(
            lambda: actions.open_case(
                actor=a,
                kind=kind,
                channel=channel,
                subject=subject,
                description=text,
                customer=customer,
            )
        )

    def taken(case: Case) -> None:
        _now(lambda: actions.accept_case(case.pk, actor=a))
        _now(lambda: actions.assign_case(case.pk, actor=a, handler=agent))

    earlier = opened(
        "complaint",
        "wechat",
        ROAMING_SUBJECT,
        "出国五天流量费 600 多元，你们也没提醒我，太不合理了。",
        customers[3 % len(customers)],
    )
    taken(earlier)
    _now(
        lambda: assist_actions.send_reply(earlier.pk, actor=a, body=OVERRIDE_REPLY, confirmed=True)
    )
    for step in ("set_tone", "diagnose"):
        with clock.frozen_at(timezone.now()):
            assist_actions.mark_cycle_step(earlier.pk, actor=a, step=step)
    journalist = opened(
        "complaint", "phone", JOURNALIST_SUBJECT, JOURNALIST_TEXT, customers[1 % len(customers)]
    )
    taken(journalist)
    follow_up = _now(
        lambda: actions.add_message(
            journalist.pk, actor=a, kind="inbound", body=JOURNALIST_FOLLOW_UP
        )
    )
    billing = opened("inquiry", "web", BILLING_SUBJECT, BILLING_TEXT, customers[2 % len(customers)])
    cases = [earlier, journalist, billing]
    for case in cases:
        assist_actions.analyze_case(case.pk)
    assist_actions.analyze_message(follow_up.pk)
    return cases


def load_assist_demo(agent: User | None, customers: list[Customer]) -> None:
    """Called once by kefu.demo.loader.load_demo, after the replay."""
    with transaction.atomic():
        load_articles()
        if agent is not None and customers:
            load_showcase(agent, customers)
