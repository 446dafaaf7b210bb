"""A paho-mqtt 2 client tuned for ingest: buffered socket reads and batched acknowledgements.

paho reads each packet with several small ``recv`` calls and one ``select``
per packet, and sends each PUBACK as its own packet; at tens of thousands of
messages per second those system calls are most of the collector's CPU. This
subclass reads up to 256 KiB per ``recv`` and parses every packet already
buffered before waiting again, and writes the PUBACKs of a committed batch in
one packet write. It relies on paho 2's internal ``_sock_recv`` /
``_sock_close`` / ``_packet_queue`` / ``_handle_publish`` (pinned to paho-mqtt 2.x
in pyproject). A QoS 0/1 PUBLISH without v5 properties (every ioc payload) is
decoded without building a paho ``Properties`` object, the other costly step.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable

import paho.mqtt.client as mqtt

__all__ = ["IngestClient"]

_PUBACK = 0x40
_PUBACK_PACKET = struct.Struct("!BBH")  # fixed header, remaining length 2, packet id (reason: success)
_READ_SIZE = 256 * 1024


class IngestClient(mqtt.Client):
    """paho ``Client`` with buffered reads and :meth:`ack_many`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._rbuf = b""
        self._rpos = 0

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._rpos < len(self._rbuf):
            start, end = self._rpos, self._rpos + bufsize
            self._rpos = min(end, len(self._rbuf))
            return self._rbuf[start:end]
        data = super()._sock_recv(_READ_SIZE)
        if len(data) <= bufsize:
            self._rbuf, self._rpos = b"", 0
            return data
        self._rbuf, self._rpos = data, bufsize
        return data[:bufsize]

    def _sock_close(self) -> None:
        self._rbuf, self._rpos = b"", 0  # bytes of a dead connection must never reach the next one
        super()._sock_close()

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        """Read packets until the buffer is empty (select() cannot see buffered bytes)."""
        rc = super().loop_read(max_packets)
        while rc == mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS and self._rpos < len(self._rbuf) and self._sock is not None:
            rc = super().loop_read(max_packets)
        return rc

    def _handle_publish(self) -> mqtt.MQTTErrorCode:
        header, packet = self._in_packet["command"], self._in_packet["packet"]
        qos = (header & 0x06) >> 1
        if qos == 2 or self._protocol != mqtt.MQTTv5:
            return super()._handle_publish()
        end = 2 + ((packet[0] << 8) | packet[1])
        mid = 0
        pos = end
        if qos:
            mid = (packet[pos] << 8) | packet[pos + 1]
            pos += 2
        if pos >= len(packet) or packet[pos] != 0:  # v5 properties present: paho's full decoder
            return super()._handle_publish()
        # Built without __init__: a received message needs no MQTTMessageInfo (a Condition each).
        message = mqtt.MQTTMessage.__new__(mqtt.MQTTMessage)
        message._topic = bytes(packet[2:end])
        message.mid = mid
        message.dup = bool(header & 0x08)
        message.qos = qos
        message.retain = bool(header & 0x01)
        message.payload = bytes(packet[pos + 1 :])
        message.timestamp = time.monotonic()
        message.state = mqtt.mqtt_ms_invalid
        message.info = None
        message.properties = None
        if self._topic_callbacks:
            self._handle_on_message(message)
        else:
            self._deliver(message)
        if qos == 1 and not self._manual_ack:
            return self._send_puback(mid)
        return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS

    _topic_callbacks = False

    def message_callback_add(self, sub: str, callback) -> None:
        """As paho's; per-topic callbacks make messages take paho's matching path."""
        self._topic_callbacks = True
        super().message_callback_add(sub, callback)

    def _deliver(self, message: mqtt.MQTTMessage) -> None:
        on_message = self.on_message
        if on_message is None:
            return
        with self._in_callback_mutex:
            try:
                on_message(self, self._userdata, message)
            except Exception as err:
                self._easy_log(mqtt.MQTT_LOG_ERR, "Caught exception in on_message: %s", err)
                if not self.suppress_exceptions:
                    raise

    def ack_many(self, mids: Iterable[int]) -> int:
        """Acknowledge QoS 1 messages (manual-ack mode) with one write; return how many."""
        packet = b"".join([_PUBACK_PACKET.pack(_PUBACK, 2, mid) for mid in mids])
        if packet:
            self._packet_queue(_PUBACK, packet, 0, 0)
        return len(packet) // _PUBACK_PACKET.size
