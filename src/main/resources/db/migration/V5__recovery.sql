-- Recoveries and restore drills: one row each, its state (what is restored, its steps with their
-- status, durations and findings, RTO and RPO) as a JSON document rewritten after every step, so
-- that a recovery cut short by a stop continues from its last finished step.
CREATE TABLE recovery (
    id           VARCHAR(40)  PRIMARY KEY,
    type         VARCHAR(20)  NOT NULL,
    drill        BOOLEAN      NOT NULL,
    status       VARCHAR(20)  NOT NULL,
    created_at   TIMESTAMP    NOT NULL,
    finished_at  TIMESTAMP,
    node         VARCHAR(200),
    state        TEXT         NOT NULL
);
CREATE INDEX recovery_created ON recovery (created_at);

-- What a database held when it was backed up: rows and a checksum per table (and the time of each
-- configured performance query), for comparing a restored copy with it.
CREATE TABLE table_fingerprint (
    run_id     VARCHAR(40)  PRIMARY KEY,
    source     VARCHAR(200) NOT NULL,
    taken_at   TIMESTAMP    NOT NULL,
    lsn        VARCHAR(40)  NOT NULL,
    exact      BOOLEAN      NOT NULL,
    tables     TEXT         NOT NULL,
    baselines  TEXT         NOT NULL
);
CREATE INDEX table_fingerprint_source ON table_fingerprint (source, taken_at);
