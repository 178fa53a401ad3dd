"""Crawl health in the readers' words (Chinese): portal statuses and error reasons, for the digest and alerts."""

from __future__ import annotations

STATUS = {
    "ok": "正常",
    "partial": "部分失败",
    "failed": "失败",
    "blocked": "被拦截",
    "interrupted": "中断",
    "not crawled": "未抓取",
}

REASONS = {
    "connection": "无法连接",
    "timeout": "请求超时",
    "parse": "页面无法解析（网站可能已改版）",
    "blocked": "被反爬虫验证拦截",
    "browser": "浏览器无法渲染页面",
    "empty": "页面无正文",
    "truncated": "响应不完整",
    "too-large": "页面过大",
    "redirect-loop": "重定向循环",
    "redirect-offsite": "重定向到其他网站",
    "robots": "robots.txt 禁止抓取",
    "ingest": "文章无法入库",
    "ignored": "请求被忽略",
}


def status_label(status: str) -> str:
    return STATUS.get(status, status)


def reason_label(reason: str) -> str:
    """"http-503" -> "服务器错误（HTTP 503）"; unknown reasons are shown as they are."""
    if reason.startswith("http-") and reason[5:].isdigit():
        code = int(reason[5:])
        if code == 404:
            return "页面不存在（HTTP 404）"
        return f"{'服务器错误' if code >= 500 else '请求被拒绝'}（HTTP {code}）"
    return REASONS.get(reason, reason)


def reasons_label(reasons: dict[str, int]) -> str:
    """Error reasons with their counts, most frequent first: "服务器错误（HTTP 503） × 3，请求超时 × 1"."""
    ordered = sorted(reasons.items(), key=lambda rc: (-rc[1], rc[0]))
    return "，".join(f"{reason_label(reason)} × {count}" for reason, count in ordered)
