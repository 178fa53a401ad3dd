"""The Scrapy project: one config-driven spider that fetches new and changed articles from the portals."""
