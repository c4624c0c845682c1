// The workstation as a user drives it: the real drgplan binary under X, driven by real input events
// from xdotool (pointer moves and clicks, keys, typed text), through one session: open the demo from
// the File menu, plan two leads in the Plan panel, renumber the spine (Spine menu), undo (Ctrl+Z), open
// another study (the unsaved plan must be asked about: Cancel keeps it, Save writes it through the file
// dialog), plan on that study and save with Ctrl+S, change it again and quit with Ctrl+Q, discarding.
// The state is read from outside: the window's title (its unsaved marker), the plan's autosave and the
// saved plan files, the exit code. A few whole-screen pictures are compared with
// tests/gui/baselines/session-*.png.
//
// It needs an X screen of its own, 1600 x 1200 and without a window manager, as scripts/test.sh makes
// (xvfb-run -s "-screen 0 1600x1200x24"): it takes the pointer and the keyboard, so ctest runs it alone
// (RUN_SERIAL). Without a window manager no one gives the main window the keyboard focus (on start, or
// back when a dialog closes): the test does, as a window manager would, before it types into it.
#include "ImageBaseline.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPixmap>
#include <QProcess>
#include <QScreen>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <ostream>

/// A QString in a failure message: its text (gtest finds this by argument-dependent lookup).
void PrintTo(const QString& text, std::ostream* os)
{
  *os << '"' << text.toStdString() << '"';
}

namespace
{

/// A binary under test: the build's (a compile definition), or the environment's DRG_GUI / DRG_CLI
/// (a copy of the binaries to try the test against while the build folder is busy).
QString binary(const char* variable, const char* built)
{
  const QByteArray chosen = qgetenv(variable);
  return chosen.isEmpty() ? QString::fromUtf8(built) : QString::fromLocal8Bit(chosen);
}

/// Runs `program` with `args` to its end (at most `seconds`); its output, or why it failed.
bool run(const QString& program, const QStringList& args, QString* output = nullptr, int seconds = 60)
{
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  const bool done = p.waitForFinished(seconds * 1000);
  if (!done) {
    p.kill();
    p.waitForFinished();
  }
  if (output != nullptr) {
    *output = QString::fromLocal8Bit(p.readAll()).trimmed();
  }
  return done && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

/// xdotool's output; empty when it found nothing or failed (its exit code is 1 then).
QString xdo(const QStringList& args)
{
  QString out;
  return run("xdotool", args, &out, 15) ? out : QString();
}

/// A window title as an exact match for xdotool's search (a POSIX extended regular expression).
QString exactTitle(const QString& title)
{
  QString escaped;
  for (const QChar c : title) {
    if (QStringLiteral(".[]()*+?{}|^$\\").contains(c)) {
      escaped += '\\';
    }
    escaped += c;
  }
  return '^' + escaped + '$';
}

QJsonObject readJson(const QString& file)
{
  if (file.isEmpty()) {
    return {};
  }
  QFile f(file);
  return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

QByteArray readBytes(const QString& file)
{
  if (file.isEmpty()) {
    return {};
  }
  QFile f(file);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// A plan's leads as "name: level side" joined by "; " (a readable failure message when they differ).
QString leadsOf(const QJsonObject& plan)
{
  QStringList leads;
  for (const auto& value : plan.value("leads").toArray()) {
    const QJsonObject lead = value.toObject();
    const QJsonObject target = lead.value("target").toObject();
    leads << QString("%1: %2 %3")
               .arg(lead.value("name").toString(), target.value("level").toString(),
                    target.value("side").toString());
  }
  return leads.join("; ");
}

/// The first lead's target centre (the ganglion it is planned to), as written in the plan.
QString firstTarget(const QJsonObject& plan)
{
  const QJsonArray centre =
    plan.value("leads")[0].toObject().value("derived").toObject().value("target_centre").toArray();
  return QString::fromUtf8(QJsonDocument(centre).toJson(QJsonDocument::Compact));
}

int labelShift(const QJsonObject& plan)
{
  return plan.value("study").toObject().value("label_shift").toInt(99);
}

bool inCi()
{
  return !qEnvironmentVariableIsEmpty("CI");
}

QGuiApplication& application()
{
  static int argc = 1;
  static char name[] = "drg_scripted_session_tests";
  static char* argv[] = { name, nullptr };
  qputenv("QT_QPA_PLATFORM", "xcb"); // (the screen the application under test is on)
  static QGuiApplication app(argc, argv);
  return app;
}

// Where the session clicks: the lead's name field, in the Plan panel's first row (below the dock's
// title), just right of the views (found from the 3D view, the grid's bottom-right cell); the Save
// button of the unsaved-plan question, from the question's bottom-right corner (its buttons are
// right-aligned there). A layout that moves them fails the step after the click, saying where it was.
constexpr int kLeadNameRightOfViews = 40;
constexpr int kLeadNameFromTop = 87;
constexpr int kSaveButtonFromRight = 223;
constexpr int kSaveButtonFromBottom = 24;

// Whole-screen pictures: fonts and Mesa's llvmpipe move edges by a pixel; the temporary folder's name
// in the status bar differs between runs. At most 0.5 % of the screen may differ by more than 48 of
// 255 (a lead more or less in the list, or a dialog, is several times that).
constexpr int kBaselineLevel = 48;
constexpr double kBaselineShare = 0.005;

const QString kQuestion = "Save the plan?"; // the unsaved plan's question (MainWindow::mayDropPlan)
const QString kRelabelQuestion = "Relabel the levels?";
const QString kSaveDialog = "Save plan";
const QString kOpenVolumeDialog = "Open a volume";
const QString kDemoTitle = "drgplan - Demo case";

} // namespace

class ScriptedSession : public ::testing::Test
{
protected:
  /// The second study, a NIfTI volume of a small CT phantom, written once by drgplan-cli.
  static void SetUpTestSuite()
  {
    s_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + "/drg-scripted-XXXXXX");
    const QString cli = binary("DRG_CLI", DRG_CLI_PATH);
    const QString folder = s_dir->filePath("other");
    QString out;
    if (!run(cli,
             { "-q", "phantom", "--out", folder, "--matrix", "160,160,120", "--spacing", "2.2,2.2,3",
               "--levels", "L2-S1", "--seed", "3" },
             &out) ||
        !run(cli, { "-q", "convert", folder + "/dicom", folder + "/other.nii.gz" }, &out)) {
      s_setupError = cli + ": " + out;
    }
  }

  static void TearDownTestSuite() { s_dir.reset(); }

  void TearDown() override
  {
    if (m_app.state() != QProcess::NotRunning) {
      m_app.kill();
      m_app.waitForFinished(10000);
    }
    if (HasFailure()) {
      std::printf("drgplan's output:\n%s\n", readBytes(s_dir->filePath("drgplan.log")).constData());
    }
  }

  static QString path(const QString& name) { return s_dir->filePath(name); }

  /// Starts drgplan with its settings and autosaves in the test's folder, not the user's.
  bool start()
  {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("HOME", path("home"));
    env.insert("XDG_CONFIG_HOME", path("home/config"));
    env.insert("XDG_DATA_HOME", path("home/data"));
    env.insert("XDG_CACHE_HOME", path("home/cache"));
    env.insert("QT_QPA_PLATFORM", "xcb");
    m_app.setProcessEnvironment(env);
    m_app.setWorkingDirectory(s_dir->path());
    m_app.setProcessChannelMode(QProcess::MergedChannels);
    m_app.setStandardOutputFile(path("drgplan.log"));
    m_app.start(binary("DRG_GUI", DRG_GUI_PATH), {});
    m_clock.start();
    return m_app.waitForStarted(10000);
  }

  bool running() { return m_app.state() != QProcess::NotRunning && !m_app.waitForFinished(0); }

  /// Polls `done` every 100 ms for at most `seconds`; fails saying what was awaited and how the
  /// window stood, or that drgplan ended meanwhile.
  ::testing::AssertionResult waitFor(const QString& what, int seconds, const std::function<bool()>& done)
  {
    QElapsedTimer waited;
    waited.start();
    while (!done()) {
      if (!running()) {
        return ::testing::AssertionFailure() << "drgplan ended (exit code " << m_app.exitCode()
                                             << ") while waiting for " << what.toStdString();
      }
      if (waited.elapsed() > seconds * 1000) {
        // the screen as it stood, for a look
        const QString shot = QString(DRG_TEST_OUTPUT_DIR) + "/session-failure.png";
        QGuiApplication::primaryScreen()->grabWindow(0).save(shot);
        return ::testing::AssertionFailure()
               << "waited " << seconds << " s in vain for " << what.toStdString() << " (the window's title: '"
               << title().toStdString() << "'; the screen: " << shot.toStdString() << ")";
      }
      QThread::msleep(100);
    }
    std::printf("[%5.1f s] %s\n", m_clock.elapsed() / 1000.0, qPrintable(what));
    std::fflush(stdout);
    return ::testing::AssertionSuccess();
  }

  /// drgplan's visible windows whose title matches `regex`.
  QStringList windows(const QString& regex)
  {
    return xdo({ "search", "--all", "--onlyvisible", "--pid", QString::number(m_app.processId()), "--name",
                 regex })
      .split('\n', Qt::SkipEmptyParts);
  }

  /// The window's geometry as xdotool says it (X, Y, WIDTH, HEIGHT).
  QRect geometry(const QString& window)
  {
    QRect r;
    for (const QString& line : xdo({ "getwindowgeometry", "--shell", window }).split('\n')) {
      const QStringList kv = line.split('=');
      const int v = kv.value(1).toInt();
      if (kv[0] == "X") {
        r.moveLeft(v);
      } else if (kv[0] == "Y") {
        r.moveTop(v);
      } else if (kv[0] == "WIDTH") {
        r.setWidth(v);
      } else if (kv[0] == "HEIGHT") {
        r.setHeight(v);
      }
    }
    return r;
  }

  /// The lead's name field of the Plan panel, on the screen.
  QPoint leadNameField()
  {
    // the 3D view is drgplan's other visible X window (its own, for OpenGL): its right edge is the views'
    QString view3d;
    for (const QString& w :
         xdo({ "search", "--onlyvisible", "--pid", QString::number(m_app.processId()) }).split('\n')) {
      if (!w.isEmpty() && w != m_main && geometry(w).height() > 200 &&
          geometry(w).width() > geometry(view3d).width()) { // (not a tooltip)
        view3d = w;
      }
    }
    // (xdotool places a child window wrongly: its origin is where the pointer goes when moved there)
    xdo({ "mousemove", "--window", view3d, "0", "0" });
    int x = 0;
    for (const QString& line : xdo({ "getmouselocation", "--shell" }).split('\n')) {
      if (line.startsWith("X=")) {
        x = line.mid(2).toInt();
      }
    }
    return { x + geometry(view3d).width() + kLeadNameRightOfViews,
             geometry(m_main).top() + kLeadNameFromTop };
  }

  QString title() { return m_main.isEmpty() ? QString() : xdo({ "getwindowname", m_main }); }

  QString focused() { return xdo({ "getwindowfocus" }); }

  /// Waits for the dialog titled `name` and for it to have the keyboard (answered by typing, it must).
  ::testing::AssertionResult waitForDialog(const QString& name, QString& id, int seconds = 30)
  {
    if (auto shown =
          waitFor("the dialog '" + name + "'", seconds, [&] { return !windows(exactTitle(name)).isEmpty(); });
        !shown) {
      return shown;
    }
    id = windows(exactTitle(name)).value(0);
    return waitFor("the keyboard in '" + name + "'", 10, [&] { return focused() == id; });
  }

  ::testing::AssertionResult waitForNoDialog(const QString& name)
  {
    return waitFor("'" + name + "' closed", 20, [&] { return windows(exactTitle(name)).isEmpty(); });
  }

  /// Keys (xdotool's names, e.g. "alt+f", "ctrl+z") to the main window, given the focus first.
  void keysToMain(const QStringList& names)
  {
    xdo({ "windowfocus", "--sync", m_main });
    keys(names);
  }

  void keys(const QStringList& names) { xdo(QStringList{ "key", "--delay", "80" } + names); }

  void type(const QString& text) { xdo({ "type", "--delay", "20", text }); }

  void click(int x, int y) { xdo({ "mousemove", QString::number(x), QString::number(y), "click", "1" }); }

  /// The pointer off the window: no hover highlight or tooltip in the pictures.
  void parkPointer() { xdo({ "mousemove", "1590", "1190" }); }

  /// Types `file` into a file dialog's name field (focused when it opens) and accepts it.
  void typeIntoFileDialog(const QString& file)
  {
    keys({ "ctrl+a" });
    type(file);
    keys({ "Return" });
  }

  /// A lead added in the Plan panel: its name typed into the name field (clicked); its target the one
  /// shown, or `level` typed into the target list (which finds "<level> left") and Down for the right;
  /// then Add lead pressed with the space bar. (The panel's tab order: the name field, the target
  /// list, Add lead.)
  void addLead(const QString& name, const QString& level = {}, bool right = false)
  {
    xdo({ "windowfocus", "--sync", m_main });
    m_nameField = leadNameField();
    click(m_nameField.x(), m_nameField.y());
    keys({ "ctrl+a" });
    type(name);
    keys({ "Tab" });
    if (!level.isEmpty()) {
      type(level);
      if (right) {
        keys({ "Down" });
      }
    }
    keys({ "Tab" });
    keys({ "space" });
    parkPointer();
  }

  /// The whole screen once it holds still: grabbed until two grabs 300 ms apart agree (a caret's blink
  /// aside), at most 10 s.
  QImage settledScreen()
  {
    QImage last = QGuiApplication::primaryScreen()->grabWindow(0).toImage();
    for (int i = 0; i < 33; ++i) {
      QThread::msleep(300);
      QImage now = QGuiApplication::primaryScreen()->grabWindow(0).toImage();
      if (drg::test::differingShare(now, last, 0) < 5e-5) {
        return now;
      }
      last = std::move(now);
    }
    std::printf("(the screen did not hold still for 10 s)\n");
    return last;
  }

  void expectBaseline(const std::string& name)
  {
    const auto check = drg::test::checkBaseline(settledScreen(), DRG_BASELINE_DIR, name,
                                                std::filesystem::path(DRG_TEST_OUTPUT_DIR) / "baseline-check",
                                                kBaselineLevel, kBaselineShare);
    EXPECT_TRUE(check.passed) << check.message;
    std::printf("[%5.1f s] %s\n", m_clock.elapsed() / 1000.0, check.message.c_str());
  }

  /// The plan's autosave (kept beside the settings until the plan is saved), or "" when there is none.
  QString autosave()
  {
    const QFileInfoList found =
      QDir(path("home/data/drgplan/autosave")).entryInfoList({ "*.autosave" }, QDir::Files);
    return found.isEmpty() ? QString() : found.first().filePath();
  }

  static std::unique_ptr<QTemporaryDir> s_dir;
  static QString s_setupError;
  QProcess m_app;
  QString m_main;     ///< the main window's X id
  QPoint m_nameField; ///< where the last lead's name was typed (said when the lead does not come)
  QElapsedTimer m_clock;
};

std::unique_ptr<QTemporaryDir> ScriptedSession::s_dir;
QString ScriptedSession::s_setupError;

TEST_F(ScriptedSession, PlanRenumberUndoSwitchStudySaveAndQuitWithRealInput)
{
  const char* display = std::getenv("DISPLAY");
  if (display == nullptr || *display == '\0') {
    GTEST_SKIP() << "no X display: run under xvfb-run -a -s \"-screen 0 1600x1200x24\" (scripts/test.sh)";
  }
  if (QStandardPaths::findExecutable("xdotool").isEmpty()) {
    if (inCi()) {
      FAIL() << "xdotool is not on PATH (scripts/setup.sh installs it)";
    }
    GTEST_SKIP() << "xdotool is not on PATH (scripts/setup.sh installs it)";
  }
  application();
  // the pictures are of the whole screen and the session takes the pointer and keyboard: an Xvfb
  // screen of its own, not a desktop
  if (const QSize screen = QGuiApplication::primaryScreen()->size(); screen != QSize(1600, 1200)) {
    if (inCi()) {
      FAIL() << "the screen is " << screen.width() << "x" << screen.height() << ", not 1600x1200";
    }
    GTEST_SKIP() << "needs a 1600x1200 X screen of its own: xvfb-run -a -s \"-screen 0 1600x1200x24\"";
  }
  ASSERT_TRUE(s_setupError.isEmpty()) << "the second study was not written: " << s_setupError.toStdString();
  ASSERT_TRUE(QDir().mkpath(path("plans")));
  const QString demoPlan = path("plans/demo.drgplan.json");
  const QString otherPlan = path("plans/other.drgplan.json");
  const QString otherStudy = path("other/other.nii.gz");

  ASSERT_TRUE(start()) << binary("DRG_GUI", DRG_GUI_PATH).toStdString() << ": "
                       << m_app.errorString().toStdString();
  ASSERT_TRUE(waitFor("the main window", 30, [&] {
    QStringList found = windows("^drgplan");
    m_main = found.value(0);
    return found.size() == 1 && title() == "drgplan";
  }));
  parkPointer();

  // the demo, from the File menu by its mnemonics (File, Open demo case)
  keysToMain({ "alt+f", "d" });
  ASSERT_TRUE(waitFor("the demo case shown", 120, [&] { return title().startsWith(kDemoTitle); }));
  EXPECT_FALSE(title().endsWith('*')) << "a fresh case has nothing unsaved: " << title().toStdString();

  // two leads: Lead A on the target shown first (L5 left), Lead B on L4 right
  addLead("Lead A");
  ASSERT_TRUE(waitFor(
    QString("Lead A in the autosave (its name typed at %1, %2)").arg(m_nameField.x()).arg(m_nameField.y()),
    30, [&] { return !leadsOf(readJson(autosave())).isEmpty(); }));
  EXPECT_EQ(leadsOf(readJson(autosave())), "Lead A: L5 left");
  ASSERT_TRUE(waitFor("the unsaved marker", 10, [&] { return title().endsWith('*'); }));
  addLead("Lead B", "L4", true);
  ASSERT_TRUE(waitFor("Lead B in the autosave", 30,
                      [&] { return readJson(autosave()).value("leads").toArray().size() == 2; }));
  const QJsonObject planned = readJson(autosave());
  const QByteArray plannedBytes = readBytes(autosave());
  EXPECT_EQ(leadsOf(planned), "Lead A: L5 left; Lead B: L4 right");
  EXPECT_EQ(labelShift(planned), 0);
  expectBaseline("session-1-two-leads");

  // renumber: the Spine menu's first entry that can be chosen (one level higher); asked whether the
  // leads may be re-planned under their names, Yes
  keysToMain({ "alt+s", "Return" });
  QString relabelQuestion;
  ASSERT_TRUE(waitForDialog(kRelabelQuestion, relabelQuestion));
  keys({ "y" });
  ASSERT_TRUE(
    waitFor("the renumbered plan autosaved", 120, [&] { return labelShift(readJson(autosave())) == -1; }));
  const QJsonObject renumbered = readJson(autosave());
  EXPECT_EQ(leadsOf(renumbered), leadsOf(planned)) << "renumbering keeps the leads' names and levels";
  EXPECT_NE(firstTarget(renumbered), firstTarget(planned)) << "L5 is another ganglion after renumbering";
  EXPECT_TRUE(title().endsWith('*'));
  // (a picture to look at, not compared: the 3D view's names are about to change)
  QDir().mkpath(QString(DRG_TEST_OUTPUT_DIR) + "/baseline-check");
  settledScreen().save(QString(DRG_TEST_OUTPUT_DIR) + "/baseline-check/session-renumbered-now.png");

  // Ctrl+Z takes the renumbering back: the plan as it was, byte for byte
  keysToMain({ "ctrl+z" });
  ASSERT_TRUE(waitFor("the renumbering undone", 120, [&] { return labelShift(readJson(autosave())) == 0; }));
  const QByteArray undone = readBytes(autosave());
  EXPECT_EQ(leadsOf(readJson(autosave())), "Lead A: L5 left; Lead B: L4 right");
  EXPECT_EQ(firstTarget(readJson(autosave())), firstTarget(planned));
  EXPECT_EQ(undone, plannedBytes) << "undo does not give back the plan as it was before renumbering";
  EXPECT_TRUE(title().endsWith('*')) << "the plan is still unsaved: " << title().toStdString();
  expectBaseline("session-2-undone");

  // another study (File, Open NIfTI): the unsaved plan is asked about before anything replaces it
  const QString demoTitle = title();
  auto openOtherStudy = [&](QString& question) {
    keysToMain({ "alt+f", "n" });
    QString chooser;
    ASSERT_TRUE(waitForDialog(kOpenVolumeDialog, chooser));
    typeIntoFileDialog(otherStudy);
    ASSERT_TRUE(waitFor("the question, or the other study", 60,
                        [&] { return !windows(exactTitle(kQuestion)).isEmpty() || title() != demoTitle; }));
    ASSERT_EQ(title(), demoTitle) << "the other study replaced the unsaved plan without asking";
    ASSERT_TRUE(waitForDialog(kQuestion, question));
  };
  QString question;
  ASSERT_NO_FATAL_FAILURE(openOtherStudy(question));
  expectBaseline("session-3-question");
  // Escape: Cancel. Nothing is opened or saved, and nothing more asked; the plan stays, unsaved
  keys({ "Escape" });
  ASSERT_TRUE(waitForNoDialog(kQuestion));
  QThread::msleep(3000); // (that nothing follows can only be seen by waiting: the study loads in ~1 s)
  EXPECT_EQ(title(), demoTitle) << "Cancel did not keep the demo's plan";
  EXPECT_TRUE(windows(exactTitle(kSaveDialog)).isEmpty()) << "Cancel asked where to save";
  EXPECT_EQ(readBytes(autosave()), undone) << "Cancel changed the unsaved plan";
  EXPECT_FALSE(QFileInfo::exists(demoPlan));

  // again, and Save (clicked): the plan has no file yet, so where to save it is asked; then the study
  ASSERT_NO_FATAL_FAILURE(openOtherStudy(question));
  const QRect q = geometry(question);
  click(q.right() + 1 - kSaveButtonFromRight, q.bottom() + 1 - kSaveButtonFromBottom);
  parkPointer();
  QString saveDialog;
  ASSERT_TRUE(waitForDialog(kSaveDialog, saveDialog)) << "Save was not clicked, or asked no file";
  typeIntoFileDialog(demoPlan);
  ASSERT_TRUE(
    waitFor("the other study shown", 120, [&] { return title().startsWith("drgplan - other.nii.gz"); }));
  EXPECT_EQ(title(), "drgplan - other.nii.gz") << "a fresh study has nothing unsaved";
  EXPECT_EQ(readBytes(demoPlan), undone) << "the saved plan is not the plan as it stood";
  const QJsonObject saved = readJson(demoPlan);
  EXPECT_EQ(leadsOf(saved), "Lead A: L5 left; Lead B: L4 right");
  EXPECT_EQ(labelShift(saved), 0);
  EXPECT_EQ(saved.value("study").toObject().value("source").toString(), "demo phantom");
  EXPECT_TRUE(autosave().isEmpty()) << "a saved plan leaves no unsaved copy to offer: "
                                    << autosave().toStdString();

  // on the other study: a lead, and Ctrl+S (File, Save plan as), the file typed into the dialog
  addLead("Lead C");
  ASSERT_TRUE(waitFor("the unsaved marker", 30, [&] { return title().endsWith('*'); }));
  keysToMain({ "ctrl+s" });
  ASSERT_TRUE(waitForDialog(kSaveDialog, saveDialog));
  typeIntoFileDialog(otherPlan);
  ASSERT_TRUE(
    waitFor("the plan saved", 30, [&] { return QFileInfo::exists(otherPlan) && !title().endsWith('*'); }));
  const QByteArray otherBytes = readBytes(otherPlan);
  const QJsonObject other = readJson(otherPlan);
  EXPECT_EQ(leadsOf(other), "Lead C: L5 left");
  EXPECT_EQ(other.value("study").toObject().value("source").toString(), otherStudy);
  parkPointer();
  expectBaseline("session-4-saved");

  // one more lead, then Ctrl+Q: asked, and Discard (Shift+Tab from Cancel, space) quits unsaved
  addLead("Lead D", "L4", true);
  ASSERT_TRUE(waitFor("the unsaved marker", 30, [&] { return title().endsWith('*'); }));
  ASSERT_TRUE(
    waitFor("the autosave beside the plan", 10, [&] { return QFileInfo::exists(otherPlan + ".autosave"); }));
  keysToMain({ "ctrl+q" });
  ASSERT_TRUE(waitForDialog(kQuestion, question));
  keys({ "shift+Tab", "space" });
  ASSERT_TRUE(m_app.waitForFinished(30000)) << "drgplan did not quit after Discard";
  EXPECT_EQ(m_app.exitStatus(), QProcess::NormalExit);
  EXPECT_EQ(m_app.exitCode(), 0);
  EXPECT_EQ(readBytes(otherPlan), otherBytes) << "Discard changed the saved plan";
  EXPECT_FALSE(QFileInfo::exists(otherPlan + ".autosave")) << "discarded changes are kept to recover";
  std::printf("[%5.1f s] session over\n", m_clock.elapsed() / 1000.0);
}
