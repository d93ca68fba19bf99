#include "supervisors/detail/child_table.hpp"

#include <algorithm>

namespace arbor::detail {

child& child_table::add(std::shared_ptr<const child_spec> spec, std::string id, caf::message args) {
  auto record = std::make_unique<child>();
  record->spec = std::move(spec);
  record->id = id;
  record->args = std::move(args);
  record->order = next_order_++;
  auto& result = *record;
  by_id_.emplace(std::move(id), std::move(record));
  return result;
}

child* child_table::find(const std::string& id) {
  auto i = by_id_.find(id);
  return i == by_id_.end() ? nullptr : i->second.get();
}

child* child_table::find(caf::actor_id aid) {
  auto i = by_actor_.find(aid);
  return i == by_actor_.end() ? nullptr : i->second;
}

void child_table::bind(child& c, caf::actor handle) {
  c.handle = std::move(handle);
  by_actor_[c.handle.id()] = &c;
}

void child_table::unbind(child& c) {
  if (c.handle)
    by_actor_.erase(c.handle.id());
  c.handle = nullptr;
}

void child_table::remove(const std::string& id) {
  auto i = by_id_.find(id);
  if (i == by_id_.end())
    return;
  unbind(*i->second);
  by_id_.erase(i);
}

std::vector<child*> child_table::in_order() const {
  std::vector<child*> result;
  result.reserve(by_id_.size());
  for (auto& entry : by_id_)
    result.push_back(entry.second.get());
  std::sort(result.begin(), result.end(),
            [](const child* a, const child* b) { return a->order < b->order; });
  return result;
}

} // namespace arbor::detail
