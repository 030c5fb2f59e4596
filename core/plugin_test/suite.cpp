#include "plugin_test/suite.hpp"

#include <abm/sdk/entities.hpp>

#include <algorithm>
#include <regex>
#include <set>

namespace abm::plugin_test {

using nlohmann::json;

namespace {

bool looksLikeCredential(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool ends_token = name.size() >= 5 && name.compare(name.size() - 5, 5, "token") == 0;
  return ends_token || name.find("secret") != std::string::npos || name.find("password") != std::string::npos ||
         name.find("api_key") != std::string::npos || name.find("apikey") != std::string::npos ||
         name.find("private_key") != std::string::npos;
}

// Why `v` is not a value of option `o`, or "".
std::string valueProblem(const config::OptionSpec& o, const json& v) {
  auto inChoices = [&o](const json& one) {
    return o.choices.empty() || std::find(o.choices.begin(), o.choices.end(), one.get<std::string>()) != o.choices.end();
  };
  const std::string text = v.dump();
  if (o.type == "string" || o.type == "timestamp") {
    if (!v.is_string()) return text + " is not a string";
    if (!inChoices(v)) return text + " is not one of its choices";
    if (!o.pattern.empty() && !v.get<std::string>().empty() && !std::regex_match(v.get<std::string>(), std::regex(o.pattern)))
      return text + " does not match its pattern";
  } else if (o.type == "integer") {
    if (!v.is_number_integer()) return text + " is not an integer";
  } else if (o.type == "number") {
    if (!v.is_number()) return text + " is not a number";
  } else if (o.type == "boolean") {
    if (!v.is_boolean()) return text + " is not a boolean";
  } else if (o.type == "string_list") {
    if (!v.is_array()) return text + " is not a list of strings";
    for (const auto& one : v) {
      if (!one.is_string()) return text + " is not a list of strings";
      if (!inChoices(one)) return text + " holds " + one.dump() + ", not one of its choices";
    }
  } else if (o.type == "string_map") {
    if (!v.is_object()) return text + " is not a map of strings";
    for (const auto& [k, one] : v.items())
      if (!one.is_string()) return text + " is not a map of strings";
  }
  return "";
}

// Runs the read `plan` and says in one line why it does not match `first`, or "".
std::string differsFromFirst(const ReadReport& r, const ReadReport& first, const std::string& name) {
  std::string error;
  const StoreKeys a = storeKeys(r.store, error);
  const StoreKeys b = error.empty() ? storeKeys(first.store, error) : StoreKeys();
  if (!error.empty()) return "cannot compare the stores: " + error;
  return compareStores(a, name, b, "after one read");
}

json missLines(const ReadReport& r) {
  json lines = json::array();
  for (const auto& m : r.misses) lines.push_back("not in the cassette: " + m);
  return lines;
}

std::string runLine(const ReadReport& r) { return r.status + (r.error.empty() ? "" : ": " + r.error); }

}  // namespace

std::vector<std::string> specProblems(const plugin_host::PluginInfo& p) {
  static const std::set<std::string> kTypes = {"string",      "integer",    "number",   "boolean",
                                               "string_list", "string_map", "timestamp"};
  std::vector<std::string> out;
  if (p.version.empty()) out.push_back("the descriptor has no version");
  if (p.description.empty()) out.push_back("the descriptor has no description");
  if (p.kind.empty()) out.push_back("the descriptor has no kind");
  std::set<std::string> seen;
  for (const auto& o : p.options) {
    const std::string at = "option " + o.name + ": ";
    if (!seen.insert(o.name).second) out.push_back(at + "declared twice");
    if (!kTypes.count(o.type)) {
      out.push_back(at + "unknown type '" + o.type + "'");
      continue;
    }
    if (o.description.empty()) out.push_back(at + "no description");
    if (o.default_value && !o.default_value->is_null()) {
      if (auto why = valueProblem(o, *o.default_value); !why.empty()) out.push_back(at + "default " + why);
      if (o.secret && o.default_value->is_string() && !o.default_value->get<std::string>().empty())
        out.push_back(at + "a secret with a default value");
    }
    if (o.required && o.default_value && !o.default_value->is_null()) out.push_back(at + "required yet has a default");
    if (!o.secret && looksLikeCredential(o.name)) out.push_back(at + "looks like a credential but is not marked secret");
  }
  return out;
}

void runStandardSuite(Bench& b, const plugin_host::WorkerAnswer& discover, const ReadReport& first, const StepFn& step) {
  // Spec well-formed.
  {
    json lines = json::array();
    for (const auto& p : specProblems(b.plugin)) lines.push_back(p);
    step("suite: spec well-formed", lines.empty(),
         lines.empty() ? std::to_string(b.plugin.options.size()) + " options, each typed, described and with a valid default"
                       : std::to_string(lines.size()) + " problem(s) in the options table",
         lines);
  }
  // Streams declared.
  {
    json lines = json::array();
    std::set<std::string> names;
    for (const auto& s : discover.streams) {
      if (!names.insert(s.name).second) lines.push_back("stream " + s.name + " declared twice");
      if (std::find(std::begin(sdk::kEntityNames), std::end(sdk::kEntityNames), s.entity) == std::end(sdk::kEntityNames))
        lines.push_back("stream " + s.name + ": unknown entity '" + s.entity + "'");
    }
    if (!discover.failure.empty()) lines.push_back("discover failed: " + discover.failure);
    else if (discover.streams.empty()) lines.push_back("discover returned no stream");
    step("suite: streams declared", lines.empty(), std::to_string(discover.streams.size()) + " stream(s)", lines);
  }
  if (first.status != "succeeded") {
    const std::string why = "not run: the first read did not succeed (" + runLine(first) + ")";
    for (const char* name : {"suite: checkpoint resume", "suite: full refresh equals incremental from zero",
                             "suite: 429 survived", "suite: 500 survived"})
      step(name, false, why, json::array());
    return;
  }

  // Checkpoint resume: stopped after its first checkpoint, then resumed from what was committed.
  ReadPlan stopped_plan;
  stopped_plan.end_after_first_checkpoint = true;
  const ReadReport stopped = readAll(b, stopped_plan);
  ReadPlan resume_plan;
  resume_plan.fresh_store = false;
  const ReadReport resumed = readAll(b, resume_plan);
  {
    json lines = missLines(stopped);
    for (const auto& l : missLines(resumed)) lines.push_back(l);
    std::string why;
    // Ended by the hook, or done before it could be: anything else is the plugin's own failure.
    const bool cut = stopped.status == "succeeded" || stopped.error.rfind("stopped after the checkpoint of ", 0) == 0;
    if (!cut) why = "the read to be stopped ended " + runLine(stopped);
    else if (stopped.checkpoints == 0) why = "";
    else if (resumed.status != "succeeded") why = "the resumed read ended " + runLine(resumed);
    else why = differsFromFirst(resumed, first, "after stopping and resuming");
    step("suite: checkpoint resume", why.empty(),
         !why.empty() ? why
         : stopped.checkpoints == 0
             ? "no checkpoint was written: nothing to resume"
             : "ended right after the first checkpoint (" + std::to_string(stopped.records) +
                   " records committed), resumed (" + std::to_string(resumed.records) +
                   " records): the store equals one read's",
         lines);
  }

  // Full refresh on that store, whose checkpoints say everything was read: everything again.
  {
    ReadPlan plan;
    plan.fresh_store = false;
    plan.full_refresh = true;
    const ReadReport full = readAll(b, plan);
    std::string why;
    if (full.status != "succeeded") why = "the full refresh ended " + runLine(full);
    for (const auto& [stream, counts] : first.streams) {
      const auto it = full.streams.find(stream);
      const uint64_t got = it == full.streams.end() ? 0 : it->second.first;
      if (why.empty() && got != counts.first)
        why = "stream " + stream + ": the full refresh wrote " + std::to_string(got) + " records, a read from zero " +
              std::to_string(counts.first);
    }
    if (why.empty()) why = differsFromFirst(full, first, "after the full refresh");
    step("suite: full refresh equals incremental from zero", why.empty(),
         why.empty() ? std::to_string(full.records) + " records, as a read from zero" : why, missLines(full));
  }

  // A 429 with Retry-After, then a 500, before the recorded answers.
  for (const int status : {429, 500}) {
    const std::string name = "suite: " + std::to_string(status) + " survived";
    if (!b.replay) {
      step(name, true, "skipped: no cassette to put it in front of", json::array());
      continue;
    }
    HttpAnswer a;
    a.status = status;
    a.headers["content-type"] = "application/json";
    if (status == 429) a.headers["retry-after"] = "1";
    a.body = json{{"error", "abm-plugin-test: injected " + std::to_string(status)}}.dump();
    b.replay->inject(a);
    const ReadReport r = readAll(b, {});
    std::string why;
    if (r.status != "succeeded") why = "the read after a " + std::to_string(status) + " ended " + runLine(r);
    else why = differsFromFirst(r, first, "after a " + std::to_string(status));
    step(name, why.empty(), why.empty() ? "the read completed with the same rows" : why, missLines(r));
  }
}

}  // namespace abm::plugin_test
