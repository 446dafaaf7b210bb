-- Address search on the map page: code prefixes (LIKE 'BD-724-%') use an index
-- whatever the database collation.
CREATE INDEX IF NOT EXISTS digital_address_code_pattern_idx ON digital_address (code text_pattern_ops);
