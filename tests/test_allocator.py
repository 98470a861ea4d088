"""gateway/allocator.py: glibc's mmap threshold fixed and its arenas capped, where it is glibc."""

from __future__ import annotations

import ctypes
import platform

import pytest

from gateway import allocator


class RecordingLibc:
    """A C library that records ``mallopt`` calls and answers ``answer`` (glibc: 1 is success)."""

    def __init__(self, answer: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.answer = answer

    def gnu_get_libc_version(self) -> bytes:
        return b"2.36"

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return self.answer


def test_tune_fixes_the_mmap_threshold_and_caps_the_arenas() -> None:
    libc = RecordingLibc()
    assert allocator.tune(libc) is True
    assert libc.calls == [(-3, 128 * 1024), (-8, 2)]  # M_MMAP_THRESHOLD, M_ARENA_MAX


def test_a_refused_setting_is_reported_not_raised() -> None:
    libc = RecordingLibc(answer=0)
    assert allocator.tune(libc) is False
    assert len(libc.calls) == 2  # the second is still tried


def test_another_c_library_is_left_alone() -> None:
    class Musl:
        def __init__(self) -> None:
            self.called = False

        def mallopt(self, param: int, value: int) -> int:
            self.called = True
            return 1

    musl = Musl()
    assert allocator.tune(musl) is False
    assert not musl.called


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_this_processes_glibc_takes_the_settings() -> None:
    assert hasattr(ctypes.CDLL(None), "mallopt")
    assert allocator.tune() is True
