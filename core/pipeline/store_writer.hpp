// Writes validated rows of one connector (the "source") into the unified store: idempotent upserts
// keyed by (source, external_id), identity resolution through the cache, references that cannot be
// resolved yet parked in pending_links, and the stream checkpoints in the same transaction.
// Touchpoints, the volume, are gathered into a store::TouchpointBatch (COPY on PostgreSQL) and
// written before anything that could read or change them: any other row, a checkpoint, the pending
// links, the commit; so the store sees the same writes in the same order as row by row.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pipeline/batch.hpp"
#include "pipeline/identity_rules.hpp"
#include "pipeline/identity_cache.hpp"
#include "pipeline/record_validator.hpp"
#include "store/database.hpp"
#include "store/contact_batch.hpp"
#include "store/touchpoint_batch.hpp"

namespace abm::pipeline {

class StoreWriter {
 public:
  StoreWriter(store::Database& db, std::string source, const IdentityRules& identity);
  // Contacts merge instead of replacing: a field the row leaves out keeps its stored value, and an
  // account found only through the email's domain does not replace the one the contact has. For
  // sources that send partial updates (the event collector's identify). Call before prepare().
  void setMergeContacts(bool merge) { merge_contacts_ = merge; }
  // Every touchpoint is written when it arrives (no COPY batches), for callers that read it back at
  // once (the event collector). Call before prepare().
  void setWriteTouchpointsAtOnce() { at_once_ = true; }
  Status prepare();

  Status begin();
  Status commit();
  void rollback();
  bool inTransaction() const { return in_tx_; }
  uint64_t transactionsBegun() const { return transactions_begun_; }  // by begin() or beginShared()

  // Several writers (one per source) sharing one transaction that the caller opens and commits
  // (the event collector's group commit): beginShared() once it is open, finishShared() before its
  // COMMIT (what commit() writes before committing), then sharedEnded(committed) after it.
  Status beginShared();
  Status finishShared();
  void sharedEnded(bool committed);
  // Forget every cached id: another writer on this connection may have written what a cached
  // "not found" denies (the connection's own writes do not change PRAGMA data_version).
  void forgetIds() { ids_.forget(); }

  // Looks up, in a few queries, the accounts, contacts and campaigns that `items` name by their
  // source ids (PostgreSQL: one lookup a row would be a round trip each). Call in the open
  // transaction, before writing them; a no-op on SQLite.
  Status prefetchIds(std::span<const BatchItem> items);
  Status write(const Row& row);
  Status saveState(std::string_view stream, std::string_view state_json);
  Status saveRejected(int64_t run_id, std::string_view stream, std::string_view origin, std::string_view reason,
                      std::string_view data);
  // Retries every pending reference against what the store holds now (in the open transaction).
  Status resolvePendingLinks();

 private:
  Status writeRow(const Row& row);
  Status writeAccount(const Row& r);
  Status writeContact(const Row& r);
  Status writeOpportunity(const Row& r);
  Status writeCampaign(const Row& r);
  Status writeTouchpoint(const Row& r);
  Status writeAdSpend(const Row& r);
  Status writeSurveyResponse(const Row& r);  // store_survey_responses.cpp
  // The registrable domain and properties the store holds for account `id`.
  Status readAccount(int64_t id, std::string& domain, std::string& properties);
  // Writes the gathered touchpoints and parks the references they could not resolve.
  Status flushTouchpoints();
  // Writes the gathered contacts (PostgreSQL) and does what writeContact does once a contact has its id.
  Status flushContacts();
  // A failed batch of contacts may have written part of itself (their pending links and cached ids
  // not yet): the transaction is rolled back rather than left for the caller to commit.
  Status endIfHalfWritten(Status s);
  // Writes whatever is gathered: before anything that could read or change it.
  Status flushGathered() {
    if (auto s = flushContacts(); !s) return s;
    return flushTouchpoints();
  }
  // store_deletions.cpp
  Status writeDeletion(const Row& r);
  Status deleteAccountIdentity(std::string_view external_id);
  Status unlinkDeleted();  // at commit: touchpoints and spend of contacts and campaigns deleted in it
  // A rarely run statement from the cache, with ?1 bound to `id`.
  Result<store::Statement*> adhoc(const std::string& sql, int64_t id);
  // Resolves an account from an explicit source id, then a domain, then an email's domain; `via`
  // gets the registrable domain when one of the latter two tied it.
  int64_t resolveAccount(const Value& external_id, const Value& domain, const Value& email, std::string& via);
  // An account's domain changed from `old_key`: rows tied through it are untied and parked to be
  // tied again (domain_retie.cpp).
  Status retieDomain(int64_t account_id, const std::string& old_key);
  // A reference of a row to something not in the store yet: the pending_links key without the row.
  struct PendingRef {
    const char* field;
    const char* kind;
    std::string ref;
  };
  // The references by which a row's account may be found later.
  void accountRefs(const Value& external_id, const Value& domain, const Value& email, std::vector<PendingRef>& out);
  // Whom a record about a person (a touchpoint, a survey response) belongs to: its contact by id,
  // else by email; its account by explicit id or domain, else its contact's (via_contact: it then
  // follows the contact when it moves), else the email's domain; `via_` gets a tying domain. What
  // cannot be found yet goes to `refs`, to be parked in pending_links under the record's id.
  struct PersonTie {
    int64_t contact = 0, account = 0;
    bool via_contact = false;
    std::vector<PendingRef> refs;
  };
  void tiePerson(const Value& account_external_id, const Value& account_domain, const Value& contact_external_id,
                 const Value& email, PersonTie& out);
  Status addPendingAccount(const char* entity, int64_t row_id, const Value& external_id, const Value& domain,
                           const Value& email);
  Status addPending(const char* entity, int64_t row_id, const char* field, const char* kind, std::string_view ref);
  Status stepForId(store::Statement& st, int64_t& id, const char* what);
  // Accounts whose data this transaction changed, for the next incremental metrics run.
  void touched(int64_t account_id) {
    if (account_id > 0 && account_id != last_touched_) dirty_.insert(last_touched_ = account_id);
  }
  Status flushDirty();
  // Forgets what the rolled-back transaction gathered (dirty accounts, deletions, touchpoints).
  void dropUnwritten();

  store::Database& db_;
  std::string source_;
  const IdentityRules& identity_;
  IdentityCache ids_;
  bool in_tx_ = false;
  uint64_t transactions_begun_ = 0;
  bool merge_contacts_ = false;
  bool at_once_ = false;
  std::unique_ptr<store::TouchpointBatch> touchpoints_;
  // Gathered touchpoints' unresolved references by external_id, parked once their ids are known.
  std::unordered_map<std::string, std::vector<PendingRef>> touchpoint_refs_;
  std::vector<std::pair<std::string, int64_t>> written_ids_;  // reused by the flushes
  // PostgreSQL, unless contacts merge: contacts gathered like touchpoints, and per gathered row (in
  // the order written) what is remembered or parked once its contact has an id.
  std::unique_ptr<store::ContactBatch> contacts_;
  struct GatheredContact {
    std::string external_id;
    int64_t account = 0;
    std::optional<std::string> email;
    std::vector<PendingRef> refs;  // when it has no account
  };
  std::vector<GatheredContact> gathered_contacts_;
  bool half_written_ = false;  // a contact batch failed in this transaction
  std::unordered_set<int64_t> dirty_;
  int64_t last_touched_ = 0;
  std::string now_;
  std::string via_;  // reused buffer for resolveAccount's `via`
  store::StatementCache adhoc_{db_};
  std::vector<int64_t> deleted_contacts_, deleted_campaigns_;
  // Rows with a generated id are written as an update, else an insert (see store_writer.cpp).
  store::Statement account_insert_, account_update_, identity_upsert_, contact_update_, contact_insert_,
      opportunity_update_, opportunity_insert_, campaign_update_, campaign_insert_, account_domain_, ad_spend_update_, ad_spend_insert_, pending_insert_, state_upsert_, rejected_insert_,
      dirty_insert_, dirty_insert_many_, merge_insert_, survey_update_, survey_insert_;
};

}  // namespace abm::pipeline
