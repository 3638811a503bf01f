"""The channels demo: a GBK email becomes a readable case with a reply, a broken message
waits in quarantine."""

import pytest

from kefu.cases.choices import MessageKind
from kefu.cases.models import CaseMessage
from kefu.channels.models import InboundEmail, InboundStatus

pytestmark = pytest.mark.django_db


def test_the_demo_mailbox_holds_a_readable_gbk_case_and_a_quarantined_message(org):
    from kefu.accounts.actors import Actor
    from kefu.core import clock
    from kefu.customers.actions import create_customer
    from kefu.demo.channels import load_channels_demo
    from kefu.demo.people import DemoOrg

    customer = create_customer(
        actor=Actor.system("demo"), name="李娜", email="lina@example.cn", phone="13912345678"
    )
    demo = DemoOrg(
        sites={}, departments={}, teams={"cc-hotline": org.team}, users={"agent": org.agent}
    )
    load_channels_demo(demo, [customer], clock.now())
    gbk = InboundEmail.objects.get(status=InboundStatus.NEW_CASE)
    assert gbk.subject == "宽带断网，请尽快安排维修"
    assert gbk.case_message is not None and "一直断网" in gbk.case_message.body
    assert CaseMessage.objects.filter(case=gbk.case, kind=MessageKind.OUTBOUND).exists()
    assert InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).count() == 1
