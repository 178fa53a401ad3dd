"""A new article that repeats part of a known one says so in the digest, with the share it repeats."""

from __future__ import annotations

from pathlib import Path

from digest_samples import article, prepare_week
from smtp_server import smtp_server

from portalwatch.classify import classify
from portalwatch.dedupe import DedupeIndex
from portalwatch.seeds import load_seeds
from portalwatch.textnorm import content_hash
from reports.digest import run_digest

ROOT = Path(__file__).resolve().parent.parent
FRESH = (
    "11月20日,西海岸新区与一家新能源装备企业签约,总投资36亿元建设海上风电运维母港项目。项目规划用地约300亩,"
    "建设运维码头、备件仓储中心和智能监控平台,一期计划明年开工,全部建成后可服务海上风电装机容量500万千瓦。"
    "新区相关负责人表示,将为项目提供全流程代办服务,推动项目早落地、早投产,打造北方海上风电运维基地。"
)


def test_a_partly_repeating_new_article_names_the_known_one_and_the_share(tmp_path):
    seeds = load_seeds(ROOT / "seeds")
    known = next(s for s in seeds if s.id == "003_8dfde0a6454a1460#2")
    text = FRESH + "\n" + known.text[: len(FRESH)]
    verdict = DedupeIndex.open(tmp_path / "dedupe", seeds).check("西海岸新区签约海上风电运维母港项目", text)
    assert verdict.status == "new" and verdict.partly_repeats is not None
    share = round(verdict.partly_repeats.contained * 100)
    with smtp_server() as (port, recorder):
        config, store = prepare_week(tmp_path, port)
        item = article("xihaian-news", "xwzx/202611/t20261120_300.shtml", "西海岸新区签约海上风电运维母港项目", text)
        store.insert_article(item, content_hash(text), verdict, classify(item.title, text, "西海岸新区"))
        assert run_digest(config).status == "sent"
        msg = recorder.received[-1].message
    html = msg.get_body(("html",)).get_content()
    plain = msg.get_body(("plain",)).get_content()
    note = f"部分重复：《{known.title}》（{share}%）"
    assert note in plain
    assert note in html
    assert html.index("西海岸新区签约海上风电运维母港项目") < html.index(note)
