"""A seccomp filter that refuses Internet sockets, as classic BPF (no libseccomp needed).

Why: Gradescope's container has the network, and the container fallback
(:mod:`autograder.gradescope.sandbox`) has no network namespace to take it away. With this
filter ``socket(AF_INET, ...)`` and ``socket(AF_INET6, ...)`` fail with EACCES, so student code
cannot send the hidden inputs it is called with anywhere. Unix sockets stay (nothing of the
grader listens on one the sandbox user may open). It stacks on the sandbox's own filter
(:func:`autograder.sandbox.seccomp.build_filter`); a syscall of another ABI is left to that one.
"""

from __future__ import annotations

import errno
import platform
import socket
import struct

_LD_W_ABS = 0x20
_JEQ_K = 0x15
_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_OFF_NR, _OFF_ARCH, _OFF_ARG0_LOW = 0, 4, 16

_SOCKET: dict[str, tuple[int, int]] = {
    "x86_64": (0xC000003E, 41),
    "aarch64": (0xC00000B7, 198),
}
"""Per machine: the audit architecture and the number of ``socket``."""

REFUSED_FAMILIES = (int(socket.AF_INET), int(socket.AF_INET6))


def supported(machine: str | None = None) -> bool:
    return (machine or platform.machine()) in _SOCKET


def build_filter(machine: str | None = None) -> bytes:
    """The filter as an array of ``struct sock_filter``."""
    machine = machine or platform.machine()
    if machine not in _SOCKET:
        raise ValueError(f"no network filter for architecture {machine!r}")
    arch, nr = _SOCKET[machine]
    n = len(REFUSED_FAMILIES)
    # 0 ld arch; 1 arch? ; 2 ld nr; 3 socket? ; 4 ld arg0; 5.. families; allow; refuse
    prog = [
        (_LD_W_ABS, 0, 0, _OFF_ARCH),
        (_JEQ_K, 0, 3 + n, arch),  # another ABI: allow (the sandbox's filter refuses it)
        (_LD_W_ABS, 0, 0, _OFF_NR),
        (_JEQ_K, 0, 1 + n, nr),
        (_LD_W_ABS, 0, 0, _OFF_ARG0_LOW),
    ]
    for i, family in enumerate(REFUSED_FAMILIES):
        prog.append((_JEQ_K, n - i, 0, family))  # jump to the refusal
    prog.append((_RET_K, 0, 0, _RET_ALLOW))
    prog.append((_RET_K, 0, 0, _RET_ERRNO | errno.EACCES))
    return b"".join(struct.pack("=HBBI", code, jt, jf, k) for code, jt, jf, k in prog)
