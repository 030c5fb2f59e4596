// What a batch of rows COPYed into a table keyed by (source, external_id) needs from PostgreSQL:
// the stored ids of the batch's keys, in one query, and ids for its new rows drawn from the id
// column's sequence, in the order they were added, so that they come out as SQLite numbers them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace abm::store {

class KeyIds {
 public:
  // `what` names one row in errors ("touchpoint", "contact"); `also`, when given, is a second
  // bigint column that lookUp() reads with the id.
  KeyIds(Database& db, std::string table, std::string id_column, std::string what, std::string also = {})
      : db_(db), table_(std::move(table)), id_column_(std::move(id_column)), what_(std::move(what)), also_(std::move(also)) {}
  Status prepare();  // outside a transaction
  bool draws() const { return static_cast<bool>(draw_); }  // the id column has a sequence

  // ids[k] becomes the stored id of (source, keys[k]) when there is one, and (*also)[k] its `also`
  // column (0 for NULL); other entries are left.
  Status lookUp(std::string_view source, const std::vector<std::string_view>& keys, std::vector<int64_t>& ids,
                std::vector<int64_t>* also = nullptr);
  // `count` new ids, ascending; an error for a table whose id column has no sequence.
  Status draw(size_t count, std::vector<int64_t>& out);

 private:
  Database& db_;
  const std::string table_, id_column_, what_, also_;
  Statement known_, draw_;
  std::string array_;  // the keys as a text[] literal, reused
};

}  // namespace abm::store
