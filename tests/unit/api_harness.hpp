// Calls the read API's handlers through a real Router, the way the HTTP server does (match, path
// parameters, percent-decoded query), and waits for the answer its query threads send back.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "common/percent_encoding.hpp"
#include "http/router.hpp"

namespace abm::test {

struct Answer {
  int status = 0;
  nlohmann::json body;
  std::string raw;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
  std::string errorCode() const { return body.contains("error") ? body["error"].value("code", "") : ""; }
  std::string errorMessage() const {
    return body.contains("error") ? body["error"].value("message", "") : "";
  }
};

inline std::string percentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

class ApiHarness {
 public:
  explicit ApiHarness(api::ApiContext context) : api_(std::make_unique<api::Api>(std::move(context))) {
    api_->addRoutes(router_);
  }

  http::Router& router() { return router_; }
  api::Api& api() { return *api_; }
  void destroyApi() { api_.reset(); }

  Answer call(const std::string& method, const std::string& target, const std::string& body = "") {
    http::Request request;
    request.method = method;
    request.target = target;
    const auto q = target.find('?');
    request.path = percentDecode(target.substr(0, q));
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      size_t start = 0;
      while (start <= rest.size()) {
        size_t end = rest.find('&', start);
        if (end == std::string::npos) end = rest.size();
        const std::string pair = rest.substr(start, end - start);
        if (!pair.empty()) {
          const auto eq = pair.find('=');
          request.query.emplace_back(percentDecode(pair.substr(0, eq)),
                                     eq == std::string::npos ? "" : percentDecode(pair.substr(eq + 1)));
        }
        start = end + 1;
      }
    }
    request.body = body;
    auto match = router_.match(method, request.path);
    Answer answer;
    if (!match.route) {
      answer.status = match.allowed.empty() ? 404 : 405;
      return answer;
    }
    request.params = match.params;
    auto promise = std::make_shared<std::promise<http::Response>>();
    auto future = promise->get_future();
    auto calls = std::make_shared<int>(0);
    auto mutex = std::make_shared<std::mutex>();
    match.route->handler(request, [promise, calls, mutex](http::Response r) {
      std::lock_guard lock(*mutex);
      // A second answer would be a bug of the handler; the test sees it as a failure below.
      if (++*calls == 1)
        promise->set_value(std::move(r));
      else
        ADD_FAILURE() << "a handler answered twice";
    });
    // A bound on a hang, not a timing: a correct handler answers long before.
    if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      ADD_FAILURE() << method << " " << target << " never answered";
      return answer;
    }
    auto response = future.get();
    answer.status = response.status;
    answer.raw = response.body;
    answer.content_type = response.content_type;
    answer.headers = response.headers;
    answer.body = nlohmann::json::parse(response.body, nullptr, false);
    return answer;
  }

  Answer get(const std::string& target) { return call("GET", target); }

 private:
  http::Router router_;
  std::unique_ptr<api::Api> api_;
};

}  // namespace abm::test
