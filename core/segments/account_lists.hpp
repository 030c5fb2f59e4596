// Imported account lists in the store (account_lists, account_list_members): a target list makes
// its accounts targets through the view account_targeting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::segments {

struct ListMember {
  int64_t account_id = 0;
  std::string matched_by;  // "domain" | "name"
};

struct AccountList {
  int64_t list_id = 0;
  std::string name;
  bool is_target = false;
  std::optional<std::string> tier;
  std::string imported_at;
  int64_t members = 0;
};

// Writes list `name` with exactly `members` (an account given twice counts once), in one
// transaction: a list of that name already there has its members, flag and tier replaced.
Status replaceList(store::Database& db, const std::string& name, bool is_target, const std::optional<std::string>& tier,
                   const std::vector<ListMember>& members);

Result<std::vector<AccountList>> listLists(store::Database& db);
Result<std::optional<AccountList>> findList(store::Database& db, const std::string& name);

struct ShownMember {
  int64_t account_id = 0;
  std::string name, domain, matched_by;
};
Result<std::vector<ShownMember>> listMembers(store::Database& db, int64_t list_id);

// Removes the list and its members in one transaction; false when there was no such list.
Result<bool> deleteList(store::Database& db, const std::string& name);

}  // namespace abm::segments
