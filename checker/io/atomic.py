"""Writing outputs: regular files atomically and as a set, everything else straight through.

- `-` is standard output; /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N are the
  process's own descriptors and are written to, never replaced.
- A regular file (or a path that does not exist yet) gets a temporary file beside it, written
  and fsynced, then renamed over it (atomic on POSIX): a crash, a full disk or Ctrl-C leaves
  the previous file intact. A symlink is followed: the file it points to is replaced, the link
  stays a link. A replaced file keeps its mode (and, when permitted, its owner); a new file
  gets 0666 minus the umask, like any other tool's output.
- Anything else that exists (a device such as /dev/null, a FIFO) is opened and written to:
  replacing it would swap a device node for a regular file.
- Several outputs of one run are committed together (`write_all`): every temporary file is
  written before the first rename, so a failure while writing leaves every target as it was.
- SIGINT, SIGTERM and SIGHUP are held back while the files are written and renamed, so an
  interrupt lands before or after, never in the middle, and never leaves a temporary file.
  A hard crash (power loss, SIGKILL) can leave a hidden `.<name>.*.tmp` file beside a target,
  but never a partial target. Streams (devices, FIFOs, stdout) are written after the files,
  without holding signals (a FIFO may wait for its reader), and are not atomic.
- Every failure (missing directory, a directory as target, no permission, full disk) is an
  InputError: one line, exit 2.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import stat
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

_DEFERRED = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
_OWN_FD = re.compile(
    r"^/(?:dev/(?P<std>stdout|stderr)|dev/fd/(?P<fd>\d+)|proc/self/fd/(?P<pfd>\d+))$"
)
_STD = {"stdout": 1, "stderr": 2}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
STDOUT = "-"


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a held signal is delivered now


def _error(shown: Path | str, exc: OSError) -> InputError:
    return InputError(f"cannot write {shown}: {exc.strerror or exc}")


@dataclass
class _Target:
    """One output of a set written together: where it goes and its bytes."""

    shown: str  # as the user gave it, for messages
    data: bytes
    file: Path | None = None  # a regular file (or a new one) to replace atomically
    mode: int | None = None  # the replaced file's mode; None: a new file (0666 & ~umask)
    owner: tuple[int, int] | None = None
    fd: int | None = None  # one of the process's own descriptors
    stream: Path | None = None  # a device or FIFO, opened and written to
    temp: Path | None = None


def _classify(path: Path, data: bytes) -> _Target:
    shown = str(path)
    target = _Target(shown, data)
    if shown == STDOUT:
        target.fd = 1
        return target
    own = _OWN_FD.match(shown)
    if own:
        target.fd = _STD[own["std"]] if own["std"] else int(own["fd"] or own["pfd"])
        try:
            os.fstat(target.fd)
        except OSError as exc:
            raise _error(shown, exc) from None
        return target
    real = Path(os.path.realpath(path))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        directory = real.parent
        if not directory.is_dir():
            raise InputError(
                f"cannot write {shown}: directory {directory} does not exist"
            ) from None
        target.file = real
        return target
    except OSError as exc:
        raise _error(shown, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"cannot write {shown}: it is a directory", hint="give a file name")
    if stat.S_ISREG(info.st_mode):
        target.file = real
        target.mode = stat.S_IMODE(info.st_mode)
        target.owner = (info.st_uid, info.st_gid)
        return target
    target.stream = real
    return target


def _temp_file(target: _Target) -> None:
    """Create, fill and fsync the temporary file beside target.file."""
    assert target.file is not None
    directory, name = target.file.parent, target.file.name[:200]
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        temp = directory / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(temp, flags, 0o666)  # the umask applies, as for any new file
        except FileExistsError:
            continue
        except OSError as exc:
            raise _error(target.shown, exc) from None
        break
    target.temp = temp
    try:
        with os.fdopen(fd, "wb") as handle:
            if target.owner is not None and target.owner != (os.geteuid(), os.getegid()):
                with contextlib.suppress(OSError):  # only root (or the owner, for the group) may
                    os.fchown(handle.fileno(), *target.owner)
            if target.mode is not None:
                os.fchmod(handle.fileno(), target.mode)  # after fchown, which clears setuid
            handle.write(target.data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise _error(target.shown, exc) from None


def _remove_temps(targets: Sequence[_Target]) -> None:
    for target in targets:
        if target.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(target.temp)
            target.temp = None


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_stream(target: _Target) -> None:
    if target.fd in (1, 2):
        stream = sys.stdout if target.fd == 1 else sys.stderr
        try:
            stream.flush()
            stream.buffer.write(target.data)
            stream.buffer.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _error(target.shown, exc) from None
        return
    try:
        if target.fd is not None:
            fd, close = target.fd, False
        else:
            flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
            fd, close = os.open(str(target.stream), flags), True
        try:
            view = memoryview(target.data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            if close:
                os.close(fd)
    except OSError as exc:
        raise _error(target.shown, exc) from None


def write_all(outputs: Sequence[tuple[Path, bytes]]) -> None:
    """Write several outputs as one set: all temporary files, then all renames, then streams."""
    targets = [_classify(path, data) for path, data in outputs]
    seen: dict[str, str] = {}
    for target in targets:
        key = str(target.file or target.stream or f"fd:{target.fd}")
        if key in seen:
            raise InputError(f"{target.shown} and {seen[key]} are the same output")
        seen[key] = target.shown
    files = [t for t in targets if t.file is not None]
    with _signals_held():
        try:
            for target in files:
                _temp_file(target)
            for target in files:
                assert target.file is not None and target.temp is not None
                try:
                    os.replace(target.temp, target.file)
                except OSError as exc:
                    raise _error(target.shown, exc) from None
                target.temp = None
        finally:
            _remove_temps(files)
        for directory in {t.file.parent for t in files if t.file is not None}:
            _sync_directory(directory)
    for target in targets:
        if target.file is None:
            _write_stream(target)


def write_atomic(path: Path, text: str) -> None:
    write_all([(path, text.encode("utf-8"))])


def write_atomic_bytes(path: Path, data: bytes) -> None:
    write_all([(path, data)])


def safe_file_name(name: str, what: str) -> str:
    """`name` when it is one plain file name component, else an InputError: letters, digits,
    '.', '_' and '-', starting with a letter or digit, at most 200 characters (no '/', no
    '..', no absolute path, no hidden file, no control character)."""
    if not _SAFE_NAME.match(name):
        raise InputError(
            f"{what} {name!r} cannot be used as a file name",
            hint="letters, digits, '.', '_' and '-' only, starting with a letter or digit",
        )
    return name


def output_directory(path: Path, what: str) -> Path:
    """`path` as a directory, created (with its parents) when missing."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"{what} {path} exists and is not a directory") from None
    except OSError as exc:
        raise InputError(f"cannot create {what} {path}: {exc.strerror}") from None
    if not path.is_dir():
        raise InputError(f"{what} {path} exists and is not a directory")
    return path
