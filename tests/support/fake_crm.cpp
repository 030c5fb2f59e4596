#include "fake_crm.hpp"

#include <abm/sdk/http.hpp>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <vector>

namespace abm::test {

namespace http = abm::sdk::http;
using namespace std::chrono_literals;

FakeCrm::FakeCrm() {
  server_ = new Child({"/usr/bin/python3", (sourceDir() / "tests/fakes/fake_crm.py").string(), (dir_ / "port").string()},
                      dir_.path());
  if (!waitFor([&] { return fs::exists(dir_ / "port"); }, 20s)) ADD_FAILURE() << "fake_crm.py did not start: " << server_->err();
  base_ = "http://127.0.0.1:" + readFile(dir_ / "port");
}

FakeCrm::~FakeCrm() {
  server_->signal(SIGTERM);
  server_->wait(5s);
  delete server_;
}

void FakeCrm::control(const std::string& what, const nlohmann::json& body) {
  http::Client c({base_});
  const auto r = c.send({"POST", "/__control/" + what, {"Content-Type: application/json"}, body.dump()});
  EXPECT_EQ(r.status, 200) << what << ": " << r.body << r.transport_error;
}

nlohmann::json FakeCrm::log() {
  http::Client c({base_});
  return nlohmann::json::parse(c.send({"GET", "/__control/log"}).body);
}

int FakeCrm::requests(const std::string& prefix, const std::string& method) {
  int n = 0;
  for (const auto& r : log())
    if (r["path"].get<std::string>().rfind(prefix, 0) == 0 && (method.empty() || r["method"] == method)) ++n;
  return n;
}

std::string storeSnapshot(const StoreRef& db) {
  // An account is named by the smallest of its source ids.
  const std::string acct =
      "(SELECT min(source || ':' || external_id) FROM account_identities i WHERE i.account_id = t.account_id)";
  // Columns are read one by one (the store formats timestamps, flags and NULLs alike on both
  // backends) and the rows sorted here, so the order does not depend on the engine's.
  std::string out;
  for (const std::string& sql : std::vector<std::string>{
           "SELECT " + acct + ", name, domain, industry, employee_count, annual_revenue, country, is_target, tier,"
           " created_at FROM accounts t",
           "SELECT source, external_id, " + acct + ", email, first_name, last_name, title, buying_role, created_at"
           " FROM contacts t",
           "SELECT source, external_id, " + acct + ", name, stage, type, amount, probability, is_closed, is_won,"
           " created_at, closed_at FROM opportunities t",
           "SELECT source, external_id, name, channel, started_at FROM campaigns",
           "SELECT t.source, t.external_id, " + acct + ", (SELECT external_id FROM contacts c WHERE c.contact_id ="
           " t.contact_id), (SELECT external_id FROM campaigns c WHERE c.campaign_id = t.campaign_id), channel,"
           " activity, occurred_at, properties FROM touchpoints t"}) {
    auto rows = queryRows(db, sql);
    std::sort(rows.begin(), rows.end());
    for (const auto& r : rows) out += r + "\n";
    out += "--\n";
  }
  return out;
}

}  // namespace abm::test
