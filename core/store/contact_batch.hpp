// Contacts written in batches on PostgreSQL, as touchpoints are (store/touchpoint_batch.hpp): the
// batch's keys are looked up in one query; new contacts take ids drawn from the contacts' sequence in
// the order they were added and are COPYed straight into `contacts`; known ones are COPYed into a
// staging table and updated from it in one statement. The result is what the writer's row-by-row
// UPDATE, then INSERT when nothing matched, gives (core/pipeline/store_writer.cpp, kContactUpdate and
// kContactInsert), ids included. SQLite, where a statement costs no round trip, writes row by row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/database.hpp"
#include "store/key_ids.hpp"

namespace abm::store {

struct ContactRow {
  int64_t account_id = 0;  // 0: none (NULL)
  std::string external_id;
  std::optional<std::string> email, first_name, last_name, title, buying_role;
  std::optional<std::string> created_at;         // none: a new contact takes the batch's `now`, a known one keeps its
  std::optional<std::string> source_updated_at;  // none: a known contact keeps its
  std::string account_via_domain;                // empty: NULL
};

class ContactBatch {
 public:
  ContactBatch(Database& db, std::string source) : db_(db), source_(std::move(source)) {}
  Status prepare();  // outside a transaction

  // A contact added twice is written once, as the second write over the first would leave it.
  void add(ContactRow row);
  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }
  void clear();  // drops what was added and not written

  // Writes the batch in the open transaction; `ids` gets (external_id, contact_id) of every contact
  // written, in the order they were first added. `now` is the created_at of new contacts without one.
  Status flush(const std::string& now, std::vector<std::pair<std::string, int64_t>>& ids);

 private:
  Status copyNew(const std::string& now);
  Status updateKnown();

  Database& db_;
  std::string source_;
  std::vector<ContactRow> rows_;
  std::unordered_map<std::string, size_t> position_;  // external_id -> index in rows_
  std::vector<int64_t> known_ids_, new_ids_;         // per row: the stored id (0: new); drawn ids
  KeyIds keys_{db_, "contacts", "contact_id", "contact"};
  Statement clock_, update_;
  std::string buffer_;
};

}  // namespace abm::store
