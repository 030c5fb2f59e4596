#include "plugin_runtime/worker_host.hpp"

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

#include "common/secret_scrub.hpp"
#include "common/utf8.hpp"
#include "plugin_runtime/plugin_library.hpp"
#include "wire/protocol.hpp"

namespace abm::plugin_runtime {

using nlohmann::json;
using wire::appendRecord;
using wire::errorTrace;
using wire::logMessage;
using wire::rateLimitedTrace;
using wire::recordErrorTrace;
using wire::stateMessage;

namespace {

std::atomic<bool> g_stop{false};

// A rejected row's text is kept up to this size; the origin still leads to the whole row.
constexpr size_t kMaxRejectRawBytes = 64 * 1024;

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

  // Record data is framed as it is, so it must be exactly one JSON object: anything else could
  // close the envelope early and smuggle members into it. A bad one becomes a rejected row.
  void record(const char* stream, std::string_view data, const char* origin) {
    if (const char* why = wire::notOneJsonObject(data, scratch_)) {
      message(recordErrorTrace(stream, origin ? origin : "",
                               std::string("plugin produced record data that is not one JSON object (") + why + ")",
                               nowMs(), repairUtf8(data.substr(0, kMaxRejectRawBytes))));
      return;
    }
    appendRecord(buf_, stream, data, origin, nowMs());
    if (buf_.size() >= kFlushAt) flush();
  }
  // A checkpoint is framed as it is too; a bad one ends the run, since the records it would
  // cover could not be resumed from.
  void state(const char* stream, std::string_view state_json) {
    if (const char* why = wire::notOneJsonObject(state_json, scratch_)) {
      message(errorTrace(std::string("plugin produced a checkpoint for stream '") + stream +
                             "' that is not one JSON object (" + why + ")",
                         "system_error", nowMs()));
      std::_Exit(wire::kExitError);
    }
    message(stateMessage(stream, state_json));
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
        std::_Exit(wire::kExitError);  // the daemon is gone: nobody to report to
      }
      off += static_cast<size_t>(n);
    }
    buf_.clear();
  }

  // What the plugin says (reasons, logs) with resolved secrets replaced by their references.
  std::string said(const char* text) const {
    return repairUtf8(scrubSecrets(text ? text : "", scrub));
  }

  std::string failure;   // the reason of the last failing call
  nlohmann::json scrub = nlohmann::json::array();  // [[secret value, reference], ...] from the job
  int64_t resume_at = 0;  // set when the plugin reports a spent quota
  std::vector<std::string> streams_json;

 private:
  static constexpr size_t kFlushAt = 1 << 18;
  int fd_;
  std::string buf_;
  JsonScratch scratch_;
};

Emitter* E(void* ctx) { return static_cast<Emitter*>(ctx); }

int emitRecord(void* ctx, const char* stream, const char* data, size_t len, const char* origin) {
  E(ctx)->record(stream, std::string_view(data, len), origin);
  return g_stop.load(std::memory_order_relaxed) ? 1 : 0;
}
int emitState(void* ctx, const char* stream, const char* state, size_t len) {
  E(ctx)->state(stream, std::string_view(state, len));
  return g_stop.load() ? 1 : 0;
}
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
  E(ctx)->message(recordErrorTrace(stream, origin ? origin : "", why, nowMs(), repairUtf8(text)));
}
void emitStream(void* ctx, const char* stream_json) { E(ctx)->streams_json.emplace_back(stream_json ? stream_json : ""); }
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
  if (status == ABM_OK) return wire::kExitOk;
  std::string why = out.failure.empty() ? std::string(what) + " failed without a reason" : out.failure;
  if (status == ABM_RETRY && out.resume_at > 0) {
    out.message(rateLimitedTrace(why, out.resume_at, nowMs()));
    return wire::kExitRetry;
  }
  out.message(errorTrace(why, status == ABM_RETRY ? "transient_error" : "system_error", nowMs()));
  return status == ABM_RETRY ? wire::kExitRetry : wire::kExitError;
}

}  // namespace

int runWorker(const std::string& mode, const std::string& plugin_path, int out_fd) {
  std::signal(SIGTERM, onTerm);
  std::signal(SIGINT, onTerm);
  std::signal(SIGPIPE, SIG_IGN);
  Emitter out(out_fd);

  auto lib = PluginLibrary::load(plugin_path);
  if (!lib) {
    out.message(errorTrace(lib.error(), "config_error", nowMs()));
    return wire::kExitError;
  }
  const abm_plugin& p = lib->descriptor();

  if (mode == "describe") {
    json spec{{"name", p.name},        {"version", p.version}, {"kind", p.kind},
              {"description", p.description ? p.description : ""},
              {"abi", std::to_string(p.abi_major) + "." + std::to_string(p.abi_minor)},
              {"path", plugin_path}};
    if (const std::string shipped = lib->shipped(); !shipped.empty()) spec["shipped"] = shipped;
    spec["options"] = json::parse(p.options_json ? p.options_json : "[]", nullptr, false);
    if (!spec["options"].is_array()) {
      out.message(errorTrace("plugin " + plugin_path + ": its options_json is not a JSON array", "config_error", nowMs()));
      return wire::kExitError;
    }
    out.message(json{{"type", "SPEC"}, {"spec", spec}}.dump() + "\n");
    return wire::kExitOk;
  }
  if (mode != "run") return wire::kExitUsage;

  const std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  json job = json::parse(input, nullptr, false);
  if (!job.is_object() || !job.contains("command")) {
    out.message(errorTrace("the worker's job on stdin is not a JSON object with \"command\"", "system_error", nowMs()));
    return wire::kExitUsage;
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
    return s == ABM_OK ? wire::kExitOk : (s == ABM_RETRY ? wire::kExitRetry : wire::kExitError);
  }

  const abm_status ds = p.discover(&host, settings.c_str());
  if (ds != ABM_OK) return finish(out, ds, "discover");
  json streams = json::array();
  JsonScratch scratch;
  for (const auto& s : out.streams_json) {
    // Checked by the bounded scanner first: nlohmann's dump below recurses once per nesting level.
    const bool one_object = wire::notOneJsonObject(s, scratch) == nullptr;
    json j = one_object ? json::parse(s, nullptr, false) : json();
    if (!j.is_object() || !j.contains("name") || !j["name"].is_string()) {
      out.message(errorTrace("plugin listed a malformed stream: " + repairUtf8(s.substr(0, 200)), "system_error",
                             nowMs()));
      return wire::kExitError;
    }
    streams.push_back(std::move(j));
  }
  out.message(json{{"type", "CATALOG"}, {"catalog", {{"streams", streams}}}}.dump() + "\n");
  if (command == "discover") return wire::kExitOk;
  if (command != "read") {
    out.message(errorTrace("unknown command '" + command + "'", "system_error", nowMs()));
    return wire::kExitUsage;
  }

  const json states = job.value("state", json::object());
  const json selected = job.value("streams", json());
  for (const auto& s : streams) {
    const std::string name = s["name"].get<std::string>();
    if (selected.is_array() && std::find(selected.begin(), selected.end(), name) == selected.end()) continue;
    if (g_stop.load()) return wire::kExitStopped;
    // A full-refresh stream starts from nothing every run, whatever checkpoint the store holds:
    // its checkpoints only mark commit points (docs/plugin-sdk.md#full-refresh-streams).
    const bool incremental = s.contains("incremental") && s["incremental"].is_boolean() && s["incremental"].get<bool>();
    const std::string state = incremental && states.contains(name) ? states[name].dump() : "null";
    out.failure.clear();
    const abm_status rs = p.read(&host, settings.c_str(), name.c_str(), state.c_str());
    out.flush();
    if (rs != ABM_OK) return finish(out, rs, ("read of stream " + name).c_str());
  }
  return g_stop.load() ? wire::kExitStopped : wire::kExitOk;
}

}  // namespace abm::plugin_runtime
