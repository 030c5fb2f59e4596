// What the read API may ask of the running daemon beyond the store: the connectors as configured
// now (a reload may change them at any time), starting a run on demand and forgetting a
// connector's checkpoints between runs. The scheduler implements it; tests implement it with a fake.
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

struct SyncRequest {
  bool full_refresh = false;  // ignore the checkpoints: read every stream from the start
};

struct StateResetResult {
  enum Kind { Reset, Busy, UnknownConnector, UnknownStream, NotPullable, ShuttingDown, Failed } kind = Reset;
  int removed = 0;     // Reset: checkpoints removed
  std::string detail;  // Busy: what holds the connector; UnknownStream: the known streams; Failed: why
};

class DaemonControl {
 public:
  virtual ~DaemonControl() = default;
  // Thread-safe snapshot.
  virtual std::vector<ConnectorView> connectors() const = 0;
  // Asks for a run of `name` now. `done` is called once, from any thread: Started once the run is
  // recorded (with its id), Queued when every sync slot is busy, or why not.
  virtual void requestSync(const std::string& name, const SyncRequest& request,
                           std::function<void(SyncRequestResult)> done) = 0;
  // Removes the checkpoints of `name` (of one stream when `stream` is not empty), so its next run
  // reads from the start. Refused (Busy) while a run of it is running or waiting, here or on another
  // instance sharing the store; no run starts until it is done. `done` is called once, from any thread.
  virtual void resetState(const std::string& name, const std::string& stream,
                          std::function<void(StateResetResult)> done) = 0;
};

}  // namespace abm::api
