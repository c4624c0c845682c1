#pragma once
// Images compared with baselines kept in the repository (tests/gui/baselines): a share of pixels may
// differ (fonts, Mesa), beyond it the check fails and leaves the image and a diff beside the build.
// DRG_UPDATE_BASELINES=1 rewrites the baselines instead (docs/development.md).

#include <QImage>

#include <filesystem>
#include <string>

namespace drg::test
{

/// Share of pixels of `a` and `b` that differ by more than `level` in any channel (1 when the sizes
/// differ); writes the pixels that differ, in red, to `diff` when given.
double differingShare(const QImage& a, const QImage& b, int level, QImage* diff = nullptr);

struct BaselineCheck
{
  bool passed = false;
  bool updated = false; ///< DRG_UPDATE_BASELINES was set: the baseline was written, nothing compared
  double share = 1.0;   ///< of the pixels that differ by more than the level
  std::string message;  ///< what differs and where to look, for the test's failure message
};

/// Compares `image` with `baselineDir/name.png`: passes when at most `maxShare` of the pixels differ by
/// more than `level`. Writes `outDir/name-now.png` and `outDir/name-diff.png` for a look.
BaselineCheck checkBaseline(const QImage& image, const std::filesystem::path& baselineDir,
                            const std::string& name, const std::filesystem::path& outDir, int level = 48,
                            double maxShare = 0.02);

} // namespace drg::test
