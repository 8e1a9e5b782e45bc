-- Copies of the repository (targets in lifeboat.yaml): where each backup lives, and when each
-- target was last copied to and checked. The repository stays the truth: a copy is checked by
-- listing it, and catalog rebuild need not restore these rows (the next copy step writes them).
CREATE TABLE copy_target (
    target       VARCHAR(200)  PRIMARY KEY,
    location     VARCHAR(2000) NOT NULL,
    status       VARCHAR(20)   NOT NULL,
    attempted_at TIMESTAMP     NOT NULL,
    checked_at   TIMESTAMP,
    error        VARCHAR(2000),
    objects_sent INT,
    bytes_sent   BIGINT
);

CREATE TABLE snapshot_copy (
    snapshot_id  VARCHAR(64)   NOT NULL,
    target       VARCHAR(200)  NOT NULL,
    checked_at   TIMESTAMP     NOT NULL,
    PRIMARY KEY (snapshot_id, target)
);
