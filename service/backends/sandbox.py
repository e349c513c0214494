"""What a query worker process can do to the outside world: nothing over the network.

The keyword check in the HTTP layer (``graph.sparql_text.forbidden_keyword``) refuses
SERVICE and LOAD early and politely, but a lexer can never be proven to read a query the
way the engine's parser does. So the guarantee does not depend on it: before a worker reads
its first job, it installs a seccomp filter (Linux; compiled by libseccomp) under which

* ``socket()`` fails with EACCES for every address family except AF_UNIX, so the engine
  cannot open a TCP or UDP socket, whatever the query says (SERVICE, LOAD, or a path the
  lexer never saw);
* ``connect()`` fails with EACCES on any socket: a worker talks to its parent only over
  the socket pair it inherited, already connected;
* the io_uring calls fail with ENOSYS, because io_uring can create and connect sockets
  without passing through the ``socket``/``connect`` system calls;
* system calls of a foreign ABI (32-bit ``int 0x80`` on x86-64, where ``socketcall`` lives)
  kill the process: libseccomp's default for architectures not in the filter.

The filter is inherited by anything the worker could start and cannot be removed (the
kernel also sets no-new-privileges). Memory is capped with RLIMIT_AS, so one query cannot
take the machine's memory; the engine aborts on a failed allocation and the pool reports it.
"""
from __future__ import annotations

import errno
import resource
import socket
import sys
from dataclasses import dataclass


class SandboxUnavailable(RuntimeError):
    """The platform cannot enforce the network ban (not Linux, or no libseccomp)."""


@dataclass(frozen=True)
class Limits:
    """Kernel-enforced limits of one worker process (picklable, part of the worker spec)."""

    no_network: bool = True
    memory_bytes: int | None = None  # address-space cap (RLIMIT_AS); None leaves it unset


def _seccomp():
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"seccomp needs Linux; this is {sys.platform}")
    try:
        import pyseccomp
    except (ImportError, OSError) as exc:  # no pyseccomp, or no libseccomp.so.2 to load
        raise SandboxUnavailable(f"libseccomp is not available: {exc}") from exc
    return pyseccomp


def deny_network() -> None:
    """Install the filter described in the module docstring (irreversible)."""
    seccomp = _seccomp()
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    # Every thread of the process, not only the caller (the worker installs the filter
    # before it starts threads, but a library could have started one already).
    rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)
    rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket",
                   seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    rules.add_rule(seccomp.ERRNO(errno.EACCES), "connect")
    for call in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), call)
    rules.load()


def cap_memory(limit: int) -> None:
    """Cap this process's address space; allocations past it fail instead of swapping."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def apply(limits: Limits) -> None:
    """Enter the sandbox: called once, first thing, in every worker process."""
    if limits.memory_bytes:
        cap_memory(limits.memory_bytes)
    if limits.no_network:
        deny_network()


def check_available() -> None:
    """Raise SandboxUnavailable now rather than in every worker (run in the parent)."""
    _seccomp()
