"""Plain files, shared by every command: writes that never leave half a file, and the reading
of text files people edit (byte-order marks, line breaks, a clear error for bytes that are not
text).

Kept free of heavy imports: the link checker, the importer, the exporters and the site writer
all use it.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
from pathlib import Path

from .errors import UserError


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder, then rename.

    A symbolic link is followed (the file it points to is replaced, the link stays); an
    existing file keeps its permission bits, a new one gets ``0666`` less the umask, as with
    ``open()``. A target that exists but is not a regular file
    (``/dev/null``, ``/dev/stdout``, a named pipe) is written directly: renaming over it would
    replace a device with a plain file, which as root breaks the whole system's ``/dev/null``.
    """
    target = Path(target)
    if target.exists() and not target.is_file():  # follows links, /dev/stdout's included
        with open(target, "wb") as handle:
            handle.write(data)
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp makes the file 0600: keep an existing file's bits, else give what open() would
        # (a site page or report readable by the web server or the CI artifact step).
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_create(target: Path, data: bytes) -> None:
    """Create ``target`` holding ``data``, all at once, never replacing an existing file.

    The bytes go to a temporary file in the same folder, which is then hard-linked to
    ``target``: ``link`` fails if ``target`` exists, so a file created meanwhile (another
    process, a concurrent import) is never overwritten. Where hard links are not supported,
    an existence check and ``os.replace`` are used instead. Missing folders are created; the
    new file gets ``0666`` less the umask, as with ``open()``.

    Raises:
        FileExistsError: ``target`` exists.
        OSError: the folder cannot be created or written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # as open() would; mkstemp's 0600 would follow the link
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system
            if target.exists():
                raise FileExistsError(target) from None
            os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def decode_text_file(data: bytes, shown: str) -> str:
    """The text of a file that should be UTF-8: a UTF-8 or UTF-16 byte-order mark is honoured
    and dropped (editors on Windows write them).

    Raises:
        UserError: the bytes are not valid in that encoding; names the line and the byte.
    """
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UserError(f"{shown}:{line}: not valid {encoding.upper()} (byte 0x{data[exc.start]:02x}); "
                        "save the file as UTF-8") from None


#: Line breaks of a text file, as CommonMark (§2.1) and editors count them: only these start a
#: new line (not ``str.splitlines``'s form feeds, ``\x1c``-``\x1e`` and ``U+2028``, which
#: would shift every later line number away from what an editor or markdown-it shows).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """``text`` cut at LF, CR and CR LF only, so index ``i`` is the editor's line ``i + 1``."""
    return _LINE_BREAK.split(text)
