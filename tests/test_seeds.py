"""The seed loader on every seed file, and on the formats users drop into the folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from portalwatch.seeds import SeedError, load_seed_file, load_seeds, seeds_fingerprint

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(scope="module")
def seeds():
    return load_seeds(SEEDS)


def by_file(seeds, prefix: str):
    return [s for s in seeds if s.source_file.startswith(prefix)]


def test_fifteen_articles_in_five_files(seeds) -> None:
    assert len(seeds) == 15
    assert [len(by_file(seeds, f"00{n}")) for n in range(5)] == [3, 1, 1, 9, 1]
    assert len({s.id for s in seeds}) == 15


def test_park_portal_list_000(seeds) -> None:
    articles = by_file(seeds, "000")
    assert [(a.title, a.published) for a in articles] == [
        ("【即墨区招商】2021年即墨区政府工作报告", date(2025, 7, 8)),
        ("即墨蓝谷深化园区发展 产业链长制激活海洋产业动能", date(2025, 7, 2)),
        ("【2022年即墨区招商】青岛即墨周戈庄新村:羊肚菌种植蹚出乡村振兴新路径", date(2022, 4, 24)),
    ]
    assert articles[0].text.startswith("2021年2月6日在青岛市即墨区第十八届人民代表大会第五次会议上")
    for article in articles:  # the submission rules, hotline and menu after the last entry are boilerplate
        assert "投稿" not in article.text and "400-162-2002" not in article.text
        assert "联系我们" not in article.text


def test_report_without_title_line_001(seeds) -> None:
    (report,) = by_file(seeds, "001")
    assert report.title == "青岛西海岸新区2022年国民经济和社会发展计划执行情况与2023年计划"
    assert report.published is None
    assert report.text.startswith("今年以来,全区上下坚持以习近平新时代中国特色社会主义思想为指导")
    assert "[23] 全域“三高共管、六病同防”" in report.text


def test_news_page_002_without_header_and_footer(seeds) -> None:
    (page,) = by_file(seeds, "002")
    assert page.title == "青岛市即墨区:驶入全域全面高质量发展快车道"
    assert page.published == date(2019, 12, 2)
    assert page.text.startswith("中国山东网10月30日讯 两年前的10月30日")
    assert page.text.endswith("全生命周期的金融支持实体经济体系。")
    for furniture in ("新闻专题", "分享到", "我要爆料", "版权所有", "来源:中国山东网"):
        assert furniture not in page.text


def test_dash_list_003(seeds) -> None:
    articles = by_file(seeds, "003")
    assert articles[0].title == '青岛李沧区创新政务服务模式 98.9%审批事项实现"零跑腿"'
    assert articles[7].title == "【李沧区招商】2020年青岛市李沧区政府工作报告"
    assert [a.published for a in articles] == [
        date(2025, 8, 8), date(2025, 8, 8), date(2025, 7, 31), date(2025, 7, 31), date(2025, 7, 25),
        date(2025, 7, 25), date(2025, 7, 14), date(2025, 7, 8), date(2025, 7, 2),
    ]
    assert articles[-1].text.endswith("为高质量发展筑实基础。")
    assert all("点我投稿" not in a.text and "联系我们" not in a.text for a in articles)


def test_traditional_article_004_gets_a_readable_title_and_its_print_date(seeds) -> None:
    (article,) = by_file(seeds, "004")
    assert article.title == "强力推进重点产业和“四新”经济项目建设,青岛各区市这样做"
    assert article.published == date(2021, 9, 19)
    assert article.text.startswith("膠州市")  # the text stays as written; dedupe normalises it


def test_user_txt_html_and_gbk_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("崂山区发布人才新政\n\n崂山区近日发布人才新政十条。\n2026-03-01\n",
                                    encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("平度市签约项目\n平度市签约5个项目。\n".encode("gbk"))
    (tmp_path / "c.html").write_text(
        "<html><head><title>胶州新闻_胶州市政府</title><meta name='PubDate' content='2026-02-03 09:00'>"
        "</head><body><div class='nav'>首页</div><h1>胶州市上合示范区新签约项目12个</h1>"
        "<div id='zoom'><p>胶州市上合示范区新签约项目12个,总投资86亿元,涵盖新能源、智能制造等领域。"
        "这些项目将在年内陆续开工建设,预计投产后年产值超过200亿元。</p>"
        "<p>示范区负责人介绍,今年以来示范区坚持招商引资一号工程,项目质效持续提升。</p></div></body></html>",
        encoding="utf-8",
    )
    found = {s.source_file: s for s in load_seeds(tmp_path)}
    assert found["a.txt"].title == "崂山区发布人才新政"
    assert found["a.txt"].published == date(2026, 3, 1)
    assert found["b.txt"].title == "平度市签约项目"
    assert found["b.txt"].text == "平度市签约5个项目。"
    assert found["c.html"].title == "胶州市上合示范区新签约项目12个"
    assert found["c.html"].published == date(2026, 2, 3)
    assert "总投资86亿元" in found["c.html"].text and "首页" not in found["c.html"].text


def test_seeds_yaml_gives_a_title_and_date(tmp_path: Path) -> None:
    report = "今年以来,全区经济运行稳中向好,各项指标好于预期。\n二、下一步工作\n"
    (tmp_path / "r.txt").write_text(report, encoding="utf-8")
    (tmp_path / "seeds.yaml").write_text("r.txt:\n  title: 某区工作报告\n  published: 2024-01-05\n",
                                         encoding="utf-8")
    (article,) = load_seeds(tmp_path)
    assert (article.title, article.published) == ("某区工作报告", date(2024, 1, 5))


def test_fingerprint_changes_with_the_seeds(tmp_path: Path) -> None:
    shutil.copy(SEEDS / "002_b760fab38fffe935.txt", tmp_path)
    before = seeds_fingerprint(tmp_path)
    assert seeds_fingerprint(tmp_path) == before
    (tmp_path / "extra.txt").write_text("标题\n正文。\n", encoding="utf-8")
    assert seeds_fingerprint(tmp_path) != before


def test_missing_folder_and_undecodable_file_are_named(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="seeds folder not found"):
        load_seeds(tmp_path / "absent")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\xd8\x00\xdc" * 3)
    with pytest.raises(SeedError, match=r"bad\.txt"):
        load_seed_file(bad)


def test_seeds_command_lists_ids_dates_titles(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "portalwatch", "seeds"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "15 articles in 5 files of seeds/"
    assert any(line.startswith("002_b760fab38fffe935#1  2019-12-02") and line.endswith("驶入全域全面高质量发展快车道")
               for line in lines)
    assert any("001_3c9e6dc27d5dd780#1  -" in line for line in lines)
