-- Dashboard read paths: series by area (map picker, breakdowns by child area).
CREATE INDEX IF NOT EXISTS series_area_idx ON series (area_code, indicator_code);
