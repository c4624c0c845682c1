#pragma once

#include "drg/imaging/Image.h"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace drg::imaging
{

/// Patient-aligned display planes, in the radiological convention: axial seen from the feet
/// (patient left on screen right, anterior up), coronal seen from the front (patient left on screen
/// right, head up), sagittal seen from the patient's left (anterior on screen left, head up).
enum class SlicePlane
{
  Axial,
  Coronal,
  Sagittal
};

/// A resampled 2D slice: `values[x + width * y]`, pixel (0,0) at the top left of the screen.
struct Slice
{
  SlicePlane plane = SlicePlane::Axial; ///< (for an oblique plane: the patient plane closest to it)
  bool oblique = false;
  int width = 0;
  int height = 0;
  double pixelMm = 1.0;
  Eigen::Vector3d topLeft;   ///< LPS of pixel (0,0)
  Eigen::Vector3d right;     ///< LPS unit vector of +x on screen
  Eigen::Vector3d down;      ///< LPS unit vector of +y on screen
  std::vector<float> values; ///< NaN outside the volume

  /// LPS position of a (continuous) pixel.
  Eigen::Vector3d pixelToLps(double x, double y) const
  {
    return topLeft + right * (x * pixelMm) + down * (y * pixelMm);
  }
  /// Pixel of an LPS position (its distance from the plane is ignored).
  Eigen::Vector2d lpsToPixel(const Eigen::Vector3d& p) const
  {
    Eigen::Vector3d d = p - topLeft;
    return { d.dot(right) / pixelMm, d.dot(down) / pixelMm };
  }
};

/// Screen axes (right, down) of a plane in LPS.
void slicePlaneAxes(SlicePlane plane, Eigen::Vector3d& right, Eigen::Vector3d& down);

/// Samples the plane through `centre` (LPS) covering the whole volume, trilinear, at `pixelMm`
/// (<= 0: the volume's smallest spacing). Works for oblique and flipped grids alike.
template<typename T>
Slice extractSlice(const Image<T>& image, SlicePlane plane, const Eigen::Vector3d& centre,
                   double pixelMm = 0.0);

/// Nearest-neighbour variant for label maps.
Slice extractLabelSlice(const Image<std::uint8_t>& labels, SlicePlane plane, const Eigen::Vector3d& centre,
                        double pixelMm = 0.0);

/// Any plane: screen axes `right` and `down` (unit, orthogonal; LPS), `halfWidthMm` and
/// `halfHeightMm` from the centre each way (<= 0: as far as the volume reaches).
struct PlaneFrame
{
  Eigen::Vector3d right{ 1, 0, 0 };
  Eigen::Vector3d down{ 0, 1, 0 };
  double halfWidthMm = 0.0, halfHeightMm = 0.0;
};

/// Samples an oblique plane through `centre` (trilinear); pixels outside the volume are NaN.
template<typename T>
Slice extractPlane(const Image<T>& image, const PlaneFrame& frame, const Eigen::Vector3d& centre,
                   double pixelMm = 0.0);
/// Nearest-neighbour variant for label maps.
Slice extractLabelPlane(const Image<std::uint8_t>& labels, const PlaneFrame& frame,
                        const Eigen::Vector3d& centre, double pixelMm = 0.0);

/// A radiograph-like projection of a CT through the plane `frame` at `centre` (a digitally
/// reconstructed radiograph, parallel rays along the plane's normal, `depthMm` each way): each pixel
/// holds the line integral of the attenuation along its ray, in water-equivalent millimetres, with
/// bone weighted as an X-ray beam of fluoroscopy sees it (soft tissue by its density, the part of
/// the CT number above 100 HU four times more). Nearest-neighbour samples every `stepMm`.
Slice projectCt(const Image<float>& ct, const PlaneFrame& frame, const Eigen::Vector3d& centre,
                double pixelMm, double depthMm, double stepMm = 1.0);

} // namespace drg::imaging
