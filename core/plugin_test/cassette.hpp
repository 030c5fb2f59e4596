// A cassette: the HTTP exchanges of one recording, as a JSON file an author can read and edit
// (docs/plugin-testing.md). Requests match on method, path, query (in any order) and body; secret
// values are kept out of it as "<secret:NAME>" placeholders, on both sides of the match.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.hpp"

namespace abm::plugin_test {

inline constexpr int kCassetteVersion = 1;

struct HttpRequest {
  std::string method;
  std::string target;  // path?query as sent
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

struct HttpAnswer {
  int status = 200;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

// One request as the cassette holds it: path, query as an object (a repeated key holds an array of
// its values), body as JSON when it is a JSON object or array, else as text (null when empty).
struct RecordedRequest {
  std::string method, path;
  nlohmann::json query = nlohmann::json::object();
  nlohmann::json body;
  bool operator==(const RecordedRequest& o) const;
  std::string describe() const;  // "GET /path?a=1&b=2"
};

struct Exchange {
  RecordedRequest request;
  int status = 200;
  nlohmann::json headers = nlohmann::json::object();  // the selected response headers
  nlohmann::json body;                                // as for requests
};

// Secret values and what stands in their place.
class Secrets {
 public:
  void add(const std::string& value, const std::string& placeholder);
  // `text` with every known value (and its percent-encoded form) replaced by its placeholder.
  std::string mask(std::string text) const;
  nlohmann::json mask(const nlohmann::json& value) const;
  bool empty() const { return values_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> values_;  // longest first
};

// The request as the cassette would hold it, secrets masked.
RecordedRequest toRecorded(const HttpRequest& r, const Secrets& secrets);
// A body as the cassette holds it (JSON, text or null) and back.
nlohmann::json bodyToJson(const std::string& body);
std::string bodyToText(const nlohmann::json& body);
std::string percentDecode(std::string_view s);
// `text` with every `from` replaced by `to`.
std::string replaceAll(std::string text, const std::string& from, const std::string& to);

// Learns the secrets a vendor exchange carries beyond the connector's settings: credential headers
// (Authorization, Cookie, API keys) and token members of JSON answers (access_token, refresh_token).
void learnSecrets(const HttpRequest& req, const HttpAnswer& answer, Secrets& secrets);

struct Cassette {
  std::string plugin;
  std::string base_url;  // where it was recorded (for the reader)
  std::vector<Exchange> exchanges;

  static Result<Cassette> load(const std::string& file);
  Status save(const std::string& file) const;
};

// Answers requests from a cassette: identical requests in their recorded order (the last one again
// once they are used up). Thread-safe; rewind() starts over for the next run.
class Replayer {
 public:
  explicit Replayer(const Cassette& c) : cassette_(c) {}
  // The recorded exchange for `r`, or null; a miss is remembered with the nearest recorded request.
  const Exchange* answer(const RecordedRequest& r);
  void rewind();
  std::vector<std::string> misses() const;  // "GET /x?y (nearest recorded: GET /x?z)"
  size_t served() const;

 private:
  const Cassette& cassette_;
  mutable std::mutex mu_;
  std::map<size_t, size_t> used_;  // first index of a request -> how many times it was answered
  std::vector<std::string> misses_;
  size_t served_ = 0;
};

}  // namespace abm::plugin_test
