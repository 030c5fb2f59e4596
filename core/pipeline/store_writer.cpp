#include "pipeline/store_writer.hpp"

#include <iterator>

#include "common/timestamp.hpp"
#include "common/utf8.hpp"
#include "pipeline/account_properties.hpp"
#include "pipeline/update_or_insert.hpp"
#include "store/db_clock.hpp"

namespace abm::pipeline {

namespace {

// Touchpoints gathered before they are written, at most: bounds the writer's memory whatever
// batch_records says. COPY gains little beyond a few thousand rows.
constexpr size_t kMaxGatheredTouchpoints = 16384;
constexpr size_t kMaxGatheredContacts = 4096;  // wider rows than touchpoints, and as few gain as much

// A contact's field (text, email or timestamp: the validator gives text) as COPY sends it; none
// for NULL.
std::optional<std::string> optionalText(const Value& v) {
  if (v.isNull()) return std::nullopt;
  return std::string(v.text);
}

void bindValue(store::Statement& st, int idx, const Value& v) {
  switch (v.kind) {
    case Value::Null: st.bindNull(idx); break;
    case Value::Int: st.bind(idx, v.i); break;
    case Value::Real: st.bind(idx, v.d); break;
    case Value::Text: st.bindStatic(idx, v.text); break;
  }
}

// The row's value, or `fallback` when it has none.
void bindOr(store::Statement& st, int idx, const Value& v, const std::string& fallback) {
  if (v.isNull()) st.bindStatic(idx, fallback);
  else bindValue(st, idx, v);
}

void bindId(store::Statement& st, int idx, int64_t id) {
  if (id > 0) st.bind(idx, id);
  else st.bindNull(idx);
}

// Rows with a generated id (contacts, opportunities, campaigns, ad_spend) are written as an UPDATE
// of the known row and, when there is none, an INSERT; never as INSERT ... ON CONFLICT DO UPDATE.
// PostgreSQL draws an identity value for every row such an upsert proposes, also for the ones that
// end as updates, so its ids would get gaps that SQLite's do not have; the same input must give the
// same ids on both. The UPDATE and the INSERT cannot race: writers to a store take turns (BEGIN
// IMMEDIATE on SQLite, an advisory lock for the transaction on PostgreSQL).

// Contacts. ?1 account (explicit reference), ?12 its via-domain; the merge form adds ?13 an account
// found only through the email's domain and ?14 its via-domain, used when the contact has no
// account yet, and ?17 the first of ?1 and ?13. ?15 is created_at, or now when the row has none;
// ?10 the source's updated_at, stored as source_updated_at, which an update without one keeps (so
// that a re-sync of an unchanged record changes nothing: docs/store.md#change-tracking); ?18
// whether the row has a created_at. updated_at, the store's change time, is left to the triggers
// of migration 0015 on update and is the store's now on insert (%NOW%, filled in by prepare()).
// (Computed here, not in SQL:
// PostgreSQL cannot tell the type of coalesce(?, ?) or of a lone "? IS NULL".) Both forms return the
// contact's id and the account it holds afterwards.
constexpr const char* kContactUpdate =
    "UPDATE contacts SET account_id = ?1, account_via_domain = ?12, email = ?4, first_name = ?5, last_name = ?6,"
    " title = ?7, buying_role = ?8, created_at = coalesce(?9, created_at),"
    " source_updated_at = coalesce(?10, source_updated_at), created_at_known = (created_at_known OR ?18)"
    " WHERE source = ?2 AND external_id = ?3"
    " RETURNING contact_id, coalesce(account_id, 0)";
constexpr const char* kContactInsert =
    "INSERT INTO contacts(account_id, source, external_id, email, first_name, last_name, title, buying_role,"
    " created_at, source_updated_at, account_via_domain, created_at_known, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
    " ?7, ?8, ?15, ?10, ?12, ?18, %NOW%) RETURNING contact_id, coalesce(account_id, 0)";
// A field the row leaves out keeps its stored value; an account found through the email's domain
// only fills in a missing one.
constexpr const char* kContactMergeUpdate =
    "UPDATE contacts SET account_id = coalesce(?1, account_id, ?13),"
    " account_via_domain = CASE WHEN ?1 > 0 THEN ?12 WHEN account_id IS NOT NULL THEN account_via_domain ELSE ?14 END,"
    " email = coalesce(?4, email), first_name = coalesce(?5, first_name), last_name = coalesce(?6, last_name),"
    " title = coalesce(?7, title), buying_role = coalesce(?8, buying_role), created_at = coalesce(?9, created_at),"
    " source_updated_at = coalesce(?10, source_updated_at), created_at_known = (created_at_known OR ?18)"
    " WHERE source = ?2 AND external_id = ?3"
    " RETURNING contact_id, coalesce(account_id, 0)";
constexpr const char* kContactMergeInsert =
    "INSERT INTO contacts(account_id, source, external_id, email, first_name, last_name, title, buying_role,"
    " created_at, source_updated_at, account_via_domain, created_at_known, updated_at) VALUES(?17, ?2, ?3, ?4, ?5,"
    " ?6, ?7, ?8, ?15, ?10, CASE WHEN ?1 > 0 THEN ?12 ELSE ?14 END, ?18, %NOW%)"
    " RETURNING contact_id, coalesce(account_id, 0)";
// The other inserts; updates are in StoreWriter::prepare(). ?10 of accounts and ?14 of opportunities
// are the source's updated_at (NULL: none), which an update without one keeps.
constexpr const char* kAccountInsert =
    "INSERT INTO accounts(name, domain, industry, employee_count, annual_revenue, country, is_target, tier,"
    " created_at, source_updated_at, registrable_domain, properties, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
    " coalesce(?7, FALSE), ?8, ?9, ?10, ?13, ?14, %NOW%) RETURNING account_id";
constexpr const char* kOpportunityInsert =
    "INSERT INTO opportunities(account_id, source, external_id, name, stage, type, amount, currency,"
    " probability, is_closed, is_won, created_at, closed_at, source_updated_at, account_via_domain, expected_close_at,"
    " updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, coalesce(?10, FALSE), coalesce(?11, FALSE), ?12, ?13, ?14,"
    " ?16, ?17, %NOW%) RETURNING opportunity_id";
constexpr const char* kCampaignInsert =
    "INSERT INTO campaigns(source, external_id, name, channel, started_at, ended_at, updated_at)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, %NOW%) RETURNING campaign_id";
constexpr const char* kSurveyInsert =
    "INSERT INTO survey_responses(account_id, contact_id, source, external_id, score, comment, responded_at,"
    " account_via_domain, account_via_contact, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, %NOW%)"
    " RETURNING response_id";
constexpr const char* kAdSpendInsert =
    "INSERT INTO ad_spend(source, campaign_external_id, campaign_id, date, impressions, clicks, cost, currency,"
    " updated_at) VALUES(?1, ?2, ?3, ?4, coalesce(?5, 0), coalesce(?6, 0), coalesce(?7, 0.0), ?8, %NOW%) RETURNING rowid";
}  // namespace

StoreWriter::StoreWriter(store::Database& db, std::string source, const IdentityRules& identity)
    : db_(db), source_(std::move(source)), identity_(identity), ids_(db, source_) {}

Status StoreWriter::prepare() {
  if (auto s = ids_.prepare(); !s) return s;
  ids_.onSharedDomain([this] { return flushContacts(); });
  touchpoints_ = std::make_unique<store::TouchpointBatch>(
      db_, source_, at_once_ ? store::TouchpointBatch::Staging::RowByRow : store::TouchpointBatch::Staging::Copy);
  if (auto s = touchpoints_->prepare(); !s) return s;
  // A contact that merges (the event collector) is read back by its next row: it is written at once.
  if (db_.backend() == store::Backend::Postgresql) {
    if (!merge_contacts_ && !at_once_) {
      contacts_ = std::make_unique<store::ContactBatch>(db_, source_);
      if (auto s = contacts_->prepare(); !s) return s;
    }
    // In ascending order, as the triggers that mark accounts take the marks' locks (0004).
    if (auto s = store::prepareAll(db_, {{&dirty_insert_many_,
                                          "INSERT INTO metrics_dirty_accounts(account_id)"
                                          " SELECT id FROM unnest(?1::bigint[]) AS u(id) ORDER BY id ON CONFLICT DO NOTHING"}});
        !s)
      return s;
  }
  // Inserts stamp updated_at with the store's clock themselves: on SQLite a row inserted without it
  // would cost a second write (the *_stamped triggers of migration 0015).
  const std::string now = store::sqlChangeTime(db_);
  auto stamped = [&now](std::string sql) {
    for (size_t at; (at = sql.find("%NOW%")) != std::string::npos;) sql.replace(at, 5, now);
    return sql;
  };
  const std::string account_insert = stamped(kAccountInsert),
                    contact_insert = stamped(merge_contacts_ ? kContactMergeInsert : kContactInsert),
                    opportunity_insert = stamped(kOpportunityInsert), campaign_insert = stamped(kCampaignInsert),
                    survey_insert = stamped(kSurveyInsert), ad_spend_insert = stamped(kAdSpendInsert);
  return store::prepareAll(db_, {
      {&account_insert_, account_insert.c_str()},
      {&account_update_,
       "UPDATE accounts SET name = coalesce(?1, name), domain = coalesce(?2, domain),"
       " industry = coalesce(?3, industry), employee_count = coalesce(?4, employee_count),"
       " annual_revenue = coalesce(?5, annual_revenue), country = coalesce(?6, country),"
       " is_target = coalesce(?7, is_target), tier = coalesce(?8, tier),"
       " created_at = CASE WHEN ?9 < created_at THEN ?9 ELSE created_at END,"
       " source_updated_at = coalesce(?10, source_updated_at),"
       " registrable_domain = coalesce(?13, registrable_domain), properties = coalesce(?14, properties)"
       " WHERE account_id = ?12"},
      {&merge_insert_,
       "INSERT INTO account_merges(account_id, source, external_id, rule, matched_value, merged_at)"
       " VALUES(?1, ?2, ?3, 'registrable_domain', ?4, ?5)"},
      {&identity_upsert_,
       "INSERT INTO account_identities(source, external_id, account_id) VALUES(?1, ?2, ?3)"
       " ON CONFLICT(source, external_id) DO UPDATE SET account_id = excluded.account_id"},
      {&contact_update_, merge_contacts_ ? kContactMergeUpdate : kContactUpdate},
      {&contact_insert_, contact_insert.c_str()},
      {&opportunity_update_,
       "UPDATE opportunities SET account_id = ?1, name = ?4, stage = ?5, type = ?6, amount = ?7, currency = ?8,"
       " probability = ?9, is_closed = coalesce(?10, FALSE), is_won = coalesce(?11, FALSE), created_at = ?12,"
       " closed_at = ?13, source_updated_at = coalesce(?14, source_updated_at), account_via_domain = ?16,"
       " expected_close_at = ?17"
       " WHERE source = ?2 AND external_id = ?3"
       " RETURNING opportunity_id"},
      {&opportunity_insert_, opportunity_insert.c_str()},
      {&campaign_update_,
       "UPDATE campaigns SET name = ?3, channel = ?4, started_at = ?5, ended_at = ?6"
       " WHERE source = ?1 AND external_id = ?2 RETURNING campaign_id"},
      {&campaign_insert_, campaign_insert.c_str()},
      {&account_domain_, "SELECT registrable_domain, properties FROM accounts WHERE account_id = ?1"},
      // Survey responses: ?1 account, ?2 contact, ?8 the account's via-domain, ?9 via its contact.
      {&survey_update_,
       "UPDATE survey_responses SET account_id = ?1, contact_id = ?2, score = ?5, comment = ?6, responded_at = ?7,"
       " account_via_domain = ?8, account_via_contact = ?9 WHERE source = ?3 AND external_id = ?4 RETURNING response_id"},
      {&survey_insert_, survey_insert.c_str()},
      {&ad_spend_update_,
       "UPDATE ad_spend SET campaign_id = ?3, impressions = coalesce(?5, 0), clicks = coalesce(?6, 0),"
       " cost = coalesce(?7, 0.0), currency = ?8 WHERE source = ?1 AND campaign_external_id = ?2 AND date = ?4"
       " RETURNING rowid"},
      {&ad_spend_insert_, ad_spend_insert.c_str()},
      {&pending_insert_,
       "INSERT INTO pending_links(entity, row_id, field, ref_kind, source, ref) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
       " ON CONFLICT(entity, row_id, field, ref_kind) DO UPDATE SET source = excluded.source, ref = excluded.ref"},
      {&state_upsert_,
       "INSERT INTO sync_state(connector, stream, state, updated_at) VALUES(?1, ?2, ?3, ?4)"
       " ON CONFLICT(connector, stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"},
      {&dirty_insert_, "INSERT INTO metrics_dirty_accounts(account_id) VALUES(?1) ON CONFLICT DO NOTHING"},
      {&rejected_insert_,
       "INSERT INTO rejected_records(run_id, connector, stream, origin, reason, data, rejected_at)"
       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
  });
}

Status StoreWriter::begin() {
  if (auto s = db_.beginWrite(); !s) return Status::error("cannot start a store transaction: " + s.message());
  in_tx_ = true;
  ++transactions_begun_;
  ids_.syncWithStore();
  now_ = formatTimestamp(nowEpochSeconds());
  return Status::ok();
}

Status StoreWriter::beginShared() {
  in_tx_ = true;
  ++transactions_begun_;
  ids_.syncWithStore();
  now_ = formatTimestamp(nowEpochSeconds());
  return Status::ok();
}

Status StoreWriter::finishShared() {
  if (!in_tx_) return Status::ok();
  if (auto s = flushGathered(); !s) return s;
  if (auto s = unlinkDeleted(); !s) return s;
  return flushDirty();
}

void StoreWriter::sharedEnded(bool committed) {
  if (!in_tx_) return;
  in_tx_ = false;
  if (committed) {
    ids_.noteOwnCommit();
    return;
  }
  dropUnwritten();
  ids_.forget();
}

Status StoreWriter::flushDirty() {
  if (db_.backend() == store::Backend::Postgresql && !dirty_.empty()) {
    // One statement for all of them, where a statement is a round trip.
    std::string ids = "{";
    for (const int64_t id : dirty_) (ids += ids.size() > 1 ? "," : "") += std::to_string(id);
    ids += '}';
    dirty_insert_many_.bindStatic(1, ids);
    if (auto s = dirty_insert_many_.run(); !s) return s;
  } else {
    for (const int64_t id : dirty_) {
      dirty_insert_.bind(1, id);
      if (auto s = dirty_insert_.run(); !s) return s;
    }
  }
  dirty_.clear();
  last_touched_ = 0;
  return Status::ok();
}

Status StoreWriter::commit() {
  if (!in_tx_) return Status::ok();
  if (auto s = flushGathered(); !s) {
    rollback();
    return Status::error("store commit failed: " + s.message());
  }
  if (auto s = unlinkDeleted(); !s) {
    rollback();
    return Status::error("store commit failed: " + s.message());
  }
  if (auto s = flushDirty(); !s) {
    rollback();
    return Status::error("store commit failed: " + s.message());
  }
  in_tx_ = false;
  if (auto s = db_.exec("COMMIT"); !s) {
    (void)db_.exec("ROLLBACK");  // the COMMIT's error is the one to report
    dropUnwritten();
    ids_.forget();
    return Status::error("store commit failed: " + s.message());
  }
  ids_.noteOwnCommit();
  return Status::ok();
}

void StoreWriter::rollback() {
  if (!in_tx_) return;
  in_tx_ = false;
  (void)db_.exec("ROLLBACK");  // rollback() is the error path already; a failed ROLLBACK ends with the connection
  dropUnwritten();
  ids_.forget();  // it may hold ids of rows that no longer exist
}

void StoreWriter::dropUnwritten() {
  dirty_.clear();
  deleted_contacts_.clear();
  deleted_campaigns_.clear();
  last_touched_ = 0;
  if (touchpoints_) touchpoints_->clear();
  touchpoint_refs_.clear();
  if (contacts_) contacts_->clear();
  gathered_contacts_.clear();
  half_written_ = false;
}

Status StoreWriter::flushTouchpoints() {
  if (!touchpoints_ || touchpoints_->empty()) return Status::ok();
  written_ids_.clear();
  Status s = touchpoints_->flush(written_ids_);
  for (const auto& [external_id, id] : written_ids_) {
    if (!s) break;
    auto it = touchpoint_refs_.find(external_id);
    if (it == touchpoint_refs_.end()) continue;  // a second write of it in the batch took its refs already
    for (const auto& p : it->second)
      if (s = addPending("touchpoints", id, p.field, p.kind, p.ref); !s) break;
    touchpoint_refs_.erase(it);
  }
  touchpoint_refs_.clear();
  return s;
}

Status StoreWriter::flushContacts() {
  if (!contacts_ || contacts_->empty()) return Status::ok();
  written_ids_.clear();
  if (auto s = contacts_->flush(now_, written_ids_); !s) {
    gathered_contacts_.clear();
    half_written_ = true;
    return s;
  }
  std::unordered_map<std::string_view, int64_t> id_of;
  id_of.reserve(written_ids_.size());
  for (const auto& [external_id, id] : written_ids_) id_of.emplace(external_id, id);
  Status s;
  for (const auto& c : gathered_contacts_) {
    const int64_t id = id_of.at(c.external_id);
    ids_.rememberContact(c.external_id, id, c.account);
    if (c.email) ids_.rememberEmail(*c.email, id);
    for (const auto& p : c.refs)
      if (s = addPending("contacts", id, p.field, p.kind, p.ref); !s) break;
    if (!s) break;
  }
  gathered_contacts_.clear();
  return s;
}

Status StoreWriter::stepForId(store::Statement& st, int64_t& id, const char* what) {
  if (st.step() != store::Statement::Step::Row) {
    const Status s = st.status();
    st.reset();
    return Status::error(std::string("cannot write ") + what + ": " + (s ? "no row returned" : s.message()));
  }
  id = st.columnInt(0);
  st.reset();
  return Status::ok();
}

Status StoreWriter::prefetchIds(std::span<const BatchItem> items) {
  if (db_.backend() != store::Backend::Postgresql) return Status::ok();
  IdentityCache::Wanted wanted;
  auto want = [](std::vector<std::string_view>& into, const Value& v) {
    if (!v.isNull()) into.push_back(v.text);
  };
  for (const BatchItem& item : items) {
    if (item.kind != BatchItem::Record || item.row->deleted) continue;
    const Row& r = *item.row;
    switch (r.entity) {
      case Entity::Accounts: want(wanted.accounts, r[account_slot::ExternalId]); break;
      case Entity::Contacts: want(wanted.accounts, r[contact_slot::AccountExternalId]); break;
      case Entity::Opportunities: want(wanted.accounts, r[opportunity_slot::AccountExternalId]); break;
      case Entity::Campaigns: break;
      case Entity::Touchpoints:
        want(wanted.accounts, r[touchpoint_slot::AccountExternalId]);
        want(wanted.contacts, r[touchpoint_slot::ContactExternalId]);
        want(wanted.campaigns, r[touchpoint_slot::CampaignExternalId]);
        break;
      case Entity::AdSpend: want(wanted.campaigns, r[ad_spend_slot::CampaignExternalId]); break;
      case Entity::SurveyResponses:
        want(wanted.accounts, r[survey_slot::AccountExternalId]);
        want(wanted.contacts, r[survey_slot::ContactExternalId]);
        break;
    }
  }
  return ids_.prefetch(wanted);
}

Status StoreWriter::write(const Row& row) {
  // Anything but a touchpoint may read or change touchpoints (a moved contact, a retied domain, a
  // deletion), anything but a contact contacts: the gathered ones go first.
  if (row.entity != Entity::Touchpoints || row.deleted)
    if (auto s = flushTouchpoints(); !s) return s;
  if (row.entity != Entity::Contacts || row.deleted)
    if (auto s = flushContacts(); !s) return endIfHalfWritten(s);
  Status s = writeRow(row);
  // A failed identity lookup may have tied the row wrongly: the write fails, and the run with it.
  if (auto lookup = ids_.takeError(); !lookup)
    s = Status::error("cannot write " + std::string(entityName(row.entity)) + " " + std::string(row[0].text) + ": " +
                      lookup.message());
  return s ? s : endIfHalfWritten(s);
}

Status StoreWriter::endIfHalfWritten(Status s) {
  if (half_written_) rollback();
  return s;
}

Status StoreWriter::writeRow(const Row& row) {
  if (row.deleted) return writeDeletion(row);
  switch (row.entity) {
    case Entity::Accounts: return writeAccount(row);
    case Entity::Contacts: return writeContact(row);
    case Entity::Opportunities: return writeOpportunity(row);
    case Entity::Campaigns: return writeCampaign(row);
    case Entity::Touchpoints: return writeTouchpoint(row);
    case Entity::AdSpend: return writeAdSpend(row);
    case Entity::SurveyResponses: return writeSurveyResponse(row);
  }
  return Status::error("unknown entity");
}

int64_t StoreWriter::resolveAccount(const Value& external_id, const Value& domain, const Value& email,
                                    std::string& via) {
  via.clear();
  if (!external_id.isNull())
    if (const int64_t id = ids_.account(external_id.text)) return id;
  if (!domain.isNull())
    if (auto key = identity_.accountKey(domain.text))
      if (const int64_t id = ids_.accountByDomain(*key)) {
        via = *key;
        return id;
      }
  if (!email.isNull())
    if (auto key = identity_.emailKey(email.text))
      if (const int64_t id = ids_.accountByDomain(*key)) {
        via = *key;
        return id;
      }
  return 0;
}

namespace {
void bindVia(store::Statement& st, int idx, const std::string& via) {
  if (via.empty()) st.bindNull(idx);
  else st.bindStatic(idx, via);
}
}  // namespace

Status StoreWriter::addPending(const char* entity, int64_t row_id, const char* field, const char* kind,
                               std::string_view ref) {
  pending_insert_.bindStatic(1, entity);
  pending_insert_.bind(2, row_id);
  pending_insert_.bindStatic(3, field);
  pending_insert_.bindStatic(4, kind);
  pending_insert_.bindStatic(5, source_);
  pending_insert_.bindStatic(6, ref);
  return pending_insert_.run();
}

void StoreWriter::accountRefs(const Value& external_id, const Value& domain, const Value& email,
                              std::vector<PendingRef>& out) {
  if (!external_id.isNull()) out.push_back({"account_id", "external_id", std::string(external_id.text)});
  if (!domain.isNull())
    if (auto key = identity_.accountKey(domain.text)) out.push_back({"account_id", "domain", std::move(*key)});
  if (!email.isNull())
    if (auto key = identity_.emailKey(email.text)) out.push_back({"account_id", "domain", std::move(*key)});
}

Status StoreWriter::addPendingAccount(const char* entity, int64_t row_id, const Value& external_id,
                                      const Value& domain, const Value& email) {
  std::vector<PendingRef> refs;
  accountRefs(external_id, domain, email, refs);
  for (const auto& p : refs)
    if (auto s = addPending(entity, row_id, p.field, p.kind, p.ref); !s) return s;
  return Status::ok();
}

Status StoreWriter::writeAccount(const Row& r) {
  using namespace account_slot;
  const std::string_view ext = r[ExternalId].text;
  const int64_t known = ids_.account(ext);
  // What the account is matched on: its registrable domain, unless the admin said never to.
  const std::optional<std::string> key =
      r[Domain].isNull() ? std::nullopt : std::optional<std::string>(identity_.suffixes.registrableDomain(r[Domain].text));
  const std::optional<std::string> match = key && !identity_.never_merge.count(*key) ? key : std::nullopt;
  int64_t id = known;
  if (!id && match) id = ids_.accountByDomain(*match);
  // A known account whose domain changes: what was tied through the old one must be tied again.
  // Properties sent are merged into the stored ones key by key.
  std::string old_key, stored_domain, properties;
  const bool has_properties = !r[Properties].isNull();
  if (id && ((known && key) || has_properties)) {
    std::string stored_properties;
    if (auto s = readAccount(id, stored_domain, stored_properties); !s)
      return Status::error("cannot write account " + std::string(ext) + ": " + s.message());
    if (known && key && !stored_domain.empty() && stored_domain != *key) old_key = stored_domain;
    if (has_properties) {
      auto merged_properties = mergeProperties(stored_properties, r[Properties].text);
      if (!merged_properties)
        return Status::error("cannot write account " + std::string(ext) + ": " + merged_properties.error());
      properties = std::move(*merged_properties);
    }
  } else if (has_properties) {
    auto fresh = mergeProperties("{}", r[Properties].text);
    if (!fresh) return Status::error("cannot write account " + std::string(ext) + ": " + fresh.error());
    properties = std::move(*fresh);
  }
  const bool merged = !known && id;
  store::Statement& st = id ? account_update_ : account_insert_;
  for (int i = Name; i <= UpdatedAt; ++i) bindValue(st, i, r[i]);
  if (!id) bindOr(st, CreatedAt, r[CreatedAt], now_);  // an update keeps the stored one
  if (id) st.bind(12, id);
  if (key) st.bindStatic(13, *key);
  else st.bindNull(13);
  if (has_properties) st.bindStatic(14, properties);
  else if (id) st.bindNull(14);  // the update keeps what is stored
  else st.bindStatic(14, "{}");
  if (id) {
    if (auto s = st.run(); !s) return Status::error("cannot write account " + std::string(ext) + ": " + s.message());
  } else if (auto s = stepForId(st, id, "account"); !s) {
    return Status::error(s.message() + " (account " + std::string(ext) + ")");
  }
  if (known != id) {
    identity_upsert_.bindStatic(1, source_);
    identity_upsert_.bindStatic(2, ext);
    identity_upsert_.bind(3, id);
    if (auto s = identity_upsert_.run(); !s) return s;
    ids_.rememberAccount(ext, id);
  }
  if (merged) {
    merge_insert_.bind(1, id);
    merge_insert_.bindStatic(2, source_);
    merge_insert_.bindStatic(3, ext);
    merge_insert_.bindStatic(4, *match);
    merge_insert_.bindStatic(5, now_);
    if (auto s = merge_insert_.run(); !s) return s;
  }
  if (match) ids_.rememberDomain(*match, id);
  touched(id);
  if (!old_key.empty()) return retieDomain(id, old_key);
  return Status::ok();
}

Status StoreWriter::readAccount(int64_t id, std::string& domain, std::string& properties) {
  account_domain_.bind(1, id);
  const auto step = account_domain_.step();
  if (step == store::Statement::Step::Row) {
    domain = account_domain_.columnText(0);
    properties = account_domain_.columnText(1);
  }
  const Status read = account_domain_.status();
  account_domain_.reset();
  if (!read) return Status::error("reading the stored account: " + read.message());
  if (step != store::Statement::Step::Row) properties = "{}";  // cannot happen under the store's lock
  return Status::ok();
}

Status StoreWriter::writeContact(const Row& r) {
  using namespace contact_slot;
  int64_t account = 0, by_email = 0;
  std::string email_via;
  if (merge_contacts_) {
    // The email's domain only fills in: an explicit reference is the one that may move the contact.
    account = resolveAccount(r[AccountExternalId], r[AccountDomain], Value{}, via_);
    if (!account) by_email = resolveAccount(Value{}, Value{}, r[Email], email_via);
  } else {
    account = resolveAccount(r[AccountExternalId], r[AccountDomain], r[Email], via_);
  }
  auto bind = [&](store::Statement& st) {
    bindId(st, 1, account);
    bindVia(st, 12, via_);
    if (merge_contacts_) {
      bindId(st, 13, by_email);
      bindVia(st, 14, email_via);
      bindId(st, 17, account ? account : by_email);
    }
    st.bindStatic(2, source_);
    bindValue(st, 3, r[ExternalId]);
    for (int i = Email; i <= UpdatedAt; ++i) bindValue(st, i + 1, r[i]);  // Email(3) -> ?4 ... UpdatedAt(9) -> ?10
    bindOr(st, 15, r[CreatedAt], now_);
    st.bind(18, r[CreatedAt].isNull() ? 0 : 1);
  };
  if (contacts_) {
    store::ContactRow c;
    c.account_id = account;
    c.external_id = r[ExternalId].text;
    c.email = optionalText(r[Email]);
    c.first_name = optionalText(r[FirstName]);
    c.last_name = optionalText(r[LastName]);
    c.title = optionalText(r[Title]);
    c.buying_role = optionalText(r[BuyingRole]);
    c.created_at = optionalText(r[CreatedAt]);
    c.source_updated_at = optionalText(r[UpdatedAt]);
    c.account_via_domain = via_;
    GatheredContact g{c.external_id, account, c.email, {}};
    if (!account) accountRefs(r[AccountExternalId], r[AccountDomain], r[Email], g.refs);
    gathered_contacts_.push_back(std::move(g));
    contacts_->add(std::move(c));
    touched(account);
    return contacts_->size() >= kMaxGatheredContacts ? flushContacts() : Status::ok();
  }
  int64_t id = 0;
  // `account` becomes what the row holds now (a merge may have kept its account).
  if (auto s = updateOrInsert(contact_update_, contact_insert_, bind, "contact", id, &account); !s) return s;
  ids_.rememberContact(r[ExternalId].text, id, account);
  touched(account);
  if (!r[Email].isNull()) ids_.rememberEmail(r[Email].text, id);
  if (!account) return addPendingAccount("contacts", id, r[AccountExternalId], r[AccountDomain], r[Email]);
  return Status::ok();
}

Status StoreWriter::writeOpportunity(const Row& r) {
  using namespace opportunity_slot;
  const int64_t account = resolveAccount(r[AccountExternalId], r[AccountDomain], Value{}, via_);
  auto bind = [&](store::Statement& st) {
    bindId(st, 1, account);
    st.bindStatic(2, source_);
    bindValue(st, 3, r[ExternalId]);
    for (int i = Name; i <= UpdatedAt; ++i) bindValue(st, i + 1, r[i]);  // Name(3) -> ?4 ... UpdatedAt(13) -> ?14
    // A won deal is closed, whatever the source forgot to say.
    if (!r[IsWon].isNull() && r[IsWon].i == 1) st.bind(10, int64_t{1});
    bindVia(st, 16, via_);
    bindValue(st, 17, r[ExpectedCloseAt]);
  };
  int64_t id = 0;
  if (auto s = updateOrInsert(opportunity_update_, opportunity_insert_, bind, "opportunity", id); !s) return s;
  touched(account);
  if (!account) return addPendingAccount("opportunities", id, r[AccountExternalId], r[AccountDomain], Value{});
  return Status::ok();
}

Status StoreWriter::writeCampaign(const Row& r) {
  using namespace campaign_slot;
  auto bind = [&](store::Statement& st) {
    st.bindStatic(1, source_);
    for (int i = ExternalId; i <= EndedAt; ++i) bindValue(st, i + 2, r[i]);
  };
  int64_t id = 0;
  if (auto s = updateOrInsert(campaign_update_, campaign_insert_, bind, "campaign", id); !s) return s;
  ids_.rememberCampaign(r[ExternalId].text, id);
  return Status::ok();
}

void StoreWriter::tiePerson(const Value& account_external_id, const Value& account_domain,
                            const Value& contact_external_id, const Value& email, PersonTie& out) {
  out = PersonTie{};
  if (!contact_external_id.isNull()) out.contact = ids_.contact(contact_external_id.text);
  else if (!email.isNull()) out.contact = ids_.contactByEmail(email.text);
  out.account = resolveAccount(account_external_id, account_domain, Value{}, via_);
  // No account or domain of its own: it takes its contact's, and follows the contact when it moves.
  out.via_contact = !out.account && (out.account = ids_.accountOfContact(out.contact)) != 0;
  if (!out.account) out.account = resolveAccount(Value{}, Value{}, email, via_);
  if (!out.contact && !contact_external_id.isNull())
    out.refs.push_back({"contact_id", "external_id", std::string(contact_external_id.text)});
  else if (!out.contact && !email.isNull())
    out.refs.push_back({"contact_id", "email", std::string(email.text)});
  if (!out.account) {
    accountRefs(account_external_id, account_domain, email, out.refs);
    if (out.contact || !contact_external_id.isNull() || !email.isNull()) out.refs.push_back({"account_id", "contact", ""});
  }
}

Status StoreWriter::writeTouchpoint(const Row& r) {
  using namespace touchpoint_slot;
  PersonTie tie;
  tiePerson(r[AccountExternalId], r[AccountDomain], r[ContactExternalId], r[Email], tie);
  const int64_t campaign = r[CampaignExternalId].isNull() ? 0 : ids_.campaign(r[CampaignExternalId].text);
  if (!campaign && !r[CampaignExternalId].isNull())
    tie.refs.push_back({"campaign_id", "external_id", std::string(r[CampaignExternalId].text)});

  store::TouchpointRow t;
  t.account_id = tie.account;
  t.contact_id = tie.contact;
  t.campaign_id = campaign;
  t.external_id = r[ExternalId].text;
  t.channel = r[Channel].text;
  t.activity = r[Activity].text;
  t.occurred_at = r[OccurredAt].text;
  if (!r[Quantity].isNull()) t.quantity = r[Quantity].kind == Value::Int ? static_cast<double>(r[Quantity].i) : r[Quantity].d;
  if (!r[Properties].isNull()) t.properties = r[Properties].text;
  t.account_via_domain = via_;
  t.account_via_contact = tie.via_contact;
  touched(tie.account);
  if (!tie.refs.empty()) {
    // Parked once the batch is written and the touchpoint has its id.
    t.want_id = true;
    auto& refs = touchpoint_refs_[t.external_id];
    std::move(tie.refs.begin(), tie.refs.end(), std::back_inserter(refs));
  }
  touchpoints_->add(std::move(t));
  if (at_once_ || touchpoints_->size() >= kMaxGatheredTouchpoints) return flushTouchpoints();
  return Status::ok();
}

Status StoreWriter::writeAdSpend(const Row& r) {
  using namespace ad_spend_slot;
  const int64_t campaign = ids_.campaign(r[CampaignExternalId].text);
  auto bind = [&](store::Statement& st) {
    st.bindStatic(1, source_);
    bindValue(st, 2, r[CampaignExternalId]);
    bindId(st, 3, campaign);
    for (int i = Date; i <= Currency; ++i) bindValue(st, i + 3, r[i]);
  };
  int64_t id = 0;
  if (auto s = updateOrInsert(ad_spend_update_, ad_spend_insert_, bind, "ad_spend", id); !s) return s;
  if (!campaign) return addPending("ad_spend", id, "campaign_id", "external_id", r[CampaignExternalId].text);
  return Status::ok();
}

Status StoreWriter::saveState(std::string_view stream, std::string_view state_json) {
  // A checkpoint covers the records before it: they are written first, and a failure to write them
  // leaves it unsaved.
  if (auto s = flushGathered(); !s) return endIfHalfWritten(s);
  state_upsert_.bindStatic(1, source_);
  state_upsert_.bindStatic(2, stream);
  state_upsert_.bindStatic(3, state_json);
  state_upsert_.bindStatic(4, now_);
  return state_upsert_.run();
}

Status StoreWriter::saveRejected(int64_t run_id, std::string_view stream, std::string_view origin,
                                 std::string_view reason, std::string_view data) {
  auto& st = rejected_insert_;
  st.bind(1, run_id);
  st.bindStatic(2, source_);
  st.bindStatic(3, stream);
  if (origin.empty()) st.bindNull(4);
  else st.bindStatic(4, origin);
  // A row is often refused for its bad bytes; the copy kept of it must still be readable text.
  const std::string reason_text = repairUtf8(reason), data_text = repairUtf8(data);
  st.bindStatic(5, reason_text);
  if (data.empty()) st.bindNull(6);
  else st.bindStatic(6, data_text);
  st.bindStatic(7, now_);
  return st.run();
}

}  // namespace abm::pipeline
