-- The scheduled integrity check (routes/verify.camel.yaml): each run, the subset of packs it read
-- (n of t, so that t runs read the whole repository) and what it found.
CREATE TABLE verify_run (
    started_at   TIMESTAMP     NOT NULL,
    subset       INT           NOT NULL,
    subsets      INT           NOT NULL,
    packs_read   INT           NOT NULL,
    errors       INT           NOT NULL,
    first_error  VARCHAR(2000)
);
