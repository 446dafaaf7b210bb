-- Core schema of the operations center. Runs on plain PostgreSQL (>= 15);
-- TimescaleDB-only statements (hypertables, compression, retention policies)
-- are applied separately by ioc/storage/timescale.py when the extension exists.

-- Reference data ------------------------------------------------------------

CREATE TABLE sector (
    code        text PRIMARY KEY,
    name_vi     text NOT NULL,
    name_en     text NOT NULL,
    pillar      text,                       -- smart-city pillar (CCHC, economy, environment, society)
    sort_order  integer NOT NULL DEFAULT 0
);

CREATE TABLE department (
    code        text PRIMARY KEY,
    name_vi     text NOT NULL,
    name_en     text NOT NULL,
    short_name  text
);

-- Administrative areas: a parent/child tree of any depth (province > district >
-- commune before 2025, province > commune after). Geometry is GeoJSON (WGS84) so
-- no PostGIS is required; spatial work happens in geo/ with geopandas.
CREATE TABLE area (
    code          text PRIMARY KEY,
    name_vi       text NOT NULL,
    name_en       text,
    level         text NOT NULL,            -- e.g. province, district, commune
    unit_type     text,                     -- Thành phố, Thị xã, Huyện, Phường, Xã, Thị trấn
    parent_code   text REFERENCES area (code) ON UPDATE CASCADE,
    depth         integer NOT NULL DEFAULT 0,
    geometry      jsonb,
    centroid_lon  double precision,
    centroid_lat  double precision,
    area_km2      double precision,
    population    integer,
    properties    jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX area_parent_idx ON area (parent_code);
CREATE INDEX area_level_idx ON area (level);

CREATE TABLE indicator (
    code              text PRIMARY KEY,
    name_vi           text NOT NULL,
    name_en           text NOT NULL,
    sector_code       text NOT NULL REFERENCES sector (code),
    department_code   text NOT NULL REFERENCES department (code),
    unit              text NOT NULL,
    frequency         text NOT NULL CHECK (frequency IN
                        ('realtime','hourly','daily','weekly','monthly','quarterly','yearly')),
    agg_time          text NOT NULL CHECK (agg_time IN ('sum','mean','last','max','min','ratio')),
    agg_area          text NOT NULL CHECK (agg_area IN ('sum','mean','last','max','min','ratio')),
    numerator_code    text REFERENCES indicator (code) DEFERRABLE INITIALLY DEFERRED,
    denominator_code  text REFERENCES indicator (code) DEFERRABLE INITIALLY DEFERRED,
    direction         text NOT NULL CHECK (direction IN ('higher_better','lower_better','neutral')),
    warning           double precision,
    critical          double precision,
    target            double precision,
    levels            text[] NOT NULL DEFAULT '{}',
    source            text NOT NULL,            -- mqtt, pull, upload, derived
    device_kind       text,                     -- for source = mqtt: which devices feed it
    device_metric     text,                     -- ... and which of their metrics
    decimals          smallint NOT NULL DEFAULT 1,
    description_vi    text,
    description_en    text,
    search_text       text NOT NULL DEFAULT ''  -- names without diacritics, lower case
);
CREATE INDEX indicator_sector_idx ON indicator (sector_code);

-- Devices: AI traffic cameras, environmental sensors ...
CREATE TABLE device (
    id          text PRIMARY KEY,
    kind        text NOT NULL,                  -- camera, air, water_level, water_quality, noise
    name        text NOT NULL,
    area_code   text REFERENCES area (code) ON UPDATE CASCADE,
    lon         double precision,
    lat         double precision,
    properties  jsonb NOT NULL DEFAULT '{}'::jsonb,
    status      text NOT NULL DEFAULT 'unknown',  -- online, offline, unknown
    last_seen   timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_kind_idx ON device (kind);
CREATE INDEX device_area_idx ON device (area_code);

-- Time series ----------------------------------------------------------------

-- One row per (indicator, area) or (device, metric): the narrow observation
-- table refers to it by a small integer id.
CREATE TABLE series (
    id              bigserial PRIMARY KEY,
    indicator_code  text REFERENCES indicator (code) ON UPDATE CASCADE,
    area_code       text REFERENCES area (code) ON UPDATE CASCADE,
    device_id       text REFERENCES device (id) ON UPDATE CASCADE,
    metric          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT series_identity UNIQUE NULLS NOT DISTINCT (indicator_code, area_code, device_id, metric),
    CONSTRAINT series_has_subject CHECK (indicator_code IS NOT NULL OR device_id IS NOT NULL)
);
CREATE INDEX series_indicator_idx ON series (indicator_code, area_code);
CREATE INDEX series_device_idx ON series (device_id);

-- The big table. Idempotent on (series_id, ts): a redelivered reading is stored once.
CREATE TABLE observation (
    series_id  bigint NOT NULL,
    ts         timestamptz NOT NULL,
    value      double precision NOT NULL,
    PRIMARY KEY (series_id, ts)
);
CREATE INDEX observation_ts_brin ON observation USING brin (ts);

CREATE TABLE latest_value (
    series_id  bigint PRIMARY KEY REFERENCES series (id) ON DELETE CASCADE,
    ts         timestamptz NOT NULL,
    value      double precision NOT NULL,
    prev_ts    timestamptz,
    prev_value double precision
);

CREATE TABLE rollup_hourly (
    series_id  bigint NOT NULL,
    bucket     timestamptz NOT NULL,
    n          integer NOT NULL,
    sum        double precision NOT NULL,
    min        double precision NOT NULL,
    max        double precision NOT NULL,
    last       double precision NOT NULL,
    last_ts    timestamptz NOT NULL,       -- when `last` was observed, to merge increments
    PRIMARY KEY (series_id, bucket)
);

CREATE TABLE rollup_daily (LIKE rollup_hourly INCLUDING ALL);

-- Discrete events: camera incidents (accident, wrong-way, stalled vehicle, crowd) ...
CREATE TABLE event (
    id          bigserial PRIMARY KEY,
    ts          timestamptz NOT NULL,
    device_id   text REFERENCES device (id) ON UPDATE CASCADE,
    area_code   text REFERENCES area (code) ON UPDATE CASCADE,
    kind        text NOT NULL,
    severity    text NOT NULL DEFAULT 'info',
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    received_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_identity UNIQUE NULLS NOT DISTINCT (device_id, ts, kind)
);
CREATE INDEX event_ts_idx ON event (ts DESC);

-- Alerts ----------------------------------------------------------------------

CREATE TABLE alert (
    id           bigserial PRIMARY KEY,
    series_id    bigint REFERENCES series (id) ON DELETE CASCADE,
    device_id    text REFERENCES device (id) ON UPDATE CASCADE,
    rule         text NOT NULL,              -- threshold, rate_of_change, stale, device_offline, incident
    severity     text NOT NULL CHECK (severity IN ('info','warning','critical')),
    state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open','acknowledged','resolved')),
    value        double precision,
    message_vi   text NOT NULL,
    message_en   text NOT NULL,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    acked_by     text,
    acked_at     timestamptz,
    ack_note     text,
    resolved_at  timestamptz,
    details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
-- At most one unresolved alert per subject and rule.
CREATE UNIQUE INDEX alert_one_open_idx ON alert (coalesce(series_id, 0), coalesce(device_id, ''), rule)
    WHERE state <> 'resolved';
CREATE INDEX alert_state_idx ON alert (state, opened_at DESC);

CREATE TABLE alert_history (
    id        bigserial PRIMARY KEY,
    alert_id  bigint NOT NULL REFERENCES alert (id) ON DELETE CASCADE,
    ts        timestamptz NOT NULL DEFAULT now(),
    state     text NOT NULL,
    actor     text,
    note      text
);

-- Ingestion bookkeeping --------------------------------------------------------

CREATE TABLE dead_letter (
    id           bigserial PRIMARY KEY,
    received_at  timestamptz NOT NULL DEFAULT now(),
    source       text NOT NULL,               -- mqtt, file, http ...
    topic        text,
    payload      bytea,
    reason       text NOT NULL
);
CREATE INDEX dead_letter_received_idx ON dead_letter (received_at DESC);

CREATE TABLE source_status (
    name          text PRIMARY KEY,
    kind          text NOT NULL,
    status        text NOT NULL DEFAULT 'idle',   -- idle, running, ok, error
    last_run      timestamptz,
    last_success  timestamptz,
    last_error    text,
    last_error_at timestamptz,
    next_run      timestamptz,
    rows_taken    bigint NOT NULL DEFAULT 0,
    details       jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- Digital addresses (địa chỉ số) -------------------------------------------------

CREATE TABLE digital_address (
    code        text PRIMARY KEY,
    category    text NOT NULL,      -- household, agency, business, school, health ...
    name        text,
    street      text,
    area_code   text REFERENCES area (code) ON UPDATE CASCADE,
    lon         double precision NOT NULL,
    lat         double precision NOT NULL,
    h3_r7       text,
    h3_r9       text
);
CREATE INDEX digital_address_lonlat_idx ON digital_address (lon, lat);
CREATE INDEX digital_address_area_idx ON digital_address (area_code);
CREATE INDEX digital_address_h3_r7_idx ON digital_address (h3_r7);
