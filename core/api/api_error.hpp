// An error the read API answers with: the HTTP status, a stable machine-readable code and a message
// that says what was wrong, where, and what to do. Handlers pass these around as values and turn
// them into the {"error": {"code", "message"}} body at the last moment.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "http/http_types.hpp"

namespace abm::api {

struct ApiError {
  int status = 400;
  std::string code;
  std::string message;

  http::Response response() const { return http::Response::error(status, code, message); }

  static ApiError badRequest(std::string code, std::string message) {
    return {400, std::move(code), std::move(message)};
  }
  static ApiError notFound(std::string message) { return {404, "not_found", std::move(message)}; }
  static ApiError unavailable(std::string code, std::string message) {
    return {503, std::move(code), std::move(message)};
  }
  static ApiError internal(std::string message) { return {500, "internal", std::move(message)}; }
};

// A T or the error to answer with.
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}
  ApiResult(ApiError error) : v_(std::move(error)) {}
  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const ApiError& error() const { return std::get<ApiError>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

}  // namespace abm::api
