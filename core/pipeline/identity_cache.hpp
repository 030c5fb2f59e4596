// In-memory identity lookups for one connector's writes: source ids, domains and emails to store
// ids. A miss asks SQLite once (prepared statement) and the answer, found or not, is remembered.
// Everything is forgotten when another connection has committed, since it may have added ids.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <memory>
#include <unordered_map>
#include <vector>

#include "store/database.hpp"
#include "store/key_ids.hpp"

namespace abm::pipeline {

class IdentityCache {
 public:
  IdentityCache(store::Database& db, std::string source) : db_(db), source_(std::move(source)) {}
  Status prepare();

  // Call at the start of each transaction.
  void syncWithStore();
  void forget();
  // Our own commit changes data_version too; this records the version we just wrote.
  void noteOwnCommit() { data_version_ = db_.dataVersion(); }

  // 0 means "not in the store", or that the lookup failed: then takeError() says why, and the write
  // that asked must fail rather than act on a wrong "not found".
  int64_t account(std::string_view external_id) { return lookup(accounts_, external_id, q_account_, true); }
  int64_t accountByDomain(std::string_view domain);
  int64_t contact(std::string_view external_id) { return lookup(contacts_, external_id, q_contact_, true); }
  int64_t contactByEmail(std::string_view email) { return lookup(emails_, email, q_email_, false); }
  int64_t campaign(std::string_view external_id) { return lookup(campaigns_, external_id, q_campaign_, true); }
  int64_t accountOfContact(int64_t contact_id);
  // PostgreSQL, where every lookup is a round trip: looks many keys up in one query per kind and
  // caches the answers, found or not, as their lookups would. Keys cached already are skipped; a key
  // that cannot be sent (a NUL byte) is left to its lookup. A no-op on SQLite.
  struct Wanted {
    std::vector<std::string_view> accounts, contacts, campaigns;  // source external ids
  };
  Status prefetch(const Wanted& wanted);
  // Called before the store's answer for a domain that several accounts share is taken: that
  // answer counts each account's contacts, so a writer that gathers contacts writes them first.
  void onSharedDomain(std::function<Status()> write_gathered) { write_gathered_ = std::move(write_gathered); }
  // How many keys were looked up one statement each, so far.
  size_t singleLookups() const { return single_lookups_; }
  // The first lookup error since the last call (ok when there was none); clears it.
  Status takeError();

  void rememberAccount(std::string_view external_id, int64_t id) { accounts_[std::string(external_id)] = id; }
  void rememberDomain(std::string_view domain, int64_t id);
  void rememberContact(std::string_view external_id, int64_t id, int64_t account_id) {
    contacts_[std::string(external_id)] = id;
    contact_accounts_[id] = account_id;
  }
  // The first contact with an email stays its answer; a remembered "not found" does not.
  void rememberEmail(std::string_view email, int64_t id) {
    auto [it, fresh] = emails_.try_emplace(std::string(email), id);
    if (!fresh && it->second == 0) it->second = id;
  }
  void rememberCampaign(std::string_view external_id, int64_t id) { campaigns_[std::string(external_id)] = id; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using IdMap = std::unordered_map<std::string, int64_t, Hash, std::equal_to<>>;

  int64_t lookup(IdMap& map, std::string_view key, store::Statement& q, bool by_source);
  // Reads the id of q's first row (0 when none or NULL) and resets q; false on an SQL error.
  bool readId(store::Statement& q, int64_t& id, std::string_view key);

  store::Database& db_;
  std::string source_;
  Status error_;
  int64_t data_version_ = -1;
  size_t single_lookups_ = 0;
  std::function<Status()> write_gathered_;
  IdMap accounts_, domains_, contacts_, emails_, campaigns_;
  std::unordered_map<int64_t, int64_t> contact_accounts_;
  store::Statement q_account_, q_domain_, q_contact_, q_email_, q_campaign_, q_contact_account_;
  // PostgreSQL: the prefetch's lookups, of account_identities, contacts and campaigns.
  std::unique_ptr<store::KeyIds> bulk_accounts_, bulk_contacts_, bulk_campaigns_;
};

}  // namespace abm::pipeline
