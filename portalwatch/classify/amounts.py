"""Investment amounts: find every money figure, keep the investments, headline first.

Conventions:
- `Amount.text` is the figure as written with its qualifier and range but without the cue word:
  `总投资32亿元` -> "32亿元", `近百亿元` -> "近百亿元", `1万-5万元` -> "1万-5万元".
- `value` is the number before the unit (the upper bound of a range), `unit` the unit as normalised
  (万元, 亿元, 万亿元, 亿美元, 万欧元 ...), `yi` the value in 亿 of its currency.
- A figure counts as an investment when the nearest cue before it in its sentence is an investment cue
  (总投资, 计划投资, 签约, 到账 ...) and not an output, revenue, tax, subsidy or GDP cue (产值, 营业收入,
  税收, 补贴, 奖励, 生产总值 ...). Size classes such as `5000万元以上项目` are thresholds, not amounts.
"""

from __future__ import annotations

import re
from dataclasses import replace

import cn2an

from portalwatch.models import Amount

_DIGITS = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_DIGITS = r"[零〇一二两三四五六七八九十百千点]+"
_NUMBER = rf"(?:{_DIGITS}|{_CN_DIGITS})"
_SCALE = r"(?:万亿|千万|百万|亿|万)"
_CURRENCY = r"(?:元人民币|人民币|美元|欧元|日元|港元|港币|英镑|元)"
_BEFORE = r"(?:近|约|超过|超|逾|达到|高达|多达|不低于|不少于|大约|接近|将近|过)?"
_AFTER = r"(?:以上|左右|之多)?"
_RANGE_SEP = r"(?:-|~|—|–|－|〜|至|到)"
# "总投资5亿，" leaves the yuan out: a bare 亿/万 counts as CNY only where the figure ends at punctuation,
# so "5亿人次" or "8万平方米" are never read as money.
_BARE_END = r"(?=[,，。；;、)）\s]|$)"

AMOUNT_RE = re.compile(
    rf"(?<![\d.,])(?P<pre>{_BEFORE})"
    rf"(?:(?P<low>{_NUMBER})(?P<low_scale>{_SCALE})?(?:元)?\s*{_RANGE_SEP}\s*)?"
    rf"(?P<num>{_NUMBER})\s?(?P<more>余|多)?(?P<scale>{_SCALE})(?P<cur>{_CURRENCY}|{_BARE_END})(?P<post>{_AFTER})"
)

_SCALE_IN_YI = {"万亿": 1e4, "亿": 1.0, "千万": 0.1, "百万": 0.01, "万": 1e-4}
_CURRENCIES = {
    "": ("元", "CNY"), "元": ("元", "CNY"), "元人民币": ("元", "CNY"), "人民币": ("元", "CNY"),
    "美元": ("美元", "USD"), "欧元": ("欧元", "EUR"), "日元": ("日元", "JPY"),
    "港元": ("港元", "HKD"), "港币": ("港元", "HKD"), "英镑": ("英镑", "GBP"),
}

_INVEST_CUES = (
    "总投资", "总投资规模", "计划投资", "投资额", "投资规模", "投资", "签约额", "签约金额", "签约总额", "签约", "协议",
    "到账", "外资", "内资", "引资", "招引", "落地",
)
_OTHER_CUES = (
    "产值", "固投", "固定资产投资", "营业收入", "营收", "主营业务收入", "收入", "销售", "税收", "纳税",
    "利税", "税", "利润",
    "补贴", "补助", "奖励", "资助", "扶持", "资金", "生产总值", "GDP", "增加值", "出口", "进出口",
    "交易额", "成交额", "贷款", "授信", "融资", "降费", "预算", "支出", "规模", "注册资本", "估值",
    "市值", "资产", "保费", "罚款", "处罚", "租金", "消费", "零售", "营业额", "订单", "拨付", "减免",
    "基金", "收益", "工资", "价格", "效益", "经费",
)
_CUE_RE = re.compile("|".join(sorted({*_INVEST_CUES, *_OTHER_CUES}, key=len, reverse=True)))
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
# A size class: "5000万元以上项目", "投资30亿元以上的制造业大项目", "亿元级企业".
_THRESHOLD_AFTER = re.compile(r"^(?:的)?[^,，。；;、:：()\d]{0,10}?(?:项目|企业|楼宇|大项目)")
# Without a cue word, "500万元投资" and "50亿元的xx产业园" still name an investment.
_PROJECT_AFTER = re.compile(r"^(?:的)?(?:投资|投入)|^的[^,，。；;、:：]{1,30}?(?:项目|产业园|基地|园区|工厂|中心|总部)")

# A figure that sums up many projects, a district or the city, or counts what is done so far or planned:
# "26个项目总投资186亿元", "全区…计划总投资420亿元", "截至4月底…完成投资390亿元", "力争全年完成投资300亿元".
_AGGREGATE_BEFORE = re.compile(
    r"\d+个|[一二两三四五六七八九十百千]+个(?:[^，,。；;]{0,12})?项目|项目(?:\d+|[一二三四五六七八九十百]+)个"
    r"|全市|全区|全县|全省|我市|我区|各区|三地|两地|累计|截至|截止|完成投资|完成年度|完成全年|年度计划|全年计划"
    r"|力争|目标|预计全年|今年计划"
)
# A cap or a floor is a subsidy or a condition: "最高500万元", "不超过300万元".
_CAP_BEFORE = re.compile(r"最高|最多|不超过|上限")
# A figure followed by the grant it is: "给予300万元补助".
_GRANT_AFTER = re.compile(r"(?:的)?(?:补助|补贴|奖励|资助|扶持|奖补)")
# A period figure compared with last year's: "实际到账外资4.6亿美元，同比增长12%".
_STATISTIC_AFTER = re.compile(r"[,，]?\s*(?:同比|比上年|较上年|增长\d|下降\d)")
# One phase of a project: "一期投资10亿元", "首期投资2亿元", "二期工程计划投资15亿元".
_PHASE_BEFORE = re.compile(r"(?:[一二三四五六七八九]|首)期(?:工程|项目)?(?:计划|拟)?(?:总)?投资$")


def parse_number(number: str) -> float | None:
    """'1,200.5' -> 1200.5; '五十' -> 50; '百' -> 100; None when it is not a number."""
    if re.fullmatch(_DIGITS, number):
        return float(number.replace(",", ""))
    if number[0] in "十百千":
        number = "一" + number
    try:
        return float(cn2an.cn2an(number, "smart"))
    except (ValueError, KeyError):
        return None


def _amount(match: re.Match[str]) -> Amount | None:
    value = parse_number(match["num"])
    if value is None or value == 0:
        return None
    unit_word, currency = _CURRENCIES[match["cur"]]
    scale = match["scale"]
    text = match.group(0)
    return Amount(
        text=text,
        value=value,
        unit=f"{scale}{unit_word}",
        currency=currency,
        yi=round(value * _SCALE_IN_YI[scale], 8),
    )


def _is_investment(text: str, match: re.Match[str]) -> bool:
    """Nearest cue before the figure in its sentence decides; size classes are never amounts."""
    after = text[match.end():]
    sized = match["post"] == "以上" or match["pre"] == "过"
    if after.startswith("级") or (sized and _THRESHOLD_AFTER.match(after)):
        return False
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())), default=0)
    cues = list(_CUE_RE.finditer(text, sentence_start, match.start()))
    if cues:
        return cues[-1].group(0) in _INVEST_CUES
    return bool(_PROJECT_AFTER.match(after))


def _clause_before(text: str, match: re.Match[str]) -> str:
    """The words of the figure's sentence before it; "其中" starts afresh (one project out of a batch)."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())), default=0)
    before = text[start:match.start()]
    return before[before.rfind("其中") + 2:] if "其中" in before else before


def _is_own_investment(text: str, match: re.Match[str]) -> bool:
    """Not a total of several projects, of a district or the city, a cumulative figure, a target or a cap."""
    before = _clause_before(text, match)
    condition = match["pre"] in ("不低于", "不少于") or (match["post"] == "以上" and before.endswith("在"))
    return not (_AGGREGATE_BEFORE.search(before) or _CAP_BEFORE.search(before[-4:]) or condition
                or _GRANT_AFTER.match(text, match.end()) or _STATISTIC_AFTER.match(text, match.end()))


def _investments(text: str) -> list[tuple[Amount, bool, bool]]:
    """(amount, own investment of one project, a phase of it) for each investment figure of `text`."""
    found = []
    for match in AMOUNT_RE.finditer(text):
        amount = _amount(match)
        if amount is not None and _is_investment(text, match):
            phase = bool(_PHASE_BEFORE.search(_clause_before(text, match)[-8:]))
            found.append((amount, _is_own_investment(text, match), phase))
    return found


def extract_amounts(title: str, text: str) -> list[Amount]:
    """Investment amounts of an article, no repeats; first the headline, one project's own investment.

    The headline is the first own investment of the title, else of the text, a whole project's before one
    of its phases (一期投资3.8亿元 ... 总投资12亿元 -> 12). Totals, cumulative figures and targets follow it,
    so an article that names only those has no headline.
    """
    ordered = _investments(title) + _investments(text)
    ranked = sorted(ordered, key=lambda found: (not found[1], found[2]))
    seen: set[tuple[float, str]] = set()
    result = []
    for amount, own, _phase in ranked:
        key = (amount.yi, amount.currency)
        if key not in seen:
            seen.add(key)
            result.append(replace(amount, own=own))
    return result
