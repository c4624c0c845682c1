#pragma once
// What the plan-making commands share (plan, permanent): the images, spine model and planner a plan is
// made on, the pocket's words, and the printed summary of a plan.

#include "drg/imaging/SpineCaseLoader.h"
#include "drg/planning/PlanAnatomy.h"
#include "drg/planning/Planner.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace drg::cli
{

/// The images, the spine model and the planner on them, kept together (the planner refers to the
/// model and the volume), and the study a new plan on them records.
struct PlanSession
{
  imaging::SpineCaseImage in;
  imaging::SpineModel model;
  std::unique_ptr<planning::PlanAnatomy> anatomy;
  std::unique_ptr<planning::Planner> planner;
  planning::StudyReference study;
};

/// Loads `input` with `loader`, builds the spine model and the planner (the built-in rules, the
/// catalog with the user's `devices` folder) and fills the study a plan on them records.
std::unique_ptr<PlanSession> openPlanSession(imaging::SpineCaseLoader& loader, const std::string& input,
                                             const std::string& series, const std::string& devices,
                                             const std::string& levelAt, bool quiet);

/// The second half of openPlanSession, for images already in `session.in`: the spine model built with
/// `loader`'s options, the planner, the study.
void buildPlanner(PlanSession& session, const imaging::SpineCaseLoader& loader, const std::string& input,
                  const std::string& devices, const std::string& levelAt, bool quiet);

/// "buttock-left" -> (buttock, left); throws drg::Error(InvalidArgument) naming the four choices.
std::pair<planning::PocketSite, imaging::Side> parsePocket(const std::string& text);

/// "70 % relief, 80 % coverage, contacts 2-3, keep (note)"; "no trial result".
std::string trialResultText(const std::optional<planning::TrialResult>& result);

/// The plan's tables as the plan command prints them: levels, leads, OR landmarks, pocket and
/// lengths, findings, warnings of the images and the model.
void printPlanSummary(const planning::Plan& plan, const PlanSession& session,
                      const std::filesystem::path& file);

} // namespace drg::cli
