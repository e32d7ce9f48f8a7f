"""A small seccomp filter for the bwrap sandbox, as classic BPF (no libseccomp needed).

Why: an unprivileged process may create a user namespace, and inside it mount a tmpfs of any
size -- memory that RLIMIT_AS does not count. The filter makes ``unshare``/``clone`` with
CLONE_NEWUSER fail with EPERM and ``clone3`` fail with ENOSYS (its flags live in memory that
BPF cannot read; libc then falls back to ``clone``). It also refuses syscalls that a notebook
never needs and that widen the kernel's attack surface (keyrings, bpf, perf, userfaultfd,
io_uring, ptrace, mounts, modules, kexec), much as Docker's default profile does. ``setsid``
fails with EPERM: a new session is a new scheduler autogroup, an equal CPU share of its own, so
56 children in sessions of their own took 56 shares from the notebooks graded beside them
(bwrap makes the sandbox's one session before it loads the filter). Syscalls of a foreign ABI
(i386, x32) fail with ENOSYS.

bwrap loads it with ``--seccomp FD`` just before it execs the sandboxed command.
"""

from __future__ import annotations

import errno
import platform
import struct

# classic BPF opcodes
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000

_CLONE_NEWUSER = 0x10000000
_X32_SYSCALL_BIT = 0x40000000

# offsets in struct seccomp_data
_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARG0_LOW = 16  # little-endian: the low 32 bits of args[0]

# per architecture: audit arch, then syscall numbers (asm/unistd_64.h, asm-generic/unistd.h)
_ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {
        "clone": 56, "unshare": 272, "clone3": 435, "keyctl": 250, "add_key": 248,
        "request_key": 249, "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "setns": 308,
        "mount": 165, "umount2": 166, "pivot_root": 155, "open_by_handle_at": 304,
        "init_module": 175, "finit_module": 313, "kexec_load": 246, "kexec_file_load": 320,
        "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsmount": 432, "setsid": 112,
    }),
    "aarch64": (0xC00000B7, {
        "clone": 220, "unshare": 97, "clone3": 435, "keyctl": 219, "add_key": 217,
        "request_key": 218, "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "setns": 268,
        "mount": 40, "umount2": 39, "pivot_root": 41, "open_by_handle_at": 265,
        "init_module": 105, "finit_module": 273, "kexec_load": 104, "kexec_file_load": 294,
        "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsmount": 432, "setsid": 157,
    }),
}

DENIED = (
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "ptrace",
    "process_vm_readv", "process_vm_writev", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "setns", "mount", "umount2", "pivot_root", "open_by_handle_at",
    "init_module", "finit_module", "kexec_load", "kexec_file_load", "open_tree", "move_mount",
    "fsopen", "fsmount", "setsid",
)
"""Syscalls that always fail with EPERM inside the sandbox."""


def supported(machine: str | None = None) -> bool:
    """Whether a filter can be built for this CPU architecture."""
    return (machine or platform.machine()) in _ARCHES


def build_filter(machine: str | None = None) -> bytes:
    """The filter as an array of ``struct sock_filter``, ready for ``bwrap --seccomp``."""
    machine = machine or platform.machine()
    if machine not in _ARCHES:
        raise ValueError(f"no seccomp filter for architecture {machine!r}")
    audit_arch, nr = _ARCHES[machine]

    # (opcode, true-label, false-label, k): labels are names below or None for "next"
    prog: list[tuple[int, str | None, str | None, int]] = []
    labels: dict[str, int] = {}

    def ins(code: int, k: int, jt: str | None = None, jf: str | None = None) -> None:
        prog.append((code, jt, jf, k))

    def label(name: str) -> None:
        labels[name] = len(prog)

    ins(_LD_W_ABS, _OFF_ARCH)
    ins(_JEQ_K, audit_arch, None, "enosys")
    ins(_LD_W_ABS, _OFF_NR)
    if machine == "x86_64":
        ins(_JGE_K, _X32_SYSCALL_BIT, "enosys", None)
    ins(_JEQ_K, nr["clone3"], "enosys", None)
    ins(_JEQ_K, nr["clone"], "flags", None)
    ins(_JEQ_K, nr["unshare"], "flags", None)
    for name in DENIED:
        ins(_JEQ_K, nr[name], "eperm", None)
    ins(_RET_K, _RET_ALLOW)
    label("flags")
    ins(_LD_W_ABS, _OFF_ARG0_LOW)
    ins(_JSET_K, _CLONE_NEWUSER, "eperm", None)
    ins(_RET_K, _RET_ALLOW)
    label("eperm")
    ins(_RET_K, _RET_ERRNO | errno.EPERM)
    label("enosys")
    ins(_RET_K, _RET_ERRNO | errno.ENOSYS)

    out = bytearray()
    for i, (code, jt, jf, k) in enumerate(prog):
        offsets = []
        for target in (jt, jf):
            off = 0 if target is None else labels[target] - i - 1
            if not 0 <= off <= 255:
                raise AssertionError("seccomp jump out of range")
            offsets.append(off)
        out += struct.pack("=HBBI", code, offsets[0], offsets[1], k)
    return bytes(out)
