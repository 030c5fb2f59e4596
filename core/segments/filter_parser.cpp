#include "segments/filter_parser.hpp"

#include <cmath>
#include <cstdlib>
#include <optional>

#include "segments/filter_fields.hpp"
#include "segments/filter_lexer.hpp"

namespace abm::segments {

namespace {

using Kind = Token::Kind;

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

constexpr const char* kKeywords[] = {"and", "or", "not", "in", "between", "contains", "exists", "is", "null", "true", "false"};

bool isKeyword(const Token& t) {
  if (t.kind != Kind::Word) return false;
  const auto l = lower(t.text);
  for (const char* k : kKeywords)
    if (l == k) return true;
  return false;
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Kind::End:
      return "the end of the filter";
    case Kind::String:
      return "\"" + t.text + "\"";
    default:
      return "'" + t.text + "'";
  }
}

const char* opName(Op op) {
  switch (op) {
    case Op::Eq: return "=";
    case Op::Ne: return "!=";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::In: return "in";
    case Op::NotIn: return "not in";
    case Op::Between: return "between";
    case Op::NotBetween: return "not between";
    case Op::Contains: return "contains";
    case Op::NotContains: return "not contains";
    case Op::Exists: return "exists";
    case Op::IsNull: return "is null";
    case Op::IsNotNull: return "is not null";
  }
  return "?";
}

constexpr const char* kOperators = "=, !=, <, <=, >, >=, in, not in, between, not between, contains, not contains, exists, is null, is not null";

// Recursive descent. Each step answers nothing once an error is recorded; the first error is the
// one reported.
class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<Expr> parseAll() {
    auto e = parseOr();
    if (e && peek().kind != Kind::End) fail(peek(), "expected 'and', 'or' or the end of the filter, found " + describe(peek()));
    if (error_ || !e) return Status::error(error_.value_or(filterPlace(1, 1) + "the filter could not be read"));
    return std::move(*e);
  }

 private:
  const Token& peek() const { return t_[i_]; }
  const Token& take() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  bool atWord(const char* word) const { return peek().kind == Kind::Word && lower(peek().text) == word; }
  std::nullopt_t fail(const Token& at, const std::string& what) {
    if (!error_) error_ = filterPlace(at.line, at.column) + what;
    return std::nullopt;
  }

  std::optional<Expr> join(Expr::Kind kind, std::optional<Expr> first, std::optional<Expr> (Parser::*next)(),
                           const char* word) {
    if (!first || !atWord(word)) return first;
    Expr e;
    e.kind = kind;
    e.children.push_back(std::move(*first));
    while (atWord(word)) {
      const Token& op = take();
      if (peek().kind == Kind::End)
        return fail(peek(), std::string("expected a condition after '") + op.text + "', found the end of the filter");
      auto child = (this->*next)();
      if (!child) return std::nullopt;
      e.children.push_back(std::move(*child));
    }
    return e;
  }
  std::optional<Expr> parseOr() { return join(Expr::Kind::Or, parseAnd(), &Parser::parseAnd, "or"); }
  std::optional<Expr> parseAnd() { return join(Expr::Kind::And, parseUnary(), &Parser::parseUnary, "and"); }

  std::optional<Expr> parseUnary() {
    // Each `not` and `(` is a level of recursion: a bound keeps a hostile filter from exhausting the stack.
    if (++depth_ > kMaxDepth) return fail(peek(), "the filter nests deeper than " + std::to_string(kMaxDepth) + " levels of 'not' and '('");
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth_};
    if (atWord("not")) {
      take();
      auto child = parseUnary();
      if (!child) return std::nullopt;
      Expr e;
      e.kind = Expr::Kind::Not;
      e.children.push_back(std::move(*child));
      return e;
    }
    if (peek().kind == Kind::LeftParen) {
      const Token open = take();
      auto e = parseOr();
      if (!e) return std::nullopt;
      if (peek().kind != Kind::RightParen)
        return fail(peek(), "expected ')' to close the '(' at " + std::to_string(open.line) + ":" +
                                std::to_string(open.column) + ", found " + describe(peek()));
      take();
      return e;
    }
    return parseComparison();
  }

  std::optional<Expr> parseComparison() {
    const Token& name = peek();
    if (name.kind != Kind::Word || isKeyword(name)) return fail(name, "expected a field name, found " + describe(name));
    take();
    auto field = resolveField(name.text);
    if (!field) return fail(name, "unknown field '" + name.text + "'; the fields are " + fieldList());
    Expr e;
    e.field = std::move(*field);
    const Token& op = peek();
    bool negated = false;
    if (atWord("not")) {
      negated = true;
      take();
      if (!atWord("in") && !atWord("between") && !atWord("contains"))
        return fail(peek(), "expected 'in', 'between' or 'contains' after 'not', found " + describe(peek()));
    }
    if (!negated && op.kind == Kind::Operator) {
      take();
      const std::string o = op.text;
      e.op = o == "=" || o == "==" ? Op::Eq : o == "!=" ? Op::Ne : o == "<" ? Op::Lt : o == "<=" ? Op::Le : o == ">" ? Op::Gt : Op::Ge;
      if (!value(e, "after '" + o + "'")) return std::nullopt;
    } else if (atWord("in")) {
      take();
      e.op = negated ? Op::NotIn : Op::In;
      if (peek().kind != Kind::LeftParen) return fail(peek(), "expected '(' after 'in', found " + describe(peek()));
      take();
      if (!value(e, "in the list after 'in'")) return std::nullopt;
      while (peek().kind == Kind::Comma) {
        take();
        if (!value(e, "after ','")) return std::nullopt;
      }
      if (peek().kind != Kind::RightParen)
        return fail(peek(), "expected ',' or ')' in the list after 'in', found " + describe(peek()));
      take();
    } else if (atWord("between")) {
      take();
      e.op = negated ? Op::NotBetween : Op::Between;
      if (!value(e, "after 'between'")) return std::nullopt;
      if (!atWord("and")) return fail(peek(), "expected 'and' between the two bounds of 'between', found " + describe(peek()));
      take();
      if (!value(e, "after 'between ... and'")) return std::nullopt;
    } else if (atWord("contains")) {
      take();
      e.op = negated ? Op::NotContains : Op::Contains;
      if (!value(e, "after 'contains'")) return std::nullopt;
    } else if (atWord("exists")) {
      take();
      e.op = Op::Exists;
    } else if (atWord("is")) {
      take();
      e.op = Op::IsNull;
      if (atWord("not")) {
        take();
        e.op = Op::IsNotNull;
      }
      if (!atWord("null")) return fail(peek(), "expected 'null' after 'is', found " + describe(peek()));
      take();
    } else {
      return fail(op, "expected an operator after '" + name.text + "' (" + kOperators + "), found " + describe(op));
    }
    if (!applies(e, op)) return std::nullopt;
    return e;
  }

  // Adds a literal to e.values, checked against the field's type; a stage becomes its position.
  bool value(Expr& e, const std::string& where) {
    const Field& f = e.field;
    const Token& t = peek();
    const bool bare = t.kind == Kind::Word && !isKeyword(t);
    const bool boolean = t.kind == Kind::Word && (lower(t.text) == "true" || lower(t.text) == "false");
    if (t.kind != Kind::String && t.kind != Kind::Number && !bare && !boolean) {
      fail(t, "expected a value " + where + ", found " + describe(t));
      return false;
    }
    take();
    nlohmann::json v;
    if (t.kind == Kind::Number) {
      char* end = nullptr;
      const double d = std::strtod(t.text.c_str(), &end);
      if (*end != '\0' || !std::isfinite(d)) {
        fail(t, "'" + t.text + "' is not a number");
        return false;
      }
      v = d;
    } else if (boolean) {
      v = lower(t.text) == "true";
    } else {
      v = t.text;
    }
    std::string wrong;
    switch (f.type) {
      case FieldType::Number:
        if (!v.is_number()) wrong = "'" + f.text + "' holds numbers, found " + describe(t);
        break;
      case FieldType::Boolean:
        if (!v.is_boolean()) wrong = "'" + f.text + "' is true or false, found " + describe(t);
        break;
      case FieldType::Text:
        if (v.is_boolean()) wrong = "'" + f.text + "' holds text, found " + describe(t) + " (quote it to mean the word)";
        if (v.is_number()) v = t.text;  // a number written for a text field means its digits
        break;
      case FieldType::Stage: {
        const auto pos = v.is_string() ? stagePosition(v.get<std::string>()) : std::nullopt;
        if (!pos) wrong = describe(t) + " is not a stage; the stages are " + stageList();
        else v = *pos;
        break;
      }
      case FieldType::Any:
        break;
    }
    if (!wrong.empty()) {
      fail(t, wrong);
      return false;
    }
    e.values.push_back(std::move(v));
    return true;
  }

  // Operators that make no sense for a field's type are refused where they are written.
  bool applies(const Expr& e, const Token& at) {
    const bool ordered = e.op == Op::Lt || e.op == Op::Le || e.op == Op::Gt || e.op == Op::Ge || e.op == Op::Between ||
                         e.op == Op::NotBetween;
    const bool contains = e.op == Op::Contains || e.op == Op::NotContains;
    const char* type = nullptr;
    if (e.field.type == FieldType::Boolean && (ordered || contains || e.op == Op::In || e.op == Op::NotIn))
      type = "true or false";
    else if ((e.field.type == FieldType::Number || e.field.type == FieldType::Stage) && contains)
      type = e.field.type == FieldType::Stage ? "a stage" : "a number";
    if (!type) return true;
    fail(at, std::string("'") + opName(e.op) + "' does not apply to '" + e.field.text + "', which is " + type);
    return false;
  }

  static constexpr int kMaxDepth = 100;
  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;
  std::optional<std::string> error_;
};

}  // namespace

Result<Expr> parseFilter(std::string_view filter) {
  auto tokens = tokenize(filter);
  if (!tokens) return tokens.status();
  if (tokens->size() == 1) return Status::error(filterPlace(1, 1) + "the filter is empty; expected a condition such as country = \"US\"");
  return Parser(std::move(*tokens)).parseAll();
}

}  // namespace abm::segments
