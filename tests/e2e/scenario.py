"""A small, realistic service centre for the browser tests and the screenshots."""

from __future__ import annotations

from dataclasses import dataclass

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.models import Case
from kefu.customers.models import Customer
from tests.factories import Org, advance, make_case, make_customer, make_org

SUBJECTS = [
    ("complaint", "话费多扣了50元，要求退还", "上月账单多扣了50元流量费，客户要求退还并解释原因。"),
    (
        "complaint",
        "宽带维修人员未按约定时间上门",
        "约好周六上午上门，等到下午也没人来，客户很生气。",
    ),
    ("inquiry", "咨询5G套餐资费", "客户想了解5G畅享套餐每月费用和包含的流量。"),
    ("repair_request", "家里宽带频繁掉线", "光猫指示灯闪红，每天掉线三四次。"),
    ("complaint", "营业厅工作人员态度差", "客户反映营业员说“公司的规定就是这样的”，拒绝解释。"),
    ("suggestion", "建议营业厅增加周末服务时间", "上班族只能周末办理业务，希望延长营业时间。"),
    ("inquiry", "国际漫游怎么开通", "下周出差去新加坡，询问漫游开通方式和资费。"),
    ("praise", "表扬热线坐席耐心解答", "客户来电表扬坐席小王耐心帮助老人设置手机。"),
    ("complaint", "携号转网被拒", "客户申请携号转网三次被拒，没有说明原因。"),
    ("repair_request", "固话无拨号音", "办公室固话没有拨号音，影响业务。"),
]


@dataclass
class Scenario:
    org: Org
    customer: Customer
    cases: list[Case]


def build() -> Scenario:
    org = make_org()
    customer = make_customer(org, name="李四", phone="13800138000")
    others = [
        make_customer(org, name=name)
        for name in ("王芳", "陈伟", "刘洋", "赵敏", "孙磊", "周婷", "吴强", "郑丽")
    ]
    cases: list[Case] = []
    agent = Actor.staff(org.agent)
    for i, (kind, subject, description) in enumerate(SUBJECTS):
        case = make_case(
            org,
            kind=kind,
            subject=subject,
            description=description,
            customer=customer if i in (0, 3) else others[i % len(others)],
            channel=["phone", "walk_in", "on_site", "phone", "wechat"][i % 5],
        )
        if i % 3 == 1:
            case = advance(org, case, "in_progress")
        elif i % 3 == 2:
            case = advance(org, case, "accepted")
        if i == 1:
            actions.escalate_case(case.pk, actor=agent, reason="客户情绪激动，要求主管回电")
        if i == 6:
            actions.accept_case(case.pk, actor=agent)
            actions.assign_case(case.pk, actor=agent, handler=org.teammate)
        cases.append(case)
    return Scenario(org=org, customer=customer, cases=cases)
