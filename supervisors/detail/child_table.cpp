#include "supervisors/detail/child_table.hpp"

#include <algorithm>

namespace arbor::detail {

child* child_table::add(std::shared_ptr<const child_spec> spec, std::string id, caf::message args) {
  auto [slot, added] = by_id_.try_emplace(std::move(id));
  if (!added)
    return nullptr;
  auto& record = slot->second;
  record = std::make_shared<child>();
  record->spec = std::move(spec);
  record->id = slot->first;
  record->args = std::move(args);
  record->order = next_order_++;
  return record.get();
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
  i->second->removed = true;
  by_id_.erase(i);
}

// Sorts (order, record) pairs: comparing keys held in the vector does not
// touch every record O(n log n) times (a cache miss each with many children).
std::vector<child*> child_table::in_order() const {
  std::vector<std::pair<uint64_t, child*>> keyed;
  keyed.reserve(by_id_.size());
  for (auto& entry : by_id_)
    keyed.emplace_back(entry.second->order, entry.second.get());
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<child*> result;
  result.reserve(keyed.size());
  for (auto& entry : keyed)
    result.push_back(entry.second);
  return result;
}

std::vector<child*> child_table::running_now() const {
  std::vector<child*> result;
  result.reserve(by_actor_.size());
  for (auto& entry : by_actor_)
    result.push_back(entry.second);
  return result;
}

} // namespace arbor::detail
