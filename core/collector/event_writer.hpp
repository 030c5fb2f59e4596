// Applies mapped events to the store inside a transaction the group commit opened: skips what was
// applied before (a client's retry), ties anonymous events to their user (identity stitching), and
// keeps each push connector's counters. One StoreWriter per source shares the transaction.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "collector/event_rows.hpp"
#include "pipeline/store_writer.hpp"
#include "store/database.hpp"

namespace abm::collector {

class EventWriter {
 public:
  EventWriter(store::Database& db, const pipeline::IdentityRules& identity) : db_(db), identity_(identity) {}
  Status prepare();

  // Call once the transaction is open, and end() once it is committed or rolled back.
  void begin();
  // Writes one event of `source`; a duplicate messageId writes nothing. Errors are store errors.
  Status apply(const std::string& source, MappedEvent& event);
  // push_sources: `n` events stored for `source`, received at `received_at` (ISO-8601).
  Status countReceived(const std::string& source, uint64_t n, const std::string& received_at);
  Status countRefused(const std::string& source, uint64_t n);
  // What each source's writer writes before the COMMIT (accounts to recompute, ...).
  Status finish();
  void end(bool committed);
  // After a savepoint rolled back: ids cached since may name rows that are gone.
  void forgetIds();

 private:
  // The source's writer, prepared and part of the open transaction.
  Result<pipeline::StoreWriter*> writerFor(const std::string& source);
  Status applyTouchpoint(pipeline::StoreWriter& w, const std::string& source, MappedEvent& e);
  Status applyIdentify(pipeline::StoreWriter& w, const std::string& source, MappedEvent& e);
  Status applyGroup(pipeline::StoreWriter& w, const std::string& source, MappedEvent& e);
  // True when (source, messageId) was applied before; records it otherwise.
  Result<bool> seenBefore(const std::string& source, const std::string& message_id);
  // The user `anonymous_id` is linked to, or "" (into `user`).
  Status linkedUser(const std::string& source, const std::string& anonymous_id, std::string& user);
  Status link(const std::string& source, const std::string& anonymous_id, const std::string& user_id);
  // Ties the user's waiting touchpoints and survey responses (anonymous ones linked to the user,
  // and ones that named the user before its contact existed) to the contact, and to its account.
  Status stitch(const std::string& source, const std::string& user_id);
  // The id of the row `lookup` finds for (source, messageId), or 0.
  Result<int64_t> rowId(store::Statement& lookup, const std::string& source, const std::string& message_id);
  // Parks row `id` of `entity` to wait for the user of `anonymous_id` and that user's account.
  Status parkAnonymous(const char* entity, int64_t id, const std::string& source, const std::string& anonymous_id);

  // The statements that tie one kind of event row (touchpoints, survey_responses) to its user.
  struct PersonRows {
    const char* entity;
    store::Statement stitch_contacts, unpark_contact, stitch_accounts, unpark_account;
  };

  store::Database& db_;
  const pipeline::IdentityRules& identity_;
  struct Slot {
    std::unique_ptr<pipeline::StoreWriter> writer;
    bool in_tx = false;
  };
  std::map<std::string, Slot> writers_;
  pipeline::StoreWriter* last_ = nullptr;  // the writer that wrote last on this connection
  std::string now_;
  store::Statement touchpoint_exists_, survey_exists_, message_insert_, link_select_, link_insert_, pending_insert_,
      account_by_domain_, account_known_, contact_select_, received_upsert_, refused_upsert_;
  PersonRows touchpoint_rows_{"touchpoints", {}, {}, {}, {}}, survey_rows_{"survey_responses", {}, {}, {}, {}};
};

}  // namespace abm::collector
