// Load run of the event collector over loopback, beside two references measured in the same run:
//  - bare server: the same listener answering 200 without decoding or writing anything;
//  - SQLite alone: the same touchpoint rows inserted by one thread through one prepared statement,
//    in transactions of the same size, with the collector's pragmas (WAL, synchronous=FULL).
// Concurrent clients keep one connection each and send as fast as answers come. Batches of 100
// events give durable events/s; one event per request gives requests/s. Latency is per request.
// See bench/RESULTS.md.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "collector/collector.hpp"
#include "http/http_server.hpp"
#include "http_client.hpp"
#include "store/migrations.hpp"
#include "store/database.hpp"

namespace {

using namespace abm;
using Clock = std::chrono::steady_clock;

struct Options {
  int clients = 16;
  double seconds = 5;
  int batch = 100;
  int repeat = 2;
  bool collector_only = false;  // --collector-only: skip the references (for a profiler)
};

struct LoadResult {
  uint64_t requests = 0, events = 0, failures = 0;
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0;
};

const char* kWriteKey = "bench-write-key-0123456789";

std::string basicAuth() { return test::basicAuthValue(kWriteKey); }

std::string trackEvent(const std::string& message_id) {
  return R"({"type":"track","event":"Pricing Viewed","userId":"user-)" + message_id.substr(0, 6) +
         R"(","messageId":")" + message_id +
         R"(","timestamp":"2026-11-30T10:00:00.000Z","properties":{"plan":"enterprise","seats":25},)"
         R"("context":{"library":{"name":"analytics-node","version":"2.1.0"},"page":{"url":"https://acme.example/pricing"}}})";
}

// One phase: `clients` threads, each on its own keep-alive connection, for `seconds`.
LoadResult load(uint16_t port, const Options& o, int events_per_request, const std::string& run_tag) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(o.clients));
  std::vector<uint64_t> failures(static_cast<size_t>(o.clients), 0);
  std::vector<std::thread> threads;
  const std::string auth = basicAuth();
  const auto start = Clock::now();
  for (int t = 0; t < o.clients; ++t) {
    threads.emplace_back([&, t] {
      test::RawConnection c(port);
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        std::string body, path;
        if (events_per_request == 1) {
          path = "/v1/track";
          body = trackEvent(run_tag + "-" + std::to_string(t) + "-" + std::to_string(n++));
        } else {
          path = "/v1/batch";
          body = "{\"batch\":[";
          for (int i = 0; i < events_per_request; ++i)
            body += (i ? "," : "") + trackEvent(run_tag + "-" + std::to_string(t) + "-" + std::to_string(n++));
          body += "]}";
        }
        const std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                "Authorization: " + auth + "\r\nContent-Length: " + std::to_string(body.size()) +
                                "\r\n\r\n" + body;
        const auto t0 = Clock::now();
        auto a = c.send(req) ? c.readAnswer(std::chrono::seconds(30)) : std::nullopt;
        if (!a || a->status != 200) {
          ++failures[static_cast<size_t>(t)];
          if (!a) return;  // the connection is gone
          continue;
        }
        latencies[static_cast<size_t>(t)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  for (auto& th : threads) th.join();
  LoadResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (size_t t = 0; t < latencies.size(); ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    r.failures += failures[t];
  }
  std::sort(all.begin(), all.end());
  r.requests = all.size();
  r.events = r.requests * static_cast<uint64_t>(events_per_request);
  if (!all.empty()) {
    r.p50_ms = all[all.size() / 2];
    r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return r;
}

// A listener on its own io thread with `router`, for the duration of one phase.
class Listener {
 public:
  explicit Listener(std::shared_ptr<http::Router> router) {
    config::HttpSettings s;
    s.port = 0;
    s.max_body_bytes = 4 * 1024 * 1024;
    server_ = std::make_unique<http::HttpServer>(io_, s, std::move(router));
    if (auto st = server_->start(); !st) throw std::runtime_error(st.message());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Listener() {
    boost::asio::post(io_, [this] { server_->stop([this] { io_.stop(); }); });
    thread_.join();
  }
  uint16_t port() const { return server_->port(); }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

std::filesystem::path freshStore(const std::filesystem::path& dir, const std::string& name) {
  const auto path = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  auto db = store::Database::open(path.string());
  if (!db) throw std::runtime_error(db.error());
  if (auto s = store::applyMigrations(*db, ABMD_BENCH_SCHEMA_DIR); !s) throw std::runtime_error(s.message());
  return path;
}

// The reference: the same rows, inserted alone, `per_tx` to a transaction, for `seconds`.
LoadResult sqliteAlone(const std::filesystem::path& store_path, const Options& o, int per_tx) {
  auto db = store::Database::open(store_path.string());
  if (!db) throw std::runtime_error(db.error());
  if (auto s = db->exec("PRAGMA synchronous=FULL"); !s) throw std::runtime_error(s.message());
  auto ins = db->prepare(
      "INSERT INTO touchpoints (source, external_id, channel, activity, occurred_at, quantity, properties)"
      " VALUES ('website', ?1, 'web', 'pricing_viewed', '2026-11-30T10:00:00.000Z', 1, ?2)"
      " ON CONFLICT (source, external_id) DO UPDATE SET properties = excluded.properties");
  if (!ins) throw std::runtime_error(ins.error());
  const std::string props = R"({"event":"Pricing Viewed","plan":"enterprise","seats":25,"url":"https://acme.example/pricing"})";
  LoadResult r;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  uint64_t n = 0;
  std::vector<double> lat;
  while (Clock::now() < end) {
    const auto t0 = Clock::now();
    if (auto s = db->exec("BEGIN"); !s) throw std::runtime_error(s.message());
    for (int i = 0; i < per_tx; ++i) {
      const std::string id = "ref-" + std::to_string(n++);
      ins->reset();
      ins->bind(1, id);
      ins->bind(2, props);
      if (ins->step() != store::Statement::Step::Done) throw std::runtime_error(ins->status().message());
    }
    if (auto s = db->exec("COMMIT"); !s) throw std::runtime_error(s.message());
    lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.requests = lat.size();
  r.events = n;
  std::sort(lat.begin(), lat.end());
  if (!lat.empty()) {
    r.p50_ms = lat[lat.size() / 2];
    r.p99_ms = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
  }
  return r;
}

void print(const std::string& name, const LoadResult& r) {
  std::printf("%-44s %10.0f events/s %9.0f requests/s   p50 %7.2f ms   p99 %7.2f ms   failures %llu\n", name.c_str(),
              r.events / r.seconds, r.requests / r.seconds, r.p50_ms, r.p99_ms,
              static_cast<unsigned long long>(r.failures));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--clients") o.clients = std::stoi(next());
    else if (a == "--seconds") o.seconds = std::stod(next());
    else if (a == "--batch") o.batch = std::stoi(next());
    else if (a == "--repeat") o.repeat = std::stoi(next());
    else if (a == "--collector-only") o.collector_only = true;
    else {
      std::cerr << "usage: collector_bench [--clients 16] [--seconds 5] [--batch 100] [--repeat 2] [--collector-only]\n";
      return 2;
    }
  }
  const auto dir = std::filesystem::temp_directory_path() / ("abmd-collector-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::printf("collector_bench: %d clients on loopback, %.0f s per phase, batches of %d, %d rounds\n", o.clients,
              o.seconds, o.batch, o.repeat);

  auto bare = std::make_shared<http::Router>();
  for (const char* path : {"/v1/batch", "/v1/track"})
    bare->add("POST", path, http::Access::Public, [](const http::Request&, http::Respond respond) {
      respond(http::Response::text(200, "{\"success\":true}", "application/json"));
    });
  pipeline::IdentityRules identity = pipeline::IdentityRules::make(
      pipeline::FreeMailDomains::fromList({"gmail.com"}), pipeline::PublicSuffixList::fromRules("com\nexample\n"), {});

  for (int round = 1; round <= o.repeat; ++round) {
    std::printf("-- round %d\n", round);
    const std::string tag = "r" + std::to_string(round);
    if (!o.collector_only) {
      Listener l(bare);
      print("reference: bare server, batch of " + std::to_string(o.batch), load(l.port(), o, o.batch, tag + "b"));
      print("reference: bare server, single event", load(l.port(), o, 1, tag + "s"));
    }
    if (!o.collector_only) {
      print("reference: SQLite alone, " + std::to_string(o.batch) + " rows per commit",
            sqliteAlone(freshStore(dir, "ref.db"), o, o.batch));
      print("reference: SQLite alone, 1 row per commit", sqliteAlone(freshStore(dir, "ref.db"), o, 1));
    }
    for (int single = 0; single < 2; ++single) {
      config::DaemonConfig daemon;
      daemon.store.sqlite_path = freshStore(dir, "abm.db");
      config::ConnectorConfig c;
      c.name = "website";
      c.plugin = "events";
      c.settings = {{"write_key", kWriteKey}, {"event_activities", nlohmann::json::object()}};
      collector::Collector collector(daemon, identity, {c});
      auto router = std::make_shared<http::Router>();
      collector.addRoutes(*router);
      LoadResult r;
      {
        Listener l(router);
        r = single ? load(l.port(), o, 1, tag + "cs") : load(l.port(), o, o.batch, tag + "cb");
      }
      collector.stop();
      // Every answered event must be in the store: the figure counts durable events only.
      auto db = store::Database::open(daemon.store.sqlite_path.string());
      auto q = db->prepare("SELECT count(*) FROM touchpoints");
      const auto stored = q && q->step() == store::Statement::Step::Row ? static_cast<uint64_t>(q->columnInt(0)) : 0;
      print(single ? "abmd collector, single event (durable)"
                   : "abmd collector, batch of " + std::to_string(o.batch) + " (durable)",
            r);
      if (stored < r.events) {
        std::fprintf(stderr, "collector_bench: %llu events answered 200 but only %llu stored\n",
                     static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(stored));
        return 1;
      }
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
