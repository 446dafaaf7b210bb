-- Staleness, alert bookkeeping and pull-source status (issue 5).

-- A series is stale when no value came for two expected periods of its
-- indicator's frequency. The maintenance job sets the flag; a newer value
-- clears it at once (trigger below), so a fresh value is never shown as stale.
ALTER TABLE latest_value
    ADD COLUMN stale       boolean NOT NULL DEFAULT false,
    ADD COLUMN stale_since timestamptz;

CREATE FUNCTION latest_value_clear_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.ts > OLD.ts THEN
        NEW.stale := false;
        NEW.stale_since := NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER latest_value_clear_stale_trg
    BEFORE UPDATE OF ts ON latest_value
    FOR EACH ROW EXECUTE FUNCTION latest_value_clear_stale();

CREATE INDEX latest_value_stale_idx ON latest_value (series_id) WHERE stale;

CREATE INDEX alert_history_alert_idx ON alert_history (alert_id, ts);

-- Where each incremental alert scan stopped (e.g. the last event id turned into alerts).
CREATE TABLE alert_cursor (
    name      text PRIMARY KEY,
    position  bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- How a pull source is scheduled, for the status page (interval or cron text).
ALTER TABLE source_status
    ADD COLUMN schedule       text,
    ADD COLUMN last_duration  double precision,   -- seconds of the last run
    ADD COLUMN failures       integer NOT NULL DEFAULT 0,  -- consecutive failed runs
    ADD COLUMN runs           bigint NOT NULL DEFAULT 0;
