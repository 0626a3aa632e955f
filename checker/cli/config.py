"""Defaults from a configuration file and FAILBACK_* environment variables.

Precedence, highest first: a flag on the command line, its FAILBACK_<KEY> environment
variable, the configuration file, the built-in default. The file is the first `failback.toml`
(the whole file) or `pyproject.toml` with a `[tool.failback]` table found from the working
directory upwards, stopping at the repository root (the directory holding `.git`).

Keys are the long option names without the dashes (`fail-on = "medium"`); `plan` is
`-c/--config`, the plan's path. A key sets the option for every command that has it. Paths
are relative to the file that names them. An unknown key, or a value the option would refuse,
is an input error (exit 2) naming the file and the key, with a suggestion for a misspelling.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..errors import InputError
from .common import LazyGroup

# key -> the click parameter name it sets
KEYS: Mapping[str, str] = {
    "plan": "config",
    "phase": "phase",
    "format": "formats",
    "fail-on": "fail_on",
    "waivers": "waivers_path",
    "baseline": "baseline_path",
    "policy-dir": "policy_dirs",
    "engine": "engine",
    "timeout": "timeout",
    "opa-url": "opa_url",
    "opa-token-file": "opa_token_file",
    "opa-ca-cert": "opa_ca_cert",
    "opa-client-cert": "opa_client_cert",
    "opa-insecure": "opa_insecure",
    "opa-preloaded": "opa_preloaded",
    "export-dir": "export_dir",
    "exit-zero": "exit_zero",
    "allow-outside-repo": "allow_outside_repo",
    "color": "color",
}
PATH_KEYS = frozenset(
    {
        "plan",
        "waivers",
        "baseline",
        "policy-dir",
        "export-dir",
        "opa-token-file",
        "opa-ca-cert",
        "opa-client-cert",
    }
)
# the commands whose option a key sets (every command: not listed). A key never changes a
# command it was not meant for: scorecard's --format takes other formats than check's, export
# kafka's --timeout is not the policy timeout, diff's -c is optional.
_CHECK = frozenset({"check", "audit"})
COMMANDS: Mapping[str, frozenset[str]] = {
    **{
        key: _CHECK
        for key in KEYS
        if key not in ("plan", "policy-dir", "allow-outside-repo", "color")
    },
    "plan": _CHECK | {"scorecard"},
    "policy-dir": _CHECK | {"bundle"},
    "allow-outside-repo": _CHECK | {"scorecard", "validate"},
}
# Keys that weaken what a checked-in file may make the checker do: a pull request can change
# the configuration file, so these come from a flag or the environment (the CI's owner) only.
ENV_ONLY = frozenset({"allow-outside-repo", "opa-insecure"})
FILE_NAME = "failback.toml"
PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class Config:
    """The configuration file found (if any) and its settings."""

    path: Path | None
    values: Mapping[str, Any]


def env_var(key: str) -> str:
    return "FAILBACK_" + key.upper().replace("-", "_")


def _candidates(start: Path) -> Iterator[Path]:
    for directory in (start, *start.parents):
        yield directory
        if (directory / ".git").exists():
            return


def find(start: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The nearest configuration file from `start` upwards and its settings."""
    from ..io.read import read_text

    for directory in _candidates(start.resolve()):
        for name in (FILE_NAME, PYPROJECT):
            path = directory / name
            if not path.is_file():
                continue
            text = read_text(path, "configuration file")
            if name == PYPROJECT and "failback" not in text:
                continue  # no [tool.failback] table however it is spelt: not parsed
            import tomllib  # only for a file that may configure the checker

            try:
                document = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise InputError(f"configuration file {path} is not valid TOML: {exc}") from None
            if name == FILE_NAME:
                return path, document
            table = document.get("tool", {}).get("failback")
            if table is not None:
                if not isinstance(table, dict):
                    raise InputError(f"{path}: [tool.failback] must be a table")
                return path, table
    return None


def load(start: Path) -> Config:
    found = find(start)
    if found is None:
        return Config(None, {})
    path, settings = found
    where = f"{path}" + ("[tool.failback]" if path.name == PYPROJECT else "")
    from ..suggest import did_you_mean

    for key in settings:
        if key not in KEYS:
            underscored = str(key).replace("_", "-")
            hint = (
                f" (did you mean {underscored}?)"
                if underscored in KEYS
                else did_you_mean(str(key), KEYS)
            )
            raise InputError(
                f"configuration file {where}: unknown key {key!r}{hint}",
                hint=f"known keys: {', '.join(sorted(KEYS))}",
            )
        if key in ENV_ONLY:
            raise InputError(
                f"configuration file {where}: {key} may not be set in a file a pull request can "
                f"change",
                hint=f"give --{key} or set {env_var(key)}",
            )
    values = {
        key: _resolve(value, path.parent, f"configuration file {where}: {key}")
        if key in PATH_KEYS
        else value
        for key, value in settings.items()
    }
    return Config(path, values)


def _resolve(value: Any, base: Path, what: str) -> Any:
    """Paths relative to the file's directory, and inside its repository (like a plan's)."""
    from ..plan import repository_of

    if isinstance(value, list):
        return [_resolve(v, base, what) for v in value]
    if not isinstance(value, str):
        return value
    root = repository_of(base)
    resolved = (base / value).resolve()
    if resolved != root and root not in resolved.parents:
        raise InputError(
            f"{what} {value!r} is outside the repository {root}",
            hint="give it on the command line or in the environment instead",
        )
    return str(base / value)


def _commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    commands = group.every_command() if isinstance(group, LazyGroup) else group.commands
    for name, command in commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def _checked(config: Config, key: str, value: Any, param: click.Parameter) -> Any:
    """The value as the option takes it; an input error naming the file and key otherwise."""
    where = f"configuration file {config.path}: {key}"
    multiple = getattr(param, "multiple", False)
    if multiple and isinstance(value, str):
        value = [value]
    items = value if multiple else [value]
    if multiple and not isinstance(value, list):
        raise InputError(f"{where} must be a list")
    for item in items:
        if isinstance(item, dict | list):
            raise InputError(f"{where} must be {'a list of values' if multiple else 'a value'}")
        if getattr(param, "is_flag", False) and not isinstance(item, bool):
            raise InputError(f"{where} must be true or false")
        if isinstance(param.type, click.Choice) and str(item) not in param.type.choices:
            from ..suggest import did_you_mean

            raise InputError(
                f"{where}: {item!r} is not one of {', '.join(map(str, param.type.choices))}"
                f"{did_you_mean(str(item), map(str, param.type.choices))}"
            )
    return value


def default_map(config: Config, group: click.Group) -> dict[str, Any]:
    """click's default_map for every command of `group` that has an option a key sets."""
    result: dict[str, Any] = {}
    if not config.values:
        return result  # nothing to set: the commands are not imported to find out
    for names, command in _commands(group):
        table: dict[str, Any] = {}
        for key, value in config.values.items():
            allowed = COMMANDS.get(key)
            if allowed is not None and names[-1] not in allowed:
                continue
            for param in command.params:
                if param.name == KEYS[key] and isinstance(param, click.Option):
                    table[param.name] = _checked(config, key, value, param)
        if table:
            node = result
            for name in names[:-1]:
                node = node.setdefault(name, {})
            node[names[-1]] = table
    return result


def add_env_vars(command: click.Command, names: tuple[str, ...]) -> None:
    """FAILBACK_<KEY> for every option a configuration key sets, in the command called
    `names` and the commands it groups (options that already name a variable, e.g.
    --opa-url's FAILBACK_OPA_URL, keep theirs)."""
    by_param = {param_name: key for key, param_name in KEYS.items()}
    tree = _commands(command, names) if isinstance(command, click.Group) else iter(())
    for path, each in ((names, command), *tree):
        for param in each.params:
            key = by_param.get(param.name or "")
            if key is None or not isinstance(param, click.Option) or param.envvar:
                continue
            allowed = COMMANDS.get(key)
            if allowed is None or path[-1] in allowed:
                param.envvar = env_var(key)
                param.show_envvar = False
