#include "metrics/metrics_settings.hpp"

#include <abm/sdk/entities.hpp>

#include <iterator>

#include "common/status.hpp"

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
    else if (k == "shards") s.shards = integer(v, file, k, 1, kMaxShards);
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
