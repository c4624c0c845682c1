// The plan in the operating room: the procedure is done prone, the planning scan is usually taken
// supine. The skin entry said against the bony landmarks, and the note when the scan was not prone.
#include "drg/planning/Plan.h"

#include <cmath>
#include <cstdio>

namespace drg::planning
{
namespace
{

/// Within this many mm in height, an entry is "at" a landmark.
constexpr double kAtLandmarkMm = 5.0;

/// "level with the L5 spinous process tip" or "12 mm caudal to the L5 spinous process tip"
std::string heightText(double below, const std::string& what)
{
  char buf[160];
  if (std::abs(below) <= kAtLandmarkMm) {
    std::snprintf(buf, sizeof buf, "at the %s", what.c_str());
  } else {
    std::snprintf(buf, sizeof buf, "%.0f mm %s to the %s", std::abs(below), below > 0 ? "caudal" : "cranial",
                  what.c_str());
  }
  return buf;
}

} // namespace

std::string entryLandmarksText(const EntryLandmarks& e)
{
  if (!e.found) {
    return {};
  }
  char side[96];
  std::snprintf(side, sizeof side, "%.0f mm %s of the midline", std::abs(e.midlineOffsetMm),
                e.midlineOffsetMm >= 0 ? "left" : "right");
  std::string text = heightText(e.belowSpinousMm, e.spinousLevel + " spinous process tip") + ", " + side;
  if (!e.pedicleLevel.empty()) {
    text += "; " + heightText(e.belowPedicleMm, e.pedicleLevel + " pedicle");
  }
  return text + "; " + heightText(e.belowWindowMm, e.window + " interlaminar window");
}

bool scanNotProne(const StudyReference& study)
{
  const std::string& p = study.patientPosition;
  // DICOM's prone positions end in P: HFP, FFP and the newer LFP, RFP
  return p.empty() || p.back() != 'P';
}

std::string patientPositionNote(const StudyReference& study)
{
  if (!scanNotProne(study)) {
    return {};
  }
  const std::string& m = study.modality;
  const std::string scan = m.rfind("CT", 0) == 0   ? "planning CT"
                           : m.rfind("MR", 0) == 0 ? "planning MR"
                                                   : "planning scan";
  const std::string& p = study.patientPosition;
  std::string how;
  if (p.empty()) {
    how = "patient position not known (the images do not say)";
  } else if (p.size() >= 2 && p.back() == 'S') {
    how = "supine (" + p + ")";
  } else {
    how = "not prone (" + p + ")";
  }
  return scan + " " + how + ", procedure prone: skin entries move; use the bony landmarks";
}

} // namespace drg::planning
