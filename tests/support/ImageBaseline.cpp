#include "ImageBaseline.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace drg::test
{

double differingShare(const QImage& a, const QImage& b, int level, QImage* diff)
{
  if (a.size() != b.size()) {
    return 1.0;
  }
  const QImage x = a.convertToFormat(QImage::Format_RGB32), y = b.convertToFormat(QImage::Format_RGB32);
  if (diff != nullptr) {
    *diff = QImage(x.size(), QImage::Format_RGB32);
  }
  long long differing = 0;
  for (int r = 0; r < x.height(); ++r) {
    for (int c = 0; c < x.width(); ++c) {
      const QRgb p = x.pixel(c, r), q = y.pixel(c, r);
      const int d = std::max(
        { std::abs(qRed(p) - qRed(q)), std::abs(qGreen(p) - qGreen(q)), std::abs(qBlue(p) - qBlue(q)) });
      differing += d > level ? 1 : 0;
      if (diff != nullptr) {
        const int g = qGray(p) / 3;
        diff->setPixel(c, r, d > level ? qRgb(255, 0, 0) : qRgb(g, g, g));
      }
    }
  }
  return static_cast<double>(differing) / std::max(1, x.width() * x.height());
}

BaselineCheck checkBaseline(const QImage& image, const std::filesystem::path& baselineDir,
                            const std::string& name, const std::filesystem::path& outDir, int level,
                            double maxShare)
{
  BaselineCheck result;
  const std::filesystem::path file = baselineDir / (name + ".png");
  if (std::getenv("DRG_UPDATE_BASELINES") != nullptr) {
    std::filesystem::create_directories(baselineDir);
    result.updated = image.save(QString::fromStdString(file.string()));
    result.passed = result.updated;
    result.message = result.updated ? "baseline written: " + file.string() : "cannot write " + file.string();
    return result;
  }
  const QImage baseline(QString::fromStdString(file.string()));
  if (baseline.isNull()) {
    result.message =
      "no baseline " + file.string() + " (DRG_UPDATE_BASELINES=1 writes it; see docs/development.md)";
    return result;
  }
  std::filesystem::create_directories(outDir);
  const std::filesystem::path now = outDir / (name + "-now.png");
  image.save(QString::fromStdString(now.string()));
  QImage diff;
  result.share = differingShare(image, baseline, level, &diff);
  if (!diff.isNull()) {
    diff.save(QString::fromStdString((outDir / (name + "-diff.png")).string()));
  }
  result.passed = result.share <= maxShare;
  std::ostringstream m;
  m << name << ": " << result.share * 100 << " % of the pixels differ by more than " << level << " from "
    << file << " (allowed " << maxShare * 100 << " %; now: " << now << ", " << image.width() << "x"
    << image.height() << ", baseline " << baseline.width() << "x" << baseline.height() << ")";
  result.message = m.str();
  return result;
}

} // namespace drg::test
