#pragma once
// Internal: turns the phantom scene into voxels (partial-volume compositing, noise), in parallel.

#include "phantom/PhantomScene.h"

#include "drg/imaging/Image.h"
#include "drg/imaging/SpinePhantom.h"

#include <cstdint>
#include <vector>

namespace drg::imaging::phantom
{

/// Uniform grid over the scene: each cell lists the parts that can affect it, in compositing order.
class SceneIndex
{
public:
  /// `margin`: how far (mm) outside a part its influence reaches (blend radius, partial volume).
  SceneIndex(const Scene& scene, double cellSize, double margin);

  /// Composited value and label at an LPS point; `pv` is the partial-volume width in mm.
  void evaluate(const Eigen::Vector3d& p, double pv, double airValue, double& value, int& label) const;

  const Scene& scene() const { return m_scene; }

private:
  const Scene& m_scene;
  Eigen::Vector3d m_lo;
  double m_cell;
  std::array<int, 3> m_dims{ 0, 0, 0 };
  std::vector<std::uint32_t> m_start; // per cell: offset into m_entries (size cells + 1)
  std::vector<std::int32_t> m_entries;
};

/// Noise model applied after compositing.
struct NoiseModel
{
  double sigma = 0.0;  ///< standard deviation, in output units
  bool rician = false; ///< magnitude MR noise (two quadrature channels)
  std::uint64_t seed = 1;
};

/// Rasterises the scene on `geometry` into stored values (rounded, clamped to [lo, hi]) and labels.
/// Runs on all cores; the result does not depend on the number of threads.
void rasterizeScene(const SceneIndex& index, const ImageGeometry& geometry, double airValue,
                    const NoiseModel& noise, double lo, double hi, Image<std::int16_t>& values,
                    Image<std::uint8_t>& labels, const ProgressCallback& progress);

} // namespace drg::imaging::phantom
