"""Load and validate `config.yaml`; a bad line becomes one clear `ConfigError`."""

from __future__ import annotations

import logging
import os
import re
from email.utils import getaddresses
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.cron import CronTrigger
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

log = logging.getLogger(__name__)

DEFAULT_CONFIG = "config.yaml"
CONFIG_ENV = "PORTALWATCH_CONFIG"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PORTAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _plain_name(value: str) -> str:
    """A portal's or subscription's name: letters, digits, '-', '_' or '.', starting with a letter or digit."""
    if not PORTAL_NAME.match(value):
        raise ValueError("use letters, digits, '-', '_' or '.' only")
    return value


Name = Annotated[str, AfterValidator(_plain_name)]  # the one rule for portal and subscription names

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


def check_cron(value: str) -> str:
    """`value` if it is a crontab expression APScheduler reads, else ValueError."""
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"not a cron expression ({exc})") from exc
    return value


class ScheduleSettings(_Section):
    crawl: str = "0 6 * * *"
    digest: str = "0 8 * * mon"
    crawl_interval_seconds: float | None = Field(None, gt=0, description="crawl every N s instead (tests, demos)")
    digest_interval_seconds: float | None = Field(None, gt=0, description="digest every N s instead")
    lock_wait_seconds: float = Field(600.0, ge=0, description="how long a command waits for another to finish")

    @field_validator("crawl", "digest")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)


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


class DedupeSettings(_Section):
    new_share: float = Field(1 / 3, gt=0, le=1, description="share of an article found nowhere else that makes it new")
    new_chars: int = Field(100, ge=0, description="... and at least this many characters of it")


class SubscriptionFilters(_Section):
    """What one subscription wants; an empty list means "any". Amount and stage filters apply to projects."""

    districts: list[str] = Field(default_factory=list)
    kinds: list[Literal["project", "policy", "other"]] = Field(default_factory=list)
    min_amount_yi: float | None = Field(None, ge=0, description="projects whose headline is at least this, in 亿")
    stages: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list, description="keywords; one in the title or text is needed")
    exclude: list[str] = Field(default_factory=list, description="keywords; one in the title or text leaves it out")
    portals: list[str] = Field(default_factory=list)
    with_doc_number: bool = Field(False, description="only articles that carry a 文号")

    @field_validator("districts", "stages", "include", "exclude", "portals", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Subscription(_Section):
    """One reader's (or client's) digest: its recipients, filters and, if set, its own schedule."""

    name: Name
    recipients: list[str] = Field(min_length=1, description="email addresses and/or apprise URLs")
    filters: SubscriptionFilters = Field(default_factory=SubscriptionFilters)
    schedule: str | None = Field(None, description="cron expression; default schedule.digest")

    @field_validator("recipients", mode="before")
    @classmethod
    def _recipients(cls, value: Any) -> Any:
        values = [value] if isinstance(value, str) else value
        for item in values if isinstance(values, list) else []:
            if not isinstance(item, str) or not (is_apprise_url(item) or "@" in item):
                raise ValueError(f"not an email address or an apprise URL: {item!r}")
        return values

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return check_cron(value) if value is not None else None

    @property
    def emails(self) -> list[str]:
        return [r for r in self.recipients if not is_apprise_url(r)]

    @property
    def apprise_urls(self) -> list[str]:
        return [r for r in self.recipients if is_apprise_url(r)]


def is_apprise_url(recipient: str) -> bool:
    """An apprise URL (dingtalk://..., json://...) rather than an email address (mailto: counts as email)."""
    return "://" in recipient and not recipient.lower().startswith("mailto:")


# The subscription `email.to` stands for when the config lists none of its own: everything, to `email.to`.
DEFAULT_SUBSCRIPTION = "default"
class Render(StrEnum):
    """When a portal's pages go through the headless browser (`render:` of a portal)."""

    AUTO = "auto"  # plain HTTP; the browser to pass a JavaScript challenge, or for lists a script builds
    COOKIE = "cookie"  # `render: true`: earn the cookies in the browser first, then plain HTTP with them
    LIST = "list"  # list pages rendered in the browser (lists built by script), articles plain
    ALL = "all"  # every page rendered in the browser
    OFF = "off"  # `render: false`: never the browser; a challenge leaves the portal blocked


class BrowserSettings(_Section):
    """The headless Chromium that passes JavaScript challenges and renders script-built lists."""

    executable: str | None = Field(None, description="Chromium to drive; default: chromium found on PATH")
    page_seconds: float = Field(30.0, gt=0, description="time limit of one page in the browser")
    settle_seconds: float = Field(
        5.0, gt=0, description="a challenge page that neither reloads nor moves on this long waits for a person"
    )
    max_challenges: int = Field(
        3, ge=1, description="challenges passed in a row with no page let through before the portal counts blocked"
    )
    memory_mb: int = Field(1024, ge=128, description="the browser is restarted when its processes use more")


class Selectors(_Section):
    list_links: str | None = None
    next_page: str | None = None
    title: str | None = None
    date: str | None = None
    body: str | None = None


class PortalConfig(_Section):
    name: Name
    title: str | None = Field(None, description="the portal's name as readers know it, for the digest")
    start_urls: list[str] = Field(min_length=1)
    district: str | None = None
    preset: Literal["auto", "trs", "hanweb", "oldqd", "news", "park", "generic"] = "auto"
    selectors: Selectors = Field(default_factory=Selectors)
    max_pages: int | None = Field(None, ge=1)
    enabled: bool = True
    allowed_hosts: list[str] | None = Field(
        None, description="hosts (and subdomains) articles may be on; default: the start URLs' registrable domains"
    )
    render: Render = Render.AUTO

    @field_validator("render", mode="before")
    @classmethod
    def _render(cls, value: Any) -> Any:
        """`render: true` earns cookies in the browser; `render: false` never starts it."""
        if isinstance(value, bool):
            return Render.COOKIE if value else Render.OFF
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
    dedupe: DedupeSettings = Field(default_factory=DedupeSettings)
    notify: list[str] = Field(default_factory=list, description="apprise URLs for a short summary")
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    browser: BrowserSettings = Field(default_factory=BrowserSettings)
    portals: list[PortalConfig] = Field(default_factory=list)
    subscriptions: list[Subscription] = Field(default_factory=list)
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

    def all_subscriptions(self) -> list[Subscription]:
        """The configured subscriptions, and `email.to` as a subscription of everything named "default"."""
        subs = list(self.subscriptions)
        if self.email.to and all(sub.name != DEFAULT_SUBSCRIPTION for sub in subs):
            subs.insert(0, Subscription(name=DEFAULT_SUBSCRIPTION, recipients=list(self.email.to)))
        return subs

    def subscription(self, name: str) -> Subscription:
        for sub in self.all_subscriptions():
            if sub.name == name:
                return sub
        known = ", ".join(s.name for s in self.all_subscriptions()) or "none configured"
        raise ConfigError(self.source, None, "subscriptions", f"no subscription named {name!r} ({known})")

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
        if default.exists():
            return load_config(default)
        config = Config().resolved(Path.cwd() / DEFAULT_CONFIG)
        if not config.seeds_dir.is_dir():  # no config, no seeds here: the sample corpus shipped in the package
            from portalwatch.seeds import SAMPLE_SEEDS  # (seeds reads text; config stays light to import)

            config = config.model_copy(update={"seeds_dir": SAMPLE_SEEDS})
        return config
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
    names: set[str] = set()
    for i, sub in enumerate(config.subscriptions):
        loc = ("subscriptions", i, "name")
        if sub.name in names:
            raise ConfigError(path, _line_of(node, loc), _dotted(loc), f"subscription name {sub.name!r} is used twice")
        names.add(sub.name)
        unknown = [p for p in sub.filters.portals if p not in seen]
        if unknown:
            loc = ("subscriptions", i, "filters", "portals")
            raise ConfigError(path, _line_of(node, loc), _dotted(loc), f"no portal named {unknown[0]!r}")
    if (config.email.smtp_host or config.subscriptions) and not config.digest.public_url:
        log.warning("%s: digest.public_url is not set: mails carry the full report as an attachment, "
                    "with no link to the archive", path)
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
