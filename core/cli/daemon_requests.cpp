#include "cli/daemon_requests.hpp"

#include <iostream>
#include <thread>

#include "cli/daemon_client.hpp"
#include "cli/exit_codes.hpp"
#include "common/percent_encoding.hpp"
#include "store/store_lock.hpp"

namespace abm::cli {

using nlohmann::json;
using namespace std::chrono_literals;

bool storeHeldByDaemon(const config::DaemonConfig& daemon) {
  const auto holder = store::StoreLock::currentHolder(daemon.store);
  return holder && holder->rfind("abmd pid ", 0) == 0;
}

namespace {

// Why abmctl cannot ask the daemon, after what holds the store.
int cannotAsk(const config::DaemonConfig& daemon, const std::string& why) {
  return failed("store " + daemon.store.describe() + " is in use by " +
                store::StoreLock::currentHolder(daemon.store).value_or("abmd") + ", and abmctl cannot ask it: " + why);
}

// The newest run of `name` the daemon knows of (0 for none).
Result<int64_t> newestRunId(DaemonClient& client, const std::string& name) {
  auto a = client.call("GET", "/api/v1/runs?connector=" + percentEncode(name) + "&limit=1");
  if (!a) return a.status();
  if (a->status != 200) return Status::error(a->message());
  const auto& items = a->body["items"];
  return items.empty() ? int64_t{0} : items[0]["run_id"].get<int64_t>();
}

// Polls the run until it is no longer running; its last JSON.
Result<json> followRun(DaemonClient& client, int64_t run_id) {
  for (;;) {
    auto a = client.call("GET", "/api/v1/runs/" + std::to_string(run_id));
    if (!a) return Status::error("lost the daemon while waiting for run " + std::to_string(run_id) + ": " + a.error());
    if (a->status != 200) return Status::error(a->message());
    if (a->body.value("status", "") != "running") return a->body;
    std::this_thread::sleep_for(500ms);
  }
}

// A queued run has no id yet: it is the first run of `name` newer than `before`.
Result<int64_t> awaitQueuedRun(DaemonClient& client, const std::string& name, int64_t before) {
  for (;;) {
    auto newest = newestRunId(client, name);
    if (!newest) return Status::error("lost the daemon while waiting for the queued run: " + newest.error());
    if (*newest > before) return *newest;
    std::this_thread::sleep_for(500ms);
  }
}

std::string text(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

int syncThroughDaemon(const bootstrap::Setup& s, const std::string& name, bool full_refresh, bool wait) {
  auto client = DaemonClient::connect(s.daemon);
  if (!client) return cannotAsk(s.daemon, client.error());
  auto before = newestRunId(*client, name);
  if (!before) return failed(before.error());
  auto answer = client->call("POST", "/api/v1/connectors/" + percentEncode(name) + "/sync",
                             full_refresh ? R"({"full_refresh": true})" : "");
  if (!answer) return failed(answer.error());
  if (answer->status != 202) return failed(name + ": the daemon did not start the run: " + answer->message());
  int64_t run_id = 0;
  if (answer->body["status"] == "started") {
    run_id = answer->body["run_id"].get<int64_t>();
    std::cerr << name << ": the running abmd (" << client->baseUrl() << ") started run " << run_id << "\n";
  } else {
    std::cerr << name << ": the running abmd (" << client->baseUrl()
              << ") queued the run: every sync slot is busy, it starts when one frees\n";
  }
  if (!wait) {
    std::cout << name << ": " << (run_id ? "run " + std::to_string(run_id) + " started" : std::string("run queued"))
              << " by the daemon; abmctl runs " << name << " follows it\n";
    return 0;
  }
  if (!run_id) {
    auto queued = awaitQueuedRun(*client, name, *before);
    if (!queued) return failed(queued.error());
    run_id = *queued;
    std::cerr << name << ": run " << run_id << " started\n";
  }
  auto run = followRun(*client, run_id);
  if (!run) return failed(run.error());
  const std::string status = text(*run, "status");
  if (status != "succeeded") {
    std::cerr << name << ": sync " << status << " (run " << run_id << "): " << text(*run, "error") << "\n";
    return 1;
  }
  std::cout << name << ": synced " << run->value("records", int64_t{0}) << " records, "
            << run->value("rejected", int64_t{0}) << " rejected (run " << run_id << ", by the daemon)\n";
  return 0;
}

int resetStateThroughDaemon(const bootstrap::Setup& s, const std::string& name, const std::string& stream) {
  auto client = DaemonClient::connect(s.daemon);
  if (!client) return cannotAsk(s.daemon, client.error());
  auto answer = client->call("DELETE", "/api/v1/connectors/" + percentEncode(name) + "/state" +
                                           (stream.empty() ? "" : "?stream=" + percentEncode(stream)));
  if (!answer) return failed(answer.error());
  if (answer->status != 200) return failed(name + ": the daemon did not reset the checkpoints: " + answer->message());
  std::cout << name << ": removed " << answer->body.value("removed", 0) << " checkpoint(s) through the running abmd; the next sync reads "
            << (stream.empty() ? std::string("every stream") : "stream " + stream) << " from the start\n";
  return 0;
}

}  // namespace abm::cli
