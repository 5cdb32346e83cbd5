"""The settings registry: every setting is declared once, with its default, its doc and its
environment variable.

Settings are declared in ``beffroi.conf.declarations.<area>`` modules (one per area of the
code, each owned by that area) through :func:`declare`. Values are read only from the
environment (``BEFFROI_<NAME>``); secrets never have a usable default and are never logged.
``beffroi settings`` prints the whole table and ``docs/SETTINGS.md`` is generated from it.

This module imports no Django: the Django settings module and the pure domain code both read it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

ENV_PREFIX = "BEFFROI_"


class SettingError(ValueError):
    """A setting's environment value cannot be parsed."""


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "oui"}:
        return True
    if value in {"0", "false", "no", "off", "non", ""}:
        return False
    raise SettingError(f"not a boolean: {raw!r}")


def parse_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    doc: str
    parse: Callable[[str], Any] = str
    secret: bool = False
    area: str = "core"

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name

    def read(self, environ: Mapping[str, str] | None = None) -> Any:
        env = os.environ if environ is None else environ
        raw = env.get(self.env)
        if raw is None:
            return self.default
        try:
            return self.parse(raw)
        except (ValueError, TypeError) as exc:
            if self.secret:  # the parser's message may quote the value: never show it
                raise SettingError(f"{self.env}: invalid value (secret, not shown)") from None
            raise SettingError(f"{self.env}={raw!r}: {exc}") from exc


REGISTRY: dict[str, Setting] = {}


def declare(
    name: str,
    default: Any,
    doc: str,
    *,
    parse: Callable[[str], Any] | None = None,
    secret: bool = False,
    area: str = "core",
) -> Setting:
    """Declare a setting. Declaring the same name twice is an error."""
    if name in REGISTRY:
        raise SettingError(f"setting {name} declared twice")
    if parse is None:
        if isinstance(default, bool):
            parse = parse_bool
        elif isinstance(default, int):
            parse = int
        elif isinstance(default, float):
            parse = float
        elif isinstance(default, list):
            parse = parse_list
        else:
            parse = str
    setting = Setting(name=name, default=default, doc=doc, parse=parse, secret=secret, area=area)
    REGISTRY[name] = setting
    return setting


def _load_declarations() -> None:
    from beffroi.conf import declarations  # noqa: F401  (registers every area)


def get(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The current value of a declared setting."""
    if not REGISTRY:
        _load_declarations()
    try:
        setting = REGISTRY[name]
    except KeyError:
        raise SettingError(f"unknown setting {name}") from None
    return setting.read(environ)


def all_settings() -> list[Setting]:
    if not REGISTRY:
        _load_declarations()
    return sorted(REGISTRY.values(), key=lambda s: (s.area, s.name))


def markdown_table() -> str:
    """The settings as a Markdown table (docs/SETTINGS.md)."""
    lines = [
        "| Variable | Défaut | Domaine | Description |",
        "| --- | --- | --- | --- |",
    ]
    for s in all_settings():
        default = "(secret, aucun défaut)" if s.secret else f"`{s.default!r}`"
        lines.append(f"| `{s.env}` | {default} | {s.area} | {s.doc} |")
    return "\n".join(lines) + "\n"
