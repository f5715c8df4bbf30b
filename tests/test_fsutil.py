"""aigc_resources.fsutil.atomic_write and atomic_create: whole files only, links followed, devices kept, modes right."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from aigc_resources.fsutil import atomic_create, atomic_write


def test_new_file_gets_the_umask_mode_and_an_existing_one_keeps_its_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.md", b"x")  # was 0600 (mkstemp's mode): unreadable to a web server
        assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644
        (tmp_path / "kept.md").write_bytes(b"old")
        os.chmod(tmp_path / "kept.md", 0o640)
        atomic_write(tmp_path / "kept.md", b"new")
        assert stat.S_IMODE((tmp_path / "kept.md").stat().st_mode) == 0o640
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.md", "new.md"]  # no temporary file left


def test_symlink_is_written_through_and_a_pipe_is_written_directly(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_bytes(b"old")
    (tmp_path / "link.md").symlink_to(tmp_path / "real.md")
    atomic_write(tmp_path / "link.md", b"new")
    assert (tmp_path / "link.md").is_symlink() and (tmp_path / "real.md").read_bytes() == b"new"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        atomic_write(fifo, b"through the pipe")
        assert os.read(reader, 100) == b"through the pipe" and fifo.is_fifo()
    finally:
        os.close(reader)


def test_created_file_gets_the_umask_mode_and_an_existing_one_is_never_replaced(tmp_path: Path) -> None:
    """`new` entries and import drafts were created 0600 (mkstemp's mode, kept by the hard link)."""
    old = os.umask(0o022)
    try:
        atomic_create(tmp_path / "sub" / "entry.yaml", b"first")
        assert stat.S_IMODE((tmp_path / "sub" / "entry.yaml").stat().st_mode) == 0o644
        with pytest.raises(FileExistsError):
            atomic_create(tmp_path / "sub" / "entry.yaml", b"second")
    finally:
        os.umask(old)
    assert (tmp_path / "sub" / "entry.yaml").read_bytes() == b"first"
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["entry.yaml"]  # no temporary file left
