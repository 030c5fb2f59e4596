#include "collector/group_commit.hpp"

#include <chrono>

#include "collector/event_writer.hpp"
#include "common/catch_all.hpp"
#include "common/timestamp.hpp"
#include "log/logger.hpp"
#include "store/database.hpp"
#include "telemetry/telemetry.hpp"

namespace abm::collector {

struct GroupCommit::Connection {
  store::Database db;
  std::unique_ptr<EventWriter> writer;
};

GroupCommit::GroupCommit(store::Location store, const pipeline::IdentityRules& identity)
    : store_(std::move(store)), identity_(identity) {}

GroupCommit::~GroupCommit() { stop(); }

void GroupCommit::start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { run(); });
}

GroupCommit::Submitted GroupCommit::submit(std::string source, std::vector<std::unique_ptr<MappedEvent>> events,
                                           std::function<void(const Status&)> done) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Submitted::Stopped;  // before start() requests wait for it
    if (queued_events_ + events.size() > kMaxQueuedEvents && queued_events_ > 0) return Submitted::Busy;
    queued_events_ += events.size();
    queue_.push_back(Request{std::move(source), std::move(events), std::move(done), Status::ok(), false});
  }
  wake_.notify_one();
  return Submitted::Queued;
}

void GroupCommit::noteRefused(const std::string& source, uint64_t n) {
  if (source.empty() || n == 0) return;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    refused_[source] += n;
  }
  wake_.notify_one();
}

void GroupCommit::stop() {
  bool never_started = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    never_started = !started_;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (never_started) {
    // Nobody will write what was queued: say so rather than leave the requests unanswered.
    const Status s = Status::error("the event collector was stopped before it started");
    for (auto& r : queue_) answer(r, s);
    queue_.clear();
  }
}

void GroupCommit::answer(Request& r, const Status& s) {
  if (r.answered) return;
  r.answered = true;
  if (r.done) r.done(s);
}

void GroupCommit::run() {
  while (true) {
    std::vector<Request> group;
    std::map<std::string, uint64_t> refused;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || !refused_.empty(); });
      if (queue_.empty() && refused_.empty()) break;  // stopping, and nothing is left
      group.swap(queue_);
      refused.swap(refused_);
      queued_events_ = 0;
    }
    const std::string crash = catchAll([&] { commitGroup(group, refused); });
    if (!crash.empty()) {
      log::error("event collector: " + crash);
      if (conn_) (void)conn_->db.exec("ROLLBACK");  // whatever the exception left open
      if (conn_ && conn_->writer) conn_->writer->end(false);
      const Status s = Status::error("the event collector failed: " + crash);
      for (auto& r : group) answer(r, s);
    }
  }
}

Status GroupCommit::openStore() {
  if (conn_) return Status::ok();
  auto db = store::Database::open(store_);
  if (!db) return Status::error("cannot open the store " + store_.describe() + ": " + db.error());
  auto conn = std::make_unique<Connection>();
  conn->db = std::move(*db);
  // The answer says "stored": make the commit reach the disk, not just the OS (one fsync per group).
  if (auto s = conn->db.requireDurableCommits(); !s)
    return Status::error("store " + store_.describe() + ": cannot make commits durable: " + s.message());
  conn->writer = std::make_unique<EventWriter>(conn->db, identity_);
  if (auto s = conn->writer->prepare(); !s) return Status::error("store " + store_.describe() + ": " + s.message());
  conn_ = std::move(conn);
  return Status::ok();
}

void GroupCommit::commitGroup(std::vector<Request>& group, std::map<std::string, uint64_t>& refused) {
  const auto started = std::chrono::steady_clock::now();
  Status s = writeGroup(group, refused);
  // Several daemons on one PostgreSQL store: a transaction that lost a deadlock or a serialization
  // conflict to another one is rolled back whole and written again; what it held was never stored.
  for (int attempt = 1; !s && conn_ && conn_->db.transactionConflicted() && attempt < kConflictAttempts; ++attempt) {
    log::warn("event collector: the store transaction conflicted with another writer (" + s.message() +
              "); writing the group again");
    for (auto& r : group) r.result = Status::ok();
    s = writeGroup(group, refused);
  }
  if (!s) {
    log::error("event collector: " + s.message());
    for (auto& r : group) answer(r, s);
    // The refusals were not counted: count them with the next commit.
    std::lock_guard lock(mu_);
    for (const auto& [source, n] : refused) refused_[source] += n;
    return;
  }
  const int64_t now = nowEpochSeconds();
  std::map<std::string, uint64_t> stored;
  uint64_t events = 0;
  for (auto& r : group) {
    if (r.result) {
      stored[r.source] += r.events.size();
      events += r.events.size();
    } else {
      log::error("event collector: " + r.result.message(), r.source);
    }
    answer(r, r.result);
  }
  auto& telemetry = telemetry::Registry::global();
  for (const auto& [source, n] : stored) telemetry.eventsReceived(source, n, now);
  telemetry.groupCommit(group.size(), events,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

Status GroupCommit::writeGroup(std::vector<Request>& group, const std::map<std::string, uint64_t>& refused) {
  if (auto s = openStore(); !s) return s;
  store::Database& db = conn_->db;
  EventWriter& writer = *conn_->writer;
  if (auto s = db.beginWrite(); !s) return Status::error("cannot start a store transaction: " + s.message());
  writer.begin();
  const std::string received_at = formatTimestamp(nowEpochSeconds());
  auto abort = [&](const Status& why) {
    (void)db.exec("ROLLBACK");  // may find the transaction gone already; the error to report is `why`
    writer.end(false);
    return why;
  };
  for (auto& r : group) {
    if (auto s = db.exec("SAVEPOINT request"); !s) return abort(s);
    Status s;
    for (auto& e : r.events)
      if (s = writer.apply(r.source, *e); !s) break;
    if (s && !r.events.empty()) s = writer.countReceived(r.source, r.events.size(), received_at);
    if (s) {
      if (auto rel = db.exec("RELEASE request"); !rel) return abort(rel);
      continue;
    }
    // A conflict with another writer fails the whole transaction, to be written again; so do errors
    // that end it (a full disk, an I/O error), where the savepoint is gone with it.
    if (db.transactionConflicted()) return abort(Status::error("store error: " + s.message()));
    if (auto back = db.exec("ROLLBACK TO request"); !back) return abort(Status::error("store error: " + s.message()));
    if (auto rel = db.exec("RELEASE request"); !rel) return abort(rel);
    writer.forgetIds();  // they may name rows the savepoint took back
    r.result = Status::error("store error: " + s.message());
  }
  for (const auto& [source, n] : refused)
    if (auto s = writer.countRefused(source, n); !s) return abort(s);
  if (auto s = writer.finish(); !s) return abort(s);
  if (auto s = db.exec("COMMIT"); !s) return abort(Status::error("store commit failed: " + s.message()));
  writer.end(true);
  return Status::ok();
}

}  // namespace abm::collector
