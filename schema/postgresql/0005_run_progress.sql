-- Twin of schema/0005_run_progress.sql. Which process runs a sync ('abmd' or 'abmctl sync', and its
-- pid), so that a run found 'running' after that process died can say which process was lost. The
-- records/rejected counts of a run are written with every commit, so they stay true when the process
-- is killed.
ALTER TABLE sync_runs ADD COLUMN owner text COLLATE "C";
ALTER TABLE sync_runs ADD COLUMN owner_pid bigint;
