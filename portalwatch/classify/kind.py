"""Whether an article is about a project, a policy or something else, by what it leads with."""

from __future__ import annotations

import re

from portalwatch.models import Kind

# A title in the form of an official document: "XX关于印发《...》的通知", "...实施办法".
_DOCUMENT_TITLE_RE = re.compile(
    r"关于.{2,60}的(?:实施)?(?:通知|意见|决定|批复|公告|通告|函|报告)$|^关于|(?:办法|细则|规定|条例|若干措施|实施方案)$"
    r"|(?:征求意见稿|征求意见)"
)
# A section heading of a report ("(三)发力攻坚实体经济…"): a report excerpt is `other` unless its
# heading itself names projects or policies.
_SECTION_TITLE_RE = re.compile(r"^\s*(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")
_POLICY_RE = re.compile(
    r"《[^》]*(?:办法|措施|意见|通知|细则|规定|方案|政策|条例|决定|规划|指引|指南|清单|计划|机制)》"
    r"|关于印发|印发|政策解读|解读|若干措施|若干政策|实施办法|实施细则|管理办法|暂行办法|扶持政策|扶持办法"
    r"|[^会]的通知|办法$|细则$|措施$|举措$|条例|〔\d{4}〕\d+号"
    r"|(?:出台|制定|发布|印发|落实)[^，。,;；]{0,16}(?:政策|措施|举措|办法|细则|意见)"
)
# In a title a bare 政策 is enough ("即墨区人才政策再升级"); in the text it often is not ("政策引导").
_TITLE_POLICY_RE = re.compile(rf"{_POLICY_RE.pattern}|(?<!招商)政策(?!性)")
_PROJECT_RE = re.compile(
    r"签约|开工|奠基|动工|破土|竣工|投产|落户|封顶|试生产|下线|投用|投入使用|启用|开园|投运|并网|建成|在建|总投资"
    r"|计划投资|(?<!完成)(?<!资产)投资\d[\d.]*(?:万|亿)"
    r"|(?:亿|万)(?:元|美元|欧元)[^，。,]{0,6}(?:项目|产业园|基地)|项目(?:落地|建设|集中|推进|进展)|抓项目"
)
_TITLE_PROJECT_RE = re.compile(rf"{_PROJECT_RE.pattern}|项目")
# Events: what happened is a meeting, a visit or an inspection.
_EVENT_RE = re.compile(
    r"会议|座谈会|调度会|推进会|动员会|培训会|发布会|论坛|召开|调研|视察|检查|督导|督查|考察|走访|接待|会见"
)
# Topics that are neither projects nor policies; in a title they yield to a project or policy signal
# ("…文旅综合体项目正在洽谈" is a project).
_TOPIC_RE = re.compile(
    r"旅游|文旅|景区|游客|节庆|音乐节|啤酒节|赛事|马拉松|展会|博览会|报告|营商环境|政务服务|审批|一网通办"
    r"|一窗通办|零跑腿|放管服|招聘|疫情|志愿|乡村振兴|民生|热线|供暖|安全生产"
)
_OTHER_RE = re.compile(f"{_EVENT_RE.pattern}|{_TOPIC_RE.pattern}")
# A title whose head noun (its end) is a meeting, an inspection or a round-up is `other` even when it is
# about projects ("…重点项目建设推进会", "…招商引资工作综述").
_EVENT_TITLE_RE = re.compile(r"(?:会议|会|检查|督导|督查|调研|视察|考察|座谈|综述|述评|盘点|回眸)$")
# Body counts: a policy document names titles and numbers; a project article names money and stages.
_BODY_POLICY_RE = re.compile(
    r"《[^》]{2,60}》|〔\d{4}〕\d+号|印发|出台|第[一二三四五六七八九十]+条|申报|兑现|适用|施行|政策"
)
_BODY_PROJECT_RE = re.compile(
    r"签约|开工|奠基|竣工|投产|落户|在建|封顶|总投资|计划投资|投资\d|亿元的|项目(?:建设|落地|签约|开工)"
)
_QUOTED_RE = re.compile(r"“[^”]{1,20}”|\"[^\"]{1,20}\"")
_BODY_FLOOR = 4
_BODY_RATIO = 2
_OPENING_CHARS = 300


def _first_signal(
    text: str, policy_re: re.Pattern[str] = _POLICY_RE, project_re: re.Pattern[str] = _PROJECT_RE,
    other_re: re.Pattern[str] = _OTHER_RE,
) -> Kind | None:
    """The kind whose signal occurs first in `text` (policy before project before other on a tie)."""
    best: tuple[int, int, Kind] | None = None
    signals: tuple[tuple[Kind, re.Pattern[str]], ...] = (
        ("policy", policy_re), ("project", project_re), ("other", other_re),
    )
    for rank, (kind, pattern) in enumerate(signals):
        match = pattern.search(text)
        if match and (best is None or (match.start(), rank) < best[:2]):
            best = (match.start(), rank, kind)
    return best[2] if best else None


def _opening(text: str) -> str:
    """The first paragraph with content (headings and speaker lines skipped), capped."""
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 20 or line.endswith(("。", "!", "?", "！", "？")):
            return line[:_OPENING_CHARS]
    return text[:_OPENING_CHARS]


def _body_kind(text: str) -> Kind:
    """project or policy when its signals clearly outnumber the other's; else other."""
    policy = len(_BODY_POLICY_RE.findall(text))
    project = len(_BODY_PROJECT_RE.findall(text))
    if project >= _BODY_FLOOR and project >= _BODY_RATIO * policy:
        return "project"
    if policy >= _BODY_FLOOR and policy >= _BODY_RATIO * project:
        return "policy"
    return "other"


def decide_kind(title: str, text: str) -> Kind:
    """project / policy / other: the title's first signal, else the opening's, else the body's balance."""
    if _DOCUMENT_TITLE_RE.search(title):
        return "policy"
    if _EVENT_TITLE_RE.search(title.strip()):
        return "other"
    # a quoted phrase names a service or a campaign ("拿地即开工"), not what the article reports
    unquoted = _QUOTED_RE.sub("“”", title)
    by_title = _first_signal(unquoted, _TITLE_POLICY_RE, _TITLE_PROJECT_RE, _EVENT_RE)
    if by_title:
        return by_title
    if _TOPIC_RE.search(title):
        return "other"
    if _SECTION_TITLE_RE.match(title):
        return "other"
    return _first_signal(_opening(text)) or _body_kind(text)
