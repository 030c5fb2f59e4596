// core/api/openapi.json against the API as it is: the same routes and methods in both directions,
// the same query parameters with the same accepted values, every list documenting its paging, and
// every documented parameter accepted by a real call.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "api_fixture.hpp"

using namespace abm;
using namespace abm::test;

namespace {

class ApiOpenApiTest : public ApiStoreTest {
 protected:
  void SetUp() override {
    ApiStoreTest::SetUp();
    doc_ = nlohmann::json::parse(api::openApiDocument(), nullptr, false);
    ASSERT_FALSE(doc_.is_discarded()) << "core/api/openapi.json is not valid JSON";
  }
  // Follows a local "$ref" ("#/components/parameters/limit").
  const nlohmann::json& resolve(const nlohmann::json& node) const {
    if (!node.is_object() || !node.contains("$ref")) return node;
    const nlohmann::json* at = &doc_;
    const std::string ref = node["$ref"];
    EXPECT_EQ(ref.rfind("#/", 0), 0u) << ref;
    for (size_t start = 2; start < ref.size();) {
      size_t end = ref.find('/', start);
      if (end == std::string::npos) end = ref.size();
      const auto key = ref.substr(start, end - start);
      if (!at->contains(key)) {
        ADD_FAILURE() << "dangling $ref " << ref;
        return node;
      }
      at = &(*at)[key];
      start = end + 1;
    }
    return *at;
  }
  std::vector<nlohmann::json> parameters(const nlohmann::json& operation, const std::string& in) const {
    std::vector<nlohmann::json> out;
    for (const auto& p : operation.value("parameters", nlohmann::json::array())) {
      const auto& r = resolve(p);
      if (r["in"] == in) out.push_back(r);
    }
    return out;
  }
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(c));
    return s;
  }
  nlohmann::json doc_;
};

TEST_F(ApiOpenApiTest, TheServedDocumentIsTheFileInTheRepository) {
  EXPECT_EQ(nlohmann::json::parse(readFile(sourceDir() / "core/api/openapi.json")), doc_)
      << "the build compiles core/api/openapi.json in; rebuild";
  EXPECT_EQ(doc_["openapi"], "3.1.0");
  EXPECT_EQ(doc_["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
  EXPECT_EQ(doc_["security"], nlohmann::json::parse(R"([{"bearerAuth": []}])"));
}

TEST_F(ApiOpenApiTest, PathsAndMethodsAreExactlyTheRoutes) {
  std::set<std::string> routes, documented;
  for (const auto& r : harness_->router().routes()) routes.insert(r.method + " " + r.pattern);
  for (const auto& [path, item] : doc_["paths"].items())
    for (const auto& [method, operation] : item.items()) {
      std::string m = method;
      for (auto& c : m) c = static_cast<char>(std::toupper(c));
      documented.insert(m + " " + path);
    }
  for (const auto& r : routes) EXPECT_TRUE(documented.count(r)) << r << " is served but not in openapi.json";
  for (const auto& d : documented) EXPECT_TRUE(routes.count(d)) << d << " is in openapi.json but not served";
  EXPECT_GE(routes.size(), 12u);
}

TEST_F(ApiOpenApiTest, SecurityPathParametersAndErrorsMatchEachRoute) {
  for (const auto& r : harness_->router().routes()) {
    const auto& op = doc_["paths"][r.pattern][lower(r.method)];
    const bool open = op.contains("security") && op["security"] == nlohmann::json::array();
    EXPECT_EQ(open, r.access == http::Access::Public)
        << r.pattern << ": documented security differs from the route's";
    if (r.access != http::Access::Public) {
      EXPECT_TRUE(op["responses"].contains("401")) << r.pattern;
    }

    std::set<std::string> in_pattern, documented;
    const std::regex braces("\\{([a-z_]+)\\}");
    for (std::sregex_iterator it(r.pattern.begin(), r.pattern.end(), braces), end; it != end; ++it)
      in_pattern.insert((*it)[1]);
    for (const auto& p : parameters(op, "path")) {
      documented.insert(p["name"].get<std::string>());
      EXPECT_EQ(p["required"], true) << r.pattern;
    }
    EXPECT_EQ(in_pattern, documented) << r.pattern;

    for (const auto& [status, response] : op["responses"].items()) {
      if (status[0] != '4' && status[0] != '5') continue;
      // Health answers 503 with its own body, so a load balancer reads one shape whatever the state.
      if (r.pattern == "/api/v1/health" && status == "503") continue;
      const auto& schema = resolve(resolve(response)["content"]["application/json"]["schema"]);
      EXPECT_EQ(schema, resolve(doc_["components"]["schemas"]["Error"])) << r.pattern << " " << status;
    }
  }
}

TEST_F(ApiOpenApiTest, QueryParametersAreExactlyWhatEachEndpointAccepts) {
  for (const auto& e : api::Api::endpoints()) {
    const auto& op = doc_["paths"][e.pattern][lower(e.method)];
    std::map<std::string, nlohmann::json> documented;
    for (const auto& p : parameters(op, "query")) documented[p["name"]] = p;
    std::set<std::string> accepted;
    for (const auto& spec : e.query) {
      accepted.insert(spec.name);
      ASSERT_TRUE(documented.count(spec.name))
          << e.pattern << " accepts '" << spec.name << "' without documenting it";
      const auto& schema = documented[spec.name]["schema"];
      switch (spec.kind) {
        case api::ParamKind::Enum:
          EXPECT_EQ(schema["enum"], nlohmann::json(spec.values)) << e.pattern << " " << spec.name;
          break;
        case api::ParamKind::Integer:
          EXPECT_EQ(schema["type"], "integer") << e.pattern << " " << spec.name;
          EXPECT_EQ(schema["minimum"], spec.min) << e.pattern << " " << spec.name;
          if (spec.max != INT64_MAX) {
            EXPECT_EQ(schema["maximum"], spec.max) << e.pattern << " " << spec.name;
          }
          break;
        case api::ParamKind::Boolean:
          EXPECT_EQ(schema["type"], "boolean") << spec.name;
          break;
        case api::ParamKind::Number:
          EXPECT_EQ(schema["type"], "number") << spec.name;
          break;
        case api::ParamKind::Text:
        case api::ParamKind::Timestamp:
          EXPECT_EQ(schema["type"], "string") << spec.name;
          break;
      }
    }
    for (const auto& [name, p] : documented)
      EXPECT_TRUE(accepted.count(name)) << e.pattern << " documents '" << name << "' but refuses it";
    if (e.paged) {
      for (const char* paging : {"limit", "cursor", "sort"})
        EXPECT_TRUE(documented.count(paging)) << e.pattern << " is a list without '" << paging << "'";
      const auto& ok = resolve(resolve(op["responses"]["200"])["content"]["application/json"]["schema"]);
      EXPECT_TRUE(ok["properties"].contains("items") && ok["properties"].contains("next_cursor"))
          << e.pattern;
    }
  }
}

TEST_F(ApiOpenApiTest, EveryDocumentedParameterIsAcceptedWithItsExample) {
  for (const auto& [path, item] : doc_["paths"].items()) {
    if (!item.contains("get")) continue;
    const auto& op = item["get"];
    std::string target = path;
    for (const auto& p : parameters(op, "path")) {
      ASSERT_TRUE(p.contains("example")) << path << " " << p["name"];
      const std::string hole = "{" + p["name"].get<std::string>() + "}";
      const auto& ex = p["example"];
      target.replace(target.find(hole), hole.size(), ex.is_string() ? ex.get<std::string>() : ex.dump());
    }
    for (const auto& p : parameters(op, "query")) {
      ASSERT_TRUE(p.contains("example")) << path << " " << p["name"] << " has no example";
      const auto& ex = p["example"];
      const std::string value = ex.is_string() ? ex.get<std::string>() : ex.dump();
      const auto a = harness_->get(target + "?" + p["name"].get<std::string>() + "=" + percentEncode(value));
      EXPECT_NE(a.errorCode(), "unknown_parameter") << path << " " << p["name"] << ": " << a.raw;
      EXPECT_NE(a.errorCode(), "invalid_parameter")
          << path << " " << p["name"] << "=" << value << ": " << a.raw;
      if (p["name"] != "cursor") {
        EXPECT_EQ(a.status, 200) << path << " " << p["name"] << ": " << a.raw;
      }
    }
  }
}

}  // namespace
