// The supervision tree of a standalone arbord node (ARCHITECTURE.md §2), built
// from its configuration:
//
//   /app (rest_for_one)
//   ├── event_bus
//   ├── tasks
//   ├── lifespans   (only when the config declares some; rest_for_one)
//   ├── sessions    (session manager)
//   └── http        (listener + a connection actor per socket)
#pragma once

#include "actors/http/server.hpp"
#include "actors/io_loop.hpp"
#include "apps/arbord/config.hpp"
#include "supervisors/spec.hpp"

#include <memory>
#include <string>

namespace arbord {

/// The root spec. `front` is the HTTP front end's shared state (its `cfg` is
/// filled from `cfg` here); `kernels` runs kernel pipes, `front->net` sockets.
arbor::supervisor_spec app_spec(const arbor::config::server& cfg, arbor::io_loop_ptr kernels,
                                std::shared_ptr<arbor::http::server_state> front);

/// The demo kernel installed beside arbord (or in the build tree).
std::string demo_kernel_path();

} // namespace arbord
