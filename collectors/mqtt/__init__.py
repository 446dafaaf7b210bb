"""The MQTT integration: topic scheme, payload schemas, FIWARE mapping, the service input."""
