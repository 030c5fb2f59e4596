#include "metrics/metrics_settings.hpp"

#include <abm/sdk/entities.hpp>

#include <iterator>

#include "common/status.hpp"
#include "common/timestamp.hpp"
#include "metrics/attribution_rules.hpp"

namespace abm::metrics {

int activityIndex(std::string_view a) {
  for (size_t i = 0; i < std::size(sdk::kActivities); ++i)
    if (sdk::kActivities[i] == a) return static_cast<int>(i);
  return -1;
}

int channelIndex(std::string_view c) {
  for (size_t i = 0; i < std::size(sdk::kChannels); ++i)
    if (sdk::kChannels[i] == c) return static_cast<int>(i);
  return -1;
}

MetricsSettings::MetricsSettings() {
  attributable.fill(true);
  attributable[static_cast<size_t>(activityIndex("email_send"))] = false;
  attributable[static_cast<size_t>(activityIndex("ad_impression"))] = false;
  const std::pair<const char*, double> weights[] = {
      {"page_view", 1},      {"form_submit", 10},   {"email_open", 0.5}, {"email_click", 3}, {"email_send", 0},
      {"email_bounce", 0},   {"ad_impression", 0.05}, {"ad_click", 2},   {"webinar_attend", 8}, {"meeting", 15},
      {"call", 5},           {"social_engagement", 1}, {"other", 1}};
  for (const auto& [a, w] : weights) activity_weights[static_cast<size_t>(activityIndex(a))] = w;
}

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& key, const std::string& what) {
  throw ConfigError(file + ": metrics." + key + ": " + what);
}

double number(const nlohmann::json& v, const std::string& file, const std::string& key, double lo) {
  if (!v.is_number() || v.get<double>() < lo) fail(file, key, "expected a number of at least " + std::to_string(lo));
  return v.get<double>();
}

int integer(const nlohmann::json& v, const std::string& file, const std::string& key, int lo, int hi) {
  if (!v.is_number_integer() || v.get<int>() < lo || v.get<int>() > hi)
    fail(file, key, "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v.get<int>();
}

int64_t day(const nlohmann::json& v, const std::string& file, const std::string& key) {
  const auto t = v.is_string() && v.get<std::string>().size() == 10 ? parseTimestamp(v.get<std::string>())
                                                                    : std::nullopt;
  if (!t) fail(file, key, "expected a date YYYY-MM-DD");
  return *t;
}

std::vector<OtherCost> otherCosts(const nlohmann::json& v, const std::string& file) {
  if (!v.is_array()) fail(file, "other_costs", "expected an array of {from, to, amount, channel}");
  std::vector<OtherCost> costs;
  for (size_t i = 0; i < v.size(); ++i) {
    const auto& e = v[i];
    const std::string at = "other_costs[" + std::to_string(i) + "]";
    if (!e.is_object()) fail(file, at, "expected an object {from, to, amount, channel}");
    OtherCost c;
    bool has_from = false, has_to = false, has_amount = false;
    for (const auto& [k, x] : e.items()) {
      if (k == "from") c.from = day(x, file, at + ".from"), has_from = true;
      else if (k == "to") c.to = day(x, file, at + ".to"), has_to = true;
      else if (k == "amount") c.amount = number(x, file, at + ".amount", 0), has_amount = true;
      else if (k == "channel") {
        if (!x.is_string() || channelIndex(x.get<std::string>()) < 0)
          fail(file, at + ".channel", "expected a channel (email, ads, web, social, event, sales, other)");
        c.channel = x.get<std::string>();
      } else {
        fail(file, at + "." + k, "unknown key (expected from, to, amount, channel)");
      }
    }
    if (!has_from || !has_to || !has_amount) fail(file, at, "needs from, to and amount");
    if (c.to <= c.from) fail(file, at + ".to", "must be after from (the range is [from, to))");
    costs.push_back(std::move(c));
  }
  return costs;
}

}  // namespace

std::string settingsText(const MetricsSettings& s) {
  nlohmann::json j;
  j["lookback_days"] = s.lookback_days;
  j["time_decay_half_life_days"] = s.time_decay_half_life_days;
  j["markov_order"] = s.markov_order;
  j["engagement_half_life_days"] = s.engagement_half_life_days;
  j["engagement_window_days"] = s.engagement_window_days;
  j["mqa_score"] = s.mqa_score;
  j["mqa_score_with_contacts"] = s.mqa_score_with_contacts;
  j["mqa_min_contacts"] = s.mqa_min_contacts;
  j["engaged_score"] = s.engaged_score;
  j["role_multipliers"] = s.role_multipliers;
  j["stage_probabilities"] = s.stage_probabilities;
  j["kpi_model"] = std::string(kRuleModelNames[static_cast<size_t>(s.kpi_model)]);
  j["other_costs"] = nlohmann::json::array();
  for (const auto& c : s.other_costs)
    j["other_costs"].push_back({{"from", formatTimestamp(c.from).substr(0, 10)},
                                {"to", formatTimestamp(c.to).substr(0, 10)},
                                {"amount", c.amount},
                                {"channel", c.channel ? nlohmann::json(*c.channel) : nlohmann::json()}});
  for (size_t i = 0; i < std::size(sdk::kActivities); ++i) {
    j["activity_weights"][std::string(sdk::kActivities[i])] = s.activity_weights[i];
    if (s.attributable[i]) j["attributable_activities"].push_back(std::string(sdk::kActivities[i]));
  }
  return j.dump();  // nlohmann sorts object keys: the same settings give the same text
}

MetricsSettings parseMetricsSettings(const nlohmann::json& j, const std::string& file) {
  MetricsSettings s;
  if (j.is_null()) return s;
  if (!j.is_object()) fail(file, "", "expected an object");
  for (const auto& [k, v] : j.items()) {
    if (k == "lookback_days") s.lookback_days = integer(v, file, k, 1, 3650);
    else if (k == "time_decay_half_life_days") s.time_decay_half_life_days = number(v, file, k, 0.001);
    else if (k == "markov_order") s.markov_order = integer(v, file, k, 1, 4);
    else if (k == "attributable_activities") {
      if (!v.is_array()) fail(file, k, "expected an array of activity names");
      s.attributable.fill(false);
      for (const auto& a : v) {
        const int i = a.is_string() ? activityIndex(a.get<std::string>()) : -1;
        if (i < 0) fail(file, k, "'" + a.dump() + "' is not an activity (see docs/store.md)");
        s.attributable[static_cast<size_t>(i)] = true;
      }
    } else if (k == "engagement_half_life_days") s.engagement_half_life_days = number(v, file, k, 0.001);
    else if (k == "engagement_window_days") s.engagement_window_days = integer(v, file, k, 1, 3650);
    else if (k == "activity_weights") {
      if (!v.is_object()) fail(file, k, "expected an object {activity: weight}");
      for (const auto& [a, w] : v.items()) {
        const int i = activityIndex(a);
        if (i < 0) fail(file, k + "." + a, "not an activity (see docs/store.md)");
        s.activity_weights[static_cast<size_t>(i)] = number(w, file, k + "." + a, 0);
      }
    } else if (k == "role_multipliers") {
      if (!v.is_object()) fail(file, k, "expected an object {buying_role: multiplier}");
      for (const auto& [role, m] : v.items()) s.role_multipliers[role] = number(m, file, k + "." + role, 0);
    } else if (k == "mqa_score") s.mqa_score = number(v, file, k, 0);
    else if (k == "mqa_score_with_contacts") s.mqa_score_with_contacts = number(v, file, k, 0);
    else if (k == "mqa_min_contacts") s.mqa_min_contacts = integer(v, file, k, 1, 1000);
    else if (k == "engaged_score") s.engaged_score = number(v, file, k, 0);
    else if (k == "stage_probabilities") {
      if (!v.is_object()) fail(file, k, "expected an object {stage: probability from 0 to 1}");
      for (const auto& [stage, p] : v.items()) {
        const double x = number(p, file, k + "." + stage, 0);
        if (x > 1) fail(file, k + "." + stage, "expected a probability from 0 to 1");
        s.stage_probabilities[stage] = x;
      }
    } else if (k == "other_costs") s.other_costs = otherCosts(v, file);
    else if (k == "kpi_model") {
      int found = -1;
      for (size_t i = 0; i < kRuleModelCount; ++i)
        if (v.is_string() && kRuleModelNames[i] == v.get<std::string>()) found = static_cast<int>(i);
      if (found < 0) fail(file, k, "expected a rule-based model (first_touch, last_touch, linear, time_decay, "
                                   "position_based, u_shaped, w_shaped, full_path, j_shaped, inverse_j)");
      s.kpi_model = found;
    } else if (k == "shards") s.shards = integer(v, file, k, 1, kMaxShards);
    else if (k == "run_after_sync") {
      if (!v.is_boolean()) fail(file, k, "expected true or false");
      s.run_after_sync = v.get<bool>();
    } else {
      fail(file, k, "unknown key (see docs/metrics.md#settings)");
    }
  }
  return s;
}

}  // namespace abm::metrics
