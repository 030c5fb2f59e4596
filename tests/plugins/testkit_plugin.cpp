// testkit: a plugin built only for tests. Its "mode" setting makes it behave well or badly in the
// ways a real plugin might: crash, abort, hang, leak memory, send garbage, print to stdout, or ask
// for a retry. In "ok"/"slow" modes it emits `records` touchpoints with a checkpoint every
// `checkpoint_every`, resuming from its saved state.
// For abm-plugin-test's standard suite it also breaks each rule the suite checks: "no_streams",
// "dup_resume" (a resumed read writes what it already wrote again, under new ids), "state_file" (it
// keeps its position in a file of its own, so a full refresh reads nothing), "http_fragile" (reads
// base_url's /records and dies on any answer but 200; "http" retries as the SDK does), and, built
// with TESTKIT_BAD_OPTIONS, a plugin "testkit_bad_spec" whose options table is wrong.
// With ABMD_TESTKIT_STDERR_ON_LOAD=N in its environment it prints N bytes to stderr while the
// library loads, before the worker has read its job.
#include <abm/sdk/http.hpp>
#include <abm/sdk/plugin.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

using nlohmann::json;
using abm::sdk::Host;
using abm::sdk::Status;

namespace {

#ifdef TESTKIT_BAD_OPTIONS
// Each entry breaks a rule of the suite's "spec well-formed" check.
constexpr abm::sdk::Option kBadOptions[] = {
    {"mode", abm::sdk::OptionType::String, false, "\"ok\"", ""},                            // no description
    {"records", abm::sdk::OptionType::Integer, false, "\"many\"", "How many touchpoints"},  // default not an integer
    {"color", abm::sdk::OptionType::String, false, "\"mauve\"", "A color", false, R"(["red","blue"])"},
    {"api_key", abm::sdk::OptionType::String, false, "\"\"", "The vendor's key"},           // a credential, not secret
};
#endif

constexpr abm::sdk::Option kOptions[] = {
    {"mode", abm::sdk::OptionType::String, false, "\"ok\"",
     "ok, slow, segfault, abort, hang, memhog, garbage, print, retry, error, bad_rows, quota, cut_line, raw_line,"
     " backoff, no_streams, dup_resume, state_file, http, http_fragile"},
    {"records", abm::sdk::OptionType::Integer, false, "100", "How many touchpoints to emit"},
    {"checkpoint_every", abm::sdk::OptionType::Integer, false, "10", "Records between checkpoints"},
    {"delay_ms", abm::sdk::OptionType::Integer, false, "0", "Sleep after each record"},
    {"fail_at", abm::sdk::OptionType::Integer, false, "0", "In segfault/abort/garbage mode: fail after this many records"},
    {"domain", abm::sdk::OptionType::String, false, "\"testkit.example\"", "account_domain of the touchpoints"},
    {"token", abm::sdk::OptionType::String, false, "", "A secret the plugin only checks is present", true},
    {"resume_after_s", abm::sdk::OptionType::Integer, false, "2", "In quota mode: seconds until the quota is back"},
    {"signal", abm::sdk::OptionType::Integer, false, "9", "In cut_line mode: the signal the worker dies of"},
    {"line", abm::sdk::OptionType::String, false, "\"\"", "In raw_line mode: the message line sent at fail_at"},
    {"url", abm::sdk::OptionType::String, false, "\"http://127.0.0.1:1\"", "In backoff mode: the unreachable vendor"},
    {"retry_ms", abm::sdk::OptionType::Integer, false, "30000", "In backoff mode: the first wait between attempts"},
    {"padding", abm::sdk::OptionType::String, false, "\"\"", "Ignored: makes the worker's job as large as needed"},
    {"base_url", abm::sdk::OptionType::String, false, "\"http://127.0.0.1:1\"", "In http modes: the vendor"},
    {"retry_initial_ms", abm::sdk::OptionType::Integer, false, "1000", "In http mode: the first wait between attempts"},
    {"incremental", abm::sdk::OptionType::Boolean, false, "true",
     "false: the stream is full refresh; the plugin then fails the read if it is handed a checkpoint"},
};

// Prints to stderr while loading, as a chatty library might, before the worker reads its job.
[[maybe_unused]] const bool kNoisyLoad = [] {
  const char* n = std::getenv("ABMD_TESTKIT_STDERR_ON_LOAD");
  if (!n) return false;
  const std::string noise(std::strtoul(n, nullptr, 10), 'x');
  for (size_t off = 0; off < noise.size(); off += 1000) std::fprintf(stderr, "%.*s\n", 999, noise.data() + off);
  return true;
}();

// The worker's message pipe: a write-only pipe that is neither stdin nor stderr (fd 1 is stderr).
int messageFd() {
  struct stat in{}, err{};
  ::fstat(0, &in);
  ::fstat(2, &err);
  for (int fd = 3; fd < 1024; ++fd) {
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode) || st.st_ino == in.st_ino || st.st_ino == err.st_ino) continue;
    if ((::fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY) return fd;
  }
  return -1;
}

void writeRaw(const std::string& text) {
  const int fd = messageFd();
  if (fd >= 0 && ::write(fd, text.data(), text.size()) < 0) std::perror("testkit: write");
}

// Retries an unreachable vendor with the SDK's backoff, as an HTTP plugin would.
Status backoff(Host& host, const json& settings) {
  abm::sdk::http::ClientOptions o;
  o.base_url = settings["url"];
  o.connect_timeout = std::chrono::seconds(2);
  abm::sdk::http::Client client(o);
  abm::sdk::http::RetryOptions retry;
  retry.max_attempts = 5;
  retry.initial = std::chrono::milliseconds(settings["retry_ms"].get<int64_t>());
  retry.max = retry.initial * 4;
  retry.stop_requested = [&host] { return host.stopRequested(); };
  retry.on_retry = [&host](int attempt, abm::sdk::http::Millis wait, const std::string& why) {
    host.warn("testkit: attempt " + std::to_string(attempt) + " failed (" + why + "); retrying in " +
              std::to_string(wait.count()) + " ms");
  };
  const auto r = abm::sdk::http::sendWithRetry(client, {"GET", "/"}, retry);
  if (r.stopped) return Status::retry("testkit: stopped while waiting to retry the vendor");
  return Status::retry("testkit: vendor unreachable after " + std::to_string(retry.max_attempts) + " attempts");
}

// GET /records?page=N answers {"records": [{"id": ...}], "next": N+1 or null}; a checkpoint per page.
Status readHttp(Host& host, const json& settings, const std::string& stream, const json& state, bool fragile) {
  abm::sdk::http::ClientOptions o;
  o.base_url = settings["base_url"];
  abm::sdk::http::Client client(o);
  abm::sdk::http::RetryOptions retry;
  retry.initial = std::chrono::milliseconds(settings["retry_initial_ms"].get<int64_t>());
  retry.max = retry.initial * 4;
  retry.stop_requested = [&host] { return host.stopRequested(); };
  int64_t page = state.is_object() ? state.value("page", int64_t{1}) : 1;
  abm::sdk::JsonObjectWriter w;
  while (page > 0) {
    const abm::sdk::http::Request req{"GET", "/records?page=" + std::to_string(page)};
    const auto r = fragile ? client.send(req) : abm::sdk::http::sendWithRetry(client, req, retry);
    if (r.status != 200) {
      if (fragile) {
        std::fprintf(stderr, "testkit: GET /records answered %ld\n", r.status);
        std::abort();
      }
      return Status::error("testkit: GET /records?page=" + std::to_string(page) + " answered " + std::to_string(r.status));
    }
    const json body = json::parse(r.body);
    for (const auto& rec : body["records"]) {
      w.reset();
      w.add("external_id", rec["id"].get<std::string>());
      w.add("account_domain", settings["domain"].get<std::string>());
      w.add("channel", "web");
      w.add("activity", "page_view");
      w.add("occurred_at", "2026-01-01T00:00:00Z");
      host.emit(stream, w.finish());
    }
    page = body["next"].is_number_integer() ? body["next"].get<int64_t>() : 0;
    host.checkpoint(stream, json{{"page", page}});
    if (host.stopRequested()) return Status::ok();
  }
  return Status::ok();
}

class TestkitPlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    if (settings.value("mode", "ok") == "error") return Status::error("testkit check refused: mode is error");
    if (settings.contains("token"))
      host.info("token present (" + std::to_string(settings["token"].get<std::string>().size()) + " characters)");
    return Status::ok();
  }

  std::vector<abm::sdk::Stream> streams(const json& settings) override {
    if (settings.value("mode", "ok") == "no_streams") return {};
    return {{"touchpoints", "touchpoints", settings.value("incremental", true)}};
  }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    const std::string mode = settings["mode"];
    const int64_t total = settings["records"];
    const int64_t every = settings["checkpoint_every"];
    const int64_t delay = settings["delay_ms"];
    const int64_t fail_at = settings["fail_at"];
    const std::string domain = settings["domain"];
    if (mode == "hang") {
      host.info("testkit: hanging, deaf to the stop request");
      while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (mode == "memhog") {
      std::vector<char*> hog;
      while (true) {
        char* p = static_cast<char*>(std::malloc(8 << 20));
        std::memset(p, 1, 8 << 20);
        hog.push_back(p);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    if (mode == "retry") return Status::retry("testkit: vendor answered 503, try later");
    if (mode == "backoff") return backoff(host, settings);
    if (mode == "error") return Status::error("testkit: credentials rejected");
    // The host's promise to a full-refresh stream: it starts from nothing, whatever is stored.
    if (!settings.value("incremental", true) && !state.is_null())
      return Status::error("testkit: full-refresh stream handed a checkpoint: " + state.dump());
    if (mode == "print") std::printf("this line went to stdout and must not corrupt the message stream\n");

    if (mode == "http" || mode == "http_fragile") return readHttp(host, settings, stream, state, mode == "http_fragile");

    int64_t next = state.is_object() ? state.value("next", int64_t{0}) : 0;
    // state_file: the position lives in a file of the plugin's own, beyond the host's reach.
    const std::string position_file = host.stateDir() + "/position";
    if (mode == "state_file")
      if (FILE* f = std::fopen(position_file.c_str(), "r")) {
        if (std::fscanf(f, "%ld", &next) != 1) next = 0;
        std::fclose(f);
      }
    // quota: the daily allowance runs out at fail_at, once; the resumed run goes on from there.
    const bool quota_ahead = mode == "quota" && next < fail_at;
    abm::sdk::JsonObjectWriter w;
    if (mode == "dup_resume")
      for (int64_t again = 0; again < next; ++again) {
        w.reset();
        w.add("external_id", "tk-" + std::to_string(again) + "-again");
        w.add("account_domain", domain);
        w.add("channel", "web");
        w.add("activity", "page_view");
        w.add("occurred_at", "2026-01-01T00:00:00Z");
        host.emit(stream, w.finish());
      }
    for (; next < total; ++next) {
      if (quota_ahead && next == fail_at) {
        host.checkpoint(stream, json{{"next", next}});
        return Status::rateLimited("testkit: daily request quota spent (403 REQUEST_LIMIT_EXCEEDED)",
                                   std::time(nullptr) + settings["resume_after_s"].get<int64_t>());
      }
      if (mode == "cut_line" && next == fail_at) {
        // Dies in the middle of a message, as a worker killed while writing does.
        host.checkpoint(stream, json{{"next", next}});
        writeRaw(R"({"type":"RECORD","record":{"stream":"touchpoints","data":{"external_id":"tk-)");
        std::raise(settings["signal"].get<int>());
      }
      if (mode == "raw_line" && next == fail_at) {
        host.checkpoint(stream, json{{"next", next}});
        writeRaw(settings["line"].get<std::string>() + "\n");
      }
      if ((mode == "segfault" || mode == "abort" || mode == "garbage") && next == fail_at) {
        if (mode == "segfault") std::raise(SIGSEGV);
        if (mode == "abort") std::abort();
        const char junk[] = "{\"external_id\": \"broken";  // not JSON: the envelope breaks
        host.raw()->emit_record(host.raw()->ctx, stream.c_str(), junk, sizeof junk - 1, nullptr);
        continue;
      }
      w.reset();
      w.add("external_id", "tk-" + std::to_string(next));
      w.add("account_domain", domain);
      w.add("channel", "web");
      if (mode == "bad_rows" && next % 10 == 3) w.add("activity", "teleport");
      else w.add("activity", "page_view");
      w.add("occurred_at", "2026-01-01T00:00:00Z");
      w.add("quantity", int64_t{1});
      const std::string origin = "testkit:" + std::to_string(next);
      const bool go_on = host.emit(stream, w.finish(), origin.c_str());
      if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      if (!go_on || (next + 1) % every == 0) {
        host.checkpoint(stream, json{{"next", next + 1}});
        if (!go_on || host.stopRequested()) return Status::ok();
      }
    }
    host.checkpoint(stream, json{{"next", next}});
    if (mode == "state_file")
      if (FILE* f = std::fopen(position_file.c_str(), "w")) {
        std::fprintf(f, "%ld", next);
        std::fclose(f);
      }
    return Status::ok();
  }
};

}  // namespace

#ifdef TESTKIT_BAD_OPTIONS
ABM_PLUGIN(TestkitPlugin, "testkit_bad_spec", "0.0.1", "test", "An options table abm-plugin-test refuses", kBadOptions)
#else
ABM_PLUGIN(TestkitPlugin, "testkit", "0.0.1", "test", "Misbehaves on request, for abmd's own tests", kOptions)
#endif
