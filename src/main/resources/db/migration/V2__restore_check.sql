-- Restores and their validation (server started, pg_amcheck, rows per table), for drills and audits.
CREATE TABLE restore_check (
    id             VARCHAR(40)   PRIMARY KEY,
    source         VARCHAR(200)  NOT NULL,
    snapshot_id    VARCHAR(64)   NOT NULL,
    target         VARCHAR(200)  NOT NULL,
    data_dir       VARCHAR(1000) NOT NULL,
    finished_at    TIMESTAMP     NOT NULL,
    duration_ms    BIGINT        NOT NULL,
    status         VARCHAR(20)   NOT NULL,
    total_rows     BIGINT,
    row_counts     TEXT,
    report         VARCHAR(4000)
);
CREATE INDEX restore_check_source ON restore_check (source, finished_at);
