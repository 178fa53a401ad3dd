"""Load and validate `config.yaml`; a bad line becomes one clear `ConfigError`."""

from __future__ import annotations

import os
import re
from email.utils import getaddresses
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.cron import CronTrigger
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_CONFIG = "config.yaml"
CONFIG_ENV = "PORTALWATCH_CONFIG"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PORTAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SELECTOR_FIELDS = {"list_links", "next_page", "title", "date", "body"}


class ConfigError(Exception):
    """A config problem, told as `file:line: key: what is wrong`."""

    def __init__(self, path: Path | str, line: int | None, key: str, message: str) -> None:
        self.path, self.line, self.key, self.message = str(path), line, key, message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CrawlSettings(_Section):
    download_delay: float = Field(1.0, ge=0, description="seconds between requests to one host")
    concurrency: int = Field(2, ge=1, le=32, description="parallel requests per host")
    user_agent: str = "portalwatch/0.1 (+https://github.com/portalwatch/portalwatch)"
    revisit_days: int = Field(30, ge=0, description="re-check known articles this many days after first seen")
    max_pages: int = Field(5, ge=1, description="list pages walked per portal when every page is new")
    timeout: float = Field(30.0, gt=0, description="seconds before a request is abandoned")
    max_response_mb: float = Field(10.0, gt=0, description="larger responses are dropped")
    obey_robots: bool = True
    time_limit_minutes: float = Field(60.0, gt=0, description="a crawl running longer is stopped")
    give_up_attempts: int = Field(5, ge=1, description="failed attempts before an article link is given up")
    give_up_days: float = Field(3.0, ge=0, description="... and only once it was first found this many days ago")


class ScheduleSettings(_Section):
    crawl: str = "0 6 * * *"
    digest: str = "0 8 * * mon"
    crawl_interval_seconds: float | None = Field(None, gt=0, description="crawl every N s instead (tests, demos)")
    digest_interval_seconds: float | None = Field(None, gt=0, description="digest every N s instead")
    lock_wait_seconds: float = Field(600.0, ge=0, description="how long a command waits for another to finish")

    @field_validator("crawl", "digest")
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a cron expression ({exc})") from exc
        return value


class EmailSettings(_Section):
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    from_: str = Field("portalwatch@localhost", alias="from")
    to: list[str] = Field(default_factory=list)
    starttls: bool | None = None
    ssl: bool | None = None
    username_env: str | None = None
    password_env: str | None = None
    timeout: float = Field(30.0, gt=0)
    allow_plaintext_login: bool = Field(False, description="log in even when the connection is not encrypted")

    @field_validator("username_env", "password_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not ENV_NAME.match(value):
            raise ValueError("must name an environment variable (the secret itself never goes in the file)")
        return value

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for i, entry in enumerate(value):
            check_address(entry, f"to[{i}]")
        return value


def check_address(entry: str, where: str = "address") -> str:
    """One mailbox, `Name <user@host>` or `user@host`, that an SMTP envelope can carry; its bare address."""
    if any(ch in entry for ch in "\r\n\0"):
        raise ValueError(f"{where}: a line break or NUL in an address")
    parsed = getaddresses([entry])
    if len(parsed) != 1 or not parsed[0][1]:
        raise ValueError(f"{where}: {entry!r} is not one mail address")
    address = parsed[0][1]
    try:
        checked = validate_email(address, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{where}: {address!r} is not a valid mail address ({exc})") from None
    if checked.smtputf8:
        raise ValueError(f"{where}: {address!r} needs SMTPUTF8; write the address in ASCII (punycode domain)")
    return address


class DigestSettings(_Section):
    send_empty: bool = False
    reports_dir: Path = Path("reports-out")
    max_bytes: int = Field(100_000, ge=10_000, description="mail size above which the digest is cut")
    public_url: str | None = Field(None, description="where the reports folder is served, for links")


class AlertSettings(_Section):
    after_failures: int = Field(3, ge=1, description="failed runs in a row before a portal's alert goes out")


class Selectors(_Section):
    list_links: str | None = None
    next_page: str | None = None
    title: str | None = None
    date: str | None = None
    body: str | None = None


class PortalConfig(_Section):
    name: str
    start_urls: list[str] = Field(min_length=1)
    district: str | None = None
    preset: Literal["auto", "trs", "hanweb", "oldqd", "news", "park", "generic"] = "auto"
    selectors: Selectors = Field(default_factory=Selectors)
    max_pages: int | None = Field(None, ge=1)
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not PORTAL_NAME.match(value):
            raise ValueError("use letters, digits, '-', '_' or '.' only")
        return value

    @field_validator("start_urls", mode="before")
    @classmethod
    def _urls(cls, value: Any) -> Any:
        urls = [value] if isinstance(value, str) else value
        for url in urls if isinstance(urls, list) else []:
            if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
                raise ValueError(f"not an http(s) URL: {url!r}")
        return urls


class Config(_Section):
    database: str = "sqlite:///data/portalwatch.db"
    seeds_dir: Path = Path("seeds")
    timezone: str = "Asia/Shanghai"
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    notify: list[str] = Field(default_factory=list, description="apprise URLs for a short summary")
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    portals: list[PortalConfig] = Field(default_factory=list)
    source: Path = Field(Path(DEFAULT_CONFIG), exclude=True)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database")
    @classmethod
    def _db(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///data/portalwatch.db")
        return value

    def resolved(self, source: Path) -> Config:
        """A copy read from `source`: relative paths (and the SQLite file) point beside it."""
        base_dir = source.parent
        database = self.database
        prefix = "sqlite:///"
        if database.startswith(prefix) and not database.startswith(prefix + "/"):
            rest = database[len(prefix):]
            if rest and rest != ":memory:":
                database = prefix + str((base_dir / rest).resolve())
        digest = self.digest.model_copy(update={"reports_dir": _under(base_dir, self.digest.reports_dir)})
        return self.model_copy(update={
            "database": database,
            "seeds_dir": _under(base_dir, self.seeds_dir),
            "digest": digest,
            "source": source.resolve(),
        })

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    @property
    def data_dir(self) -> Path:
        """Folder for caches and locks: next to the SQLite file, else `data/` beside the config."""
        prefix = "sqlite:///"
        if self.database.startswith(prefix) and self.database[len(prefix):] not in ("", ":memory:"):
            return Path(self.database[len(prefix):]).parent
        return self.base_dir / "data"

    def portal(self, name: str) -> PortalConfig:
        for portal in self.portals:
            if portal.name == name:
                return portal
        known = ", ".join(p.name for p in self.portals) or "none configured"
        raise ConfigError(self.source, None, "portals", f"no portal named {name!r} ({known})")


def _under(base_dir: Path, path: Path) -> Path:
    return path if path.is_absolute() else (base_dir / path).resolve()


def config_from_environment(path: Path | str | None = None) -> Config:
    """The config at `path`, else at $PORTALWATCH_CONFIG, else ./config.yaml, else the defaults."""
    if path is None and os.environ.get(CONFIG_ENV):
        path = os.environ[CONFIG_ENV]
    if path is None:
        default = Path(DEFAULT_CONFIG)
        return load_config(default) if default.exists() else Config().resolved(Path.cwd() / DEFAULT_CONFIG)
    return load_config(path)


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    """Read, validate and resolve a config file; raise `ConfigError` naming the bad key and line."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, None, "", f"cannot read the config file ({exc.strerror})") from exc
    return parse_config(source, path)


def parse_config(source: str, path: Path) -> Config:
    """Validate YAML text as a config; `path` names it in errors and anchors relative paths."""
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ConfigError(path, line, "", f"not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(path, 1, "", "the file must be a mapping of keys (database, portals, ...)")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        raise ConfigError(path, _line_of(node, loc), _dotted(loc), _message(error)) from None
    seen: set[str] = set()
    for i, portal in enumerate(config.portals):
        if portal.name in seen:
            loc = ("portals", i, "name")
            raise ConfigError(path, _line_of(node, loc), _dotted(loc), f"portal name {portal.name!r} is used twice")
        seen.add(portal.name)
    return config.resolved(path)


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key (check the spelling; see the configuration reference in the README)"
    if error["type"] == "missing":
        return "required key is missing"
    return error["msg"].removeprefix("Value error, ")


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the deepest YAML node on the path `loc`."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child = value if not isinstance(value, yaml.ScalarNode) or value.value else key
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
