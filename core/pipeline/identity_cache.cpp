#include "pipeline/identity_cache.hpp"

namespace abm::pipeline {

Status IdentityCache::prepare() {
  if (db_.backend() == store::Backend::Postgresql) {
    bulk_accounts_ = std::make_unique<store::KeyIds>(db_, "account_identities", "account_id", "account");
    bulk_contacts_ = std::make_unique<store::KeyIds>(db_, "contacts", "contact_id", "contact", "account_id");
    bulk_campaigns_ = std::make_unique<store::KeyIds>(db_, "campaigns", "campaign_id", "campaign");
    for (auto* bulk : {bulk_accounts_.get(), bulk_contacts_.get(), bulk_campaigns_.get()})
      if (auto s = bulk->prepare(); !s) return s;
  }
  return store::prepareAll(db_, {
      {&q_account_, "SELECT account_id FROM account_identities WHERE source = ?1 AND external_id = ?2"},
      // Two accounts on one domain (kept apart earlier): the one with the most contacts wins.
      // The second column: how many accounts share the domain.
      {&q_domain_, "SELECT a.account_id, count(*) OVER () FROM accounts a WHERE a.registrable_domain = ?1 ORDER BY"
                   " (SELECT count(*) FROM contacts c WHERE c.account_id = a.account_id) DESC, a.account_id LIMIT 1"},
      {&q_contact_, "SELECT contact_id FROM contacts WHERE source = ?1 AND external_id = ?2"},
      {&q_email_, "SELECT min(contact_id) FROM contacts WHERE email = ?1"},
      {&q_campaign_, "SELECT campaign_id FROM campaigns WHERE source = ?1 AND external_id = ?2"},
      {&q_contact_account_, "SELECT account_id FROM contacts WHERE contact_id = ?1"},
  });
}

void IdentityCache::syncWithStore() {
  const int64_t v = db_.dataVersion();
  if (v != data_version_ || v < 0) forget();  // unknown: assume another connection wrote
  data_version_ = v;
}

void IdentityCache::forget() {
  accounts_.clear();
  domains_.clear();
  contacts_.clear();
  emails_.clear();
  campaigns_.clear();
  contact_accounts_.clear();
}

void IdentityCache::rememberDomain(std::string_view domain, int64_t id) {
  auto [it, fresh] = domains_.try_emplace(std::string(domain), id);
  if (!fresh && it->second == 0) it->second = id;
}

int64_t IdentityCache::lookup(IdMap& map, std::string_view key, store::Statement& q, bool by_source) {
  if (auto it = map.find(key); it != map.end()) return it->second;
  if (by_source) {
    q.bindStatic(1, source_);
    q.bindStatic(2, key);
  } else {
    q.bindStatic(1, key);
  }
  int64_t id = 0;
  if (!readId(q, id, key)) return 0;  // not remembered: an error is not "not in the store"
  map.emplace(std::string(key), id);
  return id;
}

int64_t IdentityCache::accountByDomain(std::string_view domain) {
  if (auto it = domains_.find(domain); it != domains_.end()) return it->second;
  for (bool wrote_gathered = false;; wrote_gathered = true) {
    ++single_lookups_;
    q_domain_.bindStatic(1, domain);
    const auto step = q_domain_.step();
    int64_t id = 0;
    bool shared = false;
    if (step == store::Statement::Step::Row) {
      id = q_domain_.isNull(0) ? 0 : q_domain_.columnInt(0);
      shared = q_domain_.columnInt(1) > 1;
    }
    const Status read = q_domain_.status();
    q_domain_.reset();
    if (step == store::Statement::Step::Error) {  // not remembered: an error is not "not in the store"
      if (error_.isOk()) error_ = Status::error("identity lookup of '" + std::string(domain) + "' failed: " + read.message());
      return 0;
    }
    if (shared && !wrote_gathered && write_gathered_) {
      if (auto s = write_gathered_(); !s) {
        if (error_.isOk()) error_ = Status::error("writing what was gathered before reading domain '" + std::string(domain) + "': " + s.message());
        return 0;
      }
      continue;  // ask again, counting what was just written
    }
    domains_.emplace(std::string(domain), id);
    return id;
  }
}

bool IdentityCache::readId(store::Statement& q, int64_t& id, std::string_view key) {
  ++single_lookups_;
  const auto step = q.step();
  if (step == store::Statement::Step::Row && !q.isNull(0)) id = q.columnInt(0);
  const Status s = q.status();
  q.reset();
  if (step != store::Statement::Step::Error) return true;
  if (error_.isOk()) error_ = Status::error("identity lookup of '" + std::string(key) + "' failed: " + s.message());
  return false;
}

Status IdentityCache::prefetch(const Wanted& wanted) {
  if (!bulk_accounts_) return Status::ok();
  const std::pair<IdMap*, const std::vector<std::string_view>*> kinds[] = {
      {&accounts_, &wanted.accounts}, {&contacts_, &wanted.contacts}, {&campaigns_, &wanted.campaigns}};
  store::KeyIds* bulks[] = {bulk_accounts_.get(), bulk_contacts_.get(), bulk_campaigns_.get()};
  std::vector<std::string_view> missing;
  std::vector<int64_t> ids, accounts;
  for (size_t k = 0; k < std::size(kinds); ++k) {
    IdMap& map = *kinds[k].first;
    missing.clear();
    for (const std::string_view key : *kinds[k].second)
      if (key.find('\0') == std::string_view::npos && map.emplace(std::string(key), -1).second) missing.push_back(key);
    if (missing.empty()) continue;
    ids.assign(missing.size(), 0);
    accounts.assign(missing.size(), 0);
    const bool contacts = &map == &contacts_;  // they come with their account
    const Status s = bulks[k]->lookUp(source_, missing, ids, contacts ? &accounts : nullptr);
    for (size_t i = 0; i < missing.size(); ++i) {
      auto it = map.find(missing[i]);
      if (!s) {
        map.erase(it);  // not remembered: an error is not "not in the store"
        continue;
      }
      it->second = ids[i];
      if (contacts && ids[i] != 0) contact_accounts_.emplace(ids[i], accounts[i]);
    }
    if (!s) return Status::error("identity lookup of " + std::to_string(missing.size()) + " keys failed: " + s.message());
  }
  return Status::ok();
}

Status IdentityCache::takeError() {
  Status s = std::move(error_);
  error_ = Status::ok();
  return s;
}

int64_t IdentityCache::accountOfContact(int64_t contact_id) {
  if (contact_id == 0) return 0;
  if (auto it = contact_accounts_.find(contact_id); it != contact_accounts_.end()) return it->second;
  q_contact_account_.bind(1, contact_id);
  int64_t id = 0;
  if (!readId(q_contact_account_, id, "contact " + std::to_string(contact_id))) return 0;
  contact_accounts_[contact_id] = id;
  return id;
}

}  // namespace abm::pipeline
