"""Project names (`...项目`, `...产业园`, `...基地`) and the stage a project article reports."""

from __future__ import annotations

import re
from collections import Counter

from portalwatch.classify.districts import ALIASES

_SUFFIX = r"(?:(?:产业园|基地)项目|项目|产业园|基地|工程)"
_END_RE = re.compile(_SUFFIX + "(?!区)")  # "产业园区" is a kind of place, not a name's end
_SUFFIX_RE = re.compile(_SUFFIX + "$")
_NAME_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·&\-]+$")
_MAX_NAME = 40
# Words that lead into a name without belonging to it: "加快推进", "总投资50亿元的", "特别是".
_LEAD_RE = re.compile(
    r"^(?:特别是|其中|正在|正|已|将|加快|加速|全力|大力|重点|着力|积极|推进|推动|建设|新建|开工|签约|引进|"
    r"落户|落地|实施|启动|打造|围绕|依托|包括|以及|和|与|及|抓好|确保|力争|计划|年内|今年|目前|该|由|为|"
    r"成功|集中|举行|举办|参与|支持|服务|聚焦|瞄准|开展|完成|促进|带动|谋划|储备|招引|培育|发展)+"
)
_GENERIC_RE = re.compile(
    r"重点|产业|制造业|四新|经济|建设|基础设施|新建|在建|签约|开工|竣工|投产|一批|优质|招商|支撑|固投|"
    r"投资|民生|重大|市级|省级|省市|国家级|示范|大|好|新|上述|有关|相关|各类|这些|此类|本|该|这|类|"
    r"新兴|先进|高端|配套|续建|储备|谋划|合作|部级|外资|内资|服务业|工业|技改|城建|政府|社会|亿元|万元|以上|"
    r"高质量|高耗能|纳统|招商引资|工作|每个|某|区域|创新型|科技|农业|智能|数字|来源|源头|过亿元|亿元以上|"
    r"[一二三四五六七八九十]期|首期|上下游|扩建|改造|提升|单个|主体|中试|此次|科创"
)
# Joiners and verbs that end the words before a name: "与中车四方举行|智能制造产业园项目".
_BREAK_RE = re.compile(
    r"的|了|和|与|及|以及|举行|举办|签署|签订|推进|建设|建成|实施|启动|引进|开工|落户|加快|打造|围绕|迎来|通过|成为"
    r"|梳理|明确|禁止|坚持|针对|吸引|创下|优选|保障|优先|助力|升级|等|在|促使|设立|建立|谋划|如"
    r"|[一二三四五六七八九十]是|此轮|现阶段|全区|全市|多个|后续|领域|入选|运营|突出"
    r"|签约|签署|洽谈|共建|位于|将为|获悉|日前|近日|拟|对|向|从|把|将|成立|承接|给予|作为|预计|新建|是|支持"
    r"|以(?=[^，,。；;]{1,12}为)"  # "以…为…": the phrase after 以 is what something rests on
)
# Places and vague owners before a name are not part of it: "平度市东部风电项目" names 东部风电项目.
_DISTRICT_NAMES = sorted((a for names in ALIASES.values() for a in names if a.endswith(("区", "市"))),
                         key=len, reverse=True)
_PLACE_LEAD_RE = re.compile(rf"^(?:{'|'.join(_DISTRICT_NAMES)}|青岛市|某)+")
# A phrase that ends in a class word is a kind of project, not a name: "李沧重点项目", "生产制造项目".
_CLASS_END = re.compile(
    r"(?:重点|产业|投资|优质|制造业|制造|招商引资|在谈|储备|洽谈|帮扶|院士|新兴|龙头|惠民|民生|设施"
    r"|重大|住房|服务|赋能|孵化|配套)$"
)
# One-character class words ("大项目", "新项目", "一批好项目") end only a short phrase.
_SHORT_CLASS_END = re.compile(r"^.{0,3}(?:类|性|型|大|好|新|批)$")
_BOOK_TITLE_RE = re.compile(r"《[^》\n]*》")
_COUNTED = re.compile(r"[\d一二两三四五六七八九十百千]+(?:个|项|批)")

STAGES: dict[str, tuple[str, ...]] = {
    "签约": ("签约", "签署", "签订", "落户"),
    "开工": ("开工", "奠基", "动工", "破土", "开建"),
    "在建": ("在建", "封顶", "施工", "加快建设"),
    "竣工": ("竣工", "建成", "完工"),
    "投产": ("投产", "投用", "投入使用", "投入运营", "达产", "下线", "试生产", "开业", "启用", "开园", "并网"),
    "在谈": ("在谈", "洽谈"),
}
_STAGE_OF = {word: stage for stage, words in STAGES.items() for word in words}
_STAGE_RE = re.compile("|".join(sorted(_STAGE_OF, key=len, reverse=True)))


def _clean(raw: str) -> str | None:
    name = _BREAK_RE.split(raw)[-1]
    name = _LEAD_RE.sub("", name)
    name = _PLACE_LEAD_RE.sub("", name)
    name = _LEAD_RE.sub("", name)
    suffix = _SUFFIX_RE.search(name)
    if suffix is None or _COUNTED.search(name[: suffix.start()]):
        return None
    stem = name[: suffix.start()]
    bare = suffix.group(0) in ("项目", "工程")  # "…产业园项目" / "…基地项目" name a place even after a class word
    if len(_GENERIC_RE.sub("", stem)) < 2 or (bare and (_CLASS_END.search(stem) or _SHORT_CLASS_END.match(stem))):
        return None
    return name


def extract_projects(title: str, text: str) -> list[str]:
    """Specific project names in title and text, in order, without repeats or generic phrases."""
    result: list[str] = []
    for source in (title, text):
        source = _BOOK_TITLE_RE.sub("\n", source)  # a document title names no project
        previous_end = 0
        for match in _END_RE.finditer(source):
            window = source[max(previous_end, match.start() - _MAX_NAME):match.start()]
            previous_end = match.end()
            run = _NAME_CHARS.search(window)
            name = _clean(run.group(0) + match.group(0)) if run else None
            if name and name not in result:
                result.append(name)
    # a shorter form of a name found in full ("风电项目" beside "东部风电项目") is the same project
    return [name for name in result if not any(name != other and name in other for other in result)]


def stage_in(text: str) -> str | None:
    """The first stage word of `text` as a stage (签约, 开工, 在建, 竣工, 投产, 在谈)."""
    match = _STAGE_RE.search(text)
    return _STAGE_OF[match.group(0)] if match else None


def extract_stage(title: str, lead: str, text: str) -> str | None:
    """The stage the title names, else the lead sentence, else the most frequent in the text."""
    for part in (title, lead):
        stage = stage_in(part)
        if stage:
            return stage
    counts = Counter(_STAGE_OF[m.group(0)] for m in _STAGE_RE.finditer(text))
    return counts.most_common(1)[0][0] if counts else None
