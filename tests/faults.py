"""Parts that fail on purpose, for fault tests: a TCP proxy that can freeze or cut, a Redis and a PostgreSQL of
the test's own (so they can be stopped and paused with SIGSTOP), an SMTP server that answers slowly.

Everything listens on 127.0.0.1 only; every wait is bounded.
"""

import os
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests.mailserver import Inbox, SMTPServer
from tests.servers import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
NOBODY = 65534
# initdb and postgres refuse to run as root: as root, they run as nobody; otherwise as ourselves.
AS_NON_ROOT = {"user": NOBODY, "group": NOBODY} if os.geteuid() == 0 else {}


def wait_for_port(port, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {seconds}s")


class Proxy:
    """Forward 127.0.0.1:port to a target. freeze(): stop passing bytes (connections stay open, as with a
    hung server); cut(): drop every connection and refuse new ones (a server that went away); heal()."""

    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frozen = threading.Event()
        self.refusing = threading.Event()
        self.pairs = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            if self.refusing.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client, upstream):
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while not self.stopped.is_set():
                if self.frozen.is_set():
                    time.sleep(0.05)  # hold the bytes: both ends wait, as on a hung server
                    continue
                for key, _ in selector.select(timeout=0.1):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            for sock in (client, upstream):
                try:
                    sock.close()
                except OSError:
                    pass

    def freeze(self):
        self.frozen.set()

    def cut(self):
        """Close every open connection and refuse new ones until heal()."""
        self.refusing.set()
        self.frozen.clear()
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for sock in pair:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass

    def heal(self):
        self.frozen.clear()
        self.refusing.clear()

    def close(self):
        self.stopped.set()
        self.cut()
        self.listener.close()


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence; pause() freezes it (SIGSTOP)."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb as the nobody user, fsync off) on a free port."""

    def __init__(self):
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="pg-fault-"))
        self.process = None
        if AS_NON_ROOT:
            os.chown(self.directory, NOBODY, NOBODY)
        subprocess.run(
            [PG_BIN / "initdb", "-D", self.directory / "data", "-U", "postgres", "--auth=trust", "--no-sync",
             "--encoding=UTF8", "--locale=C"],
            **AS_NON_ROOT, check=True, capture_output=True, timeout=120, cwd=self.directory,
        )  # fmt: skip

    def start(self):
        self.process = subprocess.Popen(
            [PG_BIN / "postgres", "-D", self.directory / "data", "-p", str(self.port), "-k", self.directory,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"],
            **AS_NON_ROOT, cwd=self.directory, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [PG_BIN / "pg_isready", "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True, timeout=10
            )
            if ready.returncode == 0:
                return self
            time.sleep(0.1)
        raise AssertionError("the test's PostgreSQL did not become ready")

    def url(self, database="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self):
        """A fast shutdown (SIGINT): connections end, new ones are refused."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGCONT)
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=30)

    def pause(self):
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.killpg(self.process.pid, signal.SIGCONT)

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class SlowInbox(Inbox):
    """An inbox that keeps each message, then waits `delay` seconds before saying so (250 after DATA)."""

    delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return reply


class SlowSMTPServer(SMTPServer):
    def __init__(self, delay):
        super().__init__()
        self.inbox = SlowInbox()
        self.inbox.delay = delay
