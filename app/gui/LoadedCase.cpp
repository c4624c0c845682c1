#include "LoadedCase.h"

#include "drg/imaging/AnatomyLabels.h"

#include <algorithm>

void LoadedCase::takeModel(std::shared_ptr<drg::imaging::SpineModel> built)
{
  model = std::move(built);
  const drg::imaging::SpineModel& m = *model;
  if (labelsFromModel) {
    labels = m.labels; // (the model keeps its own: planning reads it)
  }
  std::string shift;
  if (m.labelShift != 0) {
    shift = ", labels shifted " + std::string(m.labelShift > 0 ? "+" : "") + std::to_string(m.labelShift) +
            " by the user";
  }
  if (!anatomyFromModel) {
    spineSummary = "spine model: " + std::to_string(m.ganglia.size()) + " DRG estimates for planning" + shift;
    return;
  }
  anatomy = {};
  for (const auto& v : m.vertebrae) {
    drg::imaging::PhantomVertebra pv;
    pv.level = v.level;
    pv.label = v.label;
    pv.centroid = v.centroid;
    pv.bodyCentre = v.bodyCentre;
    pv.visibility = v.complete ? "found" : "partial";
    anatomy.vertebrae.push_back(pv);
    anatomy.labelNames[v.label] = v.level;
  }
  for (const auto& d : m.ganglia) {
    drg::imaging::PhantomGanglion g;
    g.level = d.level;
    g.side = d.side;
    g.centre = d.centre;
    g.axis = d.axis;
    g.lengthMm = d.lengthMm;
    g.widthMm = d.widthMm;
    g.zone = d.zone;
    g.inFieldOfView = true;
    g.label = drg::imaging::labels::ganglionLabel(d.level, d.side == drg::imaging::Side::Right);
    anatomy.ganglia.push_back(g);
    anatomy.labelNames[g.label] = "DRG estimate " + d.level + " " + drg::imaging::sideName(d.side);
  }
  anatomy.labelNames[drg::imaging::labels::kSpinalCanal] = "spinal canal";
  if (!m.vertebrae.empty()) {
    spineSummary = "spine model " + m.vertebrae.front().level + "-" + m.vertebrae.back().level + ", " +
                   std::to_string(m.ganglia.size()) + " DRG estimates, levels counted from the " + m.anchor +
                   shift;
  }
  for (const auto& w : m.warnings) {
    if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) {
      warnings.push_back(w);
    }
  }
}

std::string LoadedCase::levelAnchorText() const
{
  return labelOverride.anchorAt ? drg::imaging::levelAnchorPointText(*labelOverride.anchorAt) : std::string();
}

std::string LoadedCase::declaredTransitional() const
{
  return labelOverride.declaredSet ? drg::imaging::transitionalAnatomyName(labelOverride.declared)
                                   : std::string();
}
