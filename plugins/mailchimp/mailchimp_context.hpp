// What every Mailchimp stream reader works with, and how the connector finds and signs into the
// account's data centre.
#pragma once

#include <abm/sdk/api_session.hpp>

#include <memory>
#include <string>

namespace mailchimp {

using nlohmann::json;
using abm::sdk::Host;
using abm::sdk::Status;

struct Context : abm::sdk::http::Connection {
  int page_size = 1000;
};

// The API host: base_url when set, else the data centre the key ends with ("…-us6" →
// https://us6.api.mailchimp.com). "" with `why` set when neither says where the account lives.
std::string apiHost(const json& settings, std::string& why);

// A session signed with the API key as HTTP Basic (any user name, the key as password).
std::unique_ptr<abm::sdk::http::ApiSession> newSession(Host& host, const json& settings);

// Mailchimp's errors are application/problem+json {type, title, status, detail, instance}: "title: detail".
std::string describeError(const abm::sdk::http::Response& r);

// Mailchimp's timestamps ("2024-01-10T09:00:00+00:00") in the store's form, or "" when unreadable.
std::string isoTime(const std::string& mailchimp_time);

}  // namespace mailchimp
