// testkit: a plugin built only for tests. Its "mode" setting makes it behave well or badly in the
// ways a real plugin might: crash, abort, hang, leak memory, send garbage, print to stdout, or ask
// for a retry. In "ok"/"slow" modes it emits `records` touchpoints with a checkpoint every
// `checkpoint_every`, resuming from its saved state.
#include <abm/sdk/plugin.hpp>

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

constexpr abm::sdk::Option kOptions[] = {
    {"mode", abm::sdk::OptionType::String, false, "\"ok\"",
     "ok, slow, segfault, abort, hang, memhog, garbage, print, retry, error, bad_rows, quota"},
    {"records", abm::sdk::OptionType::Integer, false, "100", "How many touchpoints to emit"},
    {"checkpoint_every", abm::sdk::OptionType::Integer, false, "10", "Records between checkpoints"},
    {"delay_ms", abm::sdk::OptionType::Integer, false, "0", "Sleep after each record"},
    {"fail_at", abm::sdk::OptionType::Integer, false, "0", "In segfault/abort/garbage mode: fail after this many records"},
    {"domain", abm::sdk::OptionType::String, false, "\"testkit.example\"", "account_domain of the touchpoints"},
    {"token", abm::sdk::OptionType::String, false, "", "A secret the plugin only checks is present", true},
    {"resume_after_s", abm::sdk::OptionType::Integer, false, "2", "In quota mode: seconds until the quota is back"},
};

class TestkitPlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    if (settings.value("mode", "ok") == "error") return Status::error("testkit check refused: mode is error");
    if (settings.contains("token"))
      host.info("token present (" + std::to_string(settings["token"].get<std::string>().size()) + " characters)");
    return Status::ok();
  }

  std::vector<abm::sdk::Stream> streams(const json&) override { return {{"touchpoints", "touchpoints", true}}; }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    const std::string mode = settings["mode"];
    const int64_t total = settings["records"];
    const int64_t every = settings["checkpoint_every"];
    const int64_t delay = settings["delay_ms"];
    const int64_t fail_at = settings["fail_at"];
    const std::string domain = settings["domain"];
    if (mode == "hang")
      while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
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
    if (mode == "error") return Status::error("testkit: credentials rejected");
    if (mode == "print") std::printf("this line went to stdout and must not corrupt the message stream\n");

    int64_t next = state.is_object() ? state.value("next", int64_t{0}) : 0;
    // quota: the daily allowance runs out at fail_at, once; the resumed run goes on from there.
    const bool quota_ahead = mode == "quota" && next < fail_at;
    abm::sdk::JsonObjectWriter w;
    for (; next < total; ++next) {
      if (quota_ahead && next == fail_at) {
        host.checkpoint(stream, json{{"next", next}});
        return Status::rateLimited("testkit: daily request quota spent (403 REQUEST_LIMIT_EXCEEDED)",
                                   std::time(nullptr) + settings["resume_after_s"].get<int64_t>());
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
    return Status::ok();
  }
};

}  // namespace

ABM_PLUGIN(TestkitPlugin, "testkit", "0.0.1", "test", "Misbehaves on request, for abmd's own tests", kOptions)
