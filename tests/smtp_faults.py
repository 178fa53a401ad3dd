"""An aiosmtpd server on 127.0.0.1 that misbehaves on purpose, one fault per run of the client process.

The faults are what real servers and machines do: the client killed (kill -9) before DATA, after the server
took the message, or between the server's 250 and the client reading it; the server hanging up before its 250,
answering 250 only after the client's timeout, 421 and 451 at any step, 550 for one recipient, and the disk
filling up at the moment the server accepts. A fault is armed for one client process and fires at its step.
"""

from __future__ import annotations

import asyncio
import errno
import os
import resource
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from smtp_server import HOST, Received, free_port

FAULTS = (
    "none", "kill-before-data", "kill-after-data", "kill-after-250", "hangup-before-250", "late-250",
    "421-mail", "421-rcpt", "421-data", "451-rcpt", "451-data", "550-one", "disk-full",
)

LATE_PATIENCE = 4  # client timeouts the late 250 waits for the client to hang up


class Disk:
    """A small filesystem for the client's data that can be filled up: tmpfs when we may mount one, else the
    client's file-size limit (RLIMIT_FSIZE) is dropped to zero, which fails its writes just the same."""

    def __init__(self, folder: Path, size_mb: int = 64) -> None:
        self.folder = folder
        self.mounted = False
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0 and shutil.which("mount"):
            result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)],
                                    capture_output=True, check=False)
            self.mounted = result.returncode == 0
        self.filler = folder / ".filler"

    def fill(self, pid: int | None) -> None:
        """Leave no free byte (tmpfs), or forbid the client process any write to a file."""
        if not self.mounted:
            if pid is not None:
                resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, 0))
            return
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            for chunk in (1 << 20, 1 << 12, 1):
                block = b"\0" * chunk
                while True:
                    try:
                        os.write(fd, block)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], capture_output=True, check=False)


@dataclass
class FaultPlan:
    """The fault of the current client run and what the server took."""

    timeout: float  # the client's email.timeout
    disk: Disk | None = None
    fault: str = "none"
    victim: str | None = None  # the recipient of 451-rcpt and 550-one
    child: int | None = None  # pid of the client process
    received: list[Received] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    last_stderr: str = ""

    def arm(self, fault: str, victim: str | None, child: int) -> None:
        self.fault, self.victim, self.child = fault, victim, child

    def fire(self, name: str) -> bool:
        if self.fault != name:
            return False
        self.fired.append(name)
        return True

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.child is not None:
            with suppress(ProcessLookupError):
                os.kill(self.child, sig)


class FaultHandler:
    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.plan.fire("421-mail"):
            return _closing(server, "421 4.3.2 service shutting down")
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        plan = self.plan
        if plan.fire("421-rcpt"):
            return _closing(server, "421 4.3.2 service shutting down")
        if address == plan.victim and plan.fire("451-rcpt"):
            return "451 4.2.1 mailbox busy, try later"
        if address == plan.victim and plan.fault == "550-one":
            plan.fired.append("550-one")
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        plan = self.plan
        if plan.fire("421-data"):
            return _closing(server, "421 4.3.2 service shutting down")
        if plan.fire("451-data"):
            return "451 4.3.0 queue full, try later"
        plan.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content, None))
        if plan.fire("kill-after-data"):
            plan.kill()
        elif plan.fire("kill-after-250"):
            plan.kill(signal.SIGSTOP)  # the 250 reaches the client's socket, the client never reads it
            await server.push("250 OK queued")
            with suppress(ConnectionError):
                await server._writer.drain()
            plan.kill()
            plan.kill(signal.SIGCONT)
            return _closing(server, "250 OK")
        elif plan.fire("hangup-before-250"):
            return _closing(server, "250 OK")
        elif plan.fire("late-250"):
            # the 250 comes once the client gave up: it hangs up and aiosmtpd cancels this wait, however slow
            # the machine; a client still waiting after LATE_PATIENCE of its timeouts gets its 250 in time
            await asyncio.sleep(plan.timeout * LATE_PATIENCE)
        elif plan.fire("disk-full") and plan.disk is not None:
            plan.disk.fill(plan.child)
        return "250 OK queued"


def _closing(server: SMTP, reply: str) -> str:
    """Answer (when the connection is still there) and hang up."""
    if reply.startswith("421"):
        server._writer.write(reply.encode() + b"\r\n")
    if server.transport is not None:
        server.transport.close()
    return reply


class FaultySMTP(SMTP):
    async def smtp_DATA(self, arg: str) -> None:
        plan = self.event_handler.plan
        if plan.fire("kill-before-data"):
            plan.kill()
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class FaultController(Controller):
    def factory(self) -> SMTP:
        return FaultySMTP(self.handler, **self.SMTP_kwargs)


@contextmanager
def fault_server(plan: FaultPlan) -> Iterator[int]:
    port = free_port()
    controller = FaultController(FaultHandler(plan), hostname=HOST, port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
