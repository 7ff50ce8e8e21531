"""One settings object, read from ``TRUCEWATCH_*`` environment variables.

Every setting is a row of :data:`SETTINGS` (name, default, help) so that the
documentation can be generated from, and checked against, this table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        return "TRUCEWATCH_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "sqlite:///./trucewatch.db", "Database URL (SQLite file or postgresql+psycopg://…)."),
    Setting("max_attachment_bytes", str(10 * 1024 * 1024), "Largest attachment accepted, in bytes."),
    Setting("max_narrative_chars", "100000", "Longest report narrative accepted, in characters."),
    Setting("keys_dir", "./trucewatch-keys", "Directory of private signing keys (PEM, mode 0600)."),
    Setting("host", "127.0.0.1", "Address `trucewatch serve` listens on."),
    Setting("port", "8000", "Port `trucewatch serve` listens on."),
    Setting("data_dir", "./trucewatch-data",
            "Directory of data the user imports, e.g. governorate outlines (docs/web.md)."),
    Setting("base_url", "http://127.0.0.1:8000",
            "Address of the web app, for links in e-mail and webhook notifications and the "
            "bulletin's link to its complete list of incidents."),
    Setting("smtp_host", "", "SMTP server for e-mail notifications; empty: no e-mail is sent."),
    Setting("smtp_port", "25", "Port of the SMTP server."),
    Setting("smtp_starttls", "0", "1: upgrade the SMTP connection with STARTTLS before sending."),
    Setting("smtp_user", "", "SMTP user name, if the server wants a login."),
    Setting("smtp_password", "", "SMTP password, if the server wants a login."),
    Setting("mail_from", "trucewatch@localhost", "Sender address of e-mail notifications."),
    Setting("notify_deadline_hours", "24",
            "Warn a guarantor this many hours before its review round's deadline."),
    Setting("notify_max_attempts", "6", "Tries per e-mail or webhook delivery before it fails."),
    Setting("notify_backoff_seconds", "60",
            "Wait before the first retry of a delivery; it doubles with each retry."),
    Setting("notify_timeout_seconds", "10", "Time limit of one SMTP or webhook attempt."),
    Setting("notify_interval_seconds", "30", "Pause between passes of `trucewatch notify watch`."),
    Setting("max_in_flight", "16", "Requests one server process works on at once; more wait "
            "their turn. Keep it at most half the database pool (40 connections)."),
    Setting("correlate_on_filing", "1", "1: match each report filed through the API, the web "
            "form or `trucewatch report add` against the store right after the filing commits "
            "(docs/correlation.md); 0: only `trucewatch correlate run` does."),
    Setting("matcher", "process", "Where a server process matches the reports filed with "
            "`correlate_on_filing` on: `process`, a process of its own at a lower CPU priority, "
            "started and stopped with the server (filings keep their CPU; docs/correlation.md); "
            "`thread`, a thread of the server process (an in-memory SQLite store always)."),
    Setting("matcher_lag_seconds", "30", "How far the matcher process may fall behind the "
            "filings in a burst: its writes wait for the filings to pause, but no longer than "
            "until a report has waited this long since its filing (0: they never wait; "
            "`trucewatch correlate waiting` shows the backlog; docs/correlation.md)."),
)

MATCHERS = ("process", "thread")


@dataclass(frozen=True)
class Settings:
    db: str
    max_attachment_bytes: int
    max_narrative_chars: int
    keys_dir: str
    host: str
    port: int
    extra: dict[str, str] = field(default_factory=dict)
    data_dir: str = "./trucewatch-data"
    base_url: str = "http://127.0.0.1:8000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "trucewatch@localhost"
    notify_deadline_hours: float = 24
    notify_max_attempts: int = 6
    notify_backoff_seconds: float = 60
    notify_timeout_seconds: float = 10
    notify_interval_seconds: float = 30
    max_in_flight: int = 16
    correlate_on_filing: bool = True
    matcher: str = "process"
    matcher_lag_seconds: float = 30.0


def load_settings(environ: dict[str, str] | None = None, **overrides: str | None) -> Settings:
    """Read settings from the environment; keyword overrides (e.g. from CLI flags) win."""
    env = os.environ if environ is None else environ
    raw = {s.name: env.get(s.env, s.default) for s in SETTINGS}
    for key, value in overrides.items():
        if value is not None:
            raw[key] = value
    return Settings(
        db=raw["db"],
        max_attachment_bytes=int(raw["max_attachment_bytes"]),
        max_narrative_chars=int(raw["max_narrative_chars"]),
        keys_dir=raw["keys_dir"],
        host=raw["host"],
        port=int(raw["port"]),
        data_dir=raw["data_dir"],
        base_url=raw["base_url"].rstrip("/"),
        smtp_host=raw["smtp_host"],
        smtp_port=int(raw["smtp_port"]),
        smtp_starttls=raw["smtp_starttls"].strip().lower() in ("1", "true", "yes"),
        smtp_user=raw["smtp_user"],
        smtp_password=raw["smtp_password"],
        mail_from=raw["mail_from"],
        notify_deadline_hours=float(raw["notify_deadline_hours"]),
        notify_max_attempts=int(raw["notify_max_attempts"]),
        notify_backoff_seconds=float(raw["notify_backoff_seconds"]),
        notify_timeout_seconds=float(raw["notify_timeout_seconds"]),
        notify_interval_seconds=float(raw["notify_interval_seconds"]),
        max_in_flight=max(1, int(raw["max_in_flight"])),
        correlate_on_filing=raw["correlate_on_filing"].strip().lower() in ("1", "true", "yes"),
        matcher=_matcher(raw["matcher"]),
        matcher_lag_seconds=_seconds("matcher_lag_seconds", raw["matcher_lag_seconds"]),
    )


def _seconds(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"TRUCEWATCH_{name.upper()}={value!r}: give a number of seconds, "
                         "0 or more")
    return seconds


def _matcher(value: str) -> str:
    how = value.strip().lower()
    if how not in MATCHERS:
        raise ValueError(f"TRUCEWATCH_MATCHER={value!r}: use one of {', '.join(MATCHERS)}")
    return how
