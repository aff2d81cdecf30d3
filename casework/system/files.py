"""Uploaded files on disk, addressed by their SHA-256 so the same scan is stored once.

The hash goes on the document row too: staff can prove later that the file they see is the one the
applicant sent.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    size: int


def store_file(files_dir: Path, content: bytes, suffix: str) -> StoredFile:
    """Write `content` under files_dir/ab/<sha256><suffix> atomically; an existing copy is kept."""
    digest = hashlib.sha256(content).hexdigest()
    target = Path(files_dir) / digest[:2] / f"{digest}{suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename: a crash never leaves a half-written file in place.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return StoredFile(path=target, sha256=digest, size=len(content))
