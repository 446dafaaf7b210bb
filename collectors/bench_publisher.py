"""The load generator of the benchmarks: a minimal MQTT 3.1.1 QoS 1 publisher on a raw socket.

paho's ``publish()`` costs 40–80 µs of Python per message (a message-info
object with its condition variable, locks, a queue, a property check), so on
this 2-core machine a paho publisher peaks near 10,000 QoS 1 messages/s and
would measure itself, not the broker or the collector. This publisher encodes
PUBLISH packets with ``struct``, writes them in bursts with one ``sendall`` and
counts the 4-byte PUBACKs it reads back — a few µs per message — so the
measured limit is the broker and the consumer. It is a benchmark tool only:
no reconnect, no TLS, no MQTT 5 properties.

At-least-once is still the contract: every message is QoS 1, the publisher
counts a message as published only when the broker's PUBACK arrived, and it
waits for every PUBACK before reporting.
"""

from __future__ import annotations

import select
import socket
import struct
import time
import uuid

__all__ = ["RawPublisher"]

_PUBACK_SIZE = 4


def _remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(text: bytes) -> bytes:
    return struct.pack("!H", len(text)) + text


class RawPublisher:
    """QoS 1 publisher: :meth:`publish` queues a packet, :meth:`flush` sends the burst."""

    def __init__(self, host: str, port: int, *, client_id: str | None = None, max_inflight: int = 2000,
                 username: str | None = None, password: str | None = None) -> None:
        self.max_inflight = max_inflight
        self.sent = 0
        self.acked = 0
        self._mid = 0
        self._pending: list[bytes] = []
        self._partial = 0  # bytes of a PUBACK read in part
        self._topics: dict[str, bytes] = {}
        self._sock = socket.create_connection((host, port), timeout=30)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
        self._connect(client_id or f"ioc-bench-pub-{uuid.uuid4().hex[:8]}", username, password)
        # Blocking mode: with a timeout set, Python would wait even on MSG_DONTWAIT reads.
        self._sock.settimeout(None)

    def _connect(self, client_id: str, username: str | None, password: str | None) -> None:
        flags = 0x02  # clean session
        payload = _string(client_id.encode())
        if username:
            flags |= 0x80
            payload += _string(username.encode())
            if password:
                flags |= 0x40
                payload += _string(password.encode())
        variable = _string(b"MQTT") + bytes([4, flags]) + struct.pack("!H", 60)
        body = variable + payload
        self._sock.sendall(b"\x10" + _remaining_length(len(body)) + body)
        connack = self._recv_exact(4)
        if connack[0] != 0x20 or connack[3] != 0:
            raise ConnectionError(f"broker refused the benchmark publisher (CONNACK {connack.hex()})")

    def _recv_exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self._sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("broker closed the benchmark publisher's connection")
            data += chunk
        return data

    def publish(self, topic: str, payload: bytes) -> None:
        """Queue one QoS 1 PUBLISH (sent by the next :meth:`flush`)."""
        head = self._topics.get(topic)
        if head is None:
            head = self._topics[topic] = _string(topic.encode())
        self._mid = self._mid % 65535 + 1
        length = len(head) + 2 + len(payload)
        self._pending.append(b"\x32" + _remaining_length(length) + head + struct.pack("!H", self._mid) + payload)

    def flush(self) -> None:
        """Send the queued packets; read the PUBACKs that arrived; keep ≤ max_inflight unacknowledged."""
        if self._pending:
            self._sock.sendall(b"".join(self._pending))
            self.sent += len(self._pending)
            self._pending.clear()
        self._read_acks(block=self.sent - self.acked > self.max_inflight)

    def _read_acks(self, *, block: bool) -> None:
        while True:
            try:
                data = self._sock.recv(65536, 0 if block else socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            if not data:
                raise ConnectionError("broker closed the benchmark publisher's connection")
            total = self._partial + len(data)
            self.acked += total // _PUBACK_SIZE
            self._partial = total % _PUBACK_SIZE
            block = self.sent - self.acked > self.max_inflight

    def wait_acked(self, timeout: float = 60.0) -> bool:
        """Flush and wait until the broker acknowledged every message (False on timeout)."""
        self.flush()
        deadline = time.monotonic() + timeout
        while self.acked < self.sent and time.monotonic() < deadline:
            if select.select([self._sock], [], [], 0.2)[0]:
                self._read_acks(block=False)
        return self.acked >= self.sent

    def close(self) -> None:
        """DISCONNECT and close the socket."""
        try:
            self._sock.sendall(b"\xe0\x00")
        finally:
            self._sock.close()
