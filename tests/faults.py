"""Real parts to break on purpose in fault tests: a TCP proxy in front of
PostgreSQL that can be cut and restored, and a small SMTP server of our own
(the outside mail server is the one thing we may stand in for) that can hang
in the middle of a message."""

import contextlib
import socket
import subprocess
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target. ``cut()`` drops every open
    connection and refuses new ones, as a database host that went away;
    ``restore()`` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self):
        listener, self.listener = self.listener, None
        if listener:
            # shutdown() wakes the thread blocked in accept(); close() alone
            # would leave it accepting on the old socket.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


class SmtpServer:
    """Accepts mail on 127.0.0.1:<port> and records each message it has
    acknowledged (250 after DATA). With ``hang_next`` set, the next message
    is read but never acknowledged: the sender is stuck in the middle of
    sending, until it dies."""

    def __init__(self):
        self.port = free_port()
        self.received: list[tuple[str, bytes]] = []
        self.hang_next = False
        self.hanging = threading.Event()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.listener.close()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        stream = conn.makefile("rb")

        def reply(line: str):
            conn.sendall(line.encode() + b"\r\n")

        try:
            reply("220 cica-test ESMTP")
            recipients: list[str] = []
            while line := stream.readline():
                command = line.decode(errors="replace").strip()
                verb = command.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    reply("250-cica-test")
                    reply("250 8BITMIME")
                elif verb == "MAIL":
                    recipients = []
                    reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(command.split(":", 1)[1].strip(" <>"))
                    reply("250 OK")
                elif verb == "DATA":
                    reply("354 go ahead")
                    body = b""
                    while (chunk := stream.readline()) and chunk != b".\r\n":
                        body += chunk
                    if self.hang_next:
                        self.hang_next = False
                        self.hanging.set()
                        while conn.recv(1024):  # until the sender dies
                            pass
                        return
                    for recipient in recipients:
                        self.received.append((recipient, body))
                    reply("250 queued")
                elif verb == "QUIT":
                    reply("221 bye")
                    return
                else:
                    reply("250 OK")
        except OSError:
            pass
        finally:
            conn.close()


def start_process(command, env, log_path):
    # The child keeps its own copy of the descriptor; ours can close at once.
    with open(log_path, "wb") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
