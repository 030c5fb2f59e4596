// Header-only C++ SDK over the C ABI: a plugin is one class, an options table and ABM_PLUGIN(...).
//
//   class MyPlugin : public abm::sdk::Plugin { ... };
//   static constexpr abm::sdk::Option kOptions[] = {
//       {"path", abm::sdk::OptionType::String, true, "", "Folder to read"}};
//   ABM_PLUGIN(MyPlugin, "my", "1.0.0", "file", "Reads my files", kOptions)
//
// Exceptions thrown by the plugin never cross the ABI: the export thunks turn them into ABM_ERROR
// with the exception's message as the reason.
#pragma once

#include <abm/sdk/abm_plugin_abi.h>
#include <abm/sdk/json_writer.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace abm::sdk {

// Timestamp: an ISO-8601 string ("2024-01-01" or "2024-01-01T00:00:00Z"), checked by the host.
// Object: any JSON object, whose inside the plugin checks itself (a connector's own config).
enum class OptionType { String, Integer, Number, Boolean, StringList, StringMap, Timestamp, Object };

constexpr std::string_view optionTypeName(OptionType t) {
  switch (t) {
    case OptionType::String: return "string";
    case OptionType::Integer: return "integer";
    case OptionType::Number: return "number";
    case OptionType::Boolean: return "boolean";
    case OptionType::StringList: return "string_list";
    case OptionType::StringMap: return "string_map";
    case OptionType::Timestamp: return "timestamp";
    case OptionType::Object: return "object";
  }
  return "string";
}

// One row of a plugin's options table. `default_json` is JSON text ("" for none); `choices_json`,
// when not empty, is a JSON array of the only strings the value (or each list item, or each map
// value) may be; `pattern`, when not empty, an ECMAScript regular expression each such string must
// match in full (a version setting gives versionPattern() from <abm/sdk/api_version.hpp>). The host
// checks both when it validates the connector file.
struct Option {
  std::string_view name;
  OptionType type;
  bool required;
  std::string_view default_json;
  std::string_view description;
  bool secret = false;
  std::string_view choices_json = "";
  std::string_view pattern = "";
};

struct Stream {
  std::string name;    // the plugin's stream name, as in RECORD messages
  std::string entity;  // the unified entity it fills: accounts, contacts, opportunities, ...
  // false: full refresh; read() gets a null state every run, whatever checkpoint is stored.
  bool incremental = true;
};

// The outcome of a lifecycle call: OK, RETRY (transient) or ERROR (permanent), with a reason.
// [[nodiscard]]: a failure nobody returns is a failure the daemon never hears of.
struct [[nodiscard]] Status {
  abm_status code = ABM_OK;
  std::string message;
  int64_t resume_at = 0;  // set by rateLimited()
  static Status ok() { return {}; }
  static Status retry(std::string why) { return {ABM_RETRY, std::move(why)}; }
  static Status error(std::string why) { return {ABM_ERROR, std::move(why)}; }
  // The vendor's quota is spent until `resume_at` (epoch seconds): checkpoint first, then return this.
  static Status rateLimited(std::string why, int64_t resume_at) { return {ABM_RETRY, std::move(why), resume_at}; }
  bool isOk() const { return code == ABM_OK; }
};

// The plugin's view of the host: emit records, checkpoints, rejected rows and logs.
class Host {
 public:
  explicit Host(const abm_host* host) : host_(host) {}

  // Returns false when the host asks the plugin to checkpoint and stop.
  bool emit(const std::string& stream, std::string_view data_json, const char* origin = nullptr) {
    return host_->emit_record(host_->ctx, stream.c_str(), data_json.data(), data_json.size(), origin) == 0;
  }
  bool checkpoint(const std::string& stream, const nlohmann::json& state) {
    const std::string text = state.dump();
    return host_->emit_state(host_->ctx, stream.c_str(), text.data(), text.size()) == 0;
  }
  void reject(const std::string& stream, const std::string& origin, const std::string& reason) {
    host_->reject(host_->ctx, stream.c_str(), origin.c_str(), reason.c_str());
  }
  // A rejected row with its source text, kept by the host beside the reason (a 1.2 host keeps the reason only).
  void reject(const std::string& stream, const std::string& origin, const std::string& reason, std::string_view raw) {
    const bool has = host_->struct_size >= offsetof(abm_host, reject_raw) + sizeof(host_->reject_raw);
    if (has && host_->reject_raw)
      host_->reject_raw(host_->ctx, stream.c_str(), origin.c_str(), reason.c_str(), raw.data(), raw.size());
    else
      reject(stream, origin, reason);
  }
  void log(abm_log_level level, const std::string& message) { host_->log(host_->ctx, level, message.c_str()); }
  void info(const std::string& message) { log(ABM_LOG_INFO, message); }
  void warn(const std::string& message) { log(ABM_LOG_WARN, message); }
  bool stopRequested() const { return host_->should_stop(host_->ctx) != 0; }
  // The connector's private folder that outlives the run ("" when the host gives none).
  std::string stateDir() const {
    const bool has = host_->struct_size >= offsetof(abm_host, state_dir) + sizeof(host_->state_dir);
    return has && host_->state_dir ? host_->state_dir : "";
  }
  // Tells the store that the source deleted this record: the row leaves the unified store.
  bool deleted(const std::string& stream, std::string_view external_id) {
    JsonObjectWriter w;
    w.add("external_id", external_id);
    w.add("_deleted", true);
    return emit(stream, w.finish());
  }

  const abm_host* raw() const { return host_; }

 private:
  const abm_host* host_;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual Status check(Host& host, const nlohmann::json& settings) = 0;
  // The streams to read. A plugin that can fail to list them (a missing folder) overrides
  // listStreams instead, so the run fails with its reason rather than reading nothing.
  virtual std::vector<Stream> streams(const nlohmann::json&) { return {}; }
  virtual Status listStreams(const nlohmann::json& settings, std::vector<Stream>& out) {
    out = streams(settings);
    return Status::ok();
  }
  // `state` is null on a full refresh, else the last checkpoint committed for this stream.
  virtual Status read(Host& host, const nlohmann::json& settings, const std::string& stream,
                      const nlohmann::json& state) = 0;
};

namespace detail {

inline std::string optionsToJson(std::span<const Option> options) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& o : options) {
    nlohmann::json j{{"name", std::string(o.name)},
                     {"type", std::string(optionTypeName(o.type))},
                     {"required", o.required},
                     {"secret", o.secret},
                     {"description", std::string(o.description)}};
    if (!o.default_json.empty()) j["default"] = nlohmann::json::parse(o.default_json);
    if (!o.choices_json.empty()) j["choices"] = nlohmann::json::parse(o.choices_json);
    if (!o.pattern.empty()) j["pattern"] = std::string(o.pattern);
    arr.push_back(std::move(j));
  }
  return arr.dump();
}

// Runs `fn` and turns its Status or exception into the C result, reporting the reason to the host.
inline bool hostHasRateLimited(const abm_host* host) {
  return host->struct_size >= offsetof(abm_host, rate_limited) + sizeof(host->rate_limited) && host->rate_limited;
}

template <typename Fn>
abm_status guarded(const abm_host* host, Fn&& fn) {
  try {
    Status s = fn();
    if (!s.isOk() && !s.message.empty()) host->fail(host->ctx, s.message.c_str());
    if (s.resume_at > 0 && hostHasRateLimited(host)) host->rate_limited(host->ctx, s.resume_at, s.message.c_str());
    return s.code;
  } catch (const std::exception& e) {
    host->fail(host->ctx, e.what());
  } catch (...) {
    host->fail(host->ctx, "plugin threw a non-standard exception");
  }
  return ABM_ERROR;
}

template <typename P>
P& instance() {
  static P plugin;
  return plugin;
}

template <typename P>
abm_status checkThunk(const abm_host* host, const char* settings) {
  return guarded(host, [&] {
    Host h(host);
    return instance<P>().check(h, nlohmann::json::parse(settings));
  });
}

template <typename P>
abm_status discoverThunk(const abm_host* host, const char* settings) {
  return guarded(host, [&] {
    std::vector<Stream> streams;
    if (Status s = instance<P>().listStreams(nlohmann::json::parse(settings), streams); !s.isOk()) return s;
    for (const auto& s : streams) {
      nlohmann::json j{{"name", s.name}, {"entity", s.entity}, {"incremental", s.incremental}};
      host->emit_stream(host->ctx, j.dump().c_str());
    }
    return Status::ok();
  });
}

template <typename P>
abm_status readThunk(const abm_host* host, const char* settings, const char* stream, const char* state) {
  return guarded(host, [&] {
    Host h(host);
    return instance<P>().read(h, nlohmann::json::parse(settings), stream, nlohmann::json::parse(state));
  });
}

}  // namespace detail
}  // namespace abm::sdk

#define ABM_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

// Declares the plugin class `Class` and exports its descriptor under the entry symbol.
#define ABM_PLUGIN(Class, Name, Version, Kind, Description, OptionsArray)                    \
  ABM_PLUGIN_EXPORT const abm_plugin* abm_plugin_entry(void) {                               \
    static const std::string options_json = ::abm::sdk::detail::optionsToJson(OptionsArray); \
    static const abm_plugin descriptor = {sizeof(abm_plugin),                                \
                                          ABM_ABI_MAJOR,                                     \
                                          ABM_ABI_MINOR,                                     \
                                          Name,                                              \
                                          Version,                                           \
                                          Kind,                                              \
                                          Description,                                       \
                                          options_json.c_str(),                              \
                                          &::abm::sdk::detail::checkThunk<Class>,            \
                                          &::abm::sdk::detail::discoverThunk<Class>,         \
                                          &::abm::sdk::detail::readThunk<Class>};            \
    return &descriptor;                                                                      \
  }
