// The fake HubSpot + Salesforce server (tests/fakes/fake_crm.py) as a test fixture: started once per
// suite, re-seeded per test, steered and read through its /__control endpoints.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "test_support.hpp"

namespace abm::test {

class FakeCrm {
 public:
  FakeCrm();
  ~FakeCrm();
  const std::string& url() const { return base_; }

  // POST /__control/<what> with `body`; fails the test on a non-200 answer.
  void control(const std::string& what, const nlohmann::json& body = nlohmann::json::object());
  void seed(const nlohmann::json& params = nlohmann::json::object()) { control("seed", params); }
  // Fails the next `count` requests under `path_prefix` the way `kind` says (see fake_crm.py).
  void fault(const std::string& path_prefix, const std::string& kind, int count) {
    control("fault", {{"match", path_prefix}, {"kind", kind}, {"count", count}});
  }
  // Every request since the last seed/clear: [{"method", "path", "query", "body", "auth"}].
  nlohmann::json log();
  // How many logged requests went to paths starting with `prefix` (and, if given, with `method`).
  int requests(const std::string& prefix, const std::string& method = "") ;

 private:
  TempDir dir_;
  Child* server_ = nullptr;
  std::string base_;
};

// A test suite syncing CRM connectors against one fake server: the server starts once per suite,
// every test gets a fresh data set and a fresh workspace.
class CrmSyncTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { crm_ = new FakeCrm; }
  static void TearDownTestSuite() {
    delete crm_;
    crm_ = nullptr;
  }
  void SetUp() override {
    crm_->seed();
    ws_.writeConfig();
  }
  CommandResult sync(const std::string& connector, const Workspace* ws = nullptr,
                     const std::map<std::string, std::string>& env = {}) {
    return run({(binDir() / "abmctl").string(), "-c", (ws ? *ws : ws_).config().string(), "sync", connector}, env);
  }
  CommandResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {(binDir() / "abmctl").string(), "-c", ws_.config().string()});
    return run(args);
  }
  int64_t q(const std::string& sql) { return queryInt(ws_.store(), sql); }
  std::string text(const std::string& sql) { return queryText(ws_.store(), sql); }
  // The first row, its columns joined by '|' (NULL as ""), in the store's one format on both backends.
  std::string rows(const std::string& sql) {
    const auto all = queryRows(ws_.store(), sql);
    return all.empty() ? "(no row)" : all.front();
  }
  // The first column of the first row as a number (NaN when NULL or missing): money and ratios
  // print differently on the two backends ("20000.0", "20000") but are the same number.
  double number(const std::string& sql) {
    const std::string t = text(sql);
    return t.empty() ? std::nan("") : std::stod(t);
  }

  static inline FakeCrm* crm_ = nullptr;
  Workspace ws_;
};

// The unified records of a store as text, keyed by source ids rather than row ids, so two stores
// filled in different ways can be compared (on the same backend: numbers and JSON read back in each
// backend's own form).
std::string storeSnapshot(const StoreRef& db);

}  // namespace abm::test
