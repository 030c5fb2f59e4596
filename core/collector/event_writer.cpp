#include "collector/event_writer.hpp"

#include <tuple>
#include <vector>

#include "common/timestamp.hpp"

namespace abm::collector {

using pipeline::Row;
using store::Statement;

namespace {

// Runs a statement with RETURNING to its end, collecting the first column.
Status collectIds(Statement& st, std::vector<int64_t>& ids) {
  while (st.step() == Statement::Step::Row) ids.push_back(st.columnInt(0));
  const Status s = st.status();
  st.reset();
  return s;
}

void pointAt(pipeline::Value& v, const std::string& text) {
  v.kind = pipeline::Value::Text;
  v.text = text;
}

// The statements tying rows of `entity` (its id column `key`) to their user, as PersonRows holds them.
struct PersonSql {
  std::string stitch_contacts, unpark_contact, stitch_accounts, unpark_account;
};
PersonSql personSql(const std::string& entity, const std::string& key) {
  return {
      // Rows parked under one of the user's anonymousIds, or under the userId before its contact
      // existed (pending_links_by_ref finds both).
      "UPDATE " + entity + " SET contact_id = ?1 WHERE contact_id IS NULL AND " + key + " IN ("
      " SELECT row_id FROM pending_links WHERE source = ?2 AND ref_kind = 'anonymous' AND entity = '" + entity + "'"
      " AND field = 'contact_id' AND ref IN (SELECT anonymous_id FROM event_identities WHERE source = ?2 AND user_id = ?3)"
      " UNION ALL SELECT row_id FROM pending_links WHERE source = ?2 AND ref_kind = 'external_id' AND ref = ?3"
      " AND entity = '" + entity + "' AND field = 'contact_id') RETURNING " + key,
      "DELETE FROM pending_links WHERE entity = '" + entity + "' AND row_id = ?1 AND field = 'contact_id'",
      // The contact's account for its rows that have none (touchpoints_waiting_for_account).
      "UPDATE " + entity + " SET account_id = ?1, account_via_contact = TRUE"
      " WHERE contact_id = ?2 AND contact_id IS NOT NULL AND account_id IS NULL RETURNING " + key,
      "DELETE FROM pending_links WHERE entity = '" + entity + "' AND row_id = ?1 AND field = 'account_id'"
      " AND ref_kind = 'contact'"};
}

}  // namespace

Status EventWriter::prepare() {
  const PersonSql touchpoints = personSql("touchpoints", "touchpoint_id"), surveys = personSql("survey_responses", "response_id");
  return store::prepareAll(db_, {
      {&touchpoint_rows_.stitch_contacts, touchpoints.stitch_contacts.c_str()},
      {&touchpoint_rows_.unpark_contact, touchpoints.unpark_contact.c_str()},
      {&touchpoint_rows_.stitch_accounts, touchpoints.stitch_accounts.c_str()},
      {&touchpoint_rows_.unpark_account, touchpoints.unpark_account.c_str()},
      {&survey_rows_.stitch_contacts, surveys.stitch_contacts.c_str()},
      {&survey_rows_.unpark_contact, surveys.unpark_contact.c_str()},
      {&survey_rows_.stitch_accounts, surveys.stitch_accounts.c_str()},
      {&survey_rows_.unpark_account, surveys.unpark_account.c_str()},
      {&survey_exists_, "SELECT response_id FROM survey_responses WHERE source = ?1 AND external_id = ?2"},
      {&touchpoint_exists_, "SELECT touchpoint_id FROM touchpoints WHERE source = ?1 AND external_id = ?2"},
      {&message_insert_,
       "INSERT INTO event_messages(source, message_id, received_at) VALUES(?1, ?2, ?3) ON CONFLICT DO NOTHING"},
      {&link_select_, "SELECT user_id FROM event_identities WHERE source = ?1 AND anonymous_id = ?2"},
      {&link_insert_,
       "INSERT INTO event_identities(source, anonymous_id, user_id, linked_at) VALUES(?1, ?2, ?3, ?4)"
       " ON CONFLICT DO NOTHING"},
      {&pending_insert_,
       "INSERT INTO pending_links(entity, row_id, field, ref_kind, source, ref)"
       " VALUES(?6, ?1, ?2, ?3, ?4, ?5)"
       " ON CONFLICT(entity, row_id, field, ref_kind) DO UPDATE SET source = excluded.source, ref = excluded.ref"},
      {&account_by_domain_, "SELECT 1 FROM accounts WHERE registrable_domain = ?1 LIMIT 1"},
      {&account_known_, "SELECT 1 FROM account_identities WHERE source = ?1 AND external_id = ?2"},
      {&contact_select_,
       "SELECT contact_id, coalesce(account_id, 0) FROM contacts WHERE source = ?1 AND external_id = ?2"},
      {&received_upsert_,
       "INSERT INTO push_sources(connector, events_received, last_event_at) VALUES(?1, ?2, ?3)"
       " ON CONFLICT(connector) DO UPDATE SET events_received = push_sources.events_received + excluded.events_received,"
       " last_event_at = CASE WHEN push_sources.last_event_at IS NULL OR excluded.last_event_at > push_sources.last_event_at"
       " THEN excluded.last_event_at ELSE push_sources.last_event_at END"},
      {&refused_upsert_,
       "INSERT INTO push_sources(connector, events_refused) VALUES(?1, ?2)"
       " ON CONFLICT(connector) DO UPDATE SET events_refused = push_sources.events_refused + excluded.events_refused"},
  });
}

Result<pipeline::StoreWriter*> EventWriter::writerFor(const std::string& source) {
  auto it = writers_.find(source);
  if (it == writers_.end()) {
    Slot slot;
    slot.writer = std::make_unique<pipeline::StoreWriter>(db_, source, identity_);
    // An identify that leaves a trait out keeps what an earlier one set.
    slot.writer->setMergeContacts(true);
    slot.writer->setWriteTouchpointsAtOnce();  // applyTouchpoint reads the row back at once
    if (auto s = slot.writer->prepare(); !s) return s;
    it = writers_.emplace(source, std::move(slot)).first;
  }
  Slot& slot = it->second;
  if (!slot.in_tx) {
    if (auto s = slot.writer->beginShared(); !s) return s;
    slot.in_tx = true;
  }
  // Another source's writer wrote on this connection since this one last looked: what this one
  // cached as missing may exist now, and PRAGMA data_version does not change for our own writes.
  if (last_ && last_ != slot.writer.get()) slot.writer->forgetIds();
  last_ = slot.writer.get();
  return slot.writer.get();
}

void EventWriter::begin() { now_ = formatTimestamp(nowEpochSeconds()); }

Status EventWriter::finish() {
  for (auto& [source, slot] : writers_)
    if (slot.in_tx)
      if (auto s = slot.writer->finishShared(); !s) return Status::error("source " + source + ": " + s.message());
  return Status::ok();
}

void EventWriter::end(bool committed) {
  for (auto& [source, slot] : writers_) {
    if (slot.in_tx) slot.writer->sharedEnded(committed);
    slot.in_tx = false;
  }
  last_ = nullptr;
}

void EventWriter::forgetIds() {
  for (auto& [source, slot] : writers_) slot.writer->forgetIds();
}

Result<bool> EventWriter::seenBefore(const std::string& source, const std::string& message_id) {
  message_insert_.bindStatic(1, source);
  message_insert_.bindStatic(2, message_id);
  message_insert_.bindStatic(3, now_);
  if (auto s = message_insert_.run(); !s) return Status::error("recording message " + message_id + ": " + s.message());
  return db_.changes() == 0;
}

Status EventWriter::linkedUser(const std::string& source, const std::string& anonymous_id, std::string& user) {
  user.clear();
  if (anonymous_id.empty()) return Status::ok();
  link_select_.bindStatic(1, source);
  link_select_.bindStatic(2, anonymous_id);
  if (link_select_.step() == Statement::Step::Row) user = link_select_.columnText(0);
  const Status s = link_select_.status();
  link_select_.reset();
  if (!s) return Status::error("looking up the user of anonymousId " + anonymous_id + ": " + s.message());
  return Status::ok();
}

Status EventWriter::link(const std::string& source, const std::string& anonymous_id, const std::string& user_id) {
  if (anonymous_id.empty() || user_id.empty() || anonymous_id == user_id) return Status::ok();
  link_insert_.bindStatic(1, source);
  link_insert_.bindStatic(2, anonymous_id);
  link_insert_.bindStatic(3, user_id);
  link_insert_.bindStatic(4, now_);
  if (auto s = link_insert_.run(); !s) return Status::error("linking anonymousId " + anonymous_id + ": " + s.message());
  return Status::ok();
}

Result<int64_t> EventWriter::rowId(Statement& lookup, const std::string& source, const std::string& message_id) {
  lookup.bindStatic(1, source);
  lookup.bindStatic(2, message_id);
  int64_t id = 0;
  if (lookup.step() == Statement::Step::Row) id = lookup.columnInt(0);
  const Status s = lookup.status();
  lookup.reset();
  if (!s) return Status::error("looking up the row of message " + message_id + ": " + s.message());
  return id;
}

Status EventWriter::parkAnonymous(const char* entity, int64_t id, const std::string& source,
                                  const std::string& anonymous_id) {
  for (const auto& [field, kind, ref] : {std::tuple<const char*, const char*, std::string_view>{"contact_id", "anonymous", anonymous_id},
                                         {"account_id", "contact", ""}}) {
    pending_insert_.bind(1, id);
    pending_insert_.bindStatic(2, field);
    pending_insert_.bindStatic(3, kind);
    pending_insert_.bindStatic(4, source);
    pending_insert_.bindStatic(5, ref);
    pending_insert_.bindStatic(6, entity);
    if (auto s = pending_insert_.run(); !s) return Status::error(std::string("parking an anonymous ") + entity + " row: " + s.message());
  }
  return Status::ok();
}

Status EventWriter::stitch(const std::string& source, const std::string& user_id) {
  contact_select_.bindStatic(1, source);
  contact_select_.bindStatic(2, user_id);
  int64_t contact = 0, account = 0;
  if (contact_select_.step() == Statement::Step::Row) {
    contact = contact_select_.columnInt(0);
    account = contact_select_.columnInt(1);
  }
  const Status read = contact_select_.status();
  contact_select_.reset();
  if (!read) return Status::error("looking up the contact of user " + user_id + ": " + read.message());
  if (!contact) return Status::ok();  // its touchpoints wait for the identify that creates it

  for (PersonRows* rows : {&touchpoint_rows_, &survey_rows_}) {
    std::vector<int64_t> tied;
    rows->stitch_contacts.bind(1, contact);
    rows->stitch_contacts.bindStatic(2, source);
    rows->stitch_contacts.bindStatic(3, user_id);
    if (auto s = collectIds(rows->stitch_contacts, tied); !s)
      return Status::error(std::string("tying ") + rows->entity + " to user " + user_id + ": " + s.message());
    for (const int64_t id : tied) {
      rows->unpark_contact.bind(1, id);
      if (auto s = rows->unpark_contact.run(); !s) return s;
    }
    if (!account) continue;  // they get the account with the contact (pending 'contact' links)
    tied.clear();
    rows->stitch_accounts.bind(1, account);
    rows->stitch_accounts.bind(2, contact);
    if (auto s = collectIds(rows->stitch_accounts, tied); !s)
      return Status::error("giving user " + user_id + "'s " + rows->entity + " its account: " + s.message());
    for (const int64_t id : tied) {
      rows->unpark_account.bind(1, id);
      if (auto s = rows->unpark_account.run(); !s) return s;
    }
  }
  return Status::ok();
}

Status EventWriter::applyTouchpoint(pipeline::StoreWriter& w, const std::string& source, MappedEvent& e) {
  auto existing = rowId(touchpoint_exists_, source, e.message_id);
  if (!existing) return existing.status();
  if (*existing) return Status::ok();  // a retry: the first one stays as it was
  Row& row = *e.touchpoint;
  std::string user = e.user_id;
  if (user.empty()) {
    if (auto s = linkedUser(source, e.anonymous_id, e.linked_user); !s) return s;
    if (!e.linked_user.empty()) {
      pointAt(row.v[pipeline::touchpoint_slot::ContactExternalId], e.linked_user);
      if (e.survey) pointAt(e.survey->v[pipeline::survey_slot::ContactExternalId], e.linked_user);
    }
    user = e.linked_user;
  }
  if (auto s = w.write(row); !s) return s;
  if (e.survey)
    if (auto s = w.write(*e.survey); !s) return s;
  if (!user.empty() || e.anonymous_id.empty()) return Status::ok();
  // Only an anonymousId: the rows wait for an identify or alias naming their user.
  auto id = rowId(touchpoint_exists_, source, e.message_id);
  if (!id) return id.status();
  if (auto s = parkAnonymous("touchpoints", *id, source, e.anonymous_id); !s) return s;
  if (!e.survey) return Status::ok();
  auto response = rowId(survey_exists_, source, e.message_id);
  if (!response) return response.status();
  return parkAnonymous("survey_responses", *response, source, e.anonymous_id);
}

Status EventWriter::applyIdentify(pipeline::StoreWriter& w, const std::string& source, MappedEvent& e) {
  if (!e.contact) return Status::ok();  // an anonymous identify: nobody to store
  if (e.account) {
    bool create = true;
    if (!e.account_from_company) {
      // A work email's domain only gives an account to a contact that has none.
      contact_select_.bindStatic(1, source);
      contact_select_.bindStatic(2, e.user_id);
      if (contact_select_.step() == Statement::Step::Row) create = contact_select_.columnInt(1) == 0;
      const Status s = contact_select_.status();
      contact_select_.reset();
      if (!s) return Status::error("looking up contact " + e.user_id + ": " + s.message());
    }
    if (create) {
      account_by_domain_.bindStatic(1, e.account_key);
      const auto step = account_by_domain_.step();
      const Status s = account_by_domain_.status();
      account_by_domain_.reset();
      if (!s) return Status::error("looking up the account of " + e.account_key + ": " + s.message());
      if (step != Statement::Step::Row)
        if (auto w_s = w.write(*e.account); !w_s) return w_s;
    }
  }
  if (auto s = w.write(*e.contact); !s) return s;
  if (auto s = link(source, e.anonymous_id, e.user_id); !s) return s;
  return stitch(source, e.user_id);
}

Status EventWriter::applyGroup(pipeline::StoreWriter& w, const std::string& source, MappedEvent& e) {
  bool write_account = true;
  if (e.account_named_by_id) {
    account_known_.bindStatic(1, source);
    account_known_.bindStatic(2, e.group_id);
    const auto step = account_known_.step();
    const Status s = account_known_.status();
    account_known_.reset();
    if (!s) return Status::error("looking up account " + e.group_id + ": " + s.message());
    write_account = step != Statement::Step::Row;
  }
  if (write_account)
    if (auto s = w.write(*e.account); !s) return s;
  std::string user = e.user_id;
  if (user.empty()) {
    if (auto s = linkedUser(source, e.anonymous_id, e.linked_user); !s) return s;
    if (e.linked_user.empty()) return Status::ok();  // no known user to tie yet
    pointAt(e.contact->v[pipeline::contact_slot::ExternalId], e.linked_user);
    user = e.linked_user;
  }
  if (auto s = w.write(*e.contact); !s) return s;
  return stitch(source, user);
}

Status EventWriter::apply(const std::string& source, MappedEvent& e) {
  auto writer = writerFor(source);
  if (!writer) return writer.status();
  pipeline::StoreWriter& w = **writer;
  switch (e.type) {
    case EventType::Track:
    case EventType::Page:
    case EventType::Screen:
      return applyTouchpoint(w, source, e);
    default:
      break;
  }
  auto seen = seenBefore(source, e.message_id);
  if (!seen) return seen.status();
  if (*seen) return Status::ok();
  switch (e.type) {
    case EventType::Identify: return applyIdentify(w, source, e);
    case EventType::Group: return applyGroup(w, source, e);
    case EventType::Alias:
      if (auto s = link(source, e.previous_id, e.user_id); !s) return s;
      return stitch(source, e.user_id);
    default: return Status::ok();
  }
}

Status EventWriter::countReceived(const std::string& source, uint64_t n, const std::string& received_at) {
  received_upsert_.bindStatic(1, source);
  received_upsert_.bind(2, static_cast<int64_t>(n));
  received_upsert_.bindStatic(3, received_at);
  if (auto s = received_upsert_.run(); !s) return Status::error("counting events of " + source + ": " + s.message());
  return Status::ok();
}

Status EventWriter::countRefused(const std::string& source, uint64_t n) {
  refused_upsert_.bindStatic(1, source);
  refused_upsert_.bind(2, static_cast<int64_t>(n));
  if (auto s = refused_upsert_.run(); !s) return Status::error("counting refused events of " + source + ": " + s.message());
  return Status::ok();
}

}  // namespace abm::collector
