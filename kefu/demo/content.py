"""The words of the demo: people, organisation and the stories customers bring.

Placeholders in braces ({amount}, {order} …) are filled per case by `story_vars`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SURNAMES = {
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang",
    "黄": "huang", "赵": "zhao", "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun",
    "马": "ma", "朱": "zhu", "胡": "hu", "郭": "guo", "何": "he", "高": "gao", "林": "lin",
    "罗": "luo", "郑": "zheng", "梁": "liang", "谢": "xie", "宋": "song", "唐": "tang",
    "许": "xu", "韩": "han", "冯": "feng", "邓": "deng", "曹": "cao", "彭": "peng",
    "曾": "zeng", "肖": "xiao", "田": "tian", "董": "dong", "袁": "yuan", "潘": "pan",
    "于": "yu", "蒋": "jiang", "蔡": "cai", "余": "yu", "杜": "du", "叶": "ye", "程": "cheng",
    "苏": "su", "魏": "wei", "吕": "lv", "丁": "ding", "任": "ren", "沈": "shen",
}  # fmt: skip
GIVEN_NAMES = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "玉兰",
    "志强",
    "海燕",
    "晓东",
    "子涵",
    "浩然",
    "雨萱",
    "思远",
    "佳怡",
    "俊杰",
    "欣怡",
    "宇轩",
    "梓萱",
    "建国",
    "春梅",
    "丽华",
    "国强",
    "淑珍",
    "凤英",
    "慧",
    "婷",
    "鹏",
    "辉",
    "斌",
    "波",
    "宁",
    "琳",
    "颖",
    "晨",
    "旭",
    "阳",
    "振华",
    "立新",
    "桂芳",
    "秀珍",
    "永刚",
    "晓燕",
    "雪梅",
    "金凤",
    "德明",
]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
]
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com")

# (name, landline, contacts)
ORGANISATIONS = (
    ("北京华信科技有限公司", "010-62581234", 3),
    ("鑫源商贸有限公司", "010-85963321", 2),
    ("恒通物流有限公司", "010-67781905", 3),
    ("朝阳区和平里社区服务中心", "010-64217788", 2),
    ("博远教育咨询有限公司", "010-82335610", 2),
)

# --- the organisation -------------------------------------------------------------------

# code, name, kind, first responsible (username)
SITES = (
    ("cc-beijing", "北京客服呼叫中心", "call_centre", "manager"),
    ("hall-chaoyang", "朝阳门营业厅", "service_hall", "liujianhua"),
    ("station-haidian", "海淀维修服务站", "service_station", "sunhaitao"),
)
# code, name, side
DEPARTMENTS = (
    ("customer-service", "客户服务部", "front"),
    ("business-hall", "营业服务部", "front"),
    ("repair-service", "维修服务部", "front"),
    ("billing", "计费部", "back"),
    ("network", "网络部", "back"),
    ("logistics", "物流部", "back"),
    ("marketing", "市场部", "back"),
)
# code, name, site, department, supervisor (username)
TEAMS = (
    ("cc-complaints", "投诉处理组", "cc-beijing", "customer-service", "supervisor"),
    ("cc-hotline", "热线咨询组", "cc-beijing", "customer-service", "limin"),
    ("hall-front", "营业厅前台组", "hall-chaoyang", "business-hall", "zhoujing"),
    ("station-repair", "上门维修组", "station-haidian", "repair-service", "guoqiang"),
    ("billing-check", "计费核查组", "cc-beijing", "billing", "hemin"),
)
# username, display name, role, team, site (when no team)
STAFF = (
    ("admin", "系统管理员", "admin", None, None),
    ("manager", "陈志远", "site_manager", None, "cc-beijing"),
    ("liujianhua", "刘建华", "site_manager", None, "hall-chaoyang"),
    ("sunhaitao", "孙海涛", "site_manager", None, "station-haidian"),
    ("supervisor", "王丽娟", "supervisor", "cc-complaints", None),
    ("limin", "李敏", "supervisor", "cc-hotline", None),
    ("zhoujing", "周静", "supervisor", "hall-front", None),
    ("guoqiang", "郭强", "supervisor", "station-repair", None),
    ("hemin", "何敏", "supervisor", "billing-check", None),
    ("agent", "张晓东", "agent", "cc-complaints", None),
    ("liufang", "刘芳", "agent", "cc-complaints", None),
    ("yangyang", "杨洋", "agent", "cc-complaints", None),
    ("huangting", "黄婷", "agent", "cc-hotline", None),
    ("wulei", "吴磊", "agent", "cc-hotline", None),
    ("xujiayi", "徐佳怡", "agent", "cc-hotline", None),
    ("machao", "马超", "agent", "hall-front", None),
    ("zhuli", "朱丽", "agent", "hall-front", None),
    ("hujianguo", "胡建国", "agent", "station-repair", None),
    ("linzhiqiang", "林志强", "agent", "station-repair", None),
    ("backoffice", "郑欣怡", "backoffice", "billing-check", None),
    ("liangyu", "梁宇", "backoffice", "billing-check", None),
)
DEMO_LOGINS = ("admin", "manager", "supervisor", "agent", "backoffice")
DEMO_PASSWORD = "kefu-demo"

# Channels each kind of site takes contacts on, with weights.
SITE_CHANNELS = {
    "call_centre": (("phone", 55), ("wechat", 15), ("chat", 12), ("email", 10), ("web", 8)),
    "service_hall": (("walk_in", 75), ("phone", 25)),
    "service_station": (("phone", 55), ("on_site", 30), ("web", 15)),
}

# --- the stories --------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """One kind of customer contact, with everything said and done about it."""

    kind: str
    domain: str
    product: str
    subject: str
    request: str
    teams: tuple[str, ...]
    replies: tuple[str, ...]
    resolution: str
    notes: tuple[str, ...] = ()
    customer_followups: tuple[str, ...] = ("好的，我等你们的消息。",)
    stance: str = "ours"
    cause: str = "other"
    root_cause: str = ""
    responsible_department: str = ""
    work_quality: bool = False
    improvement_needed: bool = True
    transfer_to: str = ""
    becomes_complaint: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)
    priority: int = 2


COMPLAINT_FOLLOWUPS = (
    "已经等了好几天了，请尽快给我一个答复。",
    "我要求你们尽快处理，否则我会向工信部投诉。",
    "材料我已经发过去了，麻烦查收。",
    "这个时间我在家，可以上门。",
)

STORIES: tuple[Story, ...] = (
    # --- complaints (投诉) ---
    Story(
        kind="complaint",
        domain="telecom",
        product="话费账单",
        subject="本月话费多扣了{amount}元",
        request="客户反映{month}月账单比平时多出{amount}元，本人没有订购任何增值业务，要求查明原因并退还多扣的话费。",
        teams=("cc-complaints",),
        transfer_to="billing-check",
        replies=(
            "您好，已收到您的反馈，我们正在核查您{month}月的计费明细，24小时内给您答复。",
            "经核查，多扣费用为系统误订的增值业务，已为您退订并将{amount}元退回话费账户。",
        ),
        notes=(
            "已调取计费详单，{month}月{day}日有一笔增值业务订购记录，客户否认办理。",
            "联系计费部核实，确认为渠道误订，同意全额退费。",
        ),
        resolution="退还多扣话费{amount}元并退订增值业务，向客户致歉。",
        customer_followups=COMPLAINT_FOLLOWUPS,
        stance="ours",
        cause="billing",
        root_cause="渠道代理商未经客户确认开通增值业务，计费系统未做二次确认。",
        responsible_department="billing",
        tags=("话费", "退费"),
        priority=3,
    ),
    Story(
        kind="complaint",
        domain="telecom",
        product="家庭宽带",
        subject="宽带一周内频繁掉线，影响居家办公",
        request="客户家中{bandwidth}宽带最近{days}天每天晚上掉线多次，重启光猫也没用，要求尽快修复并减免当月费用。",
        teams=("cc-complaints",),
        transfer_to="station-repair",
        replies=(
            "非常抱歉给您带来不便，已为您安排网络部排查线路，维修人员会在今天联系您。",
            "线路故障已修复，并为您减免本月宽带月租，请您再观察两天。",
        ),
        notes=(
            "远程检测光猫光功率-27dBm，偏低，怀疑分光箱端口老化。",
            "已派单上门维修组，更换分光箱尾纤。",
        ),
        resolution="更换老化尾纤恢复网络，减免当月宽带月租，致歉。",
        customer_followups=COMPLAINT_FOLLOWUPS,
        stance="ours",
        cause="product_quality",
        root_cause="小区分光箱尾纤老化，巡检周期过长未及时发现。",
        responsible_department="network",
        tags=("宽带", "掉线"),
        priority=3,
    ),
    Story(
        kind="complaint",
        domain="retail",
        product="线上商城订单",
        subject="退货已签收{days}天，退款仍未到账",
        request="客户订单{order}申请七天无理由退货，商品已于{days}天前寄回并签收，退款{amount}元至今未到账，要求尽快退款。",
        teams=("cc-complaints", "cc-hotline"),
        transfer_to="billing-check",
        replies=(
            "您好，已查询到您的退货包裹已签收，我们正在催办财务退款。",
            "您的退款{amount}元已原路退回，预计1-3个工作日到账，给您添麻烦了。",
        ),
        notes=("仓库已签收退货，但质检环节积压未确认，导致退款未触发。",),
        resolution="加急完成质检并原路退款{amount}元，赠送10元优惠券致歉。",
        customer_followups=COMPLAINT_FOLLOWUPS,
        stance="ours",
        cause="delivery",
        root_cause="退货质检环节人手不足，签收后未在48小时内确认。",
        responsible_department="logistics",
        tags=("退款", "退货"),
        priority=3,
    ),
    Story(
        kind="complaint",
        domain="retail",
        product="快递配送",
        subject="快递延误{days}天且外包装破损",
        request="客户购买的{device}（订单{order}）承诺次日达，实际延误{days}天，外包装破损，要求赔偿并确认商品是否完好。",
        teams=("cc-complaints", "cc-hotline"),
        replies=(
            "非常抱歉，已联系物流部核查运输轨迹，请您先拍照留存包装破损情况。",
            "已为您办理换货，新机由顺丰次日达配送，并补偿运费{amount}元。",
        ),
        notes=("物流轨迹显示在中转站滞留{days}天，承运商分拣错误。",),
        resolution="换发新货并补偿{amount}元，向客户致歉。",
        customer_followups=COMPLAINT_FOLLOWUPS,
        stance="ours",
        cause="delivery",
        root_cause="承运商中转站分拣错误，缺少延误预警。",
        responsible_department="logistics",
        tags=("快递", "延误"),
    ),
    Story(
        kind="complaint",
        domain="banking",
        product="信用卡",
        subject="信用卡年费被误收{amount}元",
        request="客户尾号{card}的信用卡已满足免年费条件（全年刷卡6次），仍被收取年费{amount}元，要求退还。",
        teams=("cc-complaints",),
        transfer_to="billing-check",
        replies=(
            "您好，已记录您的情况，我们会核实您的刷卡次数并尽快回复。",
            "经核实您已满足免年费条件，年费{amount}元已退回信用卡账户。",
        ),
        notes=("核对交易流水，客户全年刷卡7次，系统未识别一笔境外交易。",),
        resolution="退还年费{amount}元，修正免年费统计规则。",
        customer_followups=COMPLAINT_FOLLOWUPS,
        stance="ours",
        cause="billing",
        root_cause="免年费次数统计规则漏算境外交易。",
        responsible_department="billing",
        tags=("信用卡", "年费"),
    ),
    Story(
        kind="complaint",
        domain="telecom",
        product="营业厅服务",
        subject="营业员态度恶劣，办理业务被推诿",
        request="客户{date}到营业厅办理携号转网，营业员说“公司的规定就是这样的”，让客户去问别人，客户非常不满，要求道歉。",
        teams=("hall-front", "cc-complaints"),
        replies=(
            "非常抱歉让您有了不愉快的经历，我们已经调取当天的服务录像进行核实。",
            "经核实情况属实，营业厅负责人将当面向您致歉，并已为您优先办理业务。",
        ),
        notes=("调取监控与录音，营业员使用了服务禁语，已约谈。",),
        resolution="营业厅负责人当面致歉，优先办结业务，对当事营业员进行服务规范培训。",
        customer_followups=("我希望你们给我一个说法。",),
        stance="ours",
        cause="service_manner",
        root_cause="营业员未按服务规范解释业务规则，使用服务禁语。",
        responsible_department="business-hall",
        work_quality=True,
        tags=("服务态度",),
        priority=3,
    ),
    Story(
        kind="complaint",
        domain="repair",
        product="空调维修",
        subject="空调维修后{days}天故障再次出现",
        request="客户家中空调上次维修后仅用了{days}天又不制冷，维修师傅上门两次未解决，要求更换压缩机或退机。",
        teams=("station-repair", "cc-complaints"),
        replies=(
            "您好，已为您安排技术主管上门复检，请保持电话畅通。",
            "压缩机已免费更换，并延长保修一年，给您带来不便深表歉意。",
        ),
        notes=("复检发现上次维修只补了氟，未查出毛细管泄漏点。",),
        resolution="免费更换压缩机并延长保修一年。",
        customer_followups=COMPLAINT_FOLLOWUPS,
        stance="ours",
        cause="product_quality",
        root_cause="维修未做保压检漏，未找到根本故障点。",
        responsible_department="repair-service",
        tags=("维修", "返修"),
        priority=3,
    ),
    Story(
        kind="complaint",
        domain="telecom",
        product="套餐变更",
        subject="套餐变更未生效，仍按旧套餐扣费",
        request="客户上月通过App把{plan}改为低档套餐，本月仍按旧套餐扣费{amount}元，要求补退差价。",
        teams=("cc-complaints", "cc-hotline"),
        replies=(
            "已查询到您的变更申请，正在与计费部核实生效时间。",
            "套餐变更规则为次月生效，本次因系统延迟未生效，差价{amount}元已退还。",
        ),
        resolution="补退差价{amount}元，说明套餐次月生效规则。",
        stance="shared",
        cause="unfamiliar_new_product",
        root_cause="App未明确提示套餐变更生效时间，后台同步任务延迟。",
        responsible_department="billing",
        tags=("套餐", "话费"),
    ),
    Story(
        kind="complaint",
        domain="banking",
        product="手机银行",
        subject="手机银行转账显示成功但对方未收到",
        request="客户{date}通过手机银行向家人转账{amount}元，显示成功但对方一直未到账，担心资金安全。",
        teams=("cc-complaints",),
        replies=(
            "请您放心，资金不会丢失，我们已提交清算部门查询。",
            "经查为收款行系统维护导致退汇，{amount}元已退回您的账户。",
        ),
        resolution="解释退汇原因，资金已退回，协助客户重新转账。",
        stance="customer_misunderstanding",
        cause="other",
        root_cause="收款行系统维护导致跨行转账退汇，App未推送退汇提醒。",
        improvement_needed=False,
        tags=("转账",),
    ),
    Story(
        kind="complaint",
        domain="retail",
        product="会员积分",
        subject="会员积分被清零，未收到任何提醒",
        request="客户会员账户{amount}积分在年底被清零，事先没有收到短信提醒，要求恢复积分。",
        teams=("cc-hotline", "hall-front"),
        replies=(
            "您好，积分清零规则是每年年底清除上一年度积分，我们为您查询一下提醒记录。",
            "已为您特批恢复积分，并开通积分到期短信提醒。",
        ),
        resolution="特批恢复积分，开通到期提醒。",
        stance="shared",
        cause="unfamiliar_new_product",
        root_cause="积分到期提醒短信模板审批未通过，当年未发送。",
        responsible_department="marketing",
        tags=("积分",),
    ),
    # --- inquiries (咨询); some turn into complaints ---
    Story(
        kind="inquiry",
        domain="telecom",
        product="话费账单",
        subject="查询{month}月话费明细",
        request="客户想了解{month}月话费为什么比上月高，询问如何查询详单。",
        teams=("cc-hotline",),
        replies=("您可以在App“我的-账单”中查看详单，也可以回复短信CXXD查询。",),
        resolution="指导客户通过App查询详单，解释费用构成。",
        becomes_complaint=True,
        transfer_to="billing-check",
        stance="ours",
        cause="billing",
        root_cause="流量超出套餐后按高价计费，超量提醒未及时发送。",
        responsible_department="billing",
        tags=("话费",),
    ),
    Story(
        kind="inquiry",
        domain="telecom",
        product="家庭宽带",
        subject="宽带提速到{bandwidth}怎么办理",
        request="客户询问现有宽带能否升级到{bandwidth}，费用多少，是否需要更换光猫。",
        teams=("cc-hotline", "hall-front"),
        replies=(
            "您好，您所在小区已支持{bandwidth}，月费增加30元，光猫无需更换，可以为您直接办理。",
        ),
        resolution="介绍提速资费，已为客户办理提速。",
        tags=("宽带",),
    ),
    Story(
        kind="inquiry",
        domain="retail",
        product="退换货",
        subject="七天无理由退货流程咨询",
        request="客户购买的{device}不喜欢，询问七天无理由退货需要什么条件、运费谁出。",
        teams=("cc-hotline",),
        replies=(
            "根据公司规定，您可以享受7天无理由退货，商品完好不影响二次销售即可，退货运费由我们承担。",
        ),
        resolution="说明退货条件并提供退货地址。",
        becomes_complaint=True,
        stance="ours",
        cause="delivery",
        root_cause="上门取件预约系统故障，客户多次预约失败。",
        responsible_department="logistics",
        tags=("退货",),
    ),
    Story(
        kind="inquiry",
        domain="banking",
        product="信用卡",
        subject="信用卡临时额度如何调整",
        request="客户尾号{card}的信用卡下月要出国旅行，想临时提高额度到{amount}元。",
        teams=("cc-hotline",),
        replies=("已为您提交临时额度申请，审批结果将以短信通知，有效期30天。",),
        resolution="提交临时调额申请并告知有效期。",
        tags=("信用卡",),
    ),
    Story(
        kind="inquiry",
        domain="repair",
        product="家电维修",
        subject="维修进度查询（工单{order}）",
        request="客户送修的{device}已经{days}天，询问维修进度和预计取件时间。",
        teams=("station-repair", "cc-hotline"),
        replies=("您好，您的设备配件已到货，预计明天修好，届时短信通知您取件。",),
        resolution="告知维修进度和取件时间。",
        becomes_complaint=True,
        stance="ours",
        cause="product_quality",
        root_cause="配件供应商缺货，未主动告知客户延期。",
        responsible_department="repair-service",
        tags=("维修",),
    ),
    Story(
        kind="inquiry",
        domain="telecom",
        product="携号转网",
        subject="携号转网需要满足什么条件",
        request="客户咨询携号转网的办理条件，合约期内能否办理。",
        teams=("hall-front", "cc-hotline"),
        replies=("合约期内需先解除合约，在网满120天且无欠费即可办理，可发送CXXZ到10086查询资格。",),
        resolution="解释携转条件和查询方式。",
        tags=("携号转网",),
    ),
    Story(
        kind="inquiry",
        domain="retail",
        product="发票",
        subject="如何开具电子发票",
        request="客户订单{order}需要开具单位抬头的增值税发票，询问流程。",
        teams=("cc-hotline",),
        replies=("您可在订单详情页点击“申请开票”，填写单位名称和税号，电子发票会发送到您的邮箱。",),
        resolution="指导客户在线申请电子发票。",
        tags=("发票",),
    ),
    # --- repair requests (报修) ---
    Story(
        kind="repair_request",
        domain="telecom",
        product="家庭宽带",
        subject="宽带无法上网，光猫LOS灯闪红",
        request="客户家中宽带完全无法上网，光猫LOS灯一直闪红，要求尽快上门维修。",
        teams=("station-repair", "cc-hotline"),
        replies=(
            "已为您预约维修，师傅将在{hour}点前上门，请保持电话畅通。",
            "光纤已重新熔接，网络恢复正常。",
        ),
        notes=("楼道施工挖断光纤，需重新熔接。",),
        resolution="重新熔接光纤，测速正常。",
        tags=("宽带", "维修"),
        priority=3,
    ),
    Story(
        kind="repair_request",
        domain="repair",
        product="空调",
        subject="空调不制冷，出风是热的",
        request="客户家中{device}开机后不制冷，室外机不转，要求上门维修。",
        teams=("station-repair",),
        replies=("已安排师傅明天上午上门检修。", "更换室外机启动电容后恢复制冷。"),
        notes=("检测为室外机电容损坏，在保修期内免费更换。",),
        resolution="免费更换启动电容，空调制冷正常。",
        tags=("维修", "空调"),
    ),
    Story(
        kind="repair_request",
        domain="repair",
        product="洗衣机",
        subject="洗衣机脱水时漏水",
        request="客户的滚筒洗衣机脱水时底部漏水，地板已泡坏，要求尽快维修。",
        teams=("station-repair", "cc-hotline"),
        replies=("师傅已出发，预计一小时内到达。", "已更换门封圈，试机无漏水。"),
        resolution="更换门封圈，试机正常。",
        tags=("维修",),
    ),
    Story(
        kind="repair_request",
        domain="telecom",
        product="固定电话",
        subject="固话有杂音，通话断断续续",
        request="客户家里座机通话杂音很大，经常断线，已持续{days}天。",
        teams=("station-repair",),
        replies=("已为您安排线路检修。", "入户线接头受潮已更换，通话恢复正常。"),
        resolution="更换受潮接头，通话测试正常。",
        tags=("维修",),
    ),
    Story(
        kind="repair_request",
        domain="retail",
        product="手机",
        subject="新买的手机屏幕触控失灵",
        request="客户{days}天前购买的{device}屏幕部分区域触控失灵，要求保修。",
        teams=("hall-front", "station-repair"),
        replies=(
            "您的手机在保修期内，可以到营业厅或寄修，我们为您优先检测。",
            "检测为屏幕排线故障，已为您更换新屏。",
        ),
        resolution="保修期内免费更换屏幕总成。",
        tags=("维修", "手机"),
    ),
    # --- suggestions (建议) ---
    Story(
        kind="suggestion",
        domain="telecom",
        product="营业厅服务",
        subject="建议营业厅周末延长营业时间",
        request="客户工作日上班没时间，建议营业厅周末营业到晚上8点。",
        teams=("hall-front", "cc-hotline"),
        replies=("感谢您的宝贵建议，我们已反馈给营业厅管理部门评估。",),
        resolution="建议已转交营业服务部，周六试行延长营业至20:00。",
        tags=("建议",),
        priority=1,
    ),
    Story(
        kind="suggestion",
        domain="retail",
        product="手机App",
        subject="建议App增加电子发票批量下载",
        request="客户是企业采购，每月几十张发票要一张张下载，建议增加批量下载功能。",
        teams=("cc-hotline",),
        replies=("感谢您的建议，已提交产品团队，后续版本会考虑。",),
        resolution="建议已录入产品需求池。",
        tags=("建议", "发票"),
        priority=1,
    ),
    Story(
        kind="suggestion",
        domain="banking",
        product="客服热线",
        subject="建议热线语音菜单增加直接转人工",
        request="客户反映热线语音菜单层级太多，老年人找不到人工服务，建议首层增加转人工选项。",
        teams=("cc-hotline", "cc-complaints"),
        replies=("感谢您的建议，我们已经在适老化改造中加入“一键转人工”。",),
        resolution="已纳入热线适老化改造计划。",
        tags=("建议", "适老化"),
        priority=1,
    ),
    Story(
        kind="suggestion",
        domain="repair",
        product="上门服务",
        subject="建议维修师傅上门前电话预约具体时段",
        request="客户建议维修上门前提前电话确认具体时间段，避免白等半天。",
        teams=("station-repair",),
        replies=("感谢您的建议，我们将推行上门前30分钟电话提醒。",),
        resolution="服务站已推行上门前电话确认。",
        tags=("建议",),
        priority=1,
    ),
    # --- praise (表扬) ---
    Story(
        kind="praise",
        domain="telecom",
        product="客服热线",
        subject="表扬热线坐席耐心解答",
        request="客户来电表扬热线坐席耐心帮他查询话费并办理了合适的套餐，服务非常专业。",
        teams=("cc-hotline", "cc-complaints"),
        replies=("感谢您的认可，我们会把您的表扬转达给同事。",),
        resolution="表扬已记录，纳入当月服务之星评选。",
        tags=("表扬",),
        priority=1,
    ),
    Story(
        kind="praise",
        domain="repair",
        product="上门服务",
        subject="表扬维修师傅准时上门、认真负责",
        request="客户表扬维修师傅准时上门，维修后还把现场打扫干净，并讲解了日常保养。",
        teams=("station-repair", "cc-hotline"),
        replies=("非常感谢您的表扬，我们会转达给师傅。",),
        resolution="表扬已通报服务站并给予奖励。",
        tags=("表扬",),
        priority=1,
    ),
    Story(
        kind="praise",
        domain="banking",
        product="营业网点",
        subject="表扬营业厅工作人员帮助老人办理业务",
        request="客户表扬营业厅工作人员耐心帮助家中老人办理业务，全程细心讲解。",
        teams=("hall-front",),
        replies=("感谢您的认可，这是我们应该做的。",),
        resolution="表扬已转达营业厅，记入员工服务档案。",
        tags=("表扬",),
        priority=1,
    ),
)

CONTACT_NOTES = (
    "已致电客户，确认问题和诉求，客户情绪平稳。",
    "已联系客户，复述诉求并确认，承诺尽快给出方案。",
    "电话联系客户，客户情绪激动，已安抚并说明处理流程。",
)
AWAIT_REASONS = (
    "等待客户提供付款截图。",
    "等待客户确认上门时间。",
    "等待客户补充订单信息。",
    "客户暂时不在家，约定再联系。",
)
ESCALATION_REASONS = (
    "客户表示将向媒体反映，需班长协调。",
    "超出一线处理权限，申请上级审批补偿。",
    "客户多次来电，情绪激动，上报处理。",
    "处理时限即将到期，上报协调资源。",
)
KIND_CHANGE_REASONS = (
    "客户对答复不满意，要求按投诉处理。",
    "沟通中客户明确提出投诉。",
)
REOPEN_REASONS = ("客户反映问题再次出现。", "客户对处理结果有异议，重新核实。")
VISIT_NOTES = {
    "satisfied": ("客户表示满意，感谢及时处理。", "客户对处理结果满意，问题已解决。"),
    "not_satisfied": ("客户对处理结果仍不满意，要求进一步处理。", "客户认为补偿不足，不满意。"),
    "unreachable": ("两次致电均无人接听。", "电话关机，已发短信告知。"),
}
RETURN_VISIT_OUTCOMES = (("satisfied", 70), ("unreachable", 15), ("not_satisfied", 15))

_DEVICES = ("华为Mate 60手机", "小米14手机", "美的空调", "海尔滚筒洗衣机", "格力空调", "OPPO手机")
_PLANS = ("128元畅享套餐", "199元全家享套餐", "88元5G套餐", "58元流量套餐")


def story_vars(rng: random.Random) -> dict[str, str | int]:
    """Values for one case's placeholders."""
    return {
        "amount": rng.choice((30, 50, 58, 88, 120, 199, 260, 300, 580, 1200)),
        "order": f"DD{rng.randint(20260000000, 20269999999)}",
        "days": rng.randint(3, 15),
        "month": rng.randint(1, 12),
        "day": rng.randint(1, 28),
        "date": f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
        "hour": rng.randint(14, 18),
        "card": f"{rng.randint(0, 9999):04d}",
        "device": rng.choice(_DEVICES),
        "plan": rng.choice(_PLANS),
        "bandwidth": rng.choice(("300M", "500M", "1000M")),
    }
