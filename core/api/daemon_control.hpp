// What the read API may ask of the running daemon beyond the store: the connectors as configured
// now (a reload may change them at any time) and starting a run on demand. The scheduler
// implements it; tests implement it with a fake.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace abm::api {

struct ConnectorView {
  std::string name;
  std::string plugin;
  std::string kind;      // "pull" (scheduled) or "push" (the events collector)
  std::string schedule;  // as written; empty for push sources
  bool enabled = true;
  nlohmann::json settings;  // redacted: secret options and resolved references never appear
};

struct SyncRequestResult {
  enum Kind { Started, Queued, AlreadyRunning, UnknownConnector, NotPullable, ShuttingDown } kind = Started;
  int64_t run_id = 0;  // Started: the run's id in sync_runs
};

class DaemonControl {
 public:
  virtual ~DaemonControl() = default;
  // Thread-safe snapshot.
  virtual std::vector<ConnectorView> connectors() const = 0;
  // Asks for a run of `name` now. `done` is called once, from any thread: Started once the run is
  // recorded (with its id), Queued when every sync slot is busy, or why not.
  virtual void requestSync(const std::string& name, std::function<void(SyncRequestResult)> done) = 0;
};

}  // namespace abm::api
