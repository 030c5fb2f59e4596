#include "segments/filter_lexer.hpp"

#include <cctype>

namespace abm::segments {

namespace {

bool wordStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
// Dots join the parts of a field name (properties.technologies, contact.title).
bool wordPart(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string filterPlace(int line, int column) {
  return "filter:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  int line = 1, column = 1;
  size_t i = 0;
  // Advances over s[i], counting a UTF-8 character as one column.
  auto advance = [&] {
    if (s[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      ++column;
    }
    ++i;
  };
  // Columns count characters: a continuation byte does not start one.
  auto fixColumn = [&] {
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  };
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      advance();
      continue;
    }
    Token t;
    t.line = line;
    t.column = column;
    if (wordStart(c)) {
      t.kind = Token::Kind::Word;
      while (i < s.size() && wordPart(s[i])) {
        t.text += s[i];
        advance();
      }
    } else if (digit(c) || (c == '-' && i + 1 < s.size() && digit(s[i + 1]))) {
      t.kind = Token::Kind::Number;
      t.text += c;
      advance();
      while (i < s.size() && (digit(s[i]) || s[i] == '.')) {
        t.text += s[i];
        advance();
      }
      if (i < s.size() && wordStart(s[i]))
        return Status::error(filterPlace(t.line, t.column) + "'" + t.text + s[i] +
                             "...' is neither a number nor a name; quote text that starts with a digit");
    } else if (c == '"' || c == '\'') {
      t.kind = Token::Kind::String;
      const char quote = c;
      advance();
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          advance();
          t.text += s[i];
          advance();
          continue;
        }
        if (s[i] == quote) {
          advance();
          closed = true;
          break;
        }
        t.text += s[i];
        advance();
      }
      if (!closed)
        return Status::error(filterPlace(t.line, t.column) + "a string opened here is never closed (missing " +
                             std::string(1, quote) + ")");
    } else if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? Token::Kind::LeftParen : c == ')' ? Token::Kind::RightParen : Token::Kind::Comma;
      t.text = c;
      advance();
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      t.kind = Token::Kind::Operator;
      t.text = c;
      advance();
      if (i < s.size() && s[i] == '=') {
        t.text += '=';
        advance();
      } else if (c == '<' && i < s.size() && s[i] == '>') {
        t.text = "!=";
        advance();
      } else if (c == '!') {
        return Status::error(filterPlace(t.line, t.column) + "'!' must be followed by '=' (use 'not' to negate)");
      }
    } else {
      size_t start = i;
      advance();
      fixColumn();
      return Status::error(filterPlace(t.line, t.column) + "unexpected character '" +
                           std::string(s.substr(start, i - start)) + "'");
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.line = line;
  end.column = column;
  out.push_back(end);
  return out;
}

}  // namespace abm::segments
