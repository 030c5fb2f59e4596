// A small HTTP/1.1 server on 127.0.0.1 (a port the system picks) that hands every request to one
// function: abm-plugin-test's stand-in for a vendor, replaying a cassette or proxying to the vendor.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.hpp"
#include "plugin_test/cassette.hpp"

namespace abm::plugin_test {

class LoopbackServer {
 public:
  using Handler = std::function<HttpAnswer(const HttpRequest&)>;
  explicit LoopbackServer(Handler handler);
  ~LoopbackServer();  // stops: closes every connection and joins its threads
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  Status start();
  std::string url() const;  // http://127.0.0.1:PORT

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace abm::plugin_test
