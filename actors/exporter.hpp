// Transcript export: a session's buffered output written to a file atomically.
//
// `write_transcript` writes to a temporary file in the target directory, fsyncs
// it, moves it to the final name and fsyncs the directory, so a reader sees
// either no file or the whole transcript. An existing file is never replaced:
// when the name is taken the export becomes `name-2.txt`, `name-3.txt`, …
// Any failure (a full disk, a missing or read-only directory, a file size
// limit) removes the temporary file and returns errc::io_error naming the path
// and the system's reason; the session is not touched (its buffer still holds
// everything).
//
// `spawn_exporter` runs one export on a detached actor (its own thread), so the
// blocking writes and fsyncs never run on the scheduler's threads:
//   (export_atom, dir, file name, std::vector<output_line>) → path | io_error,
// then it quits.
#pragma once
#include "messages/session.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <string>
#include <vector>

namespace arbor {

caf::expected<std::string> write_transcript(const std::string& dir, const std::string& name,
                                            const std::vector<output_line>& lines);

caf::actor spawn_exporter(caf::actor_system& sys);

} // namespace arbor
