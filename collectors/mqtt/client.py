"""A paho-mqtt 2 client tuned for ingest: buffered socket reads and batched acknowledgements.

paho reads each packet with several small ``recv`` calls and one ``select``
per packet, and sends each PUBACK as its own packet; at tens of thousands of
messages per second those system calls are most of the collector's CPU. This
subclass reads up to 256 KiB per ``recv`` and parses every packet already
buffered before waiting again, and writes the PUBACKs of a committed batch in
one packet write. A QoS 0/1 PUBLISH without v5 properties (every ioc payload)
is decoded straight from the buffer, without paho's byte-by-byte reader nor a
paho ``Properties`` object; every other packet goes through paho.

It relies on paho 2's internals ``_sock_recv`` / ``_sock_close`` /
``_packet_queue`` / ``_handle_publish`` / ``_in_packet`` / ``_loop_rc_handle`` /
``_last_bytes_received`` (pinned to paho-mqtt >= 2.1, < 2.3 in pyproject;
tests/collectors/mqtt/test_client.py checks the decoding against a real broker).
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
        """Read what the socket has; decode whole PUBLISH packets here, the rest with paho.

        At a packet boundary, complete QoS 0/1 PUBLISH packets without v5 properties
        (every ioc payload) are decoded straight from the buffer by
        :meth:`_read_publishes` — paho's reader costs several Python calls per byte
        of header. Anything else (another packet type, properties, a packet cut by
        the end of the read) goes through paho's own reader, which reads the buffer
        first (select() cannot see buffered bytes, hence the loop).
        """
        if self._sock is None:
            return mqtt.MQTTErrorCode.MQTT_ERR_NO_CONN
        while True:
            if self._in_packet["command"] == 0:
                if self._rpos >= len(self._rbuf) and not self._fill():
                    return self._lost()
                self._read_publishes()
                if self._sock is None:
                    return mqtt.MQTTErrorCode.MQTT_ERR_NO_CONN
                if self._rpos >= len(self._rbuf):
                    return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
            rc = super().loop_read(max_packets)
            if rc != mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS or self._sock is None or self._rpos >= len(self._rbuf):
                return rc

    def _fill(self) -> bool:
        """Read from the socket into the buffer; False when nothing came (or the connection is gone)."""
        try:
            data = super()._sock_recv(_READ_SIZE)
        except BlockingIOError:
            return False
        except OSError as err:
            self._easy_log(mqtt.MQTT_LOG_ERR, "failed to receive on socket: %s", err)
            self._lost_now = True
            return False
        if not data:
            self._lost_now = True
            return False
        self._rbuf, self._rpos = data, 0
        return True

    _lost_now = False

    def _lost(self) -> mqtt.MQTTErrorCode:
        """After an empty :meth:`_fill`: paho's handling of a lost connection, or success (nothing to read)."""
        if self._lost_now:
            self._lost_now = False
            return self._loop_rc_handle(mqtt.MQTTErrorCode.MQTT_ERR_CONN_LOST)
        return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS

    def _read_publishes(self) -> None:
        """Decode and deliver the complete fast-path PUBLISH packets at the start of the buffer."""
        buf, end = self._rbuf, len(self._rbuf)
        pos = self._rpos
        v5 = self._protocol == mqtt.MQTTv5
        manual = self._manual_ack
        delivered = False
        while pos < end:
            header = buf[pos]
            if header & 0xF0 != 0x30 or header & 0x06 == 0x04:  # not PUBLISH, or QoS 2
                break
            length, mult, i = 0, 1, pos + 1
            while i < end and i - pos <= 4:
                byte = buf[i]
                length += (byte & 0x7F) * mult
                mult <<= 7
                i += 1
                if byte < 0x80:
                    break
            else:
                break  # cut remaining length (or a malformed one): paho's reader decides
            if buf[i - 1] >= 0x80:
                break
            body_end = i + length
            if body_end > end:
                break  # cut packet
            qos = (header & 0x06) >> 1
            if i + 2 > body_end:
                break  # malformed: paho's reader refuses it
            topic_end = i + 2 + ((buf[i] << 8) | buf[i + 1])
            if topic_end + 2 * qos > body_end:
                break
            at = topic_end
            mid = 0
            if qos:
                mid = (buf[at] << 8) | buf[at + 1]
                at += 2
            if v5:
                if at >= body_end or buf[at] != 0:
                    break  # v5 properties: paho's full decoder
                at += 1
            pos = self._rpos = body_end  # consumed before delivery: a raising callback must not replay it
            delivered = True
            fast = self.on_publish_received
            if fast is not None and not self._topic_callbacks:
                try:
                    topic = buf[i + 2 : topic_end].decode()
                except UnicodeDecodeError:
                    topic = None  # paho's message object reports it
                if topic is not None:
                    try:
                        fast(topic, buf[at:body_end], mid, qos)
                    except Exception as err:
                        self._easy_log(mqtt.MQTT_LOG_ERR, "Caught exception in on_publish_received: %s", err)
                        if not self.suppress_exceptions:
                            raise
                    if qos == 1 and not manual:
                        self._send_puback(mid)
                    continue
            self._deliver_publish(header, buf[i + 2 : topic_end], mid, buf[at:body_end])
            if qos == 1 and not manual:
                self._send_puback(mid)
        if delivered:
            with self._msgtime_mutex:
                self._last_bytes_received = time.monotonic()

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
        self._deliver_publish(header, bytes(packet[2:end]), mid, bytes(packet[pos + 1 :]))
        if qos == 1 and not self._manual_ack:
            return self._send_puback(mid)
        return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS

    _topic_callbacks = False
    # ``on_publish_received(topic, payload, mid, qos)``: when set, PUBLISH packets decoded from
    # the buffer skip paho's message object and ``on_message`` (packets paho decodes itself,
    # e.g. with v5 properties, still go to ``on_message``). Raises propagate as from on_message.
    on_publish_received = None

    def message_callback_add(self, sub: str, callback) -> None:
        """As paho's; per-topic callbacks make messages take paho's matching path."""
        self._topic_callbacks = True
        super().message_callback_add(sub, callback)

    def _deliver_publish(self, header: int, topic: bytes, mid: int, payload: bytes) -> None:
        """Build a paho message for a PUBLISH without v5 properties and hand it to on_message."""
        # Built without __init__: a received message needs no MQTTMessageInfo (a Condition each).
        message = mqtt.MQTTMessage.__new__(mqtt.MQTTMessage)
        message._topic = topic
        message.mid = mid
        message.dup = bool(header & 0x08)
        message.qos = (header & 0x06) >> 1
        message.retain = bool(header & 0x01)
        message.payload = payload
        message.timestamp = time.monotonic()
        message.state = mqtt.mqtt_ms_invalid
        message.info = None
        message.properties = None
        if self._topic_callbacks:
            self._handle_on_message(message)
        else:
            self._deliver(message)

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
