#include "PlanSession.h"

#include "Prompts.h"

#include "drg/imaging/Error.h"
#include "drg/planning/CaseLibrary.h"
#include "drg/planning/PlanImages.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

PlanSession::PlanSession(const Prompts& prompts, QObject* parent)
  : QObject(parent)
  , m_prompts(prompts)
{}

PlanSession::~PlanSession() = default;

void PlanSession::setUp(std::shared_ptr<LoadedCase> loaded, std::optional<drg::planning::Plan> keep)
{
  const std::filesystem::path keptAutosave = keep ? m_autosave : std::filesystem::path();
  if (!keep) {
    m_planPath.clear(); // (the previous study's plan file is not this study's)
  }
  m_editor.reset();
  m_planner.reset();
  m_planAnatomy.reset();
  m_case = std::move(loaded);
  if (m_case && m_case->model) {
    try {
      m_planAnatomy = std::make_unique<drg::planning::PlanAnatomy>(*m_case->model, &m_case->volume);
      m_planner = std::make_unique<drg::planning::Planner>(
        *m_planAnatomy, drg::planning::DeviceCatalog::builtIn(), drg::planning::PlanRules::builtIn());
      drg::planning::Plan plan = newPlan();
      if (keep) {
        // the plan as it was, re-planned on the new model (its first state: nothing to undo). Locked
        // leads too: they keep their names, so they move to the ganglia now called so
        plan = std::move(*keep);
        std::vector<bool> locked;
        for (auto& lead : plan.leads) {
          locked.push_back(lead.locked);
          lead.locked = false;
          lead.plannedFrom.clear();
          lead.tunnelFrom.clear();
        }
        m_planner->recompute(plan);
        for (std::size_t i = 0; i < plan.leads.size(); ++i) {
          plan.leads[i].locked = locked[i];
        }
      }
      m_editor = std::make_unique<drg::planning::PlanEditor>(*m_planner, plan);
      if (keep) {
        setAutosave(keptAutosave);
        m_editor->autosaveNow(); // the re-planned plan, should drgplan stop now
      }
    } catch (const std::exception& e) {
      m_case->warnings.push_back(std::string("planning: ") + e.what());
    }
  }
  if (m_editor && !keep) {
    autosavePerStudy();
  }
}

drg::planning::Plan PlanSession::newPlan() const
{
  drg::planning::Plan plan;
  drg::planning::recordImages(plan.study, m_case->images);
  plan.study.source = m_case->source;
  plan.study.patientPosition = m_case->patientPosition;
  plan.study.modality = drg::imaging::spineModalityName(m_case->model->modality);
  plan.study.levelAnchor = m_case->model->anchor;
  plan.study.labelShift = m_case->model->labelShift;
  plan.study.declaredTransitional = m_case->declaredTransitional();
  plan.study.levelAt = m_case->levelAnchorText();
  plan.study.levelCheck = m_case->model->levelCheck.status;
  plan.study.levelCheckWhy = m_case->model->levelCheck.why();
  return plan;
}

void PlanSession::autosavePerStudy()
{
  try {
    // (offered back when the study is opened after a crash)
    m_unsavedPlan.clear();
    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/autosave";
    if (QDir().mkpath(data)) {
      const std::string key = m_case->seriesUid.empty() ? m_case->source : m_case->seriesUid;
      const QString name =
        QCryptographicHash::hash(QByteArray::fromStdString(key), QCryptographicHash::Sha1).toHex().left(16);
      m_unsavedPlan = QDir(data).filePath(name + ".drgplan.json").toStdString();
      setAutosave(drg::planning::autosavePath(m_unsavedPlan));
    }
    m_savedJson = drg::planning::planToJson(m_editor->plan());
  } catch (const std::exception& e) {
    m_case->warnings.push_back(std::string("planning: ") + e.what());
  }
}

bool PlanSession::open(const QString& path)
{
  if (!m_editor) {
    m_prompts.status(tr("Open a case with a spine first: a plan belongs to its images"), 5000);
    return false;
  }
  try {
    std::string file = path.toStdString();
    bool recovered = false;
    if (const auto autosave = drg::planning::recoverableAutosave(file)) {
      // (without interaction the file asked for is opened; the autosave stays for later)
      recovered = m_prompts.ask(
        tr("Open the plan's unsaved changes?"),
        tr("This plan has changes that were kept but never saved to it (last changed %1). Open them? "
           "(No opens the plan as it was saved; its next change replaces the kept ones.)")
          .arg(lastChanged(*autosave)),
        false);
      if (recovered) {
        file = autosave->string();
      }
    }
    drg::planning::Plan plan = drg::planning::loadPlan(file);
    bool carried = false;
    if (const auto check = drg::planning::checkPlanImages(plan.study, m_case->images);
        check.match != drg::planning::ImagesMatch::Same) {
      // another patient's plan never opens; another study's only by carrying its targets, asked;
      // the targets go by level name, so only between images numbered the same way
      if (check.carriable()) {
        refuseOtherNumbering(plan.study);
      }
      if (!check.carriable() ||
          !m_prompts.ask(
            tr("Carry the plan's targets to these images?"),
            QString::fromStdString(check.message + "\n\n" +
                                   (check.match == drg::planning::ImagesMatch::OtherImagesPatientUnknown
                                      ? "Carry only if these images show the plan's patient. "
                                      : "") +
                                   drg::planning::carryTargetsDescription(plan)),
            false)) {
        throw drg::Error(drg::ErrorCode::InvalidArgument, check.message + "\nOpen the plan's own images.");
      }
      plan = drg::planning::carryTargets(plan, newPlan());
      carried = true;
    }
    refuseOtherNumbering(plan.study);
    setAutosave({}); // (the opened plan must not land in the previous plan's autosave)
    m_editor->replace(std::move(plan));
    if (carried) {
      // a new plan of these images, not yet saved: the file opened stays the other images' plan
      autosavePerStudy();
      m_editor->autosaveNow();
      m_savedJson.clear();
      m_planPath.clear();
    } else {
      setAutosave(drg::planning::autosavePath(path.toStdString()));
      forgetUnsavedPlan();
      // (recovered changes are not in the file yet: they count as unsaved until saved)
      m_savedJson = recovered ? std::string() : drg::planning::planToJson(m_editor->plan());
      m_planPath = path;
      rememberPlanOfStudy(path);
    }
  } catch (const std::exception& e) {
    m_prompts.warn(tr("Could not open the plan"), QString::fromStdString(e.what()));
    m_prompts.status(QString::fromStdString(e.what()));
    return false;
  }
  emit planReplaced();
  m_prompts.status(m_planPath.isEmpty()
                     ? tr("The targets of %1 carried to these images: %2 leads planned again; save the plan "
                          "under a new name")
                         .arg(path)
                         .arg(m_editor->plan().leads.size())
                     : tr("Plan %1: %2 leads").arg(path).arg(m_editor->plan().leads.size()));
  return true;
}

void PlanSession::refuseOtherNumbering(const drg::planning::StudyReference& study) const
{
  if (study.declaredTransitional != m_case->declaredTransitional()) {
    throw drg::Error(
      drg::ErrorCode::InvalidArgument,
      "this plan was made with transitional anatomy declared as '" +
        (study.declaredTransitional.empty() ? std::string("nothing") : study.declaredTransitional) +
        "': declare the same first (Spine menu), then open the plan");
  }
  if (study.levelAt != m_case->levelAnchorText()) {
    throw drg::Error(drg::ErrorCode::InvalidArgument,
                     "this plan was made with the levels counted from " +
                       (study.levelAt.empty() ? std::string("the image's own anchors")
                                              : "the vertebra the user named at " + study.levelAt) +
                       ", the images are shown counted from " +
                       (m_case->levelAnchorText().empty() ? std::string("the image's own anchors")
                                                          : m_case->levelAnchorText()) +
                       ": name the levels the same way first (Spine menu), then open the plan");
  }
  if (study.labelShift != m_case->model->labelShift) {
    throw drg::Error(drg::ErrorCode::InvalidArgument,
                     "this plan was made with the vertebrae renumbered by " +
                       std::to_string(study.labelShift) + " level(s), the images are shown with " +
                       std::to_string(m_case->model->labelShift) +
                       ": renumber them the same way first (Spine menu), then open the plan");
  }
}

bool PlanSession::save(const QString& path)
{
  if (!m_editor) {
    return false;
  }
  try {
    m_editor->save(path.toStdString());
    setAutosave(drg::planning::autosavePath(path.toStdString())); // edits after the save
    m_savedJson = drg::planning::planToJson(m_editor->plan());
    m_planPath = path;
    rememberPlanOfStudy(path);
    forgetUnsavedPlan(); // the plan has a file now: its unsaved copy is done with
  } catch (const std::exception& e) {
    m_prompts.warn(tr("Could not save the plan"), QString::fromStdString(e.what()));
    m_prompts.status(QString::fromStdString(e.what()));
    return false;
  }
  m_prompts.status(tr("Plan saved to %1").arg(path) + recordInCase(path), 5000);
  return true;
}

QString PlanSession::recordInCase(const QString& path) const
{
  // saved in a case folder: the plan joins the case's timeline, once (the library reads it again)
  const auto& plan = m_editor->plan();
  try {
    const auto folder = drg::planning::recordPlanInCase(
      path.toStdString(), plan.kind, std::to_string(plan.leads.size()) + " leads, saved in the workstation");
    if (folder.empty()) {
      return {};
    }
    drg::planning::reindexIfIndexed(folder);
    return tr(", added to the case in %1").arg(QString::fromStdString(folder.string()));
  } catch (const std::exception& e) {
    return tr("; the case's record was not updated: %1").arg(QString::fromUtf8(e.what()));
  }
}

bool PlanSession::offerUnsavedPlan()
{
  if (!m_editor || m_unsavedPlan.empty()) {
    return false;
  }
  const auto autosave = drg::planning::recoverableAutosave(m_unsavedPlan);
  if (!autosave) {
    return false;
  }
  try {
    drg::planning::Plan plan = drg::planning::loadPlan(*autosave);
    if (drg::planning::checkPlanImages(plan.study, m_case->images).match !=
        drg::planning::ImagesMatch::Same) {
      return false; // (the same key but other images: not this study's)
    }
    if (plan.study.labelShift != m_case->model->labelShift ||
        plan.study.declaredTransitional != m_case->declaredTransitional() ||
        plan.study.levelAt != m_case->levelAnchorText()) {
      m_prompts.status(tr("An unsaved plan of this study was made with the vertebrae renumbered or "
                          "transitional anatomy declared: "
                          "renumber them the same way (Spine menu) and open it with File > Open plan "
                          "(%1)")
                         .arg(QString::fromStdString(autosave->string())));
      return false;
    }
    // (kept when drgplan stopped or another study was opened before it was saved: say neither)
    const QString question = tr("A plan for this study that was never saved was kept (%1 leads%2, last "
                                "changed %3). Recover it?")
                               .arg(plan.leads.size())
                               .arg(plan.pocket ? tr(", a pocket") : QString())
                               .arg(lastChanged(*autosave));
    if (m_prompts.ask(tr("Recover the unsaved plan?"), question, false)) {
      m_editor->replace(std::move(plan));
      emit planReplaced();
      m_prompts.status(tr("Recovered the unsaved plan: save it with File > Save plan"), 8000);
      return true;
    }
    if (m_prompts.answered()) {
      std::error_code ec; // declined: not offered again
      std::filesystem::remove(*autosave, ec);
    }
  } catch (const std::exception& e) {
    m_prompts.status(tr("An unsaved plan could not be read: %1").arg(QString::fromStdString(e.what())));
  }
  return false;
}

void PlanSession::offerLastPlan()
{
  if (!m_editor || !m_planPath.isEmpty() || !m_editor->plan().leads.empty() || !m_case) {
    return;
  }
  QSettings settings;
  const QString path = settings.value(studyPlanKey()).toString();
  if (path.isEmpty() || !QFileInfo::exists(path)) {
    return;
  }
  const QString question = tr("The plan last saved for this study is %1 (saved %2). Open it?")
                             .arg(QDir::toNativeSeparators(path))
                             .arg(lastChanged(path.toStdString()));
  if (m_prompts.ask(tr("Open the study's plan?"), question, false)) {
    open(path);
  }
}

QString PlanSession::studyPlanKey() const
{
  const QByteArray source = QByteArray::fromStdString(m_case ? m_case->source : std::string());
  return "studyPlans/" + QCryptographicHash::hash(source, QCryptographicHash::Sha1).toHex().left(16);
}

void PlanSession::rememberPlanOfStudy(const QString& path)
{
  if (m_case) {
    QSettings settings;
    settings.setValue(studyPlanKey(), QFileInfo(path).absoluteFilePath());
  }
}

QString PlanSession::lastChanged(const std::filesystem::path& file)
{
  return QFileInfo(QString::fromStdString(file.string())).lastModified().toString("yyyy-MM-dd HH:mm");
}

void PlanSession::setAutosave(const std::filesystem::path& path)
{
  m_autosave = path;
  if (m_editor) {
    m_editor->setAutosave(path);
  }
}

bool PlanSession::hasUnsavedChanges() const
{
  return m_editor && drg::planning::planToJson(m_editor->plan()) != m_savedJson;
}

void PlanSession::discardAutosave()
{
  if (!m_autosave.empty()) {
    std::error_code ec;
    std::filesystem::remove(m_autosave, ec);
  }
}

QString PlanSession::fileHolding(const std::string& json) const
{
  return !m_planPath.isEmpty() && json == m_savedJson ? m_planPath : QString();
}

void PlanSession::forgetUnsavedPlan()
{
  if (!m_unsavedPlan.empty()) {
    std::error_code ec;
    std::filesystem::remove(drg::planning::autosavePath(m_unsavedPlan), ec);
    m_unsavedPlan.clear();
  }
}

void PlanSession::rememberStudy(const QString& path, const QString& title)
{
  QSettings settings;
  QStringList paths = settings.value("recent/paths").toStringList();
  QStringList titles = settings.value("recent/titles").toStringList();
  while (titles.size() < paths.size()) {
    titles << QString();
  }
  const int at = static_cast<int>(paths.indexOf(path));
  if (at >= 0) {
    paths.removeAt(at);
    titles.removeAt(at);
  }
  paths.prepend(path);
  titles.prepend(title);
  while (paths.size() > 10) {
    paths.removeLast();
    titles.removeLast();
  }
  settings.setValue("recent/paths", paths);
  settings.setValue("recent/titles", titles);
  emit recentStudiesChanged();
}

std::vector<std::pair<QString, QString>> PlanSession::recentStudies()
{
  QSettings settings;
  const QStringList paths = settings.value("recent/paths").toStringList();
  const QStringList titles = settings.value("recent/titles").toStringList();
  std::vector<std::pair<QString, QString>> studies;
  for (int i = 0; i < paths.size(); ++i) {
    studies.emplace_back(paths[i], titles.value(i, QFileInfo(paths[i]).fileName()));
  }
  return studies;
}
