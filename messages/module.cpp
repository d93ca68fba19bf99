#include "messages/module.hpp"

#include "messages/errc.hpp"
#include "messages/session.hpp"
#include "messages/supervision.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>

namespace arbor {

void add_message_types(caf::actor_system_config& cfg) {
  // (CAF 0.17's templated add_error_category<T> does not compile; pass a renderer.)
  cfg.add_error_category(errc_category, [](uint8_t code, caf::atom_value, const caf::message& ctx) {
    return describe(caf::error{code, errc_category, ctx});
  });
  cfg.add_message_type<child_info>("arbor.child_info");
  cfg.add_message_type<std::vector<child_info>>("std::vector<arbor.child_info>");
  cfg.add_message_type<child_counts>("arbor.child_counts");
  cfg.add_message_type<tree_node>("arbor.tree_node");
  cfg.add_message_type<output_line>("arbor.output_line");
  cfg.add_message_type<std::vector<output_line>>("std::vector<arbor.output_line>");
  cfg.add_message_type<output_batch>("arbor.output_batch");
  cfg.add_message_type<gap_notice>("arbor.gap_notice");
  cfg.add_message_type<kernel_status>("arbor.kernel_status");
  cfg.add_message_type<file_event>("arbor.file_event");
  cfg.add_message_type<subscribe_request>("arbor.subscribe_request");
  cfg.add_message_type<subscription>("arbor.subscription");
  cfg.add_message_type<session_info>("arbor.session_info");
  cfg.add_message_type<std::vector<session_info>>("std::vector<arbor.session_info>");
  cfg.add_message_type<session_request>("arbor.session_request");
  cfg.add_message_type<session_event>("arbor.session_event");
}

} // namespace arbor
