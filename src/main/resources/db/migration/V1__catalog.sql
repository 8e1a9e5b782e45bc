-- The catalog: an index of runs and API tokens. The repository stays the truth; runs can be rebuilt from it.
CREATE TABLE backup_run (
    id            VARCHAR(40)  PRIMARY KEY,
    source        VARCHAR(200) NOT NULL,
    type          VARCHAR(20)  NOT NULL,
    status        VARCHAR(20)  NOT NULL,
    started_at    TIMESTAMP    NOT NULL,
    finished_at   TIMESTAMP,
    size_bytes    BIGINT,
    stored_bytes  BIGINT,
    duration_ms   BIGINT,
    snapshot_id   VARCHAR(64),
    error         VARCHAR(2000),
    retention     VARCHAR(20)
);
CREATE INDEX backup_run_started ON backup_run (started_at);
CREATE UNIQUE INDEX backup_run_snapshot ON backup_run (snapshot_id);

CREATE TABLE api_token (
    id          VARCHAR(40)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    role        VARCHAR(20)  NOT NULL,
    token_hash  VARCHAR(64)  NOT NULL UNIQUE,
    created_at  TIMESTAMP    NOT NULL,
    revoked_at  TIMESTAMP
);
