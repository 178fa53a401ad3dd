"""DedupeIndex decisions on the real seed corpus: copies are duplicates of the right source, the rest new."""

from __future__ import annotations

import random
from pathlib import Path

import opencc
import pytest

from portalwatch.dedupe import DedupeIndex, seed_source
from portalwatch.dedupe.policy import DUPLICATE_SCORE
from portalwatch.seeds import load_seeds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = load_seeds(ROOT / "seeds")
BY_ID = {seed.id: seed for seed in SEEDS}
REPORT = BY_ID["000_f96473a778488334#1"]  # 2021 work report, ~14,000 characters
PLAN = BY_ID["001_3c9e6dc27d5dd780#1"]
NEWS = BY_ID["002_b760fab38fffe935#1"]
LICANG = BY_ID["003_8dfde0a6454a1460#2"]
TRADITIONAL = BY_ID["004_dfa85d812edf7218#1"]
PARK_FOOTER = "\n".join(  # what follows the last entry of the park-portal list (learned or new, never listed)
    (ROOT / "seeds" / "000_f96473a778488334.txt").read_text(encoding="utf-8").splitlines()[16:]
)
NEW_ARTICLE = (
    "6月18日,城阳区与上海一家新能源科技企业举行项目签约仪式,总投资28亿元的动力电池系统集成项目"
    "正式落户城阳区。项目规划用地约210亩,分两期建设,主要生产储能电池模组和电池管理系统,一期计划于"
    "明年三季度投产,全部达产后预计年产值可达60亿元,新增就业岗位1200余个。城阳区相关负责人介绍,近年来"
    "该区聚焦新能源汽车和储能产业链,先后引进电机、电控、热管理等配套企业30余家,初步形成从材料到整车"
    "的产业集群。此次签约项目将进一步补齐本地电池系统集成环节,带动上下游企业集聚发展。"
)


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> DedupeIndex:
    return DedupeIndex.open(tmp_path_factory.mktemp("dedupe"), SEEDS)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.id)
def test_every_seed_is_a_duplicate_of_itself(index, seed):
    verdict = index.check(seed.title, seed.text)
    assert verdict.status == "duplicate"
    assert verdict.duplicate_of.source == seed_source(seed)
    assert verdict.duplicate_of.score == 1.0
    assert verdict.duplicate_of.title == seed.title


def test_seed_sources_name_file_and_article(index):
    assert seed_source(LICANG) == "seeds/003_8dfde0a6454a1460.txt#2"


def test_republished_with_other_prefix_header_and_footer(index):
    header = "新闻专题 > 综合类 > 正文\n2024-01-05 10:00 来源:青岛招商网\n分享到:\n"
    text = header + LICANG.text + "\n【打印本页】【关闭窗口】"
    verdict = index.check("【李沧区招商】" + LICANG.title, text)
    assert verdict.duplicate_of.source == seed_source(LICANG)
    assert verdict.duplicate_of.score > 0.95


def test_traditional_copy_with_pinyin_is_a_duplicate(index):
    text = opencc.OpenCC("s2t").convert(NEWS.text).replace("區", "區(qū)").replace("發", "發(fā)")
    verdict = index.check("", text)
    assert verdict.duplicate_of.source == seed_source(NEWS)


def test_simplified_copy_of_the_traditional_seed_is_a_duplicate(index):
    simplified = opencc.OpenCC("t2s").convert(TRADITIONAL.text.replace("(qiáng)", "").replace("(jìn)", ""))
    verdict = index.check("各区市这样做", simplified[2000:6000])
    assert verdict.duplicate_of.source == seed_source(TRADITIONAL)


def test_list_summary_of_a_long_report_is_a_duplicate(index):
    summary = REPORT.text[:200] + "..."
    verdict = index.check("【即墨区招商】2021年即墨区政府工作报告", summary)
    assert verdict.duplicate_of.source == seed_source(REPORT)


def test_excerpt_of_a_long_report_is_a_duplicate(index):
    verdict = index.check("西海岸新区2023年计划(节选)", PLAN.text[8000:9500])
    assert verdict.duplicate_of.source == seed_source(PLAN)


def test_paragraphs_merged_and_punctuation_changed_is_a_duplicate(index):
    text = LICANG.text.replace("\n", "").replace(",", ", ").replace("。", ".")
    assert index.check(LICANG.title, text).duplicate_of.source == seed_source(LICANG)


def test_edited_copy_records_changed_figures(index):
    sentences = LICANG.text.split("。")
    edited = "。".join(sentences[:3] + sentences[4:]).replace("617个", "627个")
    edited += "记者从相关部门了解到,这一做法得到了企业的普遍认可。"
    verdict = index.check(LICANG.title, edited)
    assert verdict.duplicate_of.source == seed_source(LICANG)
    assert DUPLICATE_SCORE < verdict.duplicate_of.score < 1.0
    assert [(c.known, c.found) for c in verdict.changes] == [("617个", "627个")]
    assert "627个" in verdict.changes[0].context


def test_unchanged_copy_records_no_changes(index):
    verdict = index.check(LICANG.title, "【转载】\n" + LICANG.text)
    assert verdict.status == "duplicate" and verdict.changes == []


def test_a_new_article_is_new(index):
    verdict = index.check("城阳区签约动力电池项目", NEW_ARTICLE)
    assert verdict.status == "new" and verdict.duplicate_of is None


def test_an_article_quoting_a_known_paragraph_is_new(index):
    quote = LICANG.text.split("。")[0] + "。"
    assert len(quote) > 60
    verdict = index.check("城阳区签约动力电池项目", NEW_ARTICLE + "\n此前有报道称:“" + quote + "”")
    assert verdict.status == "new"
    closest = index.closest("城阳区签约动力电池项目", NEW_ARTICLE + "\n此前有报道称:“" + quote + "”")
    assert closest.source == seed_source(LICANG) and 0 < closest.score < DUPLICATE_SCORE


def test_an_article_sharing_only_the_portal_boilerplate_is_new(index):
    verdict = index.check("【即墨区招商】城阳区签约动力电池项目", NEW_ARTICLE + "\n" + PARK_FOOTER)
    assert verdict.status == "new"


def test_same_article_on_two_portals_second_is_duplicate_of_first(tmp_path):
    index = DedupeIndex.open(tmp_path, SEEDS)
    assert index.check("城阳区签约动力电池项目", NEW_ARTICLE).status == "new"
    index.add("http://a.test/art_1.html", "城阳区签约动力电池项目", NEW_ARTICLE)
    verdict = index.check("【城阳招商】城阳区签约动力电池项目", NEW_ARTICLE.replace("28亿元", "30亿元"))
    assert verdict.duplicate_of.source == "http://a.test/art_1.html"
    assert [(c.known, c.found) for c in verdict.changes] == [("28亿元", "30亿元")]
    assert len(index) == len(SEEDS) + 1


def test_empty_text_is_new(index):
    assert index.check("", "  \n ").status == "new"


def test_an_article_half_new_is_new_and_names_what_it_repeats(index):
    repeated = LICANG.text[: len(NEW_ARTICLE)]
    verdict = index.check("城阳区签约动力电池项目", NEW_ARTICLE + "\n" + repeated)
    assert verdict.status == "new" and verdict.duplicate_of is None
    assert verdict.partly_repeats.source == seed_source(LICANG)
    assert 0.35 < verdict.partly_repeats.contained < 0.65
    assert verdict.partly_repeats.contains < 0.5  # the known article is much longer
    assert 0.35 < verdict.new_share < 0.65 and verdict.new_chars >= 100


def test_an_article_mostly_repeated_with_a_short_addition_is_a_duplicate(index):
    addition = NEW_ARTICLE[:90]
    verdict = index.check(LICANG.title, LICANG.text + "\n" + addition)
    assert verdict.status == "duplicate" and verdict.duplicate_of.source == seed_source(LICANG)
    assert 60 <= verdict.new_chars <= 100 and verdict.duplicate_of.contains > 0.95


def test_what_counts_as_substantially_new_is_configurable(tmp_path):
    from portalwatch.dedupe.policy import NewTextRule

    strict = DedupeIndex.open(tmp_path, SEEDS, NewTextRule(share=0.05, chars=50))
    assert strict.check(LICANG.title, LICANG.text + "\n" + NEW_ARTICLE[:90]).status == "new"


def test_a_notice_that_is_only_the_name_of_a_policy_a_seed_quotes_is_new(index):
    name = "关于进一步深化青岛高新区、金家岭金融聚集区、轨道交通产业示范区、蓝谷核心区改革的若干措施"
    assert name in BY_ID["000_f96473a778488334#2"].text
    title = f"青岛市人民政府办公厅关于印发《{name}》的通知"
    assert index.check(title, f"{title}\n附件:{name}.pdf").status == "new"



def test_a_copy_is_found_in_an_archive_where_every_fingerprint_is_common(tmp_path):
    """Articles walked through a small stock of words, each word followed by one of three others, as
    formulaic columns repeat their phrasing: every fingerprint is held by more articles than a check
    reads, but the pairs of fingerprints where the phrases meet are rare. A copy with its start cut and
    a sentence added is still a duplicate of its source; a text of the same words in other orders is new."""
    rng = random.Random(3)
    words = ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.randrange(2, 5))) for _ in range(40)]
    follows = [rng.sample(range(len(words)), 3) for _ in words]

    def walk(length: int, free: bool = False) -> str:
        at, out = rng.randrange(len(words)), []
        while sum(map(len, out)) < length:
            out.append(words[at])
            at = rng.randrange(len(words)) if free else rng.choice(follows[at])
        return "".join(out) + "。"

    articles = [walk(300) for _ in range(6000)]
    index = DedupeIndex.open(tmp_path, [])
    index.sync((n + 1, f"http://a.test/{n + 1}.html", "", text) for n, text in enumerate(articles))
    index.save()
    index = DedupeIndex.open(tmp_path, [])
    sources = rng.sample(range(len(articles)), 20)
    copies = [articles[n][len(articles[n]) // 5 :] + walk(40) for n in sources]
    found = [index.check("", copy).duplicate_of for copy in copies]
    assert [m.source if m else None for m in found] == [f"http://a.test/{n + 1}.html" for n in sources]
    assert [index.check("", walk(300, free=True)).status for _ in range(20)] == ["new"] * 20
