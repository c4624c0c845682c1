#pragma once
// The CLI's drawing (QtGui slice sheets, VTK 3D views) lives in a module loaded only by commands
// that draw: the many libraries of Qt and VTK cost ~20 ms of start-up that `info` and `convert`
// should not pay.

#include "drg/imaging/Image.h"
#include "drg/imaging/SpinePhantom.h"

#include <cstdint>
#include <string>

namespace drg::cli
{

/// Functions of the graphics module; errors are thrown as drg::Error.
struct GraphicsModule
{
  unsigned version; ///< kGraphicsModuleVersion of the module's build
  /// Orthogonal slices through the left L4 ganglion (or the grid centre), ganglia marked, as PNG.
  void (*phantomPreview)(const drg::imaging::PhantomCase& phantom, const std::string& png);
  /// Posterior oblique 3D view of a label map, as PNG (needs an X display).
  void (*spineOverview)(const drg::imaging::Image<std::uint8_t>& labels, const std::string& png);
};

/// Bumped whenever GraphicsModule changes: a module from another build is refused.
constexpr unsigned kGraphicsModuleVersion = 1;

/// File name of the module, looked up beside the drgplan-cli executable.
constexpr const char* kGraphicsModuleFile = "drgplan-cli-graphics.so";

/// Loads the module on first use. Throws drg::Error(Unsupported) when it is missing or from
/// another build.
const GraphicsModule& graphics();

} // namespace drg::cli
