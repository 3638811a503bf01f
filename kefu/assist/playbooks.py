"""The training manuals as data: the six difficult-complainant playbooks (难于应付的投诉客户)
and the six steps of the service cycle (客户服务周期), SERVICE-MODEL.md §3–4."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Playbook:
    code: str
    name: Promise
    sign: Promise  # how to recognise them
    do: tuple[Promise, ...]
    avoid: tuple[Promise, ...]
    report_upward: bool = False


PLAYBOOKS: dict[str, Playbook] = {
    p.code: p
    for p in (
        Playbook(
            "influential",
            _("有社会背景、宣传能力者"),
            _("官员、记者、律师，或扬言曝光、找媒体。"),
            (
                _("措辞谨慎，每句话都要经得起公开。"),
                _("尽量避免书面材料，必要时先请上级审核。"),
                _("无法满足要求时立即上报班长和网点第一责任人。"),
                _("快速解决，缩短处理时间。"),
            ),
            (_("不要承诺做不到的事。"), _("不要与客户争辩或评论媒体。")),
            report_upward=True,
        ),
        Playbook(
            "prepared",
            _("有备而来者"),
            _("熟悉消费者权益法规，引用条款，或声明正在录音。"),
            (
                _("先弄清相关政策和法律条款再答复。"),
                _("语气自信、平和，用事实说话。"),
                _("清楚表达真诚解决问题的意愿。"),
            ),
            (_("不要含糊其辞或随口引用规定。"), _("不要因为被录音而紧张失措。")),
        ),
        Playbook(
            "emotional",
            _("感情用事者"),
            _("情绪激动，哭闹或大声叫喊。"),
            (
                _("保持冷静，让客户把话说完、发泄情绪。"),
                _("表示理解客户的感受。"),
                _("承诺一定会有解决方案，并说明下一步。"),
                _("语气谦和，但坚持原则。"),
            ),
            (_("不要打断或与客户比嗓门。"), _("不要说“您冷静一点”。")),
        ),
        Playbook(
            "righteous",
            _("以正义感表达者"),
            _("以“为了大家”“为了行业”的名义提出问题。"),
            (
                _("肯定客户的出发点。"),
                _("感谢客户提出问题。"),
                _("说明我们将采取的改进措施。"),
            ),
            (_("不要把客户当成找麻烦的人。"),),
        ),
        Playbook(
            "stubborn",
            _("固执己见者"),
            _("坚持自己的看法，听不进解释。"),
            (
                _("先表示理解，再争取相互理解。"),
                _("依据产品事实，耐心解释所提供的方案。"),
                _("给出可选的方案，让客户有选择的余地。"),
            ),
            (_("不要反复争论对错。"),),
        ),
        Playbook(
            "self_absorbed",
            _("自我陶醉者"),
            _("强调自己的身份、经验或重要性。"),
            (
                _("给予尊重和肯定，耐心倾听。"),
                _("不与之比较专业高低。"),
                _("把话题引回解决方案。"),
            ),
            (_("不要讽刺或冷落客户。"),),
        ),
    )
}


@dataclass(frozen=True)
class CycleStepInfo:
    code: str
    number: int
    name: Promise
    hint: Promise


# 客户服务周期: emotional skills in the first steps, rational skills in the middle.
SERVICE_CYCLE: tuple[CycleStepInfo, ...] = (
    CycleStepInfo(
        "set_tone", 1, _("奠定基调"), _("问候客户，表达愿意帮助的态度，认可客户的感受。")
    ),
    CycleStepInfo("diagnose", 2, _("诊断问题"), _("收集事实，提问并复述，确认理解了客户的问题。")),
    CycleStepInfo("seek_solution", 3, _("寻求方案"), _("提供信息，提出并征求建议，给出可选方案。")),
    CycleStepInfo("agree", 4, _("达成共识"), _("与客户确认采用的方案、时间和责任人。")),
    CycleStepInfo("summarise", 5, _("总结回顾"), _("复述处理结果和后续安排，确认客户满意。")),
    CycleStepInfo("follow_up", 6, _("跟进完善"), _("按承诺跟进落实，回访并记录改进。")),
)
CYCLE_CODES = tuple(s.code for s in SERVICE_CYCLE)
