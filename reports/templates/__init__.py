"""Jinja2 templates of the digest and the archive index (a package so that wheels ship them)."""
