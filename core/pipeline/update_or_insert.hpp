// A row with a generated id written as an UPDATE of the known row, else an INSERT (why: the comment
// above the statements in store_writer.cpp).
#pragma once

#include <string>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::pipeline {

// Runs `update` and, when it found no row, `insert`; `bind` binds either. The first column of the
// returned row is the id, the second (when asked for) goes to `second`.
template <typename Bind>
Status updateOrInsert(store::Statement& update, store::Statement& insert, const Bind& bind, const char* what,
                      int64_t& id, int64_t* second = nullptr) {
  for (store::Statement* st : {&update, &insert}) {
    bind(*st);
    const auto step = st->step();
    if (step == store::Statement::Step::Row) {
      id = st->columnInt(0);
      if (second) *second = st->columnInt(1);
      st->reset();
      return Status::ok();
    }
    const Status s = st->status();
    st->reset();
    if (step == store::Statement::Step::Error) return Status::error(std::string("cannot write ") + what + ": " + s.message());
  }
  return Status::error(std::string("cannot write ") + what + ": no row returned");
}

}  // namespace abm::pipeline
