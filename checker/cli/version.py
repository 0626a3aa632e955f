"""`failback --version` / `-V`: the tool, its policy library and the engines that would judge.

Everything here runs only when the option is given (an eager callback), so the versions cost
nothing on every other command line: no engine is imported, no policy compiled. The policy
library is named by its release and a digest of its modules, so a modified library shows;
the OPA line runs `opa version` only when a binary is configured (FAILBACK_OPA_BIN) or on PATH.
"""

from __future__ import annotations

import click

# the standard-library modules below are imported inside the functions: this module is imported
# on every command line, the version is computed only when asked for

REGORUS_DIST = "gordon-to-regorus"
OPA_TIMEOUT = 5.0  # seconds for `opa version`


def _dist_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def policy_library_line() -> str:
    import hashlib

    from .. import __version__
    from ..policy.locate import builtin_dir

    directory = builtin_dir()
    files = sorted(
        p for p in directory.rglob("*.rego") if p.is_file() and not p.name.endswith("_test.rego")
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return (
        f"policy library failback-checker-{__version__} "
        f"({len(files)} modules, sha256 {digest.hexdigest()[:16]})"
    )


def opa_line() -> str:
    import os
    import shutil
    import subprocess

    configured = os.environ.get("FAILBACK_OPA_BIN")
    binary = configured or shutil.which("opa")
    if not binary:
        return "engine opa: not configured (no opa on PATH, FAILBACK_OPA_BIN unset)"
    try:
        run = subprocess.run(
            [binary, "version"],
            capture_output=True,
            text=True,
            timeout=OPA_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"engine opa: {binary} does not run ({exc.__class__.__name__})"
    first = run.stdout.splitlines()[0] if run.stdout.strip() else ""
    if run.returncode != 0 or not first.startswith("Version:"):
        return f"engine opa: {binary} gave no version (exit {run.returncode})"
    return f"engine opa: OPA {first.split(':', 1)[1].strip()} ({binary})"


def version_text() -> str:
    import platform

    from .. import __version__

    return "\n".join(
        [
            f"failback, version {__version__}",
            policy_library_line(),
            f"engine embedded: regorus ({REGORUS_DIST} {_dist_version(REGORUS_DIST)})",
            opa_line(),
            f"python {platform.python_version()}",
        ]
    )


def _show(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(version_text())
    ctx.exit()


def version_option() -> click.Parameter:
    return click.Option(
        ["-V", "--version"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_show,
        help="Show the version, the policy library's and the engines', and exit.",
    )
