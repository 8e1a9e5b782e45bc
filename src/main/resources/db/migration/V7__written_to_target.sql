-- Backups a run wrote to a target because the repository could not be reached
-- (repository.whenUnreachable: next-target): since when that target holds backups the repository
-- lacks. The copy step sends them back once the repository answers, then clears it.
ALTER TABLE copy_target ADD COLUMN written_since TIMESTAMP;
