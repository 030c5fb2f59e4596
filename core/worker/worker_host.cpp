#include "worker/worker_host.hpp"

#include <abm/sdk/abm_plugin_abi.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "common/utf8.hpp"
#include "config/secrets.hpp"
#include "plugin_host/plugin_library.hpp"
#include "worker/protocol.hpp"

namespace abm::worker {

using nlohmann::json;

namespace {

std::atomic<bool> g_stop{false};

void onTerm(int) { g_stop.store(true); }

long long nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Buffers protocol output; records are flushed in large writes, everything else at once.
class Emitter {
 public:
  explicit Emitter(int fd) : fd_(fd) { buf_.reserve(kFlushAt + 4096); }
  ~Emitter() { flush(); }

  void record(const char* stream, std::string_view data, const char* origin) {
    appendRecord(buf_, stream, data, origin, nowMs());
    if (buf_.size() >= kFlushAt) flush();
  }
  void message(const std::string& m) {
    buf_ += m;
    flush();
  }
  void flush() {
    size_t off = 0;
    while (off < buf_.size()) {
      const ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::_Exit(kExitError);  // the daemon is gone: nobody to report to
      }
      off += static_cast<size_t>(n);
    }
    buf_.clear();
  }

  // What the plugin says (reasons, logs) with resolved secrets replaced by their references.
  std::string said(const char* text) const {
    return validUtf8(config::scrubSecrets(text ? text : "", scrub));
  }

  std::string failure;   // the reason of the last failing call
  nlohmann::json scrub = nlohmann::json::array();  // [[secret value, reference], ...] from the job
  int64_t resume_at = 0;  // set when the plugin reports a spent quota
  std::vector<std::string> streams_json;

 private:
  static constexpr size_t kFlushAt = 1 << 18;
  int fd_;
  std::string buf_;
};

Emitter* E(void* ctx) { return static_cast<Emitter*>(ctx); }

int emitRecord(void* ctx, const char* stream, const char* data, size_t len, const char* origin) {
  E(ctx)->record(stream, std::string_view(data, len), origin);
  return g_stop.load(std::memory_order_relaxed) ? 1 : 0;
}
int emitState(void* ctx, const char* stream, const char* state, size_t len) {
  E(ctx)->message(stateMessage(stream, std::string_view(state, len)));
  return g_stop.load() ? 1 : 0;
}
// A rejected row's text is kept up to this size; the origin still leads to the whole row.
constexpr size_t kMaxRejectRawBytes = 64 * 1024;

void reject(void* ctx, const char* stream, const char* origin, const char* reason) {
  E(ctx)->message(recordErrorTrace(stream, origin ? origin : "", E(ctx)->said(reason), nowMs()));
}
void rejectRaw(void* ctx, const char* stream, const char* origin, const char* reason, const char* raw, size_t len) {
  std::string why = E(ctx)->said(reason);
  std::string_view text(raw ? raw : "", raw ? len : 0);
  if (text.size() > kMaxRejectRawBytes) {
    text = text.substr(0, kMaxRejectRawBytes);
    why += " (row text kept: its first " + std::to_string(kMaxRejectRawBytes) + " bytes)";
  }
  E(ctx)->message(recordErrorTrace(stream, origin ? origin : "", why, nowMs(), validUtf8(text)));
}
void emitStream(void* ctx, const char* stream_json) { E(ctx)->streams_json.emplace_back(stream_json); }
void logFn(void* ctx, abm_log_level level, const char* message) {
  static const char* kLevels[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  E(ctx)->message(logMessage(kLevels[level & 3], E(ctx)->said(message)));
}
void failFn(void* ctx, const char* message) { E(ctx)->failure = E(ctx)->said(message); }
int shouldStop(void*) { return g_stop.load() ? 1 : 0; }
void rateLimited(void* ctx, int64_t resume_at, const char* reason) {
  E(ctx)->resume_at = resume_at;
  if (reason && *reason) E(ctx)->failure = E(ctx)->said(reason);
}

int finish(Emitter& out, abm_status status, const char* what) {
  if (status == ABM_OK) return kExitOk;
  std::string why = out.failure.empty() ? std::string(what) + " failed without a reason" : out.failure;
  if (status == ABM_RETRY && out.resume_at > 0) {
    out.message(rateLimitedTrace(why, out.resume_at, nowMs()));
    return kExitRetry;
  }
  out.message(errorTrace(why, status == ABM_RETRY ? "transient_error" : "system_error", nowMs()));
  return status == ABM_RETRY ? kExitRetry : kExitError;
}

}  // namespace

int runWorker(const std::string& mode, const std::string& plugin_path, int out_fd) {
  std::signal(SIGTERM, onTerm);
  std::signal(SIGINT, onTerm);
  std::signal(SIGPIPE, SIG_IGN);
  Emitter out(out_fd);

  auto lib = plugin_host::PluginLibrary::load(plugin_path);
  if (!lib) {
    out.message(errorTrace(lib.error(), "config_error", nowMs()));
    return kExitError;
  }
  const abm_plugin& p = lib->descriptor();

  if (mode == "describe") {
    json spec{{"name", p.name},        {"version", p.version}, {"kind", p.kind},
              {"description", p.description ? p.description : ""},
              {"abi", std::to_string(p.abi_major) + "." + std::to_string(p.abi_minor)},
              {"path", plugin_path}};
    spec["options"] = json::parse(p.options_json, nullptr, false);
    out.message(json{{"type", "SPEC"}, {"spec", spec}}.dump() + "\n");
    return kExitOk;
  }
  if (mode != "run") return kExitUsage;

  const std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  json job = json::parse(input, nullptr, false);
  if (!job.is_object() || !job.contains("command")) {
    out.message(errorTrace("the worker's job on stdin is not a JSON object with \"command\"", "system_error", nowMs()));
    return kExitUsage;
  }
  const std::string command = job["command"].get<std::string>();
  if (job.contains("scrub")) out.scrub = job["scrub"];
  const std::string settings = job.value("settings", json::object()).dump();

  const std::string state_dir = job.value("state_dir", "");
  abm_host host{sizeof(abm_host), &out,   emitRecord, emitState,  reject, emitStream,
                logFn,            failFn, shouldStop, rateLimited, state_dir.empty() ? nullptr : state_dir.c_str(),
                rejectRaw};

  if (command == "check") {
    const abm_status s = p.check(&host, settings.c_str());
    json status{{"status", s == ABM_OK ? "SUCCEEDED" : "FAILED"}};
    if (s != ABM_OK) status["message"] = out.failure;
    out.message(json{{"type", "CONNECTION_STATUS"}, {"connectionStatus", status}}.dump() + "\n");
    return s == ABM_OK ? kExitOk : (s == ABM_RETRY ? kExitRetry : kExitError);
  }

  const abm_status ds = p.discover(&host, settings.c_str());
  if (ds != ABM_OK) return finish(out, ds, "discover");
  json streams = json::array();
  for (const auto& s : out.streams_json) {
    json j = json::parse(s, nullptr, false);
    if (!j.is_object() || !j.contains("name")) {
      out.message(errorTrace("plugin listed a malformed stream: " + s, "system_error", nowMs()));
      return kExitError;
    }
    streams.push_back(std::move(j));
  }
  out.message(json{{"type", "CATALOG"}, {"catalog", {{"streams", streams}}}}.dump() + "\n");
  if (command == "discover") return kExitOk;
  if (command != "read") {
    out.message(errorTrace("unknown command '" + command + "'", "system_error", nowMs()));
    return kExitUsage;
  }

  const json states = job.value("state", json::object());
  const json selected = job.value("streams", json());
  for (const auto& s : streams) {
    const std::string name = s["name"].get<std::string>();
    if (selected.is_array() && std::find(selected.begin(), selected.end(), name) == selected.end()) continue;
    if (g_stop.load()) return kExitStopped;
    const std::string state = states.contains(name) ? states[name].dump() : "null";
    out.failure.clear();
    const abm_status rs = p.read(&host, settings.c_str(), name.c_str(), state.c_str());
    out.flush();
    if (rs != ABM_OK) return finish(out, rs, ("read of stream " + name).c_str());
  }
  return g_stop.load() ? kExitStopped : kExitOk;
}

}  // namespace abm::worker
