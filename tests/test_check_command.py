"""`portalwatch check`: the real command line, JSON lines in and out, seeds plus a real SQLite store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import testdb

from portalwatch.models import Classification, CrawledArticle, Verdict
from portalwatch.seeds import load_seeds
from portalwatch.storage import Store
from portalwatch.textnorm import content_hash

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {seed.id: seed for seed in load_seeds(ROOT / "seeds")}
LICANG = SEEDS["003_8dfde0a6454a1460#2"]
STORED_URL = "http://portal-a.test/art/2024/9/12/art_1.html"
STORED_TEXT = (
    "9月12日,西海岸新区与一家央企所属海洋工程企业签约,共同建设海洋装备制造基地。项目总投资80亿元,规划用地"
    "约1200亩,主要建设海上风电安装平台、深海养殖装备和海洋油气模块的总装基地,配套建设10万吨级舾装码头。"
    "项目分三期建设,一期计划年内开工,2026年建成投产。全部达产后,预计年产值可达150亿元。"
)
NEW_TEXT = (
    "崂山区近日印发《崂山区支持人工智能产业发展的若干政策》,明确对在区内新设立的人工智能企业,按其研发投入"
    "给予最高500万元补助;对获评国家级专精特新小巨人的人工智能企业,一次性奖励100万元。政策还提出,区财政每年"
    "安排2亿元专项资金,用于算力券发放、应用场景开放和人才引进。"
)


@pytest.fixture
def workdir(tmp_path) -> Path:
    (tmp_path / "config.yaml").write_text(
        f"database: {testdb.database_for(tmp_path)}\nseeds_dir: {ROOT / 'seeds'}\n", encoding="utf-8"
    )
    store = Store(testdb.database_for(tmp_path))
    item = CrawledArticle(url=STORED_URL, portal="a", title="海洋装备制造基地签约", text=STORED_TEXT)
    store.insert_article(item, content_hash(STORED_TEXT), Verdict(status="new"), Classification())
    return tmp_path


def check(workdir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portalwatch", "-c", str(workdir / "config.yaml"), "check", *args],
        input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=workdir,
    )


def lines(*items: dict) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)


def test_check_reports_seed_copies_stored_copies_and_new_texts(workdir):
    source = workdir / "in.jsonl"
    source.write_text(lines(
        {"id": "a", "title": "【转载】" + LICANG.title, "text": LICANG.text.replace("617个", "627个")},
        {"id": "b", "title": "海洋装备", "text": STORED_TEXT.replace("80亿元", "85亿元")},
        {"id": 3, "title": "崂山区人工智能政策", "text": NEW_TEXT},
    ), encoding="utf-8")
    done = check(workdir, str(source))
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", 3]
    assert out[0]["status"] == "duplicate"
    assert out[0]["duplicate_of"]["source"] == "seeds/003_8dfde0a6454a1460.txt#2"
    assert out[0]["duplicate_of"]["title"] == LICANG.title
    assert 0.9 < out[0]["duplicate_of"]["score"] < 1.0
    assert [(c["known"], c["found"]) for c in out[0]["changes"]] == [("617个", "627个")]
    assert out[1]["duplicate_of"]["source"] == STORED_URL
    assert [(c["known"], c["found"]) for c in out[1]["changes"]] == [("80亿元", "85亿元")]
    assert out[2]["id"] == 3 and out[2]["status"] == "new" and out[2]["duplicate_of"] is None
    assert out[2]["new_share"] == 1.0 and out[2]["new_chars"] > 100 and "partly_repeats" not in out[2]
    assert out[0]["duplicate_of"]["contained"] > 0.9 and out[0]["duplicate_of"]["contains"] > 0.9
    assert list((workdir / "data" / "dedupe" / "stored").glob("part-*")), "the caught-up index is saved"


def test_check_reads_standard_input(workdir):
    trad = "強(qiáng)力推進(jìn)重點(diǎn)產(chǎn)業(yè)和“四新”經(jīng)濟(jì)項(xiàng)目建設(shè)"
    text = SEEDS["004_dfa85d812edf7218#1"].text[:600]
    done = check(workdir, "-", stdin=lines({"id": 1, "title": trad, "text": text}))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["duplicate_of"]["source"] == "seeds/004_dfa85d812edf7218.txt#1"


def test_bad_lines_are_reported_and_the_rest_still_checked(workdir):
    stdin = "not json\n" + lines({"id": 2, "title": "x"}, {"id": 3, "text": NEW_TEXT}) + "[1, 2]\n"
    done = check(workdir, stdin=stdin)
    assert done.returncode == 1
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("status") for o in out] == [None, None, "new", None]
    assert out[0]["line"] == 1 and "not JSON" in out[0]["error"]
    assert out[1] == {"id": 2, "line": 2, "error": "'text' is missing or empty"}
    assert "- line 1: not JSON" in done.stderr and "line 4" in done.stderr


def test_missing_input_file_is_named(workdir):
    done = check(workdir, str(workdir / "nowhere.jsonl"))
    assert done.returncode == 2
    assert "nowhere.jsonl: cannot read" in done.stderr
    assert done.stdout == ""


def test_unreadable_database_and_missing_seeds_are_named(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "pw.db").write_bytes(b"this is not a database" * 100)
    (tmp_path / "config.yaml").write_text(f"database: sqlite:///data/pw.db\nseeds_dir: {ROOT / 'seeds'}\n")
    done = check(tmp_path, stdin=lines({"id": 1, "text": NEW_TEXT}))
    assert done.returncode == 2
    assert "database sqlite:///" in done.stderr and "pw.db" in done.stderr

    (tmp_path / "config.yaml").write_text("database: sqlite:///data/other.db\nseeds_dir: no-such-seeds\n")
    done = check(tmp_path, stdin=lines({"id": 1, "text": NEW_TEXT}))
    assert done.returncode == 2
    assert "no-such-seeds" in done.stderr and "not found" in done.stderr
