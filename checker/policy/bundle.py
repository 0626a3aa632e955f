"""OPA bundles of the policy library, for central OPA servers (`opa run --server --bundle`)."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Sequence

from .. import __version__
from .locate import PolicyFile

# The whole failback namespace: a server serving the bundle refuses any other bundle or API
# write under data.failback (failback.main and failback.custom included). User policies are
# confined to failback.custom (policy/vet.py), so no module falls outside it.
ROOTS = ("failback",)


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    info.mtime = 0
    archive.addfile(info, io.BytesIO(data))


def build(policies: Sequence[PolicyFile]) -> bytes:
    """A reproducible tar.gz: `.manifest` (revision, roots) and every module at its path."""
    manifest = {
        "revision": f"failback-checker-{__version__}",
        "roots": list(ROOTS),
        "rego_version": 1,
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        _add(archive, ".manifest", json.dumps(manifest, sort_keys=True).encode())
        for index, policy in enumerate(sorted(policies, key=lambda p: p.name)):
            name = policy.name.lstrip("/")
            if not name.startswith("policies/"):
                name = f"user/{index}/{name.rsplit('/', 1)[-1]}"
            _add(archive, name, policy.text.encode("utf-8"))
    return gzip.compress(raw.getvalue(), mtime=0)
