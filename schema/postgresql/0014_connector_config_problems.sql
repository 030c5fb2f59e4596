-- Twin of schema/0014_connector_config_problems.sql: a connector whose file broke while abmd ran
-- keeps its previous configuration, and the daemon records why here for `abmctl status`.
CREATE TABLE connector_config_problems (
  instance_id text COLLATE "C" NOT NULL,
  connector   text COLLATE "C" NOT NULL,
  file        text NOT NULL,
  problem     text NOT NULL,
  since       timestamptz NOT NULL,
  PRIMARY KEY (instance_id, connector)
);
