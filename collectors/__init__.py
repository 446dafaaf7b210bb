"""Collectors: inputs (MQTT service input, scheduled pull inputs, file drop, simulators)
→ accumulator → one batching writer, the only output."""
