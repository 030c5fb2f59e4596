// The daemon's heart: one timer per connector on a Boost.Asio io_context (no polling), at most N
// syncs at once, exponential backoff after failures, SIGHUP reloads the connectors, SIGTERM/SIGINT
// stop starting syncs and let running ones checkpoint before the daemon exits. Each run takes its
// connector's lease first, so several daemons on one store never run a connector twice at once: a
// lease held elsewhere is tried again after half its ttl, a run another instance has just done is
// rescheduled for when it is next due.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>

#include <atomic>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "api/daemon_control.hpp"
#include "bootstrap/setup.hpp"
#include "pipeline/sync_runner.hpp"
#include "store/config_problems.hpp"
#include "store/lease_keeper.hpp"

namespace abm::surface {
class HttpSurface;
}

namespace abm::scheduler {

class Scheduler : public api::DaemonControl {
 public:
  // `keeper` (this daemon's instance) outlives the scheduler.
  Scheduler(std::filesystem::path config_file, bootstrap::Setup setup, store::LeaseKeeper& keeper);
  ~Scheduler() override;
  // Runs until SIGTERM/SIGINT (or, with `once`, until every connector ran once). Returns the exit code.
  // With an "http" key (and not `once`) the listener serves the collector, the read API and /metrics.
  int run(bool once);

  // api::DaemonControl, for the read API (any thread).
  std::vector<api::ConnectorView> connectors() const override;
  void requestSync(const std::string& name, const api::SyncRequest& request,
                   std::function<void(api::SyncRequestResult)> done) override;
  void resetState(const std::string& name, const std::string& stream,
                  std::function<void(api::StateResetResult)> done) override;

 private:
  struct Slot {
    config::ConnectorConfig connector;
    plugin_host::PluginInfo plugin;
    std::unique_ptr<boost::asio::system_timer> timer;
    int failures = 0;
    bool running = false;
    bool queued = false;
    bool retired = false;  // removed or replaced by a reload
    bool resetting = false;  // its checkpoints are being reset: no run starts meanwhile
    bool due_after_reset = false;  // a run fell due (or was asked for) during the reset
    bool full_refresh = false;  // of the next run: asked for through the API
    std::function<void(api::SyncRequestResult)> on_started;  // an API request waiting for the run id
    std::chrono::steady_clock::time_point started;  // of the current run, for its duration
    pipeline::DueCheck due;  // of the queued or running run
    int64_t retry_of = 0;    // the failed run the next timer's run retries, 0 for none
  };
  using SlotPtr = std::shared_ptr<Slot>;

  void addSlot(const config::ConnectorConfig& c);
  void scheduleFirst(const SlotPtr& s);
  // `fire_for`: the time a cron occurrence is due, when a retry waits for the lease (default `when`).
  void scheduleAt(const SlotPtr& s, std::chrono::system_clock::time_point when,
                  std::optional<std::chrono::system_clock::time_point> fire_for = std::nullopt);
  void retryForLease(const SlotPtr& s, const pipeline::SyncOutcome& out);
  void enqueue(const SlotPtr& s);
  void startReady();
  void onFinished(const SlotPtr& s, const pipeline::SyncOutcome& out);
  void reload();
  // Keeps in `fresh` the running configuration of each connector whose file no longer loads.
  void keepPreviousOfBrokenFiles(bootstrap::Setup& fresh);
  // Writes config_problems_ to the store for `abmctl status`.
  void recordConfigProblems();
  void beginShutdown(int signal);
  void waitSignals();
  void maybeExit();
  void maybeRunMetrics();
  void publishConnectors();  // refreshes what connectors() answers
  bool isPush(const config::ConnectorConfig& c) const;
  void seedTelemetry();
  // WATCHDOG=1 to systemd from this loop, so a loop that hangs gets the daemon restarted.
  void pingWatchdog(std::chrono::milliseconds every);

  std::filesystem::path config_file_;
  bootstrap::Setup setup_;
  store::LeaseKeeper& keeper_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  std::map<std::string, SlotPtr> slots_;
  std::vector<store::ConfigProblem> config_problems_;  // connectors running a previous configuration
  std::deque<SlotPtr> ready_;
  std::map<Slot*, std::thread> threads_;
  std::map<int, std::thread> resets_;  // checkpoint resets asked for through the API, by number
  int next_reset_ = 0;
  int running_ = 0;
  std::atomic<bool> stopping_{false};
  bool once_ = false;
  bool metrics_due_ = false;      // a sync succeeded since the last metrics run
  bool metrics_running_ = false;  // syncs wait while the metrics stage writes
  std::thread metrics_thread_;
  int once_failures_ = 0;
  int once_lease_waits_ = 0;  // --once: connectors waiting for a lease held elsewhere
  mutable std::mutex views_mu_;
  std::vector<api::ConnectorView> views_;
  std::unique_ptr<surface::HttpSurface> surface_;
  std::unique_ptr<boost::asio::steady_timer> watchdog_;
  bool http_drained_ = true;
};

}  // namespace abm::scheduler
