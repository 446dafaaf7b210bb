"""Geography of the operations center: boundaries, digital addresses, map layers."""
