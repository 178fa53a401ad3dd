"""Build the labelled dedupe set `bench/data/dedupe_labelled.jsonl` without any product code.

The set holds text of the real pages, which stay outside the repository: it is built where it is used
(the file is not committed; `bench/dedupe_quality.py` and the tests build it from `../shared`).

Known articles come from three places no dedupe rule was written from: the seed files (read and
split here, by this script's own reading), the gold article bodies of the real pages saved from
public sites (`../shared/real-pages`, read at build time, never copied into the repository), and
the hand-written portal articles in `bench/data/dedupe_new_articles.txt`. Each real page and
hand-written article goes either to the known pool (stored first, as a crawl would) or to the fresh
pool (text the index never sees), by its position.

Copies are made with tools the product does not use: Traditional characters by zhconv or hanziconv
(the product reads them with OpenCC), words and edits by jieba's segmentation, sentences by this
script's own splitting. Case types:
  original        a known article, first stored (new)
  republished     the same text on another portal, with that portal's header and footer
  traditional     converted to Traditional characters (zhconv or hanziconv), some re-punctuated
  punct_width     punctuation and digit-width changes, paragraphs merged
  edited          word-level edits: synonyms, dropped words, a changed figure, a dropped and an added sentence
  excerpt         a contiguous run from the middle, 40 to 1,500 characters, with the source's title
  summary         the opening 40 to 300 characters with the title, as a list page shows it
  partial         a run of known text joined to fresh text, 10% to 90% known; a duplicate unless the
                  fresh part is substantial (a third of the text and 100 characters), else new
  fresh           an article the index has never seen (new)
  quote           fresh text quoting a known passage (new)
  formulaic       fresh text mixed with stock phrasing that several known articles share (new)
  notice          a policy notice whose body is an attachment: little more than a title a known
                  article quotes (new)
Every case names its half: `tune` (thresholds are chosen there) or `test` (figures reported there),
by a hash of the source it was made from, so no source has cases in both halves.

    .venv/bin/python bench/make_dedupe_set.py
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jieba
import zhconv
from hanziconv import HanziConv

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
HAND = DATA / "dedupe_new_articles.txt"
OUT = DATA / "dedupe_labelled.jsonl"
SEEDS = ROOT / "seeds"
REAL = ROOT.parent / "shared" / "real-pages" / "gold.jsonl"

DATE_LINE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
SENTENCE = re.compile(r"[^。!?！？;；]*[。!?！？;；]?")
FIGURE = re.compile(r"\d+(?:\.\d+)?")
WORDLIKE = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")

NEW_SHARE, NEW_CHARS = 1 / 3, 100  # the product's documented default for "substantially new"

# Invented portals: the furniture each repeats on its pages (no dedupe rule names any of it).
PORTALS = {
    "portal-a": ("本站首页 | 政务公开 | 投资环境 | 办事服务\n您现在的位置:首页 >> 新闻中心 >> 要闻动态",
                 "主办:某某市投资促进服务中心 承办:某某市大数据中心\n地址:某某市新城大道188号 邮编:266000\n"
                 "网站标识码3702000099 建议使用1280×768分辨率浏览"),
    "portal-b": ("园区概况 招商政策 产业载体 项目动态 联系方式\n【字体:大 中 小】【我要纠错】",
                 "欢迎各界客商来园区考察洽谈\n项目申报请致电园区经济发展部\n微信公众号 视频号 头条号\n"
                 "本平台信息仅供参考,以正式文件为准"),
    "portal-c": ("城市新闻 区市动态 经济观察 视频直播\n来源:本网综合 作者:本网记者 编辑:综合部",
                 "本网原创稿件,转载请注明出处并保留作者署名\n新闻热线:本网新闻中心全天候接受线索\n"
                 "违法和不良信息举报 未成年人保护专区"),
}
PREFIXES = ["【转载】", "【区市动态】", "【招商快讯】", "【原创】", ""]
SYNONYMS = {"推进": "推动", "加快": "加速", "全面": "全方位", "提升": "提高", "建设": "打造", "企业": "市场主体",
            "实现": "达成", "持续": "不断", "重点": "关键", "发展": "成长", "目前": "当前", "进一步": "更加",
            "积极": "主动", "开展": "进行", "工作": "任务", "项目": "工程", "服务": "保障", "支持": "扶持"}
ADDED = ["记者在采访中了解到,这一做法得到了不少企业和群众的认可。",
         "有关负责人表示,下一步将继续跟踪推进,及时总结经验做法。",
         "据悉,相关工作已经列入年度重点任务清单。"]
ISSUERS = ["市人民政府办公厅", "区管委会办公室", "市发展和改革委员会", "区人民政府", "市工业和信息化局"]
QUOTED_NAME = re.compile(r"《([^《》]{8,60})》")
QUOTE_INTROS = ["正如此前报道所说,", "有关文件曾指出:", "据早前媒体报道,"]
SUMMARY_LENGTHS = (40, 60, 90, 140, 220, 300)
EXCERPT_LENGTHS = (40, 70, 120, 250, 500, 900, 1500)
PARTIAL_SHARES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class Article:
    key: str  # where it came from, for the halves
    title: str
    text: str
    source: str | None = None  # how the product names it: a URL once stored, "seeds/<file>" for a seed
    anchor: str = ""  # a passage that identifies the article inside a seed file of several


def words(text: str) -> int:
    """Characters that count as text (CJK, letters, digits): the measure of "new text"."""
    return len(WORDLIKE.findall(text))


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.findall(text) if s.strip()]


def prose(lines: list[str]) -> list[str]:
    """The lines that read as article prose: long, with sentence punctuation."""
    return [line.strip() for line in lines if len(line.strip()) >= 20 and re.search(r"[。,，;；]", line)]


def seed_articles() -> list[Article]:
    """The seed files' articles, split by this script's own reading (entries end at a date line)."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        if re.search(r"[\u4e00-\u9fff]\([a-z]", raw):  # the Traditional seed: reading copy in Simplified
            raw = zhconv.convert(PINYIN.sub("", unicodedata.normalize("NFKC", raw)), "zh-cn")
        lines = raw.splitlines()
        ends = [i for i, line in enumerate(lines) if DATE_LINE.match(line)]
        starts = [0] + [end + 1 for end in ends[:-1]]
        chunks = [lines[a:b] for a, b in zip(starts, ends, strict=True)] if ends else [lines]
        several = len(chunks) > 1
        for chunk in chunks:
            body = prose(chunk)
            if not body:
                continue
            title = seed_title(chunk, body[0])
            text = "\n".join(body)
            anchor = re.sub(r"\W", "", text)[20:44] if several else ""
            out.append(Article(f"seed:{path.name}:{anchor}", title, text,
                               f"seeds/{path.name}", anchor))
    return out


def seed_title(chunk: list[str], first_prose: str) -> str:
    """The last short line before the body that is not a breadcrumb, a date line or a label."""
    before = chunk[: [line.strip() for line in chunk].index(first_prose)]
    heads = [line.strip(" •·-\t") for line in before]
    heads = [h for h in heads if 4 <= len(h) <= 60 and ">" not in h and not re.search(r"\d{4}-\d", h)
             and not h.endswith((":", ":"))]
    return heads[-1] if heads else ""


def real_articles() -> list[Article]:
    if not REAL.exists():
        raise SystemExit(f"{REAL.relative_to(ROOT.parent)} not found: the set is built from the real pages")
    rows = [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Article(f"real:{r['id']}", r["title"], r["body"]) for r in rows
            if r["type"] == "detail" and words(r["body"]) >= 200]


def hand_articles() -> list[Article]:
    out, head, body = [], None, []
    for line in [*HAND.read_text(encoding="utf-8").splitlines(), "=== end | end"]:
        if line.startswith("#"):
            continue
        if line.startswith("=== "):
            if head:
                out.append(Article(f"hand:{head[0]}", head[1], "\n".join(body).strip()))
            ident, title = line[4:].split(" | ", 1)
            head, body = (ident.strip(), title.strip()), []
        else:
            body.append(line)
    return out


@cache
def tokens_of(text: str) -> tuple[str, ...]:
    """jieba's words of `text` (line breaks dropped)."""
    return tuple(jieba.lcut(text.replace("\n", "")))


def half(key: str) -> str:
    return "tune" if zlib.crc32(key.encode()) % 2 == 0 else "test"


class Builder:
    def __init__(self) -> None:
        self.rng = random.Random(20261202)
        self.cases: list[dict] = []
        self.pages: dict[str, int] = dict.fromkeys(PORTALS, 0)

    def add(self, case: str, art_key: str, title: str, text: str, source: Article | None, portal: str,
            url: str | None = None) -> None:
        self.cases.append({
            "id": f"{case}-{sum(c['case'] == case for c in self.cases) + 1:03d}",
            "case": case,
            "half": half(art_key),
            "portal": portal,
            "title": title,
            "text": text,
            "expect": "duplicate" if source else "new",
            "source": source.source if source else None,
            **({"anchor": source.anchor} if source and source.anchor else {}),
            **({"url": url} if url else {}),
        })

    def framed(self, portal: str, text: str) -> str:
        header, footer = PORTALS[portal]
        return f"{header}\n{text}\n{footer}"

    def url(self, portal: str) -> str:
        self.pages[portal] += 1
        return f"http://{portal}.test/art/2026/{self.pages[portal]}.html"

    # -- copies ------------------------------------------------------------------------------

    def traditional(self, text: str, k: int) -> str:
        converted = zhconv.convert(text, "zh-tw") if k % 2 else HanziConv.toTraditional(text)
        return converted.replace(",", ",").replace(";", ";") if k % 3 == 0 else converted

    def punct_width(self, text: str, k: int) -> str:
        text = text.replace("，", ",").replace("。", ". ").replace("：", ":").replace("“", '"').replace("”", '"')
        if k % 2:
            text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}).replace("\n", "")
        return text.replace("、", " 、")

    def edited(self, text: str) -> str:
        rng = self.rng
        parts = sentences(text)
        if len(parts) > 5:
            parts.pop(rng.randrange(1, len(parts) - 1))
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(ADDED))
        out = []
        for token in jieba.lcut("".join(parts)):
            roll = rng.random()
            if token in SYNONYMS and roll < 0.5:
                out.append(SYNONYMS[token])
            elif len(token) > 1 and roll < 0.02:
                continue  # a dropped word
            else:
                out.append(token)
        edited = "".join(out)
        figure = FIGURE.search(edited, len(edited) // 3)
        if figure:
            edited = edited[: figure.start()] + str(int(float(figure.group())) + 3) + edited[figure.end() :]
        return edited

    def run(self, text: str, length: int, start: int | None = None) -> str:
        """About `length` text characters of `text` from `start` (a word boundary by jieba), else the middle."""
        tokens = tokens_of(text)
        if start is None:
            total = sum(words(t) for t in tokens)
            start_at = self.rng.randrange(max(1, total - length)) if total > length else 0
        else:
            start_at = start
        out, seen, taken = [], 0, 0
        for token in tokens:
            if seen >= start_at:
                if taken >= length:
                    break
                out.append(token)
                taken += words(token)
            seen += words(token)
        return "".join(out).strip()

    # -- cases -------------------------------------------------------------------------------

    def copies(self, art: Article, k: int) -> None:
        portal = list(PORTALS)[k % len(PORTALS)]
        prefix = PREFIXES[k % len(PREFIXES)]
        self.add("republished", art.key, prefix + art.title, self.framed(portal, art.text), art, portal,
                 self.url(portal))
        self.add("traditional", art.key, self.traditional(art.title, k), self.traditional(art.text, k), art, portal)
        self.add("punct_width", art.key, art.title, self.punct_width(art.text, k), art, portal)
        self.add("edited", art.key, art.title, self.framed(portal, self.edited(art.text)), art, portal)
        size = words(art.text)
        for n in SUMMARY_LENGTHS[k % 3 :: 2] if art.source and art.source.startswith("http") else SUMMARY_LENGTHS:
            if n < size:
                self.add("summary", art.key, prefix + art.title, self.run(art.text, n, start=0) + "…", art, portal)
        for n in EXCERPT_LENGTHS[k % 2 :: 2]:
            if n * 1.5 < size:
                self.add("excerpt", art.key, f"{art.title}(摘编)", self.run(art.text, n), art, portal)

    def partials(self, art: Article, fresh: list[Article], k: int) -> None:
        size = words(art.text)
        for j, share in enumerate(PARTIAL_SHARES[k % 3 :: 3]):
            other = fresh[(k * 3 + j) % len(fresh)]
            total = min(1200, size / share * 0.9, words(other.text) / (1 - share) * 0.9)
            known = self.run(art.text, int(total * share))
            new = self.run(other.text, int(total * (1 - share)), start=0)
            title = other.title
            new_chars = words(title) + words(new)
            all_chars = new_chars + words(known)
            substantial = new_chars >= NEW_CHARS and new_chars >= NEW_SHARE * all_chars
            text = f"{known}\n{new}" if j % 2 else f"{new}\n{known}"
            self.add("partial", art.key, title, text, None if substantial else art, "portal-c")

    def negatives(self, fresh: list[Article], known: list[Article]) -> None:
        stock = formulaic_runs(known)
        for k, art in enumerate(fresh):
            self.add("fresh", art.key, art.title, art.text, None, "portal-c")
            source = known[k % len(known)]
            quote = self.run(source.text, max(30, int(words(art.text) * 0.2)))
            paras = art.text.split("\n")
            paras.insert(1, QUOTE_INTROS[k % len(QUOTE_INTROS)] + "“" + quote + "”")
            self.add("quote", art.key, art.title, "\n".join(paras), None, "portal-c")
            for share in (0.3, 0.5, 0.7):
                self.add("formulaic", art.key, art.title, self.with_stock(art.text, stock, share), None, "portal-c")

    def notices(self, known: list[Article]) -> None:
        """New notices that publish a policy a known article names (and little else)."""
        names = sorted({(m[1], a.key) for a in known for m in QUOTED_NAME.finditer(a.text)})
        for k, (name, key) in enumerate(names[:: max(1, len(names) // 40)]):
            issuer = ISSUERS[k % len(ISSUERS)]
            title = f"{issuer}关于印发《{name}》的通知"
            if k % 2:
                body = (f"各有关单位:\n现将《{name}》印发给你们,请结合实际认真贯彻执行。\n{issuer}\n"
                        f"2026年3月{k % 28 + 1}日")
            else:
                body = f"{title}\n附件:{name}.pdf"
            self.add("notice", key, title, body, None, "portal-b")

    def with_stock(self, text: str, stock: list[str], share: float) -> str:
        """`text`, cut so that stock phrases (each shared by several known articles) make up `share` of it."""
        rng = self.rng
        phrases = rng.sample(stock, len(stock))
        own = sentences(text.replace("\n", ""))
        stock_chars = sum(words(p) for p in phrases)
        budget = min(words(text), stock_chars * (1 - share) / share)
        kept, used = [], 0
        for s in own:
            if used + words(s) > budget:
                break
            kept.append(s)
            used += words(s)
        target = used * share / (1 - share)
        out, added = [], 0
        for s in kept:
            out.append(s)
            while added < target * (len(out) / len(kept)) and phrases:
                phrase = phrases.pop()
                out.append(phrase + "。")
                added += words(phrase)
        return "".join(out)


def formulaic_runs(known: list[Article], n: int = 12) -> list[str]:
    """Runs of `n` text characters found in three or more known articles: stock phrasing."""
    owners: dict[str, set[int]] = {}
    for i, art in enumerate(known):
        text = "".join(WORDLIKE.findall(art.text))
        for j in range(0, len(text) - n + 1):
            owners.setdefault(text[j : j + n], set()).add(i)
    runs = sorted(run for run, docs in owners.items() if len(docs) >= 3 and not re.search(r"\d", run))
    picked: list[str] = []
    for run in runs:  # one of each overlapping family
        if not any(run[:6] in p or run[-6:] in p for p in picked):
            picked.append(run)
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write the set (default {OUT.name})")
    out = parser.parse_args().out
    jieba.setLogLevel(60)
    seeds, real, hand = seed_articles(), real_articles(), hand_articles()
    others = real + hand
    known_pool = [a for i, a in enumerate(others) if i % 2 == 0]
    fresh = [a for i, a in enumerate(others) if i % 2 == 1]
    b = Builder()
    stored = []
    for k, art in enumerate(known_pool):
        portal = list(PORTALS)[k % len(PORTALS)]
        url = b.url(portal)
        b.add("original", art.key, art.title, b.framed(portal, art.text), None, portal, url)
        stored.append(Article(art.key, art.title, art.text, url))
    known = seeds + stored
    for k, art in enumerate(known):
        b.copies(art, k + 1)
        b.partials(art, fresh, k)
    b.negatives(fresh, known)
    b.notices(known)
    with out.open("w", encoding="utf-8") as f:
        for case in b.cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for case in b.cases:
        kinds[case["case"]] = kinds.get(case["case"], 0) + 1
    print(f"{len(b.cases)} cases ({len(seeds)} seed articles, {len(stored)} stored, {len(fresh)} fresh)"
          f" -> {out}: {kinds}")


if __name__ == "__main__":
    main()
