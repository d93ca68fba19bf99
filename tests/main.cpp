// Catch2's main for every test program, stricter than Catch's own: a case that
// makes no assertion fails (WarnAbout::NoAssertions), and so does a run whose
// filter matches no case (WarnAbout::NoTests) — ctest runs each case by name,
// so a name that ctest and Catch read differently (a `;` in it splits the
// CMake list) fails instead of passing without running anything.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv); rc != 0)
    return rc;
  auto& data = session.configData();
  data.warnings = static_cast<Catch::WarnAbout::What>(
      data.warnings | Catch::WarnAbout::NoAssertions | Catch::WarnAbout::NoTests);
  return session.run();
}
