// The post-operative verification in the workstation (PostopView.h).
#include "PostopView.h"

#include "BackgroundJob.h"
#include "PlanSession.h"
#include "Prompts.h"
#include "View3D.h"
#include "ViewGrid.h"

#include "drg/imaging/Error.h"
#include "drg/imaging/SpineCaseLoader.h"

#include <QFileDialog>
#include <QMessageBox>

#include <memory>

using drg::planning::Verification;

PostopView::PostopView(const PlanSession& session, BackgroundJob& jobs, const Prompts& prompts,
                       ViewGrid& views, QWidget* window)
  : QObject(window)
  , m_session(session)
  , m_jobs(jobs)
  , m_prompts(prompts)
  , m_views(views)
  , m_window(window)
{
  // (another case: its verification is not this one's)
  connect(window, SIGNAL(caseReady()), this, SLOT(caseShown()));
}

void PostopView::choose()
{
  if (!m_session.editor() || m_session.editor()->plan().leads.empty()) {
    m_prompts.warn(tr("Verify a post-operative CT"),
                   tr("Open the case and its plan first: the leads found are "
                      "compared with the plan's."));
    return;
  }
  const QString path =
    QFileDialog::getExistingDirectory(m_window, tr("The post-operative CT (a DICOM folder)"));
  if (!path.isEmpty()) {
    start(path);
  }
}

Verification PostopView::verify(const QString& path, const drg::planning::Plan& plan,
                                const std::function<bool(double)>& progress) const
{
  using namespace drg::imaging;
  const auto loaded = m_session.loadedCase();
  if (!loaded || !loaded->model || !m_session.planner()) {
    throw drg::Error(drg::ErrorCode::InvalidArgument, "no case with a plan is open");
  }
  if (!loaded->isCt) {
    throw drg::Error(drg::ErrorCode::Unsupported, "verification needs the plan's images as CT");
  }
  SpineCaseLoader loader;
  const SpineCaseImage postop =
    loader.load(path.toStdString(), {}, [&](double f) { return progress(0.6 * f); });
  const std::string warning =
    drg::planning::checkPostopImages(plan.study, postop.images, postop.modality, path.toStdString());
  const drg::planning::DeviceCatalog catalog = m_session.planner()->catalog();
  drg::planning::VerifyInput in;
  in.plan = &plan;
  in.planning = &loaded->volume;
  in.postop = &postop.volume;
  in.model = loaded->model.get();
  in.catalog = &catalog;
  in.postopImages = postop.images;
  Verification v = drg::planning::verifyLeads(in);
  if (!warning.empty()) {
    v.notes.insert(v.notes.begin(), warning);
  }
  progress(1.0);
  return v;
}

void PostopView::start(const QString& path)
{
  if (!m_session.editor()) {
    return;
  }
  auto result = std::make_shared<std::optional<Verification>>();
  // the plan as it is now (the user may edit it while the job runs)
  auto plan = std::make_shared<const drg::planning::Plan>(m_session.editor()->plan());
  m_jobs.start(
    tr("Verifying"),
    [this, path, plan, result](const BackgroundJob::Progress& progress) {
      *result = verify(path, *plan, progress);
      return std::shared_ptr<LoadedCase>();
    },
    [this, result] {
      if (*result) {
        show(std::move(**result));
      }
    });
}

bool PostopView::runNow(const QString& path, QString* error)
{
  try {
    if (!m_session.editor()) {
      throw drg::Error(drg::ErrorCode::InvalidArgument, "no case with a plan is open");
    }
    show(verify(path, m_session.editor()->plan(), [](double) { return true; }));
    return true;
  } catch (const std::exception& e) {
    if (error != nullptr) {
      *error = QString::fromStdString(e.what());
    }
    return false;
  }
}

void PostopView::caseShown()
{
  if (m_session.loadedCase().get() != m_case) {
    clear();
  }
}

void PostopView::clear()
{
  m_result.reset();
  for (auto* view : m_views.sliceViews()) {
    view->setFoundOverlays({});
  }
  m_views.view3d().scene().setFoundContacts({});
  m_views.view3d().update();
}

QString PostopView::summary() const
{
  QStringList lines;
  for (const auto& l : m_result ? m_result->leads : std::vector<drg::planning::VerifiedLead>{}) {
    QString line = QString::fromStdString(l.name) + ": " + QString::fromStdString(l.verdict);
    if (l.found && l.inPlan) {
      line += tr(" - %1 contacts, up to %2 mm from the plan, moved on the whole %3, ganglion coverage %4 %")
                .arg(l.contacts.size())
                .arg(l.maxDeviationMm, 0, 'f', 1)
                .arg(QString::fromStdString(l.displacementText))
                .arg(100.0 * l.coverage, 0, 'f', 0);
      if (l.inIntendedForamen) {
        line += *l.inIntendedForamen
                  ? tr(", in its intended foramen")
                  : tr(", NOT in its intended foramen (%1)").arg(QString::fromStdString(l.foramenFound));
      }
    }
    lines << line;
    for (const auto& note : l.notes) {
      lines << "    " + QString::fromStdString(note);
    }
  }
  for (const auto& note : m_result ? m_result->notes : std::vector<std::string>{}) {
    lines << QString::fromStdString(note);
  }
  return lines.join("\n");
}

void PostopView::show(Verification v)
{
  // the found contacts over the plan: open white rings, joined by a thin white line
  std::vector<SliceOverlay> found;
  for (const auto& l : v.leads) {
    SliceOverlay rings, line;
    for (const auto& c : l.contacts) {
      rings.points.push_back(c.planning);
    }
    rings.colour = Qt::white;
    rings.widthMm = 1.0;
    rings.dots = true;
    rings.rings = true;
    line.points = rings.points;
    line.colour = Qt::white;
    line.widthMm = 0.0;
    found.push_back(line);
    found.push_back(rings);
  }
  std::vector<Eigen::Vector3d> balls;
  for (const auto& o : found) {
    if (o.rings) {
      balls.insert(balls.end(), o.points.begin(), o.points.end());
    }
  }
  for (auto* view : m_views.sliceViews()) {
    view->setFoundOverlays(found);
  }
  m_views.view3d().scene().setFoundContacts(balls);
  m_views.view3d().update();
  m_result = std::move(v);
  m_case = m_session.loadedCase().get();
  const drg::planning::VerifiedLead* first = nullptr;
  for (const auto& l : m_result->leads) {
    if (l.found && (first == nullptr || (first->verdict == "in place" && l.verdict != "in place"))) {
      first = &l;
    }
  }
  if (first != nullptr && !first->contacts.empty()) {
    emit lookAt(first->contacts[first->contacts.size() / 2].planning);
  }
  int notInPlace = 0;
  for (const auto& l : m_result->leads) {
    notInPlace += l.verdict == "in place" ? 0 : 1;
  }
  m_prompts.status(
    notInPlace == 0
      ? tr("Post-operative CT: every lead in place (white rings: the contacts found)")
      : tr("Post-operative CT: %1 lead(s) not in place - see the verification").arg(notInPlace));
  if (m_prompts.interactive()) {
    auto* box = new QMessageBox(QMessageBox::Information, tr("Lead verification"), summary(), QMessageBox::Ok,
                                m_window);
    box->setInformativeText(
      tr("Positions in the planning images' frame after registering the spine about each "
         "lead; contacts numbered 1 = most distal. The views show the contacts found as "
         "white rings over the plan."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  }
}
