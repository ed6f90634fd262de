"""Work in forked child processes that never outlive the build.

A child dies with its parent: on Linux the kernel kills it (PR_SET_PDEATHSIG) the moment the
parent goes, killed or not; elsewhere it notices within half a second (its parent id changes).
Ctrl-C is the parent's to handle: children ignore SIGINT, and the parent kills them on its way
out, so an interrupted build ends at once instead of waiting for a PDF to finish.
A child reports back through a pipe; an exception travels back and is raised in the parent.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection, Pipe, wait

CAN_FORK = hasattr(os, "fork")
_PR_SET_PDEATHSIG = 1


class ChildDied(RuntimeError):
    pass


def die_with(parent: int) -> None:
    """Make this (child) process end when `parent` does, however it ends."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _child(conn: Connection, parent: int, tasks) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    die_with(parent)
    code = 0
    try:
        for key, function, args in tasks:
            try:
                message = ("ok", key, function(*args))
            except Exception as err:  # travels to the parent, which decides
                message = ("error", key, err)
                code = 1
            try:
                conn.send(message)
            except (pickle.PicklingError, TypeError, AttributeError):
                conn.send(("error", key, RuntimeError(f"{type(message[2]).__name__}: "
                                                      f"{message[2]}")))
            if code:
                break
    finally:
        conn.close()
        os._exit(code)


class Children:
    """`with Children() as c: c.start(tasks) ...; for key, result in c.results(): ...`
    Leaving the block, normally or not, leaves no child behind."""

    def __init__(self):
        self.pids: list[int] = []
        self.conns: list[Connection] = []
        self.owed: list[int] = []  # results still to come, per child

    def start(self, tasks: list) -> None:
        """Run tasks, a list of (key, function, args), one after the other in a new child."""
        reader, writer = Pipe(duplex=False)
        parent = os.getpid()
        # SIGINT is held back across the fork so that no child starts with Python's handler.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        pid = -1
        try:
            pid = os.fork()
            if pid == 0:
                reader.close()
                _child(writer, parent, tasks)
            self.pids.append(pid)
        finally:
            if pid != 0:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        writer.close()
        self.conns.append(reader)
        self.owed.append(len(tasks))

    def results(self):
        """(key, result) of every task as it finishes; a task's exception is raised here."""
        owed = dict(zip(self.conns, self.owed))
        while owed:
            for conn in wait(list(owed)):
                try:
                    status, key, value = conn.recv()
                except EOFError:
                    pid = self.pids[self.conns.index(conn)]
                    raise ChildDied(f"a writer process ({pid}) ended without its result")
                if status == "error":
                    raise value
                owed[conn] -= 1
                if not owed[conn]:
                    del owed[conn]
                yield key, value

    def __enter__(self) -> "Children":
        return self

    def __exit__(self, *exc) -> None:
        for pid in self.pids:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
                if not done:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        for conn in self.conns:
            conn.close()
        self.pids, self.conns, self.owed = [], [], []
