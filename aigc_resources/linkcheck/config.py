"""Link-checker settings: each declared once, here, with its name, type, default and help.

:class:`Settings` is the single declaration. Everything else is derived from its fields:
the keys accepted in ``pyproject.toml`` under ``[tool.aigc-resources.linkcheck]`` (the field
name with ``-`` for ``_``), the ``check-links`` command-line options and their help text
(:func:`cli_settings`), the README table and the validation of values (:func:`load_settings`).

Exclusions are the one setting that is a list of tables; every one must give its reason::

    [[tool.aigc-resources.linkcheck.exclude]]
    pattern = '^https://www\\.linkedin\\.com/'
    reason = "LinkedIn answers 999 to every robot; checked by hand"
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import UserError
from ..validation import did_you_mean

#: The table of ``pyproject.toml`` that holds the link checker's settings.
CONFIG_TABLE = ("tool", "aigc-resources", "linkcheck")


class ConfigError(UserError):
    """A setting in ``pyproject.toml`` or on the command line is unknown or has a bad value."""


@dataclass(frozen=True)
class Exclusion:
    """URLs matching ``pattern`` (a regular expression, searched) are not checked, because ``reason``.

    ``source`` says where the rule was declared (``pyproject.toml exclude[2]``, ``built-in``).
    """

    pattern: re.Pattern[str]
    reason: str
    source: str

    def matches(self, url: str) -> bool:
        """True when the rule applies to ``url``."""
        return self.pattern.search(url) is not None


#: Largest value of any setting in seconds or hours: beyond it, waits overflow the clocks
#: (``threading`` refuses waits over ~292 years) and nothing sensible is asked anyway.
_MAXIMUM_BY_UNIT = {"s": 86_400.0, "h": 24.0 * 366 * 10}


def setting(default: Any, help: str, *, unit: str = "", minimum: float | None = None,
            maximum: float | None = None, choices: tuple[str, ...] = (), cli: bool = True) -> Any:
    """Declare one field of :class:`Settings` (its default, help text, unit and limits).

    Settings in seconds (``unit="s"``) are at most a day and in hours (``"h"``) at most ten
    years unless ``maximum`` says otherwise; every number must be finite.
    """
    if maximum is None:
        maximum = _MAXIMUM_BY_UNIT.get(unit)
    return field(default=default, metadata={"help": help, "unit": unit, "minimum": minimum, "maximum": maximum,
                                            "choices": choices, "cli": cli})


DEFAULT_USER_AGENT = f"aigc-resources-linkcheck/{__version__} (catalog link checker; python-requests)"


@dataclass(frozen=True)
class Settings:
    """Every setting of the link checker, with its default. Units are in each help text."""

    max_concurrency: int = setting(32, "Requests in flight at once, over all hosts (one thread each).",
                                   minimum=1, maximum=1024)
    per_host: int = setting(4, "Requests in flight at once to one host.", minimum=1, maximum=1024)
    min_interval: float = setting(0.05, "Minimum time between the starts of two requests to one host.",
                                  unit="s", minimum=0)
    timeout: float = setting(30.0, "Total time for one attempt at a URL: connection, every redirect, "
                             "headers and body (enforced outside requests, whose timeout is per read).",
                             unit="s", minimum=0.01)
    connect_timeout: float = setting(10.0, "Time to open one connection (capped by --timeout).",
                                     unit="s", minimum=0.01, cli=False)
    retries: int = setting(2, "Extra attempts after a transient failure (timeout, reset, 408, 429, 5xx).",
                           minimum=0, maximum=20)
    retry_wait: float = setting(1.0, "Wait before the first retry; doubled for each further one, "
                                "unless the server sent Retry-After.", unit="s", minimum=0, cli=False)
    retry_after_cap: float = setting(60.0, "Longest wait honoured from a Retry-After header "
                                     "(RFC 9110 §10.2.3); longer values are cut to this.",
                                     unit="s", minimum=0)
    max_redirects: int = setting(10, "Redirects followed before giving up.", minimum=0, maximum=100, cli=False)
    max_body_bytes: int = setting(4 * 1024 * 1024, "Most bytes of a body read (after decompression), "
                                  "to find a fragment; other checks read at most 64 KiB.",
                                  unit="bytes", minimum=1024, cli=False)
    method: str = setting("get", "First request method: `get` (streamed, body read only as needed) "
                          "or `head` (falls back to GET on any non-2xx answer).", choices=("get", "head"))
    user_agent: str = setting(DEFAULT_USER_AGENT, "User-Agent header sent with every request.", cli=False)
    max_age: float = setting(24.0, "Re-use a successful result younger than this instead of fetching "
                             "again (failures are always re-checked).", unit="h", minimum=0)
    history: str = setting(".linkcheck/history.sqlite", "SQLite file keeping every observation.")
    broken_checks: int = setting(2, "A scheduled run fails on a URL broken on at least this many "
                                 "consecutive checks...", minimum=1, cli=False)
    broken_span: float = setting(20.0, "...spanning at least this long.", unit="h", minimum=0, cli=False)
    allow_private: bool = setting(False, "Allow hosts that resolve to loopback, private, link-local, "
                                  "multicast or reserved addresses (needed for local test servers).")
    exclude: tuple[Exclusion, ...] = setting((), "URLs not checked: a list of tables with `pattern` (regular "
                                             "expression) and `reason`.", cli=False)

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some settings changed (validated like the others).

        Raises:
            ConfigError: an unknown name or a bad value.
        """
        return _apply(self, changes, where="settings")


def setting_fields() -> list[tuple[dataclasses.Field[Any], type]]:
    """The declared settings with their resolved Python types, in declaration order."""
    hints = typing.get_type_hints(Settings)
    return [(f, hints[f.name]) for f in dataclasses.fields(Settings)]


def toml_key(name: str) -> str:
    """``max_concurrency`` -> ``max-concurrency`` (the key in pyproject.toml and the CLI flag)."""
    return name.replace("_", "-")


def cli_settings() -> list[tuple[dataclasses.Field[Any], type]]:
    """The settings that also have a ``check-links`` option."""
    return [(f, t) for f, t in setting_fields() if f.metadata["cli"]]


def _check_value(f: dataclasses.Field[Any], kind: type, value: Any, where: str) -> Any:
    name = f"{where} {toml_key(f.name)}"
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{name}: expected true or false, got {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{name}: expected a whole number, got {value!r}")
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{name}: expected a number{_unit(f)}, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(f"{name}: expected a finite number{_unit(f)}, got {value!r}")
    elif kind is str:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{name}: expected non-empty text, got {value!r}")
        if f.name == "user_agent" and not re.fullmatch(r"[\x20-\x7e]+", value):
            # An HTTP header value: control characters would be refused on every request
            # (and blamed on each URL); non-ASCII is not portable (RFC 9110 §5.5).
            raise ConfigError(f"{name}: only printable ASCII characters can go in an HTTP header, got {value!r}")
        if re.search(r"[\x00-\x1f\x7f]", value):
            raise ConfigError(f"{name}: control characters are not allowed, got {value!r}")
    minimum, maximum = f.metadata["minimum"], f.metadata["maximum"]
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}{_unit(f)}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name}: must be at most {maximum:g}{_unit(f)}, got {value!r}")
    choices = f.metadata["choices"]
    if choices and value not in choices:
        raise ConfigError(f"{name}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def _unit(f: dataclasses.Field[Any]) -> str:
    unit = f.metadata["unit"]
    return f" ({unit})" if unit else ""


def _apply(base: Settings, values: dict[str, Any], *, where: str) -> Settings:
    fields = {f.name: (f, t) for f, t in setting_fields()}
    changes: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in values.items():
        name = key.replace("-", "_")
        if name in spelled:
            raise ConfigError(f"{where}: {toml_key(name)!r} is given twice (as {spelled[name]!r} and {key!r}); keep one")
        spelled[name] = key
        if name not in fields:
            hint = did_you_mean(toml_key(name), [toml_key(n) for n in fields])
            raise ConfigError(f"{where}: unknown setting {key!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
        f, kind = fields[name]
        if name == "exclude":
            changes[name] = value if _is_exclusions(value) else parse_exclusions(value, where=where)
        else:
            changes[name] = _check_value(f, kind, value, where)
    return dataclasses.replace(base, **changes)


def _is_exclusions(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, Exclusion) for v in value)


def parse_exclusions(value: Any, *, where: str) -> tuple[Exclusion, ...]:
    """Read the ``exclude`` list: tables with a regular expression ``pattern`` and a ``reason``.

    Raises:
        ConfigError: not a list of tables, a missing or empty reason, a bad regular expression.
    """
    if not isinstance(value, list):
        raise ConfigError(f"{where} exclude: expected a list of tables "
                          f"([[tool.aigc-resources.linkcheck.exclude]]), got {value!r}")
    rules = []
    for i, item in enumerate(value):
        at = f"{where} exclude[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{at}: expected a table with `pattern` and `reason`, got {item!r}")
        unknown = set(item) - {"pattern", "reason"}
        if unknown:
            raise ConfigError(f"{at}: unknown key(s) {', '.join(sorted(unknown))}; only `pattern` and `reason`")
        pattern, reason = item.get("pattern"), item.get("reason")
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(f"{at}: `pattern` (a regular expression) is missing")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{at}: `reason` is missing; every exclusion must say why the URL is not checked")
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{at}: `pattern` is not a valid regular expression: {exc}") from None
        rules.append(Exclusion(compiled, reason.strip(), at))
    return tuple(rules)


def load_settings(pyproject: Path | None, overrides: dict[str, Any] | None = None) -> Settings:
    """Settings from ``[tool.aigc-resources.linkcheck]`` of ``pyproject``, then ``overrides``.

    ``pyproject`` may be ``None`` or a missing file (defaults are used). ``overrides`` maps
    setting names to values; ``None`` values are ignored (an option that was not given).

    Raises:
        ConfigError: the file is not valid TOML, a key is unknown, a value has the wrong type
            or range, an exclusion has no reason. The message names the file and the key.
    """
    settings = Settings()
    if pyproject is not None and Path(pyproject).is_file():
        try:
            data = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{pyproject}: not valid TOML: {exc}") from None
        table: Any = data
        for depth, part in enumerate(CONFIG_TABLE, start=1):
            table = table.get(part, {})
            if not isinstance(table, dict):
                raise ConfigError(f"{pyproject}: `{'.'.join(CONFIG_TABLE[:depth])}` must be a table, got {table!r}")
        settings = _apply(settings, table, where=f"{pyproject} [{'.'.join(CONFIG_TABLE)}]")
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    return _apply(settings, given, where="option") if given else settings
