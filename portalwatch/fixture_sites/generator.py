"""Templated but varied Chinese investment and policy news, for sites scaled to thousands of articles.

Every article draws its own company, project, place, figures and sentence forms from a seeded
random generator, so two generated articles share little beyond stock phrases (not near-duplicates).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from portalwatch.fixture_sites.records import BEIJING, Article

DISTRICTS: dict[str, tuple[str, list[str]]] = {
    # district -> (document-number prefix, parks and areas inside it)
    "市南区": ("市南政发", ["中央商务区", "金门路数字经济产业园", "青岛国际创新园"]),
    "市北区": ("北政发", ["新都心", "青岛中央商务区", "海洋经济发展示范区"]),
    "李沧区": ("李政发", ["青岛国际院士港", "李村商圈", "楼山片区"]),
    "崂山区": ("崂政发", ["金家岭金融区", "崂山科技城", "青岛国际创新园"]),
    "城阳区": ("城政发", ["轨道交通产业示范区", "青岛空港产业园", "棘洪滩街道"]),
    "西海岸新区": ("青西新管发", ["中德生态园", "前湾综保区", "董家口经济区", "古镇口融合区"]),
    "即墨区": ("即政发", ["青岛蓝谷", "汽车产业新城", "国际陆港", "即墨经济开发区"]),
    "胶州市": ("胶政发", ["上合示范区", "胶东临空经济示范区", "胶州经济技术开发区"]),
    "平度市": ("平政发", ["平度经济开发区", "新河生态化工科技产业基地", "明村镇"]),
    "莱西市": ("西政发", ["莱西经济开发区", "姜山新城", "店埠航空产业园"]),
    "高新区": ("青高管发", ["蓝色生物医药产业园", "青岛高新区", "红岛片区"]),
}
BRANDS = [
    "海创", "蓝鲸", "瀚海", "中科", "鼎信", "鲁润", "华晟", "金源", "睿德", "拓普", "天元", "宏泰", "凯盛", "汇川",
    "博远", "康宁", "恒瑞", "海纳", "新港", "澳柯", "明月", "宝龙", "正阳", "东方", "嘉华", "九联", "盛世", "亿联",
    "云帆", "中集", "北辰", "鑫达", "昌盛", "华通", "泰和", "远洋", "星河", "信诺", "卓越", "鸿运", "联创", "中润",
    "海科", "智汇", "德力", "万润", "瑞丰", "启航", "百川", "沃德",
]
SECTORS = [
    ("新能源科技", "动力电池", "GWh"),
    ("半导体", "碳化硅衬底", "万片"),
    ("医疗器械", "高端医疗器械", "万台"),
    ("智能装备", "工业机器人", "台"),
    ("海洋生物", "海洋生物制品", "吨"),
    ("汽车零部件", "新能源汽车零部件", "万套"),
    ("氢能科技", "氢燃料电池电堆", "套"),
    ("光伏科技", "光伏组件", "GW"),
    ("食品", "预制菜", "万吨"),
    ("冷链物流", "冷链仓储", "万吨"),
    ("数据科技", "算力服务器", "万台"),
    ("新材料", "高性能纤维", "万吨"),
    ("风电装备", "海上风电装备", "套"),
    ("航空科技", "航空零部件", "万件"),
    ("纺织服装", "功能性面料", "万米"),
    ("生物医药", "创新药制剂", "亿片"),
]
PROJECT_PARTS = [
    "智能化生产车间", "研发中心", "检验检测中心", "综合办公楼", "成品仓库", "原料仓库", "职工公寓", "动力站房",
    "污水处理站", "中试基地", "展示中心", "数字化控制中心", "自动化立体库", "装配车间", "涂装车间", "洁净厂房",
    "孵化器", "人才公寓", "物流分拨中心", "光伏屋顶",
]
STAGES = ["签约", "开工", "主体封顶", "竣工投产"]
SURNAMES = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭",
    "马", "罗",
]
GIVEN = [
    "建国", "海涛", "晓东", "立新", "文静", "志强", "秀英", "国华", "明辉", "丽娟", "春雷", "振宇", "红梅", "德胜",
    "玉兰", "卫东", "永刚", "雪松",
]
SOURCES = ["青岛日报", "区融媒体中心", "区发展和改革局", "区商务局", "区投资促进中心", "观海新闻", "区工业和信息化局"]
POLICY_TOPICS = [
    ("支持先进制造业高质量发展", "制造业企业"),
    ("促进数字经济发展", "数字经济企业"),
    ("加快海洋经济高质量发展", "涉海企业"),
    ("支持总部经济发展", "总部企业"),
    ("鼓励外商投资", "外商投资企业"),
    ("推动生物医药产业集聚发展", "生物医药企业"),
    ("支持新能源汽车产业发展", "新能源汽车企业"),
    ("促进楼宇经济发展", "入驻楼宇企业"),
    ("支持科技型中小企业成长", "科技型中小企业"),
    ("加快现代物流业发展", "物流企业"),
    ("推进招商引资提质增效", "新落户项目"),
    ("支持专精特新企业发展", "专精特新企业"),
]
POLICY_KINDS = ["若干措施", "实施办法", "扶持政策", "实施意见", "实施细则"]


class _Draw:
    """A seeded source of names and figures for one article."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)

    def pick(self, items):
        return self.rng.choice(items)

    def person(self) -> str:
        return self.pick(SURNAMES) + self.pick(GIVEN)

    def amount(self) -> str:
        value = self.rng.choice([self.rng.randint(2, 98), round(self.rng.uniform(1.2, 9.8), 1)])
        return f"{value}亿元" if self.rng.random() < 0.85 else f"{self.rng.randint(3, 9)}000万元"

    def share(self) -> str:
        return f"{self.rng.randint(12, 96)}.{self.rng.randint(1, 9)}%"


def _project(d: _Draw, district: str, park: str, index: int) -> tuple[str, list[str]]:
    brand, (industry, product, unit) = "".join(d.rng.sample(BRANDS, 2)), d.pick(SECTORS)
    company = f"青岛{brand}{industry}有限公司"
    capacity = f"{d.rng.randint(2, 60)}{unit}"
    project = f"{brand}年产{capacity}{product}项目"
    stage, amount = d.pick(STAGES), d.amount()
    area, floor = d.rng.randint(30, 900), d.rng.randint(2, 40)
    output, jobs, tax = d.rng.randint(3, 120), d.rng.randint(80, 3000), round(d.rng.uniform(0.2, 9.9), 1)
    month, day = d.rng.randint(1, 12), d.rng.randint(1, 28)
    title = d.pick([
        f"{park}{project}{stage}",
        f"总投资{amount}的{project}在{district}{stage}",
        f"{district}：{project}正式{stage}",
        f"{park}再添新动能 {project}{stage}",
        f"{brand}{product}项目落户{park} 总投资{amount}",
    ])
    opening = d.pick([
        f"近日，{project}在{district}{park}{stage}。该项目由{company}投资建设，总投资{amount}，"
        f"规划用地{area}亩。",
        f"{month}月{day}日，{district}{park}举行{project}{stage}仪式，项目总投资{amount}，"
        f"由{company}负责实施。",
        f"记者从{district}获悉，{company}投资{amount}建设的{project}日前{stage}，"
        f"项目占地约{area}亩，新建厂房及配套设施{floor}万平方米。",
        f"{park}又一重大产业项目迎来新进展。{month}月{day}日，由{company}投资的{project}{stage}，"
        f"计划总投资{amount}。",
        f"{district}重点项目建设传来好消息：{project}于{month}月{day}日{stage}，项目投资方为{company}，"
        f"用地面积{area}亩。",
    ])
    detail = d.pick([
        f"项目主要建设{product}生产线及研发中心，达产后可年产{capacity}{product}，"
        f"预计年产值{output}亿元，带动就业{jobs}人，年纳税{tax}亿元。",
        f"据介绍，{product}是{park}重点培育的产业方向。项目全部建成后，年产能达到{capacity}，"
        f"可实现产值约{output}亿元、税收{tax}亿元，新增就业岗位{jobs}个。",
        f"项目分两期建设，一期建设{floor}万平方米生产厂房，二期布局{product}研发检测平台，"
        f"全部达产后年营业收入预计超过{output}亿元。",
        f"按照计划，项目{d.rng.randint(2027, 2029)}年全面达产，届时{product}年产能{capacity}，"
        f"营业收入{output}亿元左右，可提供{jobs}个工作岗位。",
        f"作为{district}今年引进的{d.pick(['重点', '标志性', '链主型', '补链型'])}项目，{brand}{product}项目达产后"
        f"年销售收入有望达到{output}亿元，贡献税收{tax}亿元。",
    ])
    service = d.pick([
        f"为推动项目早落地、早见效，{park}成立项目服务专班，实行“一项目一专班”跟踪服务，"
        f"从签约到{stage}仅用时{d.rng.randint(20, 180)}天。",
        f"{district}投资促进部门相关负责人{d.person()}表示，将持续做好要素保障，"
        f"协调解决用地、用能等问题{d.rng.randint(3, 30)}项，确保项目按期推进。",
        f"项目建设过程中，{district}推行“拿地即开工”审批模式，{d.rng.randint(3, 12)}个审批事项并联办理，"
        f"为企业节约时间{d.rng.randint(30, 120)}天以上。",
        f"{district}{d.pick(['行政审批服务局', '自然资源局', '住房和城乡建设局'])}提前介入，"
        f"帮助企业在{d.rng.randint(5, 40)}个工作日内取得施工许可。",
        f"园区工作人员{d.person()}介绍，针对项目用电、用水需求，园区协调电力部门新建{d.rng.randint(2, 9)}条专线，"
        f"保障设备按时调试。",
    ])
    chain = d.pick([
        f"今年以来，{park}围绕{product}产业链精准招商，已累计引进上下游项目{d.rng.randint(5, 60)}个，"
        f"总投资{d.rng.randint(30, 600)}亿元。",
        f"截至{month}月底，{district}已有{d.rng.randint(10, 90)}个重点项目开工建设，"
        f"完成投资{d.rng.randint(20, 500)}亿元，同比增长{d.share()}。",
        f"{company}负责人{d.person()}介绍，公司看中{district}完善的产业配套和营商环境，"
        f"计划在{d.rng.randint(2026, 2029)}年前再追加投资{d.amount()}。",
        f"据了解，{company}成立于{d.rng.randint(1995, 2022)}年，拥有专利{d.rng.randint(20, 600)}项，"
        f"产品出口{d.rng.randint(5, 80)}个国家和地区。",
        f"目前，{park}已集聚{product}相关企业{d.rng.randint(8, 120)}家，"
        f"{d.rng.randint(2024, 2026)}年产业规模突破{d.rng.randint(50, 900)}亿元。",
    ])
    closing = d.pick([
        f"下一步，{district}将坚持“项目为王”，加快推动{d.rng.randint(10, 80)}个在谈项目签约落地。",
        f"{park}将以该项目为牵引，加快打造百亿级{product}产业集群（编号{index:05d}）。",
        f"据悉，{park}今年计划新引进亿元以上项目{d.rng.randint(10, 50)}个，力争全年实际使用外资"
        f"{d.rng.randint(1, 9)}.{d.rng.randint(1, 9)}亿美元。",
        f"{district}有关负责人表示，将对{project}实行全周期跟踪服务，推动其尽快达产达效。",
        f"当天，{park}还与{d.rng.randint(2, 9)}家{d.pick(SECTORS)[1]}配套企业签订了合作意向协议。",
    ])
    parts = "、".join(d.rng.sample(PROJECT_PARTS, d.rng.randint(3, 5)))
    contents = d.pick([
        f"项目主要建设{parts}等，",
        f"根据规划，项目将建设{parts}，",
        f"项目建设内容包括{parts}，",
    ]) + d.pick([
        f"计划{d.rng.randint(2026, 2028)}年{d.rng.randint(1, 12)}月建成。",
        f"建设周期{d.rng.randint(12, 36)}个月。",
        f"引进生产设备{d.rng.randint(50, 900)}台（套）。",
    ])
    body = [opening, contents, detail, service, chain, closing]
    if d.rng.random() < 0.5:
        body[2], body[3] = body[3], body[2]
    if d.rng.random() < 0.4:
        body.pop(d.rng.choice([1, 4]))
    return title, body


def _measures(d: _Draw, target: str, ratio: int, cap: int) -> list[str]:
    """Three policy measures drawn from a larger pool, in random order."""
    pool = [
        f"对新引进的{target}给予落户奖励，按实缴注册资本的{ratio}%给予补助，最高{cap}万元。",
        f"对{target}年度营业收入首次突破{d.rng.randint(1, 50)}亿元的，一次性奖励{d.rng.randint(50, 900)}万元。",
        f"对{target}新建项目设备投资额超过{d.rng.randint(1000, 9000)}万元的，按设备投资额的"
        f"{d.rng.randint(3, 20)}%给予补贴，单个项目最高{d.rng.randint(200, 3000)}万元。",
        f"对租赁办公用房的{target}，前三年按租金的{d.rng.randint(20, 100)}%给予补贴，"
        f"每年最高{d.rng.randint(50, 500)}万元。",
        f"对引进的高层次人才，给予最高{d.rng.randint(20, 300)}万元安家补贴，并在子女入学、医疗保障等方面提供服务。",
        f"研发投入较上年增长{d.share()}以上的，按增量部分给予奖励，最高{d.rng.randint(100, 800)}万元。",
        f"对首次认定为国家级“小巨人”的企业奖励{d.rng.randint(30, 200)}万元，省级“瞪羚”企业奖励"
        f"{d.rng.randint(10, 100)}万元。",
        f"对企业在境内外上市的，分阶段给予总额不超过{d.rng.randint(300, 1500)}万元的奖励。",
        f"设立规模{d.rng.randint(5, 100)}亿元的产业引导基金，重点投向{d.pick(SECTORS)[1]}等领域。",
        f"对新获批的省级以上创新平台，给予{d.rng.randint(50, 500)}万元建设经费支持。",
        f"产业用地出让底价可按工业用地基准地价的{d.rng.randint(70, 100)}%确定，土地出让金分期缴纳。",
        f"对引进项目的中介机构，按项目实际到位资金的{d.rng.randint(1, 9)}‰给予奖励，最高{d.rng.randint(20, 200)}万元。",
    ]
    return d.rng.sample(pool, 3)


def _policy(d: _Draw, district: str, prefix: str, index: int) -> tuple[str, list[str], str]:
    topic, target = d.pick(POLICY_TOPICS)
    kind = d.pick(POLICY_KINDS)
    doc = f"{prefix}〔2026〕{d.rng.randint(1, 60)}号"
    name = f"《{district}关于{topic}的{kind}》"
    ratio, cap = d.rng.randint(5, 50), d.rng.randint(50, 2000)
    focus = "、".join(s[1] for s in d.rng.sample(SECTORS, 3))
    title = d.pick([
        f"{district}印发{name}",
        f"{district}出台{topic}{kind}",
        f"{name}政策解读",
        f"{district}人民政府关于印发{topic}{kind}的通知",
    ])
    measures = _measures(d, target, ratio, cap)
    body = [
        d.pick([
            f"近日，{district}人民政府印发{name}（{doc}），自印发之日起施行，有效期{d.rng.randint(2, 5)}年。",
            f"为{topic}，{district}日前出台{name}（{doc}），共{d.rng.randint(8, 30)}条。",
            f"{d.rng.randint(1, 12)}月{d.rng.randint(1, 28)}日，记者从{district}获悉，{name}（{doc}）正式发布。",
            f"经{district}政府第{d.rng.randint(10, 90)}次常务会议研究通过，{name}（{doc}）日前印发实施。",
        ]),
        d.pick([
            f"{kind}重点支持{focus}等产业，提出到{d.rng.randint(2027, 2030)}年相关产业规模突破"
            f"{d.rng.randint(100, 2000)}亿元。",
            f"据了解，{kind}在{focus}等领域加大支持力度，全区相关企业已达{d.rng.randint(50, 900)}家。",
            f"{kind}围绕{focus}三个方向，明确了{d.rng.randint(3, 9)}个方面的支持措施。",
            f"与上一轮政策相比，新政新增{d.rng.randint(3, 12)}条条款，{focus}等领域首次纳入支持范围。",
        ]),
        "其中，" + measures[0] + measures[1],
        d.pick(["此外，", "同时，", "政策还提出，"]) + measures[2],
        d.pick([
            f"{district}发展和改革局负责人{d.person()}表示，政策实行“免申即享”，"
            f"预计每年兑现资金{d.rng.randint(1, 20)}亿元，惠及企业{d.rng.randint(100, 3000)}家。",
            f"政策兑现通过“{district}惠企通”平台办理，企业可在线申报，审核时限压缩至"
            f"{d.rng.randint(5, 20)}个工作日。",
            f"{district}将建立政策兑现台账，每季度集中兑现一次，{d.rng.randint(2026, 2028)}年起按年度评估实施效果。",
            f"据测算，去年全区共有{d.rng.randint(40, 900)}家{target}享受各类奖补资金{d.rng.randint(1, 30)}亿元。",
        ]),
        f"{name}由{district}{d.pick(['商务局', '发展和改革局', '工业和信息化局', '科技局'])}负责解释（{index:05d}）。",
    ]
    return title, body, doc


def generate(site: str, count: int, newest: datetime, start_id: int, prefixed: bool = False) -> list[Article]:
    """`count` varied articles for `site`, newest first, the first published at `newest`.

    `prefixed` titles start with the park portals' `【<district>招商】`.
    """
    articles: list[Article] = []
    when = newest
    districts = list(DISTRICTS)
    for n in range(count):
        d = _Draw(f"{site}:{n}")
        district = d.pick(districts)
        prefix, parks = DISTRICTS[district]
        doc = ""
        if d.rng.random() < 0.25:
            title, body, doc = _policy(d, district, prefix, start_id + n)
            issuer = f"{district}人民政府"
        else:
            title, body = _project(d, district, d.pick(parks), start_id + n)
            issuer = ""
        if prefixed:
            title = f"【{district}招商】{title}"
        articles.append(
            Article(
                id=start_id + n,
                title=title,
                published=when.replace(tzinfo=BEIJING),
                paragraphs=tuple(body),
                source=d.pick(SOURCES),
                doc_number=doc,
                issuer=issuer,
            )
        )
        when -= timedelta(hours=d.rng.randint(5, 40), minutes=d.rng.randint(0, 59))
    return articles
