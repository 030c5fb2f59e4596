#include "scheduler/scheduler.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <random>

#include "common/catch_all.hpp"
#include "common/timestamp.hpp"
#include "config/daemon_reload.hpp"
#include "log/logger.hpp"
#include "metrics/metrics_stage.hpp"
#include "pipeline/state_reset.hpp"
#include "service/systemd_notify.hpp"
#include <abm/sdk/backoff.hpp>
#include "store/run_log.hpp"
#include "surface/http_surface.hpp"
#include "telemetry/telemetry.hpp"

namespace abm::scheduler {

namespace asio = boost::asio;
using SysClock = std::chrono::system_clock;

Scheduler::Scheduler(std::filesystem::path config_file, bootstrap::Setup setup, store::LeaseKeeper& keeper)
    : config_file_(std::move(config_file)),
      setup_(std::move(setup)),
      keeper_(keeper),
      signals_(io_, SIGTERM, SIGINT, SIGHUP) {}

namespace {

// What a timer firing for `fire` asks of the run: that nobody has run it since it fell due, and for
// interval connectors also that their last success is an interval old.
pipeline::DueCheck dueCheck(const config::Schedule& schedule, SysClock::time_point fire) {
  pipeline::DueCheck due;
  due.kind = schedule.isInterval() ? pipeline::DueCheck::Interval : pipeline::DueCheck::Cron;
  due.fire_time = std::chrono::duration_cast<std::chrono::seconds>(fire.time_since_epoch()).count();
  if (schedule.isInterval()) due.interval = std::chrono::duration_cast<std::chrono::seconds>(schedule.interval());
  return due;
}

}  // namespace

Scheduler::~Scheduler() {
  surface_.reset();
  for (auto& [slot, t] : threads_)
    if (t.joinable()) t.join();
  for (auto& [n, t] : resets_)
    if (t.joinable()) t.join();
  if (metrics_thread_.joinable()) metrics_thread_.join();
}

int Scheduler::run(bool once) {
  once_ = once;
  for (const auto& c : setup_.connectors)
    if (c.enabled && !isPush(c)) addSlot(c);
  recordConfigProblems();  // clears what an earlier run under this instance_id left
  publishConnectors();
  if (setup_.daemon.http && !once_) {
    surface_ = std::make_unique<surface::HttpSurface>(io_, setup_, *this);
    if (auto started = surface_->start(); !started) {
      log::error("cannot start: " + started.message());
      return 1;
    }
    http_drained_ = false;
  }
  log::info("abmd started: " + std::to_string(slots_.size()) + " connectors, at most " +
            std::to_string(setup_.daemon.max_concurrent_syncs) + " syncs at once, store " +
            setup_.daemon.store.describe() + ", instance " + keeper_.instanceId());
  seedTelemetry();
  waitSignals();
  if (once_ && slots_.empty()) return 0;
  // systemd (Type=notify) counts the service started from here, and restarts it if the loop hangs.
  service::notify("READY=1\nSTATUS=" + std::to_string(slots_.size()) + " connectors scheduled");
  if (auto every = service::watchdogInterval(); every && !once_) pingWatchdog(*every);
  io_.run();
  for (auto& [slot, t] : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  if (metrics_thread_.joinable()) metrics_thread_.join();
  log::info("abmd stopped");
  return once_ && once_failures_ > 0 ? 1 : 0;
}

void Scheduler::addSlot(const config::ConnectorConfig& c) {
  auto s = std::make_shared<Slot>();
  s->connector = c;
  s->plugin = *setup_.plugins.find(c.plugin);
  s->timer = std::make_unique<asio::system_timer>(io_);
  slots_[c.name] = s;
  if (once_) enqueue(s);
  else scheduleFirst(s);
}

// An interval connector resumes its rhythm from its last run; a cron connector waits for its time.
void Scheduler::scheduleFirst(const SlotPtr& s) {
  const auto& sched = s->connector.schedule;
  std::optional<SysClock::time_point> last_success_end;
  if (sched.isInterval()) {
    if (auto db = store::Database::open(setup_.daemon.store)) {
      auto last = store::lastRun(*db, s->connector.name);
      if (!last) log::warn("cannot read the last run, so it runs now: " + last.error(), s->connector.name);
      if (last && *last && (*last)->status == "succeeded")
        if (auto t = parseTimestamp((*last)->finished_at)) last_success_end = SysClock::time_point(std::chrono::seconds(*t));
    }
  }
  scheduleAt(s, sched.firstRun(SysClock::now(), last_success_end));
}

void Scheduler::scheduleAt(const SlotPtr& s, SysClock::time_point when, std::optional<SysClock::time_point> fire_for) {
  if (stopping_ || s->retired) return;
  if (when == SysClock::time_point::max()) {
    log::warn("schedule '" + s->connector.schedule.text() + "' matches no date: not scheduled", s->connector.name);
    return;
  }
  s->timer->expires_at(when);
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(when - SysClock::now()).count();
  log::debug("next sync in " + std::to_string(std::max<long long>(secs, 0)) + "s", s->connector.name);
  s->timer->async_wait([this, s, fire = fire_for.value_or(when)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled by reload or shutdown
    if (s->running || s->queued) return;  // an API request got there first
    s->due = dueCheck(s->connector.schedule, fire);
    s->due.after_run = s->retry_of;
    enqueue(s);
  });
}

// The lease is held by another instance (or was just taken by one): look again after half a ttl,
// so a dead holder's work is taken over within about ttl + ttl/2. A timer's run keeps the time it
// was due for; a run asked for by hand goes back to the connector's rhythm (the holder is doing it).
void Scheduler::retryForLease(const SlotPtr& s, const pipeline::SyncOutcome& out) {
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(keeper_.ttl()) / 2;
  log::debug((out.lease_lost ? std::string("lease lost") : "lease " + out.error) + "; looking again in " +
                 std::to_string(wait.count()) + "ms",
             s->connector.name);
  if (once_) {
    ++once_lease_waits_;
    s->timer->expires_after(wait);
    s->timer->async_wait([this, s](const boost::system::error_code& ec) {
      --once_lease_waits_;
      if (ec) return maybeExit();
      enqueue(s);
    });
    return;
  }
  if (s->due.kind == pipeline::DueCheck::Always) return scheduleFirst(s);
  scheduleAt(s, SysClock::now() + wait, SysClock::time_point(std::chrono::seconds(s->due.fire_time)));
}

void Scheduler::enqueue(const SlotPtr& s) {
  if (stopping_ || s->retired || s->running || s->queued) return;
  if (s->resetting) {  // starts once the checkpoints are gone
    s->due_after_reset = true;
    return;
  }
  s->queued = true;
  ready_.push_back(s);
  startReady();
}

void Scheduler::startReady() {
  while (!stopping_ && !metrics_running_ && running_ < setup_.daemon.max_concurrent_syncs && !ready_.empty()) {
    SlotPtr s = ready_.front();
    ready_.pop_front();
    s->queued = false;
    if (s->retired) continue;
    s->running = true;
    s->started = std::chrono::steady_clock::now();
    ++running_;
    if (auto it = threads_.find(s.get()); it != threads_.end() && it->second.joinable()) it->second.join();
    // The thread keeps its own copy of the daemon config: a reload may replace setup_.daemon meanwhile.
    threads_[s.get()] = std::thread([this, s, daemon = setup_.daemon, due = s->due,
                                     full_refresh = std::exchange(s->full_refresh, false),
                                     on_started = std::exchange(s->on_started, {})] {
      pipeline::SyncRunner runner(daemon, *setup_.identity);
      pipeline::SyncOptions opts;
      opts.full_refresh = full_refresh;
      opts.stop = &stopping_;
      opts.lease = &keeper_;
      opts.due = due;
      bool told = false;
      if (on_started)
        opts.on_recorded = [&](int64_t run_id) {
          told = true;
          on_started({api::SyncRequestResult::Started, run_id});
        };
      pipeline::SyncOutcome out;
      // SyncRunner records its own failures; this guards what happens before it has a run.
      if (auto crash = catchAll([&] { out = runner.run(s->connector, s->plugin, opts); }); !crash.empty()) {
        out.status = pipeline::RunStatus::Failed;
        out.error = crash;
        log::error("sync failed: " + crash, s->connector.name, out.run_id);
      }
      // A run that could not even be recorded still answers its API request, with no id; one whose
      // lease another instance holds is running there.
      if (on_started && !told)
        on_started({out.status == pipeline::RunStatus::HeldElsewhere ? api::SyncRequestResult::AlreadyRunning
                                                                     : api::SyncRequestResult::Started,
                    out.run_id});
      asio::post(io_, [this, s, out] { onFinished(s, out); });
    });
  }
  telemetry::Registry::global().setRunsWaiting(static_cast<int64_t>(ready_.size()));
  telemetry::Registry::global().setRunsRunning(running_);
  maybeExit();
}

void Scheduler::onFinished(const SlotPtr& s, const pipeline::SyncOutcome& out) {
  s->running = false;
  --running_;
  if (auto it = threads_.find(s.get()); it != threads_.end()) {
    it->second.join();
    threads_.erase(it);
  }
  const bool lease_elsewhere = out.status == pipeline::RunStatus::HeldElsewhere || out.lease_lost;
  if (pipeline::isRecordedRun(out.status))
    telemetry::Registry::global().syncFinished(
        s->connector.name, pipeline::runStatusName(out.status),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - s->started).count(), out.records,
        out.rejected, nowEpochSeconds());
  if (out.status == pipeline::RunStatus::Succeeded && setup_.metrics.run_after_sync) metrics_due_ = true;
  if (once_) {
    if (lease_elsewhere && !stopping_) retryForLease(s, out);
    else if (out.status != pipeline::RunStatus::Succeeded) ++once_failures_;
  } else if (!stopping_ && !s->retired) {
    const auto now = SysClock::now();
    if (!lease_elsewhere) s->retry_of = 0;  // a run waiting for the lease keeps what it retries
    if (lease_elsewhere) {
      retryForLease(s, out);
    } else if (out.status == pipeline::RunStatus::NotDue) {
      // Another instance did the run; ours is the next one. The store's clock may run a little
      // ahead of this machine's: never schedule into the past, which would ask again at once.
      auto next = s->connector.schedule.next(now);
      if (out.due_at > 0) next = std::max(SysClock::time_point(std::chrono::seconds(out.due_at)), now + std::chrono::seconds(1));
      scheduleAt(s, next);
    } else if (out.status == pipeline::RunStatus::Succeeded) {
      s->failures = 0;
      scheduleAt(s, s->connector.schedule.next(now));
    } else if (out.status == pipeline::RunStatus::RateLimited) {
      // Not a failure: the vendor said when; the next run resumes from the last checkpoint.
      const auto resume = SysClock::time_point(std::chrono::seconds(out.resume_at));
      log::info("rate limited by the vendor; resuming at " + formatTimestamp(out.resume_at), s->connector.name,
                out.run_id);
      scheduleAt(s, std::max(now, resume));
    } else if (out.status != pipeline::RunStatus::Interrupted) {
      ++s->failures;
      if (s->failures <= setup_.daemon.retry_attempts) {
        static thread_local std::mt19937 rng{std::random_device{}()};
        const auto delay = sdk::backoffDelay(s->failures, setup_.daemon.retry_initial, setup_.daemon.retry_max,
                                        std::uniform_real_distribution<double>(0, 1)(rng));
        log::warn("retry " + std::to_string(s->failures) + " of " + std::to_string(setup_.daemon.retry_attempts) +
                      " in " + std::to_string(delay.count() / 1000) + "s",
                  s->connector.name, out.run_id);
        s->retry_of = out.run_id;
        scheduleAt(s, now + delay);
      } else {
        log::error("giving up after " + std::to_string(setup_.daemon.retry_attempts) +
                       " retries; next attempt at the regular schedule",
                   s->connector.name, out.run_id);
        s->failures = 0;
        scheduleAt(s, s->connector.schedule.next(now));
      }
    }
  }
  // A slot replaced by a reload while it ran hands over to its successor now.
  if (s->retired && !stopping_) {
    if (auto it = slots_.find(s->connector.name); it != slots_.end() && it->second != s && !once_)
      scheduleFirst(it->second);
  }
  startReady();
}

void Scheduler::reload() {
  log::info("SIGHUP: reloading " + config_file_.string() + " and the connectors in it");
  service::notify("RELOADING=1");
  struct Ready {  // whatever the reload's outcome, the daemon runs on
    Scheduler& s;
    ~Ready() { service::notify("READY=1\nSTATUS=" + std::to_string(s.slots_.size()) + " connectors scheduled"); }
  } ready{*this};
  const log::Level running_level = setup_.daemon.log_level;
  bootstrap::Setup fresh;
  try {
    fresh = bootstrap::loadSetup(config_file_);
  } catch (const std::exception& e) {
    log::setLevel(running_level);
    log::error(std::string("reload failed, keeping the running configuration: ") + e.what());
    return;
  }
  if (auto folders = config::requireFolders(fresh.daemon); !folders) {
    log::setLevel(running_level);
    log::error("reload failed, keeping the running configuration: " + folders.message());
    return;
  }
  auto plan = config::planDaemonReload(setup_.daemon, fresh.daemon);
  log::setLevel(plan.config.log_level);
  keepPreviousOfBrokenFiles(fresh);
  for (const auto& e : fresh.errors) {
    const auto kept = std::find_if(config_problems_.begin(), config_problems_.end(), [&](const store::ConfigProblem& p) {
      return e.rfind(p.file + ": ", 0) == 0;
    });
    if (kept != config_problems_.end())
      log::error("reload: " + e + " (config invalid, running previous: the connector keeps the configuration it had"
                 " until the file is fixed)", kept->connector);
    else
      log::error("reload: connector skipped: " + e);
  }
  for (const auto& c : fresh.connectors)
    for (const auto& w : c.warnings) log::warn(w);
  setup_.daemon = std::move(plan.config);
  setup_.metrics = fresh.metrics;
  std::map<std::string, SlotPtr> old = std::move(slots_);
  slots_.clear();
  setup_.plugins = std::move(fresh.plugins);
  setup_.connectors = std::move(fresh.connectors);
  for (const auto& c : setup_.connectors) {
    if (!c.enabled || isPush(c)) continue;
    auto it = old.find(c.name);
    const bool running = it != old.end() && it->second->running;
    auto s = std::make_shared<Slot>();
    s->connector = c;
    s->plugin = *setup_.plugins.find(c.plugin);
    s->timer = std::make_unique<asio::system_timer>(io_);
    slots_[c.name] = s;
    if (running) log::info("reloaded while running: the new configuration takes over when this run ends", c.name);
    else scheduleFirst(s);  // a running one's successor is scheduled by onFinished
  }
  for (auto& [name, s] : old) {
    s->retired = true;
    s->timer->cancel();
  }
  auto joined = [](const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
  };
  if (!plan.applied.empty()) log::info("reload applied " + config_file_.string() + ": " + joined(plan.applied));
  if (!plan.need_restart.empty())
    log::warn("reload: " + joined(plan.need_restart) + " changed in " + config_file_.string() +
              " but take effect only when abmd restarts; running with the old values");
  recordConfigProblems();
  publishConnectors();
  if (surface_) surface_->reload(setup_);
  log::info("reloaded: " + std::to_string(slots_.size()) + " connectors enabled");
  seedTelemetry();
  startReady();  // a larger max_concurrent_syncs may start waiting syncs now
}

// A typo saved before a SIGHUP must not silently unschedule a connector: while its file is broken
// (unreadable, invalid, or naming a plugin that is gone), the connector runs as it was configured
// before. A connector whose plugin left the plugin folder cannot run as before, and is dropped.
void Scheduler::keepPreviousOfBrokenFiles(bootstrap::Setup& fresh) {
  config_problems_.clear();
  for (const auto& old : setup_.connectors) {
    const auto broken = fresh.refused_files.find(old.file);
    if (broken == fresh.refused_files.end() || fresh.connector(old.name)) continue;
    if (!fresh.plugins.find(old.plugin)) {
      log::error("reload: cannot keep the previous configuration: plugin '" + old.plugin + "' is gone from " +
                     fresh.daemon.plugin_dir.string(), old.name);
      continue;
    }
    fresh.connectors.push_back(old);
    config_problems_.push_back({keeper_.instanceId(), old.name, old.file.string(), broken->second, ""});
  }
}

void Scheduler::recordConfigProblems() {
  auto db = store::Database::open(setup_.daemon.store);
  Status written = db ? store::replaceConfigProblems(*db, keeper_.instanceId(), config_problems_) : db.status();
  if (!written)
    log::warn("cannot record which connectors run a previous configuration (abmctl status will not show it): " +
              written.message());
}

void Scheduler::beginShutdown(int signal) {
  if (stopping_) return;
  log::info(std::string("signal ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") + ": no new syncs; waiting for " +
            std::to_string(running_) + " running syncs to checkpoint");
  stopping_ = true;
  service::notify("STOPPING=1\nSTATUS=stopping: " + std::to_string(running_) + " syncs checkpointing");
  for (auto& [name, s] : slots_) s->timer->cancel();
  for (auto& s : ready_)
    if (s->on_started) std::exchange(s->on_started, {})({api::SyncRequestResult::ShuttingDown, 0});
  ready_.clear();
  // The listener stops accepting and answers what it has in flight while the syncs drain.
  if (surface_)
    surface_->stop([this] {
      http_drained_ = true;
      maybeExit();
    });
  telemetry::Registry::global().setRunsWaiting(0);
  maybeExit();
}

void Scheduler::waitSignals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP && !once_) reload();
    else if (sig != SIGHUP) beginShutdown(sig);
    if (!io_.stopped()) waitSignals();
  });
}

// After a sync cycle (no sync running or waiting), the metrics stage recomputes from the store.
void Scheduler::maybeRunMetrics() {
  if (!metrics_due_ || metrics_running_ || running_ > 0 || !ready_.empty() || stopping_) return;
  metrics_due_ = false;
  metrics_running_ = true;
  if (metrics_thread_.joinable()) metrics_thread_.join();
  metrics_thread_ = std::thread([this, store = setup_.daemon.store, settings = setup_.metrics] {
    const auto started = std::chrono::steady_clock::now();
    bool ok = false;
    const std::string crash = catchAll([&] {
      // Under this daemon's instance: it joins a cycle another instance opened, so the stage runs
      // once per cycle across the daemons sharing the store (docs/metrics.md#sharded-runs).
      auto out = metrics::runMetrics(store, settings, nowEpochSeconds(), false, &keeper_);
      ok = out.isOk();
      if (out) log::info(out->describe());
      else log::error(out.error());
    });
    if (!crash.empty()) log::error("metrics stage failed: " + crash);
    telemetry::Registry::global().metricsStageFinished(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), ok && crash.empty());
    asio::post(io_, [this] {
      metrics_running_ = false;
      startReady();
    });
  });
}

// Every enabled pull connector gets its series (at zero) and its last success from the store, so the
// gauge and an alert on it survive a restart. Seeding keeps the newest value, so a reload may repeat it.
void Scheduler::seedTelemetry() {
  std::map<std::string, std::string> successes;
  if (auto db = store::Database::open(setup_.daemon.store)) {
    auto found = store::lastSuccesses(*db);
    if (found) successes = std::move(*found);
    else log::warn("metrics: the last successful runs are unknown until each connector runs: " + found.error());
  }
  for (const auto& [name, s] : slots_) {
    int64_t finished = 0;
    if (auto it = successes.find(name); it != successes.end()) finished = parseTimestamp(it->second).value_or(0);
    telemetry::Registry::global().seedLastSuccess(name, finished);
    telemetry::Registry::global().setScheduleGap(
        name, static_cast<double>(s->connector.schedule.longestGap(SysClock::now()).count()));
  }
  // Push sources likewise: accepting no events makes their received and refused series appear at zero.
  for (const auto& c : setup_.connectors)
    if (c.enabled && isPush(c)) telemetry::Registry::global().eventsReceived(c.name, 0, 0);
}

void Scheduler::pingWatchdog(std::chrono::milliseconds every) {
  if (!watchdog_) watchdog_ = std::make_unique<asio::steady_timer>(io_);
  service::notify("WATCHDOG=1");
  watchdog_->expires_after(every);
  watchdog_->async_wait([this, every](const boost::system::error_code& ec) {
    if (!ec) pingWatchdog(every);
  });
}

void Scheduler::maybeExit() {
  maybeRunMetrics();
  const bool idle = running_ == 0 && ready_.empty() && !metrics_running_ && http_drained_ && resets_.empty() &&
                    (stopping_ || once_lease_waits_ == 0);
  if (idle && (stopping_ || once_)) {
    signals_.cancel();
    for (auto& [name, s] : slots_) s->timer->cancel();
    io_.stop();
  }
}

bool Scheduler::isPush(const config::ConnectorConfig& c) const {
  const auto* p = setup_.plugins.find(c.plugin);
  return p && p->push();
}

void Scheduler::publishConnectors() {
  std::vector<api::ConnectorView> views;
  for (const auto& c : setup_.connectors) {
    const auto* plugin = setup_.plugins.find(c.plugin);
    api::ConnectorView v;
    v.name = c.name;
    v.plugin = c.plugin;
    v.kind = plugin && plugin->push() ? "push" : "pull";
    v.schedule = c.has_schedule ? c.schedule.text() : "";
    v.enabled = c.enabled;
    v.settings = config::redactedView(c, plugin ? plugin->options : std::vector<config::OptionSpec>{})["settings"];
    views.push_back(std::move(v));
  }
  std::lock_guard lock(views_mu_);
  views_ = std::move(views);
}

std::vector<api::ConnectorView> Scheduler::connectors() const {
  std::lock_guard lock(views_mu_);
  return views_;
}

void Scheduler::requestSync(const std::string& name, const api::SyncRequest& request,
                            std::function<void(api::SyncRequestResult)> done) {
  asio::post(io_, [this, name, request, done = std::move(done)]() mutable {
    using R = api::SyncRequestResult;
    if (stopping_) return done({R::ShuttingDown, 0});
    auto it = slots_.find(name);
    if (it == slots_.end()) {
      const auto* c = setup_.connector(name);
      return done({c && isPush(*c) ? R::NotPullable : R::UnknownConnector, 0});
    }
    auto s = it->second;
    if (s->running || s->on_started) return done({R::AlreadyRunning, 0});
    if (s->queued) return done({R::Queued, 0});
    log::info(std::string(request.full_refresh ? "full refresh" : "sync") + " requested through the API", name);
    s->timer->cancel();  // this run replaces the scheduled one; onFinished schedules the next
    s->on_started = std::move(done);
    s->due = {};  // asked for: always due
    s->full_refresh = request.full_refresh;
    enqueue(s);
    // Every slot busy (or the metrics stage writing, or the checkpoints being reset): the run waits its turn.
    if (!s->running && s->on_started) std::exchange(s->on_started, {})({R::Queued, 0});
  });
}

// The checkpoints are removed on a thread of their own (discovering the streams may start a worker),
// under the connector's lease; meanwhile the connector's runs wait, and start once it is done.
void Scheduler::resetState(const std::string& name, const std::string& stream,
                           std::function<void(api::StateResetResult)> done) {
  asio::post(io_, [this, name, stream, done = std::move(done)]() mutable {
    using R = api::StateResetResult;
    if (stopping_) return done({R::ShuttingDown, 0, ""});
    const auto* c = setup_.connector(name);
    if (!c) return done({R::UnknownConnector, 0, ""});
    if (isPush(*c)) return done({R::NotPullable, 0, ""});
    SlotPtr s;  // none for a disabled connector: nothing here runs it
    if (auto it = slots_.find(name); it != slots_.end()) s = it->second;
    if (s && (s->running || s->on_started)) return done({R::Busy, 0, "is running a sync now"});
    if (s && s->queued) return done({R::Busy, 0, "has a run waiting for a sync slot"});
    if (s && s->resetting) return done({R::Busy, 0, "is having its checkpoints reset"});
    if (s) s->resetting = true;
    const int number = ++next_reset_;
    resets_[number] = std::thread([this, s, number, name, stream, done = std::move(done), connector = *c,
                                   plugin = *setup_.plugins.find(c->plugin), daemon = setup_.daemon]() mutable {
      pipeline::StateResetOutcome out;
      const auto crash = catchAll([&] {
        auto db = store::Database::open(daemon.store);
        if (!db) out = {pipeline::StateResetOutcome::Failed, 0, db.error()};
        else out = pipeline::resetConnectorState(*db, keeper_, daemon, name, stream, &connector, &plugin);
      });
      if (!crash.empty()) out = {pipeline::StateResetOutcome::Failed, 0, crash};
      using K = pipeline::StateResetOutcome;
      switch (out.kind) {
        case K::Reset:
          log::info("checkpoints reset through the API: removed " + std::to_string(out.removed) +
                        (stream.empty() ? "" : " of stream " + stream) + "; the next run reads from the start",
                    name);
          done({R::Reset, out.removed, ""});
          break;
        case K::HeldElsewhere:
          done({R::Busy, 0, out.detail});
          break;
        case K::UnknownStream:
          done({R::UnknownStream, 0, out.detail});
          break;
        case K::Failed:
          log::error("resetting the checkpoints failed: " + out.detail, name);
          done({R::Failed, 0, out.detail});
          break;
      }
      asio::post(io_, [this, s, number] {
        if (auto it = resets_.find(number); it != resets_.end()) {
          it->second.join();
          resets_.erase(it);
        }
        if (s) {
          s->resetting = false;
          if (std::exchange(s->due_after_reset, false)) enqueue(s);
        }
        maybeExit();
      });
    });
  });
}

}  // namespace abm::scheduler
