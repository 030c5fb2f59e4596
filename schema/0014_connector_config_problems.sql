-- A connector file that broke while abmd ran (a typo saved before a SIGHUP) does not unschedule
-- its connector: the daemon keeps running the configuration it had and records the problem here,
-- so that `abmctl status` run by anyone shows "config invalid, running previous" and why.
-- One row per (instance, connector); an instance replaces its rows at every reload, and a row of an
-- instance that is gone is ignored by readers. Twin of schema/postgresql/0014_connector_config_problems.sql.
CREATE TABLE connector_config_problems (
  instance_id TEXT NOT NULL,
  connector   TEXT NOT NULL,
  file        TEXT NOT NULL,
  problem     TEXT NOT NULL,   -- the first error found in the file, with its key
  since       TEXT NOT NULL,   -- the reload that first found the file broken
  PRIMARY KEY (instance_id, connector)
) WITHOUT ROWID;
