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
  order_.push_back(record);
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
  if (++removed_in_order_ > order_.size() / 2) {
    order_.erase(std::remove_if(order_.begin(), order_.end(),
                                [](const auto& record) { return record->removed; }),
                 order_.end());
    removed_in_order_ = 0;
  }
}

std::vector<child*> child_table::in_order() const {
  std::vector<child*> result;
  result.reserve(order_.size() - removed_in_order_);
  for (auto& record : order_)
    if (!record->removed)
      result.push_back(record.get());
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
