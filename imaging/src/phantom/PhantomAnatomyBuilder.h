#pragma once
// Internal: the builder of the phantom's anatomy. Its steps live in their own files:
// PhantomAnatomyBuilder.cpp (assets, spine pose, parts, truth), PhantomBones.cpp (vertebrae, discs,
// sacrum, ribs, ilia), PhantomNerves.cpp (canal contents, roots, foramina, ganglia) and
// PhantomSoftTissue.cpp (body outline, muscles, fat, viscera, vessels, skin landmarks).

#include "phantom/PhantomAnatomy.h"
#include "phantom/PhantomAssets.h"

#include "DrgPriors.h"

#include <Eigen/Geometry>

#include <cmath>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace drg::imaging::phantom
{

constexpr double kPi = 3.14159265358979323846;

/// Degrees to radians.
inline double rad(double degrees)
{
  return degrees * kPi / 180.0;
}

/// Orthonormal axes (columns x, y, z) with z along `zDir` and x as close to `xHint` as possible.
inline Eigen::Matrix3d axesFromZ(const Eigen::Vector3d& zDir, const Eigen::Vector3d& xHint)
{
  Eigen::Vector3d z = zDir.normalized();
  Eigen::Vector3d x = xHint - xHint.dot(z) * z;
  if (x.norm() < 1e-6) {
    x = z.unitOrthogonal();
  }
  x.normalize();
  Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix3d m;
  m.col(0) = x;
  m.col(1) = y;
  m.col(2) = z;
  return m;
}

/// Rotations by `a` radians about the x, y and z axes.
inline Eigen::Matrix3d rotX(double a)
{
  return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitX()).toRotationMatrix();
}
inline Eigen::Matrix3d rotY(double a)
{
  return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitY()).toRotationMatrix();
}
inline Eigen::Matrix3d rotZ(double a)
{
  return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitZ()).toRotationMatrix();
}

/// Builds the anatomy for one set of options: places the vertebrae along the spine curve, then adds
/// bone, canal, nerves and soft tissue as objects of signed-distance parts (LPS mm), and records the
/// analytic ground truth. Each vertebra has a frame: x left, y posterior, z superior, at its body
/// centre.
class AnatomyBuilder
{
public:
  explicit AnatomyBuilder(const PhantomOptions& options);

  /// The whole anatomy (call once).
  Anatomy build();

private:
  using Vector3d = Eigen::Vector3d;
  using Matrix3d = Eigen::Matrix3d;

  // ---- materials and levels (PhantomAnatomyBuilder.cpp) ------------------------------------------
  void loadTissues();
  double tissue(const std::string& name) const;
  Material plain(const std::string& name) const { return Material{ tissue(name), tissue(name), 0.0 }; }
  Material bone(double shell) const
  {
    return Material{ tissue("cancellous_bone"), tissue("cortical_bone"), shell };
  }
  void loadLevels();
  std::size_t indexOf(const std::string& level) const;

  // ---- parts and objects -------------------------------------------------------------------------
  int addObject(const std::string& name, int label, int priority, const Material& material, double blend);
  int addPart(int object, Shape shape, const Vector3d& centre, const Matrix3d& axes, const Vector3d& size,
              double round = 0.0);
  int capsule(int object, const Vector3d& a, const Vector3d& b, double radius);
  /// A rounded box from a to b (long axis), `halfWidth` along `widthHint`, `halfThick` across both.
  int boxBetween(int object, const Vector3d& a, const Vector3d& b, const Vector3d& widthHint,
                 double halfWidth, double halfThick, double round, double extraLength = 0.0);

  // ---- spine pose --------------------------------------------------------------------------------
  double scoliosisStep(std::size_t i) const;
  double axialRotation(std::size_t i) const;
  void placeVertebrae();

  /// Canal centre y in a vertebra's frame.
  static double canalY(const LevelDims& d) { return 0.5 * d.bodyD + 0.5 * d.canalD + 1.0; }
  static double pedicleZ(const LevelDims& d) { return 0.5 * d.bodyH - 0.5 * d.pedH - 1.0; }
  static double pedicleBackY(const LevelDims& d) { return canalY(d) + 0.25 * d.canalD; }
  Vector3d facetNormal(const LevelDims& d, double s) const
  {
    double a = rad(d.facetAngle);
    return Vector3d(s * std::cos(a), -std::sin(a), 0.0);
  }
  /// Centre of the facet joint between level i-1 (above) and level i, in level i's frame.
  static Vector3d facetJoint(const LevelDims& d, double s)
  {
    return Vector3d(s * (0.5 * d.canalW + 0.5 * d.pedW), pedicleBackY(d) + 5.0, 0.5 * d.bodyH + 5.0);
  }

  // ---- bone (PhantomBones.cpp) -------------------------------------------------------------------
  void addVertebra(std::size_t i);
  void addDisc(std::size_t i);
  void addSacrum();
  void addRibs();
  void addIlia();

  // ---- operated and degenerated spine (PhantomSurgery.cpp) ---------------------------------------
  bool laminectomy(const std::string& level) const;
  void addSurgery();
  void addPedicleScrews();
  void addCage(std::size_t i);
  void addCement(std::size_t i);
  void addDiscGas(std::size_t i);

  // ---- canal, roots, foramina and ganglia (PhantomNerves.cpp) ------------------------------------
  void addCanal();
  /// Bone distance of the vertebra objects at `p` (negative inside bone).
  double boneDistance(const Vector3d& p, std::initializer_list<std::string> levels, int disc = -1) const;
  /// Free interval (no bone of `levels`) along `dir` through `p`: [lo, hi] offsets from p.
  std::pair<double, double> freeInterval(const Vector3d& p, const Vector3d& dir,
                                         std::initializer_list<std::string> levels, double reach,
                                         int disc = -1) const;
  void addForaminaAndGanglia();
  /// Ganglion centre of level i in its frame, x unsigned (distance from the midline).
  Vector3d ganglionInFrame(std::size_t i, double s, const DrgLevelPrior& prior) const;
  /// Adds the ganglion of level i on side s (its object and truth) and returns its truth.
  PhantomGanglion addGanglion(std::size_t i, double s, const DrgLevelPrior& prior, double takeoff);
  /// Adds the exiting root of level i through ganglion g; returns its takeoff from the thecal sac.
  Vector3d addRoot(std::size_t i, double s, const PhantomGanglion& g, int roots, int s1Tunnel);
  /// Adds the cauda equina strand from the conus down to the takeoff of level i's root.
  void addCaudaStrand(std::size_t i, double s, int strand, const Vector3d& take, int cauda);
  std::vector<Vector3d> caudaCourse(std::size_t i, double x) const;
  void addForamen(std::size_t i, double s, int fatObject);

  // ---- soft tissue (PhantomSoftTissue.cpp) -------------------------------------------------------
  double spineY(double z) const;
  double outlineAnchorZ(const std::string& anchor) const;
  void addSoftTissue();
  void buildOutline(const BodyOutlineTable& table);
  void addBodyLayers(const BodyOutlineTable& table);
  void addSpinalMuscles(int paraspinal, int psoas);
  void addPelvicMusclesAndKidneys(int paraspinal, int psoas);
  void addGreatVessels();
  void addBowelGas();
  void addSkinLandmarks();

  // ---- truth (PhantomAnatomyBuilder.cpp) ---------------------------------------------------------
  void finishTruth();

  struct PedicleRecord
  {
    std::string level;
    double s;
    Vector3d centre; ///< in the vertebra's frame
    double width, height;
    Vector3d axis; ///< along the pedicle, pointing backwards (vertebra's frame)
    double halfLength;
  };

  PhantomOptions m_options;
  Anatomy m_anatomy;
  std::map<std::string, double> m_tissue;
  std::vector<LevelDims> m_levels;
  std::vector<Frame> m_frames;
  std::vector<Frame> m_discFrames;
  std::map<std::string, int> m_vertebraObject;
  std::map<std::size_t, int> m_discObject;
  std::map<std::string, Vector3d> m_tpTips, m_ribTips;
  std::map<std::string, double> m_sacHalfWidth;
  std::vector<PedicleRecord> m_pedicles;
  std::vector<std::pair<Vector3d, Vector3d>> m_sacralCanal;
  std::vector<Vector3d> m_sacralSegments;
  Vector3d m_sacrumTip = Vector3d::Zero();
  Vector3d m_sacrumBody = Vector3d::Zero();
  Vector3d m_conusTip = Vector3d::Zero();
  double m_alaReach = 0, m_alaHeight = 0, m_alaDepth = 0, m_slopePerLordosis = 0, m_takeoffDegrees = 55;
  double m_iliumXs = 0, m_iliumY = 0, m_iliumZ = 0;
};

} // namespace drg::imaging::phantom
