#pragma once

#include <cstdlib>
// Helpers shared by drgplan's tests.

#include "drg/imaging/SpinePhantom.h"

#include <filesystem>
#include <optional>
#include <string>

namespace drg::test
{

/// A fresh folder under the system temp folder, removed when the object goes away.
class TemporaryFolder
{
public:
  explicit TemporaryFolder(const std::string& tag);
  ~TemporaryFolder();
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

/// Output and exit code of a shell command.
struct CommandResult
{
  int exitCode = -1;
  std::string output; ///< stdout and stderr together
};

/// Runs `command` through /bin/sh, capturing stdout and stderr.
CommandResult runCommand(const std::string& command);

/// The value of `tag` (dcmdump's name, e.g. "StudyInstanceUID") in `file`, or in the first file of
/// `file` when it is a folder; empty when absent.
std::string dicomValue(const std::filesystem::path& file, const std::string& tag);

/// True when `tool` is on PATH.
bool haveTool(const std::string& tool);

/// Path of the drgplan-cli binary under test.
std::string cliPath();

/// ../shared/data beside the checkout, or nullopt when absent (a user's fresh clone).
std::optional<std::filesystem::path> sharedData();

/// True when running in CI (the CI environment variable is set): missing tools then fail, not skip.
bool inCi();

/// The phantom the spine-model and planning tests share: 256 x 256 x 200 at 1.6 x 1.6 x 2 mm,
/// T10 to the sacrum (a light stand-in for the demo case).
imaging::PhantomOptions spineTestPhantom();

/// True when an X display is there (DISPLAY set).
inline bool haveDisplayForTests()
{
  const char* d = std::getenv("DISPLAY");
  return d != nullptr && *d != '\0';
}

} // namespace drg::test

/// Skips the test when a tool is missing outside CI; fails it in CI, where setup installs it.
/// Skips a test that needs an X display on a developer machine; fails it in CI, where the tests run
/// under Xvfb.
#define DRG_REQUIRE_DISPLAY()                                                                                \
  do {                                                                                                       \
    if (!drg::test::haveDisplayForTests()) {                                                                 \
      if (drg::test::inCi()) {                                                                               \
        FAIL() << "no X display: run the tests under xvfb-run -a (scripts/test.sh does)";                    \
      }                                                                                                      \
      GTEST_SKIP() << "no X display (run under xvfb-run -a)";                                                \
    }                                                                                                        \
  } while (0)

#define DRG_REQUIRE_TOOL(tool)                                                                               \
  do {                                                                                                       \
    if (!drg::test::haveTool(tool)) {                                                                        \
      if (drg::test::inCi()) {                                                                               \
        FAIL() << tool << " is not installed; scripts/setup.sh installs it";                                 \
      }                                                                                                      \
      GTEST_SKIP() << tool << " is not installed (run scripts/setup.sh)";                                    \
    }                                                                                                        \
  } while (0)
