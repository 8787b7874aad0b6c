"""Files of secrets kept in the data folder, readable by the service user only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def read_or_create_secret(path: Path, *, generate: bytes | None = None) -> bytes:
    """Return the bytes in ``path``, creating the file with mode 0600 if missing.

    The file is created with ``O_EXCL`` so two processes starting at once cannot
    both write a different secret; the loser reads the winner's file.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    content = generate if generate is not None else secrets.token_hex(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return content
