// The label map on the input's grid: vertebrae, canal and skin painted, surfaces peeled to the
// bone's edge, and the vertebrae measured from it.
#include "spine/CanalContents.h"
#include "spine/SliceMorphology.h"
#include "spine/SpineAnalysis.h"
#include "spine/SpineTuning.h"

#include "ParallelFor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace drg::imaging::spine
{

/// Below this share of the sac's volume the epidural fat is taken as not seen (normal lumbar
/// epidural fat is a sizeable fraction of the canal: 4.8-10.9 mm deep dorsally at L3-L4 on MRI).
constexpr double kMinFatShareOfSac = 0.1;

/// A surface voxel darker than this share of its vertebra's inner median is more soft tissue than
/// bone (the edge voxel of a coarse grid; the rim past the first layers of a fine one).
constexpr double kPeelShareOfMarrow = 0.85;

std::array<double, 256> SpineAnalysis::innerMedians(const Image<std::uint8_t>::Buffer& out,
                                                    const std::array<bool, 256>& isVertebra) const
{
  const ImageGeometry& ig = m_input.geometry();
  const auto& values = m_input.voxels();
  const long nx = static_cast<long>(ig.size[0]), ny = static_cast<long>(ig.size[1]),
             nz = static_cast<long>(ig.size[2]);
  std::array<std::vector<float>, 256> inner;
  const std::size_t sy = static_cast<std::size_t>(nx), sz = static_cast<std::size_t>(nx * ny);
  for (long k = 1; k + 1 < nz; ++k) {
    for (long j = 1; j + 1 < ny; ++j) {
      for (long i = 1; i + 1 < nx; ++i) {
        const std::size_t idx = static_cast<std::size_t>(i + nx * (j + ny * k));
        const int l = out[idx];
        if (isVertebra[static_cast<std::size_t>(l)] && out[idx - 1] == l && out[idx + 1] == l &&
            out[idx - sy] == l && out[idx + sy] == l && out[idx - sz] == l && out[idx + sz] == l &&
            !std::isnan(values[idx])) {
          inner[static_cast<std::size_t>(l)].push_back(values[idx]);
        }
      }
    }
  }
  std::array<double, 256> median;
  median.fill(NAN);
  for (std::size_t l = 0; l < 256; ++l) {
    auto& v = inner[l];
    if (v.size() >= 20) {
      std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
      median[l] = static_cast<double>(v[v.size() / 2]);
    }
  }
  return median;
}

void SpineAnalysis::peelSurface(Image<std::uint8_t>::Buffer& out, bool halfMaximum) const
{
  const ImageGeometry& ig = m_input.geometry();
  const auto& values = m_input.voxels();
  const LabelSet& isVertebra = vertebraLabels();
  const long nx = static_cast<long>(ig.size[0]), ny = static_cast<long>(ig.size[1]),
             nz = static_cast<long>(ig.size[2]);
  const double finest = ig.spacing.minCoeff();
  // fine input: passes each stopping at the bone's half maximum, first as many as 1.5 mm takes, then
  // up to the width of the rim the working grid's labels carry (grown kRingReach working voxels
  // past the bone: at 2 mm working voxels two to three of a 1.6 mm input's, where one pass left soft
  // tissue round every vertebra, 15-20 % of its volume on the phantom). Those further passes take
  // only what is darker than the vertebra's own marrow: faint osteoporotic marrow lies under a
  // thin cortex's half maximum and would be eaten from where the cortex is partial.
  const int plainPasses = halfMaximum ? std::clamp(static_cast<int>(std::ceil(1.5 / finest)), 1, 3) : 2;
  const int passes =
    halfMaximum ? std::max(plainPasses,
                           std::clamp(static_cast<int>(std::ceil(kRingReach * m_work.grid.h / finest)), 1, 5))
                : 2;
  // coarse input: a surface voxel goes when it is darker than most of its vertebra's inner bone
  // (85% of the median of the voxels whose six neighbours are all in it: here the edge voxel is
  // more soft tissue than bone), no lower than 100 HU (soft tissue in partial volume) and no
  // higher than 200 HU (dense bone would peel its cortex)
  std::array<double, 256> coarseLimit, marrowLimit;
  coarseLimit.fill(kPeelLowHu);
  marrowLimit.fill(-std::numeric_limits<double>::infinity());
  if (!halfMaximum || passes > plainPasses) {
    const std::array<double, 256> inner = innerMedians(out, isVertebra);
    for (std::size_t l = 0; l < 256; ++l) {
      if (!std::isnan(inner[l])) {
        coarseLimit[l] = std::clamp(kPeelShareOfMarrow * inner[l], kPeelLowHu, kPeelHighHu);
        marrowLimit[l] = kPeelShareOfMarrow * inner[l];
      }
    }
  }
  for (int pass = 0; pass < passes; ++pass) {
    // each pass judges the surface as it was before the pass: the voxels to peel are collected per
    // slice and cleared after it (no copy of the whole label map)
    std::vector<std::vector<std::size_t>> peel(ig.size[2]);
    parallelFor(ig.size[2], [&](std::size_t kk) {
      const long k = static_cast<long>(kk);
      std::vector<std::size_t>& local = peel[kk];
      for (long j = 0; j < ny; ++j) {
        for (long i = 0; i < nx; ++i) {
          const std::size_t idx = static_cast<std::size_t>(i + nx * (j + ny * k));
          const int l = out[idx];
          if (!isVertebra[static_cast<std::size_t>(l)]) {
            continue;
          }
          const float x = values[idx];
          double outside = std::numeric_limits<double>::infinity();
          bool surface = false;
          forEachFace(i, j, k, nx, ny, nz, [&](std::size_t q, int) {
            if (out[q] != l && !isVertebra[out[q]]) {
              surface = true;
              outside = std::min(outside, static_cast<double>(values[q]));
            }
          });
          if (!surface || !(x < (halfMaximum ? outside + kPeelAboveOutsideHu
                                             : coarseLimit[static_cast<std::size_t>(l)]))) {
            continue; // not on the surface, or clearly bone
          }
          if (halfMaximum && pass >= plainPasses && !(x < marrowLimit[static_cast<std::size_t>(l)])) {
            continue; // as bright as the vertebra's marrow
          }
          if (!halfMaximum) {
            local.push_back(idx);
            continue;
          }
          double peak = x;
          for (long dz = -2; dz <= 2; ++dz) {
            for (long dy = -2; dy <= 2; ++dy) {
              for (long dx = -2; dx <= 2; ++dx) {
                const long ii = i + dx, jj = j + dy, kz = k + dz;
                if (ii < 0 || jj < 0 || kz < 0 || ii >= nx || jj >= ny || kz >= nz) {
                  continue;
                }
                const std::size_t q = static_cast<std::size_t>(ii + nx * (jj + ny * kz));
                if (out[q] == l && values[q] > peak) {
                  peak = values[q];
                }
              }
            }
          }
          if (x < 0.5 * (peak + outside)) {
            local.push_back(idx);
          }
        }
      }
    });
    std::size_t changed = 0;
    for (const auto& slice : peel) {
      for (std::size_t idx : slice) {
        out[idx] = 0;
      }
      changed += slice.size();
    }
    if (changed == 0) {
      break;
    }
  }
}

void SpineAnalysis::measureFromLabelMap(SpineModel& model) const
{
  const ImageGeometry& ig = model.labels.geometry();
  const auto& out = model.labels.voxels();
  const std::size_t nx = ig.size[0], ny = ig.size[1], nz = ig.size[2];
  // the body: in front of the canal (8 mm and more along the vertebra's mid-height frame)
  std::array<const CentrelinePoint*, 256> frame{};
  for (const Segment& seg : m_segments) {
    if (seg.label > 0 && seg.label < 256 && seg.level != "sacrum") {
      frame[static_cast<std::size_t>(seg.label)] =
        &m_line[static_cast<std::size_t>(std::lround(seg.run.mid()))];
    }
  }
  std::vector<std::array<double, 4>> perSlice(nz * 256, { 0, 0, 0, 0 });
  std::vector<std::array<double, 4>> bodyPerSlice(nz * 256, { 0, 0, 0, 0 });
  parallelFor(nz, [&](std::size_t k) {
    std::array<double, 4>* acc = perSlice.data() + k * 256;
    std::array<double, 4>* body = bodyPerSlice.data() + k * 256;
    for (std::size_t j = 0; j < ny; ++j) {
      const std::uint8_t* row = out.data() + ig.offset(0, j, k);
      for (std::size_t i = 0; i < nx; ++i) {
        auto& a = acc[row[i]];
        a[0] += static_cast<double>(i);
        a[1] += static_cast<double>(j);
        a[2] += static_cast<double>(k);
        a[3] += 1.0;
        if (const CentrelinePoint* f = frame[row[i]]) {
          const Vector3d q =
            ig.indexToLps(Vector3d(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)));
          const Vector3d d = q - f->centre;
          if (d.dot(f->anterior) > 8.0 && std::abs(d.dot(f->left)) < 25.0) {
            auto& b = body[row[i]];
            b[0] += q.x();
            b[1] += q.y();
            b[2] += q.z();
            b[3] += 1.0;
          }
        }
      }
    }
  });
  const double voxelMl = ig.spacing.prod() / 1000.0;
  for (SpineVertebra& v : model.vertebrae) {
    if (v.label <= 0 || v.label > 255) {
      continue;
    }
    std::array<double, 4> s{ 0, 0, 0, 0 };
    for (std::size_t k = 0; k < nz; ++k) {
      for (int c = 0; c < 4; ++c) {
        s[static_cast<std::size_t>(c)] +=
          perSlice[k * 256 + static_cast<std::size_t>(v.label)][static_cast<std::size_t>(c)];
      }
    }
    if (s[3] > 0) {
      v.centroid = ig.indexToLps(Vector3d(s[0], s[1], s[2]) / s[3]);
      v.volumeMl = s[3] * voxelMl;
    }
    std::array<double, 4> b{ 0, 0, 0, 0 };
    for (std::size_t k = 0; k < nz; ++k) {
      for (int c = 0; c < 4; ++c) {
        b[static_cast<std::size_t>(c)] +=
          bodyPerSlice[k * 256 + static_cast<std::size_t>(v.label)][static_cast<std::size_t>(c)];
      }
    }
    if (b[3] > 0 && frame[static_cast<std::size_t>(v.label)]) {
      v.bodyCentre = Vector3d(b[0], b[1], b[2]) / b[3];
    }
  }
}

void SpineAnalysis::paintLabels(SpineModel& model)
{
  const WorkGrid& g = m_work.grid;
  // canal: the chain's holes with what they enclose (on MR the blobs are the CSF: the cord and the
  // roots inside it are the canal's too, and the thin processes must not grow into them)
  // slices without a hole of their own (at the discs and the interlaminar windows the canal is not
  // ringed by bone) take the outline of the nearest slice with one, moved with the chain's centre:
  // the canal runs on there, its contents and the dorsal epidural space with it
  std::vector<const CanalCandidate*> bySlice(static_cast<std::size_t>(g.nz), nullptr);
  for (const CanalCandidate* c : m_chain) {
    bySlice[static_cast<std::size_t>(c->k)] = c;
  }
  std::vector<std::vector<std::uint32_t>> outline(static_cast<std::size_t>(g.nz));
  for (const CanalCandidate* c : m_chain) {
    outline[static_cast<std::size_t>(c->k)] = canalWithContents(*c, g);
  }
  const int first = m_chain.empty() ? 0 : m_chain.front()->k, last = m_chain.empty() ? -1 : m_chain.back()->k;
  for (int k = std::min(first, last); k <= std::max(first, last); ++k) {
    const CanalCandidate* own = bySlice[static_cast<std::size_t>(k)];
    const CanalCandidate *below = nullptr, *above = nullptr;
    for (int d = 1; !own && d <= std::abs(last - first) && !(below && above); ++d) {
      if (!below && k - d >= 0 && bySlice[static_cast<std::size_t>(k - d)]) {
        below = bySlice[static_cast<std::size_t>(k - d)];
      }
      if (!above && k + d < g.nz && bySlice[static_cast<std::size_t>(k + d)]) {
        above = bySlice[static_cast<std::size_t>(k + d)];
      }
    }
    const CanalCandidate* from = own                                                   ? own
                                 : (!above || (below && k - below->k <= above->k - k)) ? below
                                                                                       : above;
    if (!from) {
      continue;
    }
    // the chain's centre at this slice, between the neighbours with holes
    double cx = from->x, cy = from->y;
    if (!own && below && above) {
      const double f = static_cast<double>(k - below->k) / static_cast<double>(above->k - below->k);
      cx = below->x + f * (above->x - below->x);
      cy = below->y + f * (above->y - below->y);
    }
    const int di = static_cast<int>(std::lround((cx - from->x) / g.h)),
              dj = static_cast<int>(std::lround((cy - from->y) / g.h));
    for (std::uint32_t p : outline[static_cast<std::size_t>(from->k)]) {
      const int i = static_cast<int>(p % g.nx) + di, j = static_cast<int>(p / g.nx) + dj;
      if (g.inside(i, j, k) && m_labels[g.index(i, j, k)] == 0) {
        m_labels[g.index(i, j, k)] = static_cast<std::uint8_t>(labels::kSpinalCanal);
      }
    }
  }
  // the skin: the body's outer layer
  if (!m_body.empty()) {
    for (int k = 0; k < g.nz; ++k) {
      for (int j = 1; j + 1 < g.ny; ++j) {
        for (int i = 1; i + 1 < g.nx; ++i) {
          const std::size_t idx = g.index(i, j, k);
          if (m_body[idx] && m_labels[idx] == 0 &&
              (!m_body[idx - 1] || !m_body[idx + 1] || !m_body[idx - static_cast<std::size_t>(g.nx)] ||
               !m_body[idx + static_cast<std::size_t>(g.nx)])) {
            m_labels[idx] = static_cast<std::uint8_t>(labels::kSkin);
          }
        }
      }
    }
  }
  const ImageGeometry& ig = m_input.geometry();
  model.labels = Image<std::uint8_t>(ig, 0);
  auto& out = model.labels.voxels();
  const Eigen::Matrix3d toWork = ig.direction * ig.spacing.asDiagonal() / g.h;
  parallelFor(ig.size[2], [&](std::size_t k) {
    for (std::size_t j = 0; j < ig.size[1]; ++j) {
      Vector3d c =
        g.continuousIndex(ig.indexToLps(Vector3d(0, static_cast<double>(j), static_cast<double>(k))));
      const Vector3d step = toWork.col(0);
      for (std::size_t i = 0; i < ig.size[0]; ++i, c += step) {
        int x = static_cast<int>(std::lround(c.x())), y = static_cast<int>(std::lround(c.y())),
            z = static_cast<int>(std::lround(c.z()));
        if (g.inside(x, y, z)) {
          out[ig.offset(i, j, k)] = m_labels[g.index(x, y, z)];
        }
      }
    }
  });
  // marrow holes filled before the surface is peeled, which would otherwise eat into the body from
  // such a hole, and after it
  fillMarrowHoles(out);
  if (m_mr) {
    fitCortexOnT2(out);
  } else {
    peelSurface(out, ig.spacing.maxCoeff() <= g.h + 1e-6);
  }
  fillMarrowHoles(out);
  measureFromLabelMap(model);
  // the canal's contents: the dural sac and the epidural fat (before the ganglia are painted over)
  {
    const CanalContents contents = splitCanalContents(m_input, model.labels, model.canalCentreline, m_mr);
    const double voxelMl = ig.spacing.prod() / 1000.0;
    auto& c = model.canalContents;
    c.duralSacMl = static_cast<double>(contents.sacVoxels) * voxelMl;
    c.epiduralFatMl = static_cast<double>(contents.fatVoxels) * voxelMl;
    c.method =
      m_mr ? "T2 MR: the CSF-bright canal and what it encloses, labelled dural sac; the epidural fat "
             "is not labelled, so a needle tip's place in it is not checked"
           : "CT: the canal's voxels told apart by CT number (fat under -40 HU, the mean of a voxel and "
             "its six canal neighbours), the sac kept as the tube round the canal's centre";
    // too little fat for the image to show it: the sac cannot be told from the epidural space
    if (!m_mr && c.epiduralFatMl < kMinFatShareOfSac * c.duralSacMl) {
      char text[240];
      std::snprintf(text, sizeof text,
                    "the epidural fat is hardly seen in this CT (%.1f ml against %.1f ml of dural sac): the "
                    "dura's checks of a plan are unreliable here",
                    c.epiduralFatMl, c.duralSacMl);
      m_warnings.push_back(text);
    }
  }
  // ganglia as ellipsoids of their expected size along the root
  const Eigen::Matrix3d toIndex = ig.spacing.cwiseInverse().asDiagonal() * ig.direction.inverse();
  for (const auto& d : model.ganglia) {
    int label = labels::ganglionLabel(d.level, d.side == Side::Right);
    if (label > 255) {
      continue;
    }
    Eigen::Matrix3d axes;
    axes.col(0) = d.axis;
    axes.col(1) = d.axis.unitOrthogonal();
    axes.col(2) = d.axis.cross(axes.col(1));
    const Vector3d semi(0.5 * d.lengthMm, 0.5 * d.widthMm, 0.5 * d.widthMm);
    const double r = semi.maxCoeff();
    Vector3d lo = Vector3d::Constant(1e30), hi = Vector3d::Constant(-1e30);
    for (int c = 0; c < 8; ++c) {
      Vector3d corner = d.centre + Vector3d((c & 1) ? r : -r, (c & 2) ? r : -r, (c & 4) ? r : -r);
      Vector3d idx = toIndex * (corner - ig.origin);
      lo = lo.cwiseMin(idx);
      hi = hi.cwiseMax(idx);
    }
    for (long k = std::max(0L, static_cast<long>(std::floor(lo.z())));
         k <= std::min(static_cast<long>(ig.size[2]) - 1, static_cast<long>(std::ceil(hi.z()))); ++k) {
      for (long j = std::max(0L, static_cast<long>(std::floor(lo.y())));
           j <= std::min(static_cast<long>(ig.size[1]) - 1, static_cast<long>(std::ceil(hi.y()))); ++j) {
        for (long i = std::max(0L, static_cast<long>(std::floor(lo.x())));
             i <= std::min(static_cast<long>(ig.size[0]) - 1, static_cast<long>(std::ceil(hi.x()))); ++i) {
          Vector3d q = axes.transpose() * (ig.indexToLps(Vector3d(i, j, k)) - d.centre);
          if (q.cwiseQuotient(semi).squaredNorm() <= 1.0) {
            out[ig.offset(static_cast<std::size_t>(i), static_cast<std::size_t>(j),
                          static_cast<std::size_t>(k))] = static_cast<std::uint8_t>(label);
          }
        }
      }
    }
  }
}

} // namespace drg::imaging::spine
