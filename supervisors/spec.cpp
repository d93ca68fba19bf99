#include "supervisors/spec.hpp"

#include "messages/errc.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace arbor {

std::string to_string(const shutdown_policy& x) {
  switch (x.how) {
    case shutdown_policy::kind::brutal_kill:
      return "brutal_kill";
    case shutdown_policy::kind::infinity:
      return "infinity";
    default:
      return std::to_string(x.timeout.count()) + "ms";
  }
}

shutdown_policy child_spec::effective_shutdown() const {
  if (shutdown)
    return *shutdown;
  return kind == child_kind::supervisor ? shutdown_policy::infinity()
                                        : shutdown_policy::deadline(milliseconds{5000});
}

milliseconds backoff_policy::delay(uint32_t n, double u) const {
  double base = static_cast<double>(min.count()) * std::pow(factor, n > 0 ? n - 1 : 0);
  base = std::min(base, static_cast<double>(max.count()));
  double spread = base * jitter * (2.0 * u - 1.0);
  auto result = static_cast<int64_t>(std::llround(base + spread));
  return milliseconds{std::clamp<int64_t>(result, 0, max.count())};
}

namespace {

caf::error invalid(const std::string& what) {
  return make_error(errc::invalid_spec, what);
}

caf::error validate_child(const supervisor_spec& spec, const child_spec& child) {
  auto where = "supervisor '" + spec.name + "', child '" + child.id + "': ";
  if (child.id.empty())
    return invalid("supervisor '" + spec.name + "': a child has an empty id");
  if (child.id.find('/') != std::string::npos)
    return invalid(where + "ids may not contain '/'");
  if (!child.start)
    return invalid(where + "no start function");
  auto sd = child.effective_shutdown();
  if (sd.how == shutdown_policy::kind::deadline && sd.timeout.count() <= 0)
    return invalid(where + "shutdown deadline must be positive");
  if (child.await_ready && child.start_timeout.count() <= 0)
    return invalid(where + "start_timeout must be positive");
  if (child.subtree)
    return validate(*child.subtree);
  return caf::none;
}

caf::error validate_numbers(const supervisor_spec& spec) {
  auto where = "supervisor '" + spec.name + "': ";
  if (spec.period.count() <= 0)
    return invalid(where + "period must be positive");
  if (spec.kill_grace.count() <= 0 || spec.hurry_deadline.count() <= 0)
    return invalid(where + "kill_grace and hurry_deadline must be positive");
  const auto& b = spec.backoff;
  if (b.enabled &&
      (b.min.count() < 0 || b.max < b.min || b.factor < 1.0 || b.jitter < 0.0 || b.jitter > 1.0))
    return invalid(where + "backoff needs 0 <= min <= max, factor >= 1, 0 <= jitter <= 1");
  return caf::none;
}

caf::error validate_auto_shutdown(const supervisor_spec& spec) {
  if (spec.auto_stop == auto_shutdown::never)
    return caf::none;
  auto significant = std::count_if(spec.children.begin(), spec.children.end(),
                                   [](const child_spec& c) { return c.significant; });
  if (significant == 0)
    return invalid("supervisor '" + spec.name + "': auto_shutdown needs a significant child");
  for (const auto& c : spec.children)
    if (c.significant && c.restart == restart_type::permanent)
      return invalid("supervisor '" + spec.name + "', child '" + c.id +
                     "': a significant child cannot be permanent");
  return caf::none;
}

} // namespace

caf::error validate(const supervisor_spec& spec) {
  if (spec.name.empty())
    return invalid("a supervisor needs a name");
  if (auto err = validate_numbers(spec))
    return err;
  if (spec.strat == strategy::dynamic && spec.children.size() != 1)
    return invalid("supervisor '" + spec.name + "': dynamic needs exactly one child template");
  if (spec.auto_stop != auto_shutdown::never && spec.strat == strategy::dynamic)
    return invalid("supervisor '" + spec.name + "': auto_shutdown is for static children");
  std::unordered_set<std::string> ids;
  for (const auto& child : spec.children) {
    if (auto err = validate_child(spec, child))
      return err;
    if (!ids.insert(child.id).second)
      return make_error(errc::duplicate_child,
                        "supervisor '" + spec.name + "': duplicate child id '" + child.id + "'");
  }
  return validate_auto_shutdown(spec);
}

namespace {

caf::error budget_error(const std::string& path, const std::string& what) {
  return make_error(errc::deadline_budget, path + ": " + what);
}

caf::expected<milliseconds> child_budget(const supervisor_spec& spec, const child_spec& child,
                                         const std::string& path) {
  auto child_path = path + "/" + child.id;
  auto sd = child.effective_shutdown();
  if (sd.how == shutdown_policy::kind::brutal_kill)
    return spec.kill_grace;
  if (!child.subtree) {
    if (sd.how == shutdown_policy::kind::infinity && child.kind == child_kind::supervisor)
      return budget_error(child_path, "a supervisor with shutdown 'infinity' and no subtree spec "
                                      "(nothing bounds its stop): give it a deadline");
    if (sd.how == shutdown_policy::kind::infinity)
      return budget_error(child_path, "a worker with shutdown 'infinity' may never stop");
    return sd.timeout + spec.kill_grace;
  }
  auto inner = shutdown_budget(*child.subtree, child_path);
  if (!inner)
    return inner.error();
  if (sd.how == shutdown_policy::kind::infinity)
    return *inner;
  if (*inner > sd.timeout)
    return budget_error(child_path, "shutdown deadline " + to_string(sd) +
                                        " does not cover its children's " +
                                        std::to_string(inner->count()) + "ms");
  return sd.timeout + spec.kill_grace;
}

} // namespace

caf::expected<milliseconds> shutdown_budget(const supervisor_spec& spec, const std::string& path) {
  milliseconds total{0};
  for (const auto& child : spec.children) {
    auto budget = child_budget(spec, child, path);
    if (!budget)
      return budget.error();
    // Static children stop one after another; dynamic ones concurrently.
    total = spec.strat == strategy::dynamic ? std::max(total, *budget) : total + *budget;
  }
  return total;
}

caf::error check_deadline_budget(const supervisor_spec& spec, const std::string& path,
                                 milliseconds outer) {
  auto budget = shutdown_budget(spec, path);
  if (!budget)
    return budget.error();
  if (*budget > outer)
    return budget_error(path, "the tree may take " + std::to_string(budget->count()) +
                                  "ms to stop, more than the outer deadline of " +
                                  std::to_string(outer.count()) + "ms");
  return caf::none;
}

} // namespace arbor
