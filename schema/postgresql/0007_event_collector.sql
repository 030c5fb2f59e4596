-- The event collector (docs/collector.md), twin of schema/0007_event_collector.sql: push sources that
-- send Segment-style events over HTTP.

-- Which anonymous visitor became which user, per push source: written by an identify that carries
-- both ids and by an alias (previousId -> userId). The first link of an anonymousId wins: events it
-- carried before were that user's. Touchpoints that carried only the anonymousId wait in
-- pending_links (ref_kind 'anonymous', ref = the anonymousId) and are tied to the user's contact
-- once both the link and the contact exist, in whichever order they arrive.
CREATE TABLE event_identities (
  source       text COLLATE "C" NOT NULL,
  anonymous_id text COLLATE "C" NOT NULL,
  user_id      text COLLATE "C" NOT NULL,
  linked_at    timestamptz NOT NULL,
  PRIMARY KEY (source, anonymous_id)
);
CREATE INDEX event_identities_by_user ON event_identities(source, user_id);

-- messageIds of identify, group and alias events already applied, so a client's retry is applied
-- once (track, page and screen events are touchpoints, whose (source, external_id) already says so).
CREATE TABLE event_messages (
  source      text COLLATE "C" NOT NULL,
  message_id  text COLLATE "C" NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (source, message_id)
);

-- Per push connector: events stored, events refused (with their request), and when the last event
-- was received. Updated in the transaction that stores the events, so the counts match the store.
CREATE TABLE push_sources (
  connector       text COLLATE "C" PRIMARY KEY,
  events_received bigint NOT NULL DEFAULT 0,
  events_refused  bigint NOT NULL DEFAULT 0,
  last_event_at   timestamptz
);

-- The collector ties waiting touchpoints of one user at a time: it finds their links by reference.
CREATE INDEX pending_links_by_ref ON pending_links(source, ref_kind, ref);
-- Touchpoints that know their contact but not yet its account (the contact had none when they were
-- written): found by contact when the contact gets one. Only such rows are indexed.
CREATE INDEX touchpoints_waiting_for_account ON touchpoints(contact_id)
  WHERE account_id IS NULL AND contact_id IS NOT NULL;
