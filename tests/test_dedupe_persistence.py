"""The index on disk: seed cache keyed by the seeds, stored articles caught up from a real SQLite store."""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import random
from pathlib import Path

import numpy as np
import pytest
import testdb

from portalwatch.dedupe import DedupeIndex, catch_up
from portalwatch.dedupe import index as dedupe_index
from portalwatch.dedupe.documents import DocInfo
from portalwatch.dedupe.parts import ARRAYS, open_part, segment_arrays, write_merged, write_part
from portalwatch.dedupe.prepare import prepare
from portalwatch.dedupe.segment import Segment
from portalwatch.models import Classification, CrawledArticle, Verdict
from portalwatch.seeds import load_seeds
from portalwatch.storage import Store
from portalwatch.textnorm import content_hash

ROOT = Path(__file__).resolve().parent.parent
SEEDS = load_seeds(ROOT / "seeds")
NEW_ARTICLE = (
    "近日,胶州市政府办公室印发《胶州市支持跨境电子商务高质量发展的十条措施》,从主体培育、平台建设、物流通道、"
    "人才引进等方面提出具体扶持政策。措施明确,对新注册并在胶州开展跨境电商业务的企业,年进出口额首次超过"
    "1000万元的,给予一次性奖励30万元;对新建海外仓面积达到5000平方米以上的企业,按实际投入的20%给予补助,"
    "最高不超过200万元。措施自2024年5月1日起施行,有效期三年,由市商务局负责解释。"
)
OTHER = (
    "青岛西海岸新区与一家央企所属海洋工程企业签约,共同建设海洋装备制造基地。项目总投资80亿元,规划用地约"
    "1200亩,主要建设海上风电安装平台、深海养殖装备和海洋油气模块的总装基地,配套建设10万吨级舾装码头。"
    "项目分三期建设,一期计划年内开工,全部达产后预计年产值可达150亿元,带动上下游配套企业50家以上。"
)


def store_article(store: Store, url: str, text: str, title: str = "标题") -> int:
    item = CrawledArticle(url=url, portal="test", title=title, text=text)
    return store.insert_article(item, content_hash(text), Verdict(status="new"), Classification())


def test_seed_index_is_cached_and_rebuilt_only_when_seeds_change(tmp_path):
    DedupeIndex.open(tmp_path, SEEDS)
    cached = list(tmp_path.glob("seeds-*.npz"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    again = DedupeIndex.open(tmp_path, SEEDS)
    assert cached[0].stat().st_mtime_ns == stamp  # read, not rebuilt
    assert again.check(SEEDS[3].title, SEEDS[3].text).duplicate_of.score == 1.0

    changed = [*SEEDS[:-1], dataclasses.replace(SEEDS[-1], text=NEW_ARTICLE)]
    index = DedupeIndex.open(tmp_path, changed)
    assert [p.name for p in tmp_path.glob("seeds-*.npz")] != [cached[0].name]
    assert len(list(tmp_path.glob("seeds-*.npz"))) == 1
    assert index.check("", NEW_ARTICLE).duplicate_of.source == "seeds/004_dfa85d812edf7218.txt#1"


def test_stored_articles_survive_a_restart_and_catch_up_incrementally(tmp_path):
    store = Store(testdb.database_for(tmp_path))
    first = store_article(store, "http://a.test/1.html", NEW_ARTICLE)
    cache = tmp_path / "dedupe"
    index = DedupeIndex.open(cache, SEEDS)
    assert catch_up(index, store) == 1
    index.save()

    second = store_article(store, "http://a.test/2.html", OTHER)
    reopened = DedupeIndex.open(cache, SEEDS)
    assert reopened.last_article_id == first
    assert reopened.check("", NEW_ARTICLE).duplicate_of.source == "http://a.test/1.html"
    assert catch_up(reopened, store) == 1  # only the article stored since
    assert reopened.last_article_id == second
    assert reopened.check("", OTHER).duplicate_of.source == "http://a.test/2.html"
    assert catch_up(reopened, store) == 0


def test_session_additions_are_not_saved(tmp_path):
    index = DedupeIndex.open(tmp_path, SEEDS)
    index.add("http://a.test/unsaved.html", "", NEW_ARTICLE)  # no database id: not in the database yet
    index.add("http://a.test/saved.html", "", OTHER, article_id=7)
    index.save()
    reopened = DedupeIndex.open(tmp_path, SEEDS)
    assert reopened.check("", NEW_ARTICLE).status == "new"
    assert reopened.check("", OTHER).duplicate_of.source == "http://a.test/saved.html"
    assert reopened.last_article_id == 7


def test_index_never_claims_articles_of_a_replaced_database(tmp_path):
    cache = tmp_path / "dedupe"
    old = Store(testdb.database_for(tmp_path, 'old'))
    store_article(old, "http://a.test/1.html", NEW_ARTICLE)
    index = DedupeIndex.open(cache, SEEDS)
    catch_up(index, old)
    index.save()

    fresh = Store(testdb.database_for(tmp_path, 'new'))  # same ids, other articles
    store_article(fresh, "http://b.test/1.html", OTHER)
    reopened = DedupeIndex.open(cache, SEEDS)
    assert catch_up(reopened, fresh) == 1
    assert reopened.check("", NEW_ARTICLE).status == "new"
    assert reopened.check("", OTHER).duplicate_of.source == "http://b.test/1.html"
    reopened.save()
    assert DedupeIndex.open(cache, SEEDS).check("", NEW_ARTICLE).status == "new"


def test_an_index_saved_further_ahead_by_another_process_is_kept(tmp_path):
    behind, ahead = DedupeIndex.open(tmp_path, SEEDS), DedupeIndex.open(tmp_path, SEEDS)
    ahead.sync([(1, "http://a.test/1.html", "", NEW_ARTICLE), (2, "http://a.test/2.html", "", OTHER)])
    behind.sync([(1, "http://a.test/1.html", "", NEW_ARTICLE)])
    ahead.save()
    behind.save()
    assert DedupeIndex.open(tmp_path, SEEDS).last_article_id == 2


def test_unreadable_or_inconsistent_cache_is_rebuilt_from_the_database(tmp_path, caplog):
    store = Store(testdb.database_for(tmp_path))
    store_article(store, "http://a.test/1.html", NEW_ARTICLE)
    cache = tmp_path / "dedupe"
    index = DedupeIndex.open(cache, SEEDS)
    catch_up(index, store)
    index.save()
    (saved,) = (cache / "stored").iterdir()
    torn = saved / "docs.npy"
    torn.write_bytes(torn.read_bytes()[:100])  # a torn file

    with caplog.at_level(logging.WARNING):
        reopened = DedupeIndex.open(cache, SEEDS)
    assert "rebuilding the stored-article index" in caplog.text and saved.name in caplog.text
    assert reopened.last_article_id == 0
    assert catch_up(reopened, store) == 1
    assert reopened.check("", NEW_ARTICLE).duplicate_of.source == "http://a.test/1.html"

    manifest = json.loads((cache / "stored.json").read_text())
    missing = [{**manifest["parts"][0], "name": "part-missing"}]
    (cache / "stored.json").write_text(json.dumps({**manifest, "parts": missing}))
    assert DedupeIndex.open(cache, SEEDS).last_article_id == 0


def test_a_save_appends_a_part_and_rewrites_nothing_already_saved(tmp_path):
    index = DedupeIndex.open(tmp_path, SEEDS)
    for n in range(1, 5):
        index.add(f"http://a.test/{n}.html", "", f"第{n}篇。" + NEW_ARTICLE[n:], article_id=n)
    index.save()
    (first,) = (tmp_path / "stored").iterdir()
    stamps = {f.name: f.stat().st_mtime_ns for f in first.iterdir()}
    index.add("http://a.test/5.html", "", OTHER, article_id=5)
    index.save()
    assert sorted(p.name for p in (tmp_path / "stored").iterdir()) == sorted(
        e["name"] for e in json.loads((tmp_path / "stored.json").read_text())["parts"])
    assert len(list((tmp_path / "stored").iterdir())) == 2
    assert {f.name: f.stat().st_mtime_ns for f in first.iterdir()} == stamps
    reopened = DedupeIndex.open(tmp_path, SEEDS)
    assert len(reopened) == len(SEEDS) + 5 and reopened.last_article_id == 5
    assert reopened.check("", OTHER).duplicate_of.source == "http://a.test/5.html"
    assert reopened.check("", "第2篇。" + NEW_ARTICLE[2:]).duplicate_of.source == "http://a.test/2.html"


def test_parts_of_similar_size_are_merged(tmp_path):
    index = DedupeIndex.open(tmp_path, SEEDS)
    index.add("http://a.test/1.html", "", NEW_ARTICLE, article_id=1)
    index.save()
    index.add("http://a.test/2.html", "", OTHER, article_id=2)
    index.save()
    (only,) = (tmp_path / "stored").iterdir()
    assert json.loads((tmp_path / "stored.json").read_text())["parts"][0]["name"] == only.name
    reopened = DedupeIndex.open(tmp_path, SEEDS)
    assert reopened.check("", NEW_ARTICLE).duplicate_of.source == "http://a.test/1.html"
    assert reopened.check("", OTHER).duplicate_of.source == "http://a.test/2.html"
    assert reopened.last_article() == (2, "http://a.test/2.html")


def test_a_merge_a_slice_at_a_time_writes_the_part_one_save_of_all_would_have(tmp_path):
    rng = random.Random(4)
    stock = ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(30)) + "。" for _ in range(40)]
    texts = ["".join(rng.choices(stock, k=12)) + f"第{n}篇" for n in range(300)]
    segments = [Segment(), Segment(), Segment()]  # the first 120 articles, the rest, and all of them
    for n, text in enumerate(texts):
        info, prepared = DocInfo(f"http://a.test/{n}.html", f"标题{n}", n + 1), prepare("", text)
        segments[0 if n < 120 else 1].add(info, prepared)
        segments[2].add(info, prepared)
    first, second = (open_part(tmp_path / write_part(tmp_path, segment_arrays(s))) for s in segments[:2])
    # slices of 500 postings: the merge crosses many slice bounds
    merged = open_part(tmp_path / write_merged(tmp_path, first, second, slice_postings=500))
    expected = segment_arrays(segments[2])
    assert len(expected["docs"]) > 20 * 500
    for key in ARRAYS:
        assert np.array_equal(merged.docs.a[key], expected[key]), key
    assert merged.docs.text(250) == segments[2].docs.text(250)


def _mapped_part_kb(folder: Path) -> int:
    """Resident kB of this process's maps of files under `folder` (from /proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if len(head) >= 5 and "-" in head[0] and ":" in head[3]:  # a mapping's first line: range perms offset dev inode
            inside = len(head) == 6 and head[5].startswith(str(folder))
        elif inside and line.startswith("Rss:"):
            total += int(head[1])
    return total


def test_a_long_run_of_checks_gives_back_the_pages_of_the_saved_parts(tmp_path, monkeypatch):
    if not Path("/proc/self/smaps").exists():
        pytest.skip("no /proc here: resident pages cannot be read")
    rng = random.Random(5)
    source = NEW_ARTICLE + OTHER
    words = [source[i : i + 12] for i in range(0, len(source) - 12, 3)]
    texts = ["，".join(rng.choice(words) + str(n) for _ in range(30)) for n in range(2100)]
    index = DedupeIndex.open(tmp_path, [])
    for n, text in enumerate(texts[:2000], start=1):
        index.add(f"http://portal.test/{n}.html", "", text, article_id=n)
    index.save()
    del index  # its own maps of the part it saved go with it
    gc.collect()
    folder = tmp_path.resolve()

    reopened = DedupeIndex.open(tmp_path, [])
    released = []
    for part in reopened._parts:  # the real release, counted
        monkeypatch.setattr(part.docs, "release", lambda release=part.docs.release: released.append(release()))
    for text in texts[2000:2064]:
        reopened.check("", text)
    assert not released  # a process holding little keeps its pages
    assert _mapped_part_kb(folder) > 0

    monkeypatch.setattr(dedupe_index, "RESIDENT_BYTES", 0)
    for text in texts[2000:2064]:
        reopened.check("", text)
    assert len(released) == 2 * len(reopened._parts)  # every RESIDENT_CHECKS checks, every part
    for part in reopened._parts:
        part.docs.release()
    assert _mapped_part_kb(folder) == 0  # given back: the next check maps them again from the page cache
    assert reopened.check("", texts[5]).duplicate_of.source == "http://portal.test/6.html"
