"""Writing files all at once or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: bytes, *, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The target is replaced only when the whole content is written and flushed
    to the disk, so a crash or a full disk never leaves half a file behind: an
    existing file at ``path`` stays as it was, and the temporary file is
    removed on failure.

    Raises
    ------
    OSError
        As raised by the system (``errno.ENOSPC`` for a full disk), always
        with ``filename`` set to ``path`` so the message can say which file.
    """
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
        raise
    return path
