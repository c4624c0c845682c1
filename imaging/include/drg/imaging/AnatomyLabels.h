#pragma once
// Label map values shared by the phantom's labels.nii.gz and the spine model's label map, so that
// viewers, tests and users read both the same way.

#include <string>

namespace drg::imaging::labels
{

// Vertebrae: T10 = 1, T11, T12, T13, L1 ... L6, S1 = 11, sacrum = 12; T1-T9 = 61-69.
constexpr int kRibBase = 20;
constexpr int kIliumLeft = 30;
constexpr int kIliumRight = 31;
constexpr int kDiscBase = 40; ///< phantom: 40 + index of the upper vertebra; model: 40 + upper label
constexpr int kEpiduralFat = 50;
constexpr int kThecalSac = 51;
constexpr int kCord = 52;
constexpr int kCaudaEquina = 53;
constexpr int kNerveRoot = 54;
/// the model's canal mask (bone-bounded space, CT; CSF and what it encloses, MRI)
constexpr int kSpinalCanal = 55;
constexpr int kSkin = 70;
constexpr int kMuscle = 72;
constexpr int kPsoas = 73;
constexpr int kViscera = 75;
constexpr int kKidney = 76;
constexpr int kAorta = 77;
constexpr int kVenaCava = 78;
constexpr int kBowelGas = 79;
constexpr int kForaminalFat = 80;
constexpr int kMetalImplant = 90;   ///< phantom: titanium pedicle screws and rods
constexpr int kInterbodyCage = 91;  ///< phantom: PEEK cage with bone graft in a disc space
constexpr int kLeadContact = 92;    ///< phantom: platinum-iridium ring contacts of a DRG lead
constexpr int kLeadBody = 93;       ///< phantom: a DRG lead's body (insulation round coiled conductors)
constexpr int kPulseGenerator = 94; ///< phantom: the titanium pulse generator in its pocket

/// True for the labels of metal (screws and rods, lead contacts, the generator): what streaks on CT.
constexpr bool isMetal(int label)
{
  return label == kMetalImplant || label == kLeadContact || label == kPulseGenerator;
}
constexpr int kGanglionBase = 100; ///< ganglia: 100 + 2 * vertebra label + (right ? 1 : 0)

/// Label value of a vertebra level name (see above), 0 if unknown.
int vertebraLabel(const std::string& level);

/// Level name of a vertebra label value, empty if none.
std::string vertebraLevelOfLabel(int label);

/// Label value of the ganglion of `level` on the right (`right`) or left side:
/// kGanglionBase + 2 * vertebra label (+1 on the right).
inline int ganglionLabel(const std::string& level, bool right)
{
  return kGanglionBase + 2 * vertebraLabel(level) + (right ? 1 : 0);
}

/// Display colour of a label (0-255 each; alpha 0: not drawn as an overlay). Vertebrae in twelve
/// distinct colours (T1-T9 wrap around), ganglia yellow, skin and soft tissue not overlaid, other
/// structures spread over the hue circle. The 2D overlays, the 3D view and the report share it.
struct Rgba
{
  unsigned char r = 0, g = 0, b = 0, a = 0;
};
Rgba displayColour(int label);

} // namespace drg::imaging::labels
