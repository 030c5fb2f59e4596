#include "store/config_problems.hpp"

#include <set>

#include "store/db_clock.hpp"

namespace abm::store {

Status replaceConfigProblems(Database& db, const std::string& instance_id, const std::vector<ConfigProblem>& problems) {
  Transaction tx(db);
  if (auto s = tx.begin(); !s) return s;
  // Rows of connectors that are fine again go; the others keep the time they were first found.
  std::set<std::string> keep;
  for (const auto& p : problems) keep.insert(p.connector);
  {
    auto listed = db.prepare("SELECT connector FROM connector_config_problems WHERE instance_id = ?1");
    if (!listed) return listed.status();
    listed->bind(1, instance_id);
    std::vector<std::string> gone;
    while (listed->step() == Statement::Step::Row)
      if (!keep.count(listed->columnText(0))) gone.push_back(listed->columnText(0));
    if (auto s = listed->status(); !s) return s;
    auto del = db.prepare("DELETE FROM connector_config_problems WHERE instance_id = ?1 AND connector = ?2");
    if (!del) return del.status();
    for (const auto& name : gone) {
      del->bind(1, instance_id);
      del->bind(2, name);
      if (auto s = del->run(); !s) return s;
    }
  }
  auto put = db.prepare(
      "INSERT INTO connector_config_problems(instance_id, connector, file, problem, since)"
      " VALUES(?1, ?2, ?3, ?4, " + sqlNow(db) + ")"
      " ON CONFLICT (instance_id, connector) DO UPDATE SET file = excluded.file, problem = excluded.problem");
  if (!put) return put.status();
  for (const auto& p : problems) {
    put->bind(1, instance_id);
    put->bind(2, p.connector);
    put->bind(3, p.file);
    put->bind(4, p.problem);
    if (auto s = put->run(); !s) return s;
  }
  return tx.commit();
}

Result<std::vector<ConfigProblem>> listConfigProblems(Database& db) {
  std::vector<ConfigProblem> out;
  auto exists = db.hasTable("connector_config_problems");
  if (!exists) return Status::error("reading connector_config_problems: " + exists.error());
  if (!*exists) return out;
  auto q = db.prepare(
      "SELECT instance_id, connector, file, problem, since FROM connector_config_problems"
      " ORDER BY connector, instance_id");
  if (!q) return q.status();
  while (q->step() == Statement::Step::Row)
    out.push_back({q->columnText(0), q->columnText(1), q->columnText(2), q->columnText(3), q->columnText(4)});
  if (auto s = q->status(); !s) return Status::error("reading connector_config_problems: " + s.message());
  return out;
}

}  // namespace abm::store
