"""Build the labelled dedupe set `bench/data/dedupe_labelled.jsonl` from the seeds and hand-written articles.

Duplicates are derived from the seed articles (and from stored articles republished on a second
portal) by the edits the issue lists; new articles are the hand-written ones in
`bench/data/dedupe_new_articles.txt`, also with quotes of known text and shared site boilerplate.
Deterministic: the same inputs give the same file.

    .venv/bin/python bench/make_dedupe_set.py
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalwatch.dedupe import seed_source  # noqa: E402
from portalwatch.models import SeedArticle  # noqa: E402
from portalwatch.seeds import load_seeds  # noqa: E402
from portalwatch.textnorm import to_simplified  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
ARTICLES = DATA / "dedupe_new_articles.txt"
OUT = DATA / "dedupe_labelled.jsonl"
SEEDS = ROOT / "seeds"

TO_TRADITIONAL = opencc.OpenCC("s2t")
SENTENCE = re.compile(r"[^。!?;!?]*[。!?;!?]?")
PINYIN_NOTE = re.compile(r"(\S)\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+)\)")
DATE_LINE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")
FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?=\s*(?:亿|万|个|家|项|%|亩|人))")

PREFIXES = ["【即墨区招商】", "【转载】", "【青岛招商】", "【李沧区招商】", "【2024年招商】"]
ADDED = [
    "记者从相关部门了解到,这一做法得到了企业的普遍认可。",
    "业内人士认为,此举将进一步增强区域发展后劲。",
    "据介绍,相关工作已纳入年度重点任务清单,由专班负责推进。",
    "下一步,有关部门还将加强跟踪问效,及时总结推广经验。",
]
REWORDS = [("推进", "推动"), ("加快", "加速"), ("全面", "全方位"), ("提升", "提高"), ("建设", "打造"),
           ("企业", "市场主体"), ("实现", "达成"), ("持续", "不断"), ("重点", "关键"), ("发展", "成长")]
QUOTE_INTROS = ["正如此前报道所说,", "有关文件曾指出:", "回顾此前的部署,", "据早前媒体报道,"]


def tail_after_last_date(path: Path) -> str:
    """The site boilerplate of a list-page seed: everything after its last date line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    last = max(i for i, line in enumerate(lines) if DATE_LINE.match(line))
    return "\n".join(lines[last + 1 :]).strip()


def news_frame(path: Path) -> tuple[str, str]:
    """Header (breadcrumb, date and source, share bar) and footer of the news-page seed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = "\n".join(lines[:1] + lines[4:6])
    footer = "\n".join(lines[-3:])
    return header, footer


def pinyin_map(path: Path) -> dict[str, str]:
    """Character -> pinyin as annotated in the Traditional seed."""
    return {m[1]: m[2] for m in PINYIN_NOTE.finditer(path.read_text(encoding="utf-8"))}


def annotate(text: str, notes: dict[str, str], every: int = 3) -> str:
    """Add pinyin after every `every`-th annotatable character, as the Traditional seed does."""
    out, n = [], 0
    for ch in text:
        out.append(ch)
        if ch in notes:
            n += 1
            if n % every == 0:
                out.append(f"({notes[ch]})")
    return "".join(out)


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.findall(text) if s.strip()]


def read_articles(path: Path) -> Iterator[tuple[str, str, str]]:
    """(id, title, text) of the hand-written articles."""
    head, body = None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("=== "):
            if head:
                yield head[0], head[1], "\n".join(body).strip()
            ident, title = line[4:].split(" | ", 1)
            head, body = (ident.strip(), title.strip()), []
        else:
            body.append(line)
    if head:
        yield head[0], head[1], "\n".join(body).strip()


class Builder:
    """Collects cases; every case names its type, the expected status and the expected source."""

    def __init__(self) -> None:
        self.rng = random.Random(20240611)
        self.cases: list[dict] = []
        self.park_footer = tail_after_last_date(SEEDS / "000_f96473a778488334.txt")
        self.list_footer = tail_after_last_date(SEEDS / "003_8dfde0a6454a1460.txt")
        self.news_header, self.news_footer = news_frame(SEEDS / "002_b760fab38fffe935.txt")
        self.notes = pinyin_map(SEEDS / "004_dfa85d812edf7218.txt")

    def add(self, case: str, title: str, text: str, source: str | None, url: str | None = None,
            figures: list[tuple[str, str]] | None = None) -> None:
        self.cases.append({
            "id": f"{case}-{sum(c['case'] == case for c in self.cases) + 1:02d}",
            "case": case,
            "title": title,
            "text": text,
            "expect": "duplicate" if source else "new",
            "source": source,
            **({"url": url} if url else {}),
            **({"figures": figures} if figures else {}),
        })

    def frame(self, body: str, k: int) -> str:
        """The body inside one of the portals' headers and footers."""
        if k % 3 == 0:
            return f"{self.news_header}\n\n{body}\n\n{self.news_footer}"
        if k % 3 == 1:
            return f"{body}\n\n{self.park_footer}"
        return f"{body}\n{self.list_footer}"

    def edited(self, text: str, k: int) -> tuple[str, list[tuple[str, str]]]:
        """Drop a sentence, swap two, reword one, change up to two figures, add one; and the changes."""
        parts = sentences(text)
        rng = self.rng
        if len(parts) > 6:
            parts.pop(rng.randrange(1, len(parts) - 1))
            i = rng.randrange(0, len(parts) - 1)
            parts[i], parts[i + 1] = parts[i + 1], parts[i]
        j = rng.randrange(len(parts))
        for old, new in REWORDS:
            parts[j] = parts[j].replace(old, new)
        parts.insert(rng.randrange(len(parts) + 1), ADDED[k % len(ADDED)])
        out = "".join(parts)
        changed: list[tuple[str, str]] = []

        def bump(m: re.Match) -> str:
            if len(changed) >= 2 or rng.random() < 0.5:
                return m.group()
            changed.append((m.group(), str(int(float(m.group())) + 3)))
            return changed[-1][1]

        return FIGURE.sub(bump, out), changed

    def quote(self, runs: list[list[str]], budget: int) -> str:
        """A paragraph of a known text: consecutive sentences of one seed, at most `budget` characters."""
        while True:
            run = self.rng.choice(runs)
            start = self.rng.randrange(len(run))
            quote = ""
            for sentence in run[start:]:
                if len(quote) + len(sentence) > budget:
                    break
                quote += sentence
            if len(quote) >= budget * 0.7:
                return quote.strip()

    def width_punct(self, text: str, k: int) -> str:
        """Full-width/half-width swaps, punctuation swaps, paragraphs merged or split, stray spaces."""
        if k % 2:
            text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789%"})
            text = text.replace(",", ",").replace(":", ":").replace(";", ";")
            text = text.replace("\n", "")
        else:
            text = text.replace(",", ", ").replace("。", "。\n").replace("“", '"').replace("”", '"')
        return text.replace("、", " 、")


def seed_cases(b: Builder, seeds: list[SeedArticle]) -> None:
    for k, seed in enumerate(seeds):
        src, text = seed_source(seed), seed.text
        simple = to_simplified(text)
        prefix = PREFIXES[k % len(PREFIXES)]
        b.add("prefix_boilerplate", prefix + seed.title, b.frame(text, k), src)
        if seed.source_file.startswith("004"):
            b.add("traditional", seed.title, simple, src)
        else:
            trad = TO_TRADITIONAL.convert(text)
            b.add("traditional", TO_TRADITIONAL.convert(seed.title),
                  annotate(trad, b.notes) if k % 2 else trad, src)
        b.add("width_punct", seed.title, b.width_punct(simple, k), src)
        text, figures = b.edited(simple, k)
        b.add("edited", seed.title, text, src, figures=figures)
        cut = 120 + (k * 37) % 100
        b.add("summary", prefix + seed.title, simple[:cut].replace("\n", "") + "...", src)
        if len(simple) > 5000:
            for n in range(4):
                start = (len(simple) // 5) * (n + 1) - 200
                length = (300, 700, 1200, 2000)[n]
                piece = simple[start : start + length]
                piece = piece[piece.find("。") + 1 :] if "。" in piece[:200] else piece
                b.add("excerpt", f"{seed.title}(摘编{n + 1})", piece, src)


def new_cases(b: Builder, seeds: list[SeedArticle], articles: list[tuple[str, str, str]]) -> None:
    runs = [sentences(to_simplified(seed.text)) for seed in seeds]
    for k, (_, title, text) in enumerate(a for a in articles if a[0].startswith("N")):
        b.add("new_similar", title, text, None)
        b.add("new_boilerplate", PREFIXES[k % len(PREFIXES)] + title, b.frame(text, k), None)
        quote = b.quote(runs, budget=int(len(text) * (0.15 + 0.45 * (k % 6) / 5)))
        paras = text.split("\n")
        paras.insert(1, QUOTE_INTROS[k % len(QUOTE_INTROS)] + "“" + quote + "”")
        b.add("new_quote", title, "\n".join(paras), None)
        if k % 3 == 0:
            b.add("new_traditional", TO_TRADITIONAL.convert(title),
                  annotate(TO_TRADITIONAL.convert(text), b.notes), None)


NOTICE_TITLES = [
    "关于进一步深化青岛高新区、金家岭金融聚集区、轨道交通产业示范区、蓝谷核心区改革的若干措施",
    "关于支持大院大所向区向海发展的意见",
    "青岛西海岸新区高质量发展行动方案(2022-2024年)",
    "青岛西海岸新区工业用地保护线管理办法",
    "关于常态化疫情防控下进一步促进就业创业的十条措施",
    "关于改善产业工人待遇稳定就业的工作方案",
    "关于促进企业高质量发展的意见",
    "关于实施“1111”人才集聚计划的意见",
]
ISSUERS = ["青岛市人民政府办公厅", "青岛西海岸新区管委", "即墨区人民政府", "青岛市人民政府"]


def notice_cases(b: Builder) -> None:
    """New policy notices whose body is an attachment: little more than a title a seed quotes."""
    for k, name in enumerate(NOTICE_TITLES):
        issuer = ISSUERS[k % len(ISSUERS)]
        title = f"{issuer}关于印发《{name}》的通知"
        b.add("new_notice", title, f"{title}\n附件:{name}.pdf", None)
        if k % 2 == 0:
            body = f"各有关单位:\n现将《{name}》印发给你们,请结合实际认真贯彻执行。\n{issuer}\n2024年3月{k + 1}日"
            b.add("new_notice", title, body, None)


def template_cases(b: Builder, articles: list[tuple[str, str, str]]) -> None:
    """New articles written in the very template of a seed (same portal, stock phrases)."""
    for k, (_, title, text) in enumerate(a for a in articles if a[0].startswith("T")):
        b.add("new_template", title, text, None)
        b.add("new_template", title, b.frame(text, k + 1), None)


def cross_portal_cases(b: Builder, articles: list[tuple[str, str, str]]) -> None:
    stored = [a for a in articles if a[0].startswith("S")]
    for k, (ident, title, text) in enumerate(stored):
        url = f"http://portal-a.test/art/2024/{k + 1}/art_{ident}.html"
        b.add("stored_first", "【园区招商】" + title, f"{text}\n\n{b.park_footer}", None, url=url)
    for k, (ident, title, text) in enumerate(stored):
        url = f"http://portal-a.test/art/2024/{k + 1}/art_{ident}.html"
        copy = b.frame(b.edited(text, k)[0] if k % 2 else text, k + 1)
        b.add("cross_portal", PREFIXES[k % len(PREFIXES)] + title, copy, url,
              url=f"http://portal-b.test/content_{ident}.htm")
        b.add("cross_portal", TO_TRADITIONAL.convert(title), TO_TRADITIONAL.convert(text[: 150 + 40 * k]), url)


def main() -> None:
    seeds = load_seeds(SEEDS)
    articles = list(read_articles(ARTICLES))
    b = Builder()
    seed_cases(b, seeds)
    cross_portal_cases(b, articles)
    template_cases(b, articles)
    notice_cases(b)
    new_cases(b, seeds, articles)
    with OUT.open("w", encoding="utf-8") as f:
        for case in b.cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for case in b.cases:
        kinds[case["case"]] = kinds.get(case["case"], 0) + 1
    print(f"{len(b.cases)} cases -> {OUT.relative_to(ROOT)}: {kinds}")


if __name__ == "__main__":
    main()
