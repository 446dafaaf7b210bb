-- Accounts, display tokens and the audit log (issue: accounts, roles and security).

CREATE TABLE app_user (
    id              bigserial PRIMARY KEY,
    username        text NOT NULL UNIQUE,
    display_name    text,
    password_hash   text NOT NULL,              -- argon2id, salted
    role            text NOT NULL CHECK (role IN ('admin', 'leader', 'analyst', 'wall')),
    sectors         text[] NOT NULL DEFAULT '{}',  -- sectors an analyst may read
    disabled        boolean NOT NULL DEFAULT false,
    session_version integer NOT NULL DEFAULT 1,  -- bumped to end every session of the user
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_login_at   timestamptz
);

-- A wall screen authenticates with a revocable token bound to one playlist.
CREATE TABLE display_token (
    id            bigserial PRIMARY KEY,
    token_hash    text NOT NULL UNIQUE,          -- sha256 of the token; the token itself is shown once
    name          text NOT NULL,
    playlist      text NOT NULL,
    created_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    last_used_at  timestamptz
);

CREATE TABLE audit_log (
    id       bigserial PRIMARY KEY,
    ts       timestamptz NOT NULL DEFAULT now(),
    actor    text,
    action   text NOT NULL,                      -- login, login_failed, logout, alert_ack, export, user_add ...
    target   text,
    ip       text,
    details  jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_ts_idx ON audit_log (ts DESC);
CREATE INDEX audit_log_failed_idx ON audit_log (action, ip, ts) WHERE action = 'login_failed';
