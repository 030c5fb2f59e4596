// A connector's request budget (header-only, with <abm/sdk/http.hpp>): requests per second and per
// day, counted across runs in a state file, and steered by what the vendor says about its quota —
// HubSpot's X-HubSpot-RateLimit-* headers and 429 policyName DAILY, Salesforce's Sforce-Limit-Info
// and 403 REQUEST_LIMIT_EXCEEDED. When the day is spent the plugin checkpoints and returns
// Status::rateLimited(quota().why, quota().resume_at); the daemon resumes it then.
#pragma once

#include <abm/sdk/http.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace abm::sdk::http {

struct Quota {
  bool spent = false;
  int64_t resume_at = 0;  // epoch seconds
  std::string why;
};

class RequestBudget {
 public:
  using SysClock = std::chrono::system_clock;

  // per_day <= 0: no daily budget of our own (the vendor's signals still count).
  RequestBudget(double per_second, int64_t per_day, std::string state_file = {},
                std::function<void(Millis)> sleep = {}, std::function<int64_t()> now = {})
      : per_second_(per_second, sleep), per_day_(per_day), state_file_(std::move(state_file)),
        now_(now ? std::move(now) : [] { return static_cast<int64_t>(std::time(nullptr)); }) {
    if (state_file_.empty()) return;
    std::ifstream in(state_file_);
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_object() && j.value("day", int64_t{-1}) == dayOf(now_())) {
      used_ = j.value("used", int64_t{0});
      used_day_ = dayOf(now_());
    }
  }

  // Waits for the next per-second slot; false once the day's budget is spent (see quota()).
  bool acquire() {
    const int64_t now = now_();
    if (quota_.spent && now >= quota_.resume_at) quota_ = {};
    if (dayOf(now) != used_day_) {  // a new day: our own count starts again
      used_ = 0;
      used_day_ = dayOf(now);
    }
    if (!quota_.spent && per_day_ > 0 && used_ >= per_day_)
      spend(nextMidnight(now), "the connector's budget of " + std::to_string(per_day_) + " requests a day is spent");
    if (quota_.spent) return false;
    per_second_.acquire();
    return true;
  }

  // After each response: counts it and reads the vendor's quota signals.
  void record(const Response& r) {
    const int64_t now = now_();
    if (dayOf(now) != used_day_) {
      used_ = 0;
      used_day_ = dayOf(now);
    }
    ++used_;
    if (!save() && save_error_.empty())
      save_error_ = "cannot save the request count to " + state_file_ + ": " + std::strerror(errno) +
                    "; the daily budget would not hold across runs (check the connector's state folder)";
    // HubSpot (API keys and private apps carry the daily headers).
    if (r.header("x-hubspot-ratelimit-daily-remaining") == "0")
      spend(nextMidnight(now), "HubSpot's daily request limit is spent (X-HubSpot-RateLimit-Daily-Remaining: 0)");
    if (r.status == 429) {
      auto body = nlohmann::json::parse(r.body, nullptr, false);
      if (body.is_object() && body.value("policyName", "") == "DAILY") {
        auto wait = parseRetryAfter(r.header("retry-after"), now);
        spend(wait ? now + wait->count() / 1000 : nextMidnight(now), "HubSpot's daily request limit is spent (429 DAILY)");
      }
    }
    // Salesforce: a rolling 24-hour allowance; look again in an hour.
    const std::string info = r.header("sforce-limit-info");
    if (const auto at = info.find("api-usage="); at != std::string::npos) {
      long long used = 0, limit = 0;
      if (std::sscanf(info.c_str() + at + 10, "%lld/%lld", &used, &limit) == 2 && limit > 0 && used >= limit)
        spend(now + 3600, "Salesforce's API request allowance is spent (api-usage=" + std::to_string(used) + "/" +
                              std::to_string(limit) + ")");
    }
    if (r.status == 403 && r.body.find("REQUEST_LIMIT_EXCEEDED") != std::string::npos)
      spend(now + 3600, "Salesforce's API request allowance is spent (403 REQUEST_LIMIT_EXCEEDED)");
  }

  const Quota& quota() const { return quota_; }
  // Set when the count could not be written to the state file: the run must end with this error.
  const std::string& saveError() const { return save_error_; }
  int64_t usedToday() const { return used_; }

 private:
  static int64_t dayOf(int64_t t) { return t / 86400; }
  static int64_t nextMidnight(int64_t t) { return (t / 86400 + 1) * 86400; }
  void spend(int64_t resume_at, std::string why) {
    if (quota_.spent && quota_.resume_at >= resume_at) return;
    quota_ = {true, resume_at, std::move(why)};
  }
  [[nodiscard]] bool save() {
    if (state_file_.empty()) return true;
    errno = 0;
    std::ofstream out(state_file_ + ".tmp", std::ios::trunc);
    out << nlohmann::json{{"day", used_day_}, {"used", used_}}.dump();
    out.close();
    if (!out) return false;
    return std::rename((state_file_ + ".tmp").c_str(), state_file_.c_str()) == 0;
  }

  RateLimiter per_second_;
  int64_t per_day_;
  std::string state_file_;
  std::function<int64_t()> now_;
  int64_t used_ = 0, used_day_ = -1;  // requests counted on day used_day_ (days since the epoch, UTC)
  Quota quota_;
  std::string save_error_;
};

}  // namespace abm::sdk::http
