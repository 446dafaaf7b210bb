-- Reads the map layers make on digital addresses and the area tree.
CREATE INDEX IF NOT EXISTS digital_address_h3_r9_idx ON digital_address (h3_r9);
CREATE INDEX IF NOT EXISTS digital_address_category_idx ON digital_address (category);
CREATE INDEX IF NOT EXISTS area_depth_idx ON area (depth, code);
