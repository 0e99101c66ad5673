"""Writing a file the user named (exports and the morning file) without ever destroying what is there.

`open_output(path)` decides by what is at the path, after following symlinks to their target:

- nothing, or a regular file: written to a temporary file beside it and renamed over it when complete, so a
  reader never sees half a file and a failed or cancelled write leaves the old file as it was; an existing
  file's permissions are kept;
- a FIFO or a character device (`/dev/stdout`, a terminal, `/dev/null`): written directly, never renamed over
  (a rename would replace the device node or the pipe with a regular file);
- a directory, a socket or a block device, or a missing folder: refused with one line naming the path.

A symlink is never replaced: its target is written. `open_output` gives a text stream, `atomic_path` a path
for a library that writes files itself (XlsxWriter, pyarrow). Stdlib only; nothing here knows Qt or the store.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from autosync_desktop.errors import UserError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _checked(path: Path, field: str) -> tuple[Path, os.stat_result | None]:
    """The real target of `path` and what is there now (None: nothing), or UserError for what is refused."""
    if not str(path).strip():
        raise UserError(f"{field}: expected a file path, got an empty one")
    target = Path(os.path.realpath(path))  # a symlink (or a chain of them) is written through, never replaced
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise UserError(f"{field}: cannot write {path}: {exc.strerror}") from None
    if _direct(existing):
        return target, existing
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raise UserError(f"{field}: {path} is {_describe(existing.st_mode)}; choose a file name")
    if not target.parent.is_dir():
        raise UserError(f"{field}: the folder {target.parent} does not exist; create it or choose another")
    return target, existing


def _direct(existing: os.stat_result | None) -> bool:
    return existing is not None and (stat.S_ISFIFO(existing.st_mode) or stat.S_ISCHR(existing.st_mode))


@contextlib.contextmanager
def open_output(path: Path, *, field: str = "--output") -> Iterator[IO[str]]:
    """A text stream (UTF-8, no newline translation) that ends up at `path`; see the module's rules."""
    with atomic_path(path, field=field) as where, open(where, "w", encoding="utf-8", newline="") as out:
        yield out  # closed, then synced to disk by atomic_path before it takes the name


Replace = Callable[[Path, Path], None]


@contextlib.contextmanager
def atomic_path(path: Path, *, field: str = "--output", replace: Replace | None = None) -> Iterator[Path]:
    """A path to write (by any library: a spreadsheet writer, pyarrow) that ends up at `path` by the module's
    rules: a temporary file beside it, renamed over it when the block ends without an error; a FIFO or a
    character device itself (written directly). `replace(tmp, target)` does the rename (default `os.replace`,
    looked up when called); it may raise to give up (the temporary file is removed)."""
    target, existing = _checked(path, field)
    if _direct(existing):
        try:
            yield target
        except OSError as exc:
            raise UserError(f"{field}: cannot write {path}: {exc.strerror}") from None
        return
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise UserError(f"{field}: cannot write in {target.parent}: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as written:  # on disk before it takes the name
            os.fsync(written.fileno())
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        _replace_regular(tmp, target, path, field, replace)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"{field}: cannot write {path}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _replace_regular(tmp: Path, target: Path, shown: Path, field: str, replace: Replace | None = None) -> None:
    """Rename `tmp` over `target` only if the target is (still) a regular file or absent."""
    try:
        now = os.lstat(target)
    except FileNotFoundError:
        (replace or os.replace)(tmp, target)
        return
    if not stat.S_ISREG(now.st_mode):  # something else appeared there while we wrote: leave it alone
        tmp.unlink(missing_ok=True)
        raise UserError(f"{field}: {shown} changed into {_describe(now.st_mode)} while writing; nothing replaced")
    (replace or os.replace)(tmp, target)
