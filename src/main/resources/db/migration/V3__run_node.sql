-- The node (service host) a run started on: a node starting up fails only its own unfinished runs,
-- not those another node sharing the catalog is running.
ALTER TABLE backup_run ADD COLUMN node VARCHAR(200);
