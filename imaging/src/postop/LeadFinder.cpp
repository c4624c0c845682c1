// Lead localisation on a post-operative CT, one step a function:
//   metal     every voxel at least as dense as metal (contacts saturate the CT scale);
//   thick     metal with a core deeper than a contact's radius, and what lies near that core, set
//             aside: pedicle screws, rods, the generator, cement (a contact touching a screw is cut
//             only where it lies within the screw's reach);
//   blobs     the remaining metal in connected pieces, each a contact candidate at its centroid;
//   chains    candidates linked at the lead's contact spacing (0.6-1.45 of it) form leads, ordered
//             along their line;
//   ends      the CT number just beyond each end of the array tells the proximal end (the body goes
//             on towards the anchor; the distal end has only its tip).
#include "drg/imaging/LeadFinder.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace drg::imaging
{

using Eigen::Vector3d;

namespace
{

using Offsets = std::vector<std::array<long, 3>>;

/// Voxel offsets within `radiusMm` of a voxel centre.
Offsets ball(const ImageGeometry& g, double radiusMm)
{
  Offsets out;
  std::array<long, 3> r{};
  for (int a = 0; a < 3; ++a) {
    r[a] = static_cast<long>(std::floor(radiusMm / g.spacing[a]));
  }
  for (long k = -r[2]; k <= r[2]; ++k) {
    for (long j = -r[1]; j <= r[1]; ++j) {
      for (long i = -r[0]; i <= r[0]; ++i) {
        Vector3d d(static_cast<double>(i) * g.spacing[0], static_cast<double>(j) * g.spacing[1],
                   static_cast<double>(k) * g.spacing[2]);
        if (d.norm() <= radiusMm) {
          out.push_back({ i, j, k });
        }
      }
    }
  }
  return out;
}

struct Grid
{
  const ImageGeometry& g;
  std::array<long, 3> index(std::size_t offset) const
  {
    const std::size_t nx = g.size[0], ny = g.size[1];
    return { static_cast<long>(offset % nx), static_cast<long>((offset / nx) % ny),
             static_cast<long>(offset / (nx * ny)) };
  }
  /// Offset of voxel v + d, or -1 outside the volume.
  long shifted(const std::array<long, 3>& v, const std::array<long, 3>& d) const
  {
    long i = v[0] + d[0], j = v[1] + d[1], k = v[2] + d[2];
    if (i < 0 || j < 0 || k < 0 || i >= static_cast<long>(g.size[0]) || j >= static_cast<long>(g.size[1]) ||
        k >= static_cast<long>(g.size[2])) {
      return -1;
    }
    return static_cast<long>(
      g.offset(static_cast<std::size_t>(i), static_cast<std::size_t>(j), static_cast<std::size_t>(k)));
  }
};

/// Connected pieces (26-neighbours) of a voxel set.
std::vector<std::vector<std::size_t>> pieces(const std::unordered_set<std::size_t>& voxels, const Grid& grid)
{
  std::vector<std::vector<std::size_t>> out;
  std::unordered_set<std::size_t> seen;
  std::vector<std::size_t> sorted(voxels.begin(), voxels.end());
  std::sort(sorted.begin(), sorted.end()); // deterministic order
  for (std::size_t start : sorted) {
    if (!seen.insert(start).second) {
      continue;
    }
    std::vector<std::size_t> piece{ start };
    for (std::size_t n = 0; n < piece.size(); ++n) {
      const auto v = grid.index(piece[n]);
      for (long dk = -1; dk <= 1; ++dk) {
        for (long dj = -1; dj <= 1; ++dj) {
          for (long di = -1; di <= 1; ++di) {
            long o = grid.shifted(v, { di, dj, dk });
            if (o >= 0 && voxels.count(static_cast<std::size_t>(o)) != 0 &&
                seen.insert(static_cast<std::size_t>(o)).second) {
              piece.push_back(static_cast<std::size_t>(o));
            }
          }
        }
      }
    }
    out.push_back(std::move(piece));
  }
  return out;
}

struct Blob
{
  Vector3d centre;
  double volumeMm3 = 0.0;
};

/// A contact's centre: the centroid of its metal, weighted by each voxel's excess over the tissue
/// around it. The voxels touching the metal count with their excess too: a contact reaching a
/// little into the next voxel or slice raises it without filling it, and that shifts the centre off
/// the middle of the voxels it lit (most on thick slices and coarse pixels).
Vector3d blobCentre(const std::vector<std::size_t>& piece, const Image<float>& ct, const Grid& grid,
                    const std::unordered_set<std::size_t>& metal)
{
  const ImageGeometry& g = grid.g;
  const std::unordered_set<std::size_t> own(piece.begin(), piece.end());
  // the tissue: the median two slices away from the blob's voxels
  std::vector<double> around;
  for (std::size_t m : piece) {
    for (long dk : { -2L, 2L }) {
      long o = grid.shifted(grid.index(m), { 0, 0, dk });
      if (o >= 0 && metal.count(static_cast<std::size_t>(o)) == 0) {
        around.push_back(ct.voxels()[static_cast<std::size_t>(o)]);
      }
    }
  }
  double tissue = 0.0;
  if (!around.empty()) {
    std::nth_element(around.begin(), around.begin() + static_cast<long>(around.size() / 2), around.end());
    tissue = std::clamp(around[around.size() / 2], -200.0, 1000.0);
  }
  Vector3d sum = Vector3d::Zero();
  double total = 0.0;
  auto add = [&](std::size_t offset) {
    const auto idx = grid.index(offset);
    const double w = std::max(0.0, std::min<double>(ct.voxels()[offset], 3071.0) - tissue);
    sum += w * g.indexToLps(Vector3d(static_cast<double>(idx[0]), static_cast<double>(idx[1]),
                                     static_cast<double>(idx[2])));
    total += w;
  };
  std::unordered_set<std::size_t> rims;
  for (std::size_t m : piece) {
    add(m);
    for (long dk = -1; dk <= 1; ++dk) {
      for (long dj = -1; dj <= 1; ++dj) {
        for (long di = -1; di <= 1; ++di) {
          long o = grid.shifted(grid.index(m), { di, dj, dk });
          if (o >= 0 && own.count(static_cast<std::size_t>(o)) == 0 &&
              metal.count(static_cast<std::size_t>(o)) == 0 &&
              rims.insert(static_cast<std::size_t>(o)).second) {
            add(static_cast<std::size_t>(o));
          }
        }
      }
    }
  }
  return sum / std::max(total, 1e-9);
}

/// The thick metal's voxels: those within `reach` of a voxel whose whole `core` ball is metal.
std::unordered_set<std::size_t> thickMetal(const std::unordered_set<std::size_t>& metal, const Grid& grid,
                                           const LeadFinderOptions& o, int& objects)
{
  const Offsets core = ball(grid.g, o.thickCoreMm);
  const Offsets reach = ball(grid.g, o.thickReachMm);
  std::unordered_set<std::size_t> cores;
  for (std::size_t v : metal) {
    const auto idx = grid.index(v);
    bool all = true;
    for (const auto& d : core) {
      long n = grid.shifted(idx, d);
      if (n < 0 || metal.count(static_cast<std::size_t>(n)) == 0) {
        all = false;
        break;
      }
    }
    if (all) {
      cores.insert(v);
    }
  }
  objects = static_cast<int>(pieces(cores, grid).size());
  std::unordered_set<std::size_t> thick;
  for (std::size_t v : cores) {
    const auto idx = grid.index(v);
    for (const auto& d : reach) {
      long n = grid.shifted(idx, d);
      if (n >= 0 && metal.count(static_cast<std::size_t>(n)) != 0) {
        thick.insert(static_cast<std::size_t>(n));
      }
    }
  }
  return thick;
}

/// Mean over 0.5 mm steps from `from` to `to` mm beyond `end` along `axis` of the highest CT number
/// within one voxel of the line.
double beyond(const Image<float>& ct, const Vector3d& end, const Vector3d& axis, double from, double to)
{
  const ImageGeometry& g = ct.geometry();
  double sum = 0.0;
  int n = 0;
  for (double s = from; s <= to + 1e-9; s += 0.5) {
    const Vector3d idx = g.lpsToIndex(end + s * axis);
    double best = -1024.0;
    for (int dk = -1; dk <= 1; ++dk) {
      for (int dj = -1; dj <= 1; ++dj) {
        for (int di = -1; di <= 1; ++di) {
          Vector3d q = idx + Vector3d(di, dj, dk);
          if (!g.containsIndex(q)) {
            continue;
          }
          best = std::max(best, static_cast<double>(ct.at(static_cast<std::size_t>(std::lround(q.x())),
                                                          static_cast<std::size_t>(std::lround(q.y())),
                                                          static_cast<std::size_t>(std::lround(q.z())))));
        }
      }
    }
    sum += best;
    ++n;
  }
  return n == 0 ? -1024.0 : sum / n;
}

/// The leads among the blobs: chains at the contact spacing, ordered along their line.
std::vector<FoundLead> chain(const std::vector<Blob>& blobs, const Image<float>& ct,
                             const LeadFinderOptions& o, int& unchained)
{
  const std::size_t n = blobs.size();
  std::vector<std::vector<std::size_t>> links(n);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      double d = (blobs[a].centre - blobs[b].centre).norm();
      if (d >= 0.6 * o.contactSpacingMm && d <= 1.45 * o.contactSpacingMm) {
        links[a].push_back(b);
        links[b].push_back(a);
      }
    }
  }
  std::vector<FoundLead> leads;
  std::vector<bool> used(n, false);
  unchained = 0;
  for (std::size_t s = 0; s < n; ++s) {
    if (used[s]) {
      continue;
    }
    std::vector<std::size_t> group{ s };
    used[s] = true;
    for (std::size_t k = 0; k < group.size(); ++k) {
      for (std::size_t t : links[group[k]]) {
        if (!used[t]) {
          used[t] = true;
          group.push_back(t);
        }
      }
    }
    if (group.size() < 2) {
      ++unchained;
      continue;
    }
    Vector3d mean = Vector3d::Zero();
    for (std::size_t b : group) {
      mean += blobs[b].centre;
    }
    mean /= static_cast<double>(group.size());
    Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
    for (std::size_t b : group) {
      Vector3d d = blobs[b].centre - mean;
      cov += d * d.transpose();
    }
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov);
    const Vector3d axis = eig.eigenvectors().col(2);
    std::sort(group.begin(), group.end(), [&](std::size_t a, std::size_t b) {
      return (blobs[a].centre - mean).dot(axis) < (blobs[b].centre - mean).dot(axis);
    });
    FoundLead lead;
    double rss = 0.0;
    for (std::size_t b : group) {
      lead.contacts.push_back(blobs[b].centre);
      lead.blobVolumeMm3.push_back(blobs[b].volumeMm3);
      Vector3d d = blobs[b].centre - mean;
      rss += (d - d.dot(axis) * axis).squaredNorm();
    }
    lead.lineRmsMm = std::sqrt(rss / static_cast<double>(group.size()));
    const Vector3d outFirst = (lead.contacts.front() - lead.contacts[1]).normalized();
    const Vector3d outLast = (lead.contacts.back() - lead.contacts[lead.contacts.size() - 2]).normalized();
    const double from = 0.5 * o.contactLengthMm + 2.0;
    lead.beyondFirstHu = beyond(ct, lead.contacts.front(), outFirst, from, from + 4.0);
    lead.beyondLastHu = beyond(ct, lead.contacts.back(), outLast, from, from + 4.0);
    // the body shows beyond the proximal end only: a clear difference and a body-like value
    const double hi = std::max(lead.beyondFirstHu, lead.beyondLastHu);
    const double lo = std::min(lead.beyondFirstHu, lead.beyondLastHu);
    lead.orientationKnown = hi - lo > 300.0 && hi > 400.0;
    lead.distalFirst = lead.beyondLastHu >= lead.beyondFirstHu;
    leads.push_back(std::move(lead));
  }
  return leads;
}

/// On slices much thicker than the pixels, a contact's height is only known to the slice it lit:
/// the array's own geometry tells it better. In the image's axes (the slice axis last), the
/// in-plane positions give the step between neighbouring contacts across the slices accurately;
/// the contact spacing then fixes the step along the slice axis, sqrt(s^2 - in-plane step^2), and
/// the array's height is the mean over its contacts. A lead lying nearly in the slice plane keeps
/// its measured heights (the constraint tells little there).
void fitAcrossSlices(FoundLead& lead, const ImageGeometry& g, double spacing)
{
  const double inPlane = std::min(g.spacing[0], g.spacing[1]);
  const std::size_t n = lead.contacts.size();
  if (g.spacing[2] < 1.5 * inPlane || n < 2) {
    return;
  }
  const Eigen::Matrix3d& d = g.direction;
  std::vector<Vector3d> q;
  std::vector<double> k;
  for (std::size_t c = 0; c < n; ++c) {
    q.push_back(d.transpose() * (lead.contacts[c] - lead.contacts.front()));
    k.push_back(c == 0 ? 0.0 : std::round((lead.contacts[c] - lead.contacts.front()).norm() / spacing));
  }
  double kMean = std::accumulate(k.begin(), k.end(), 0.0) / static_cast<double>(n);
  Vector3d qMean = Vector3d::Zero();
  for (const auto& v : q) {
    qMean += v;
  }
  qMean /= static_cast<double>(n);
  double skk = 0.0;
  Vector3d skq = Vector3d::Zero();
  for (std::size_t c = 0; c < n; ++c) {
    skk += (k[c] - kMean) * (k[c] - kMean);
    skq += (k[c] - kMean) * (q[c] - qMean);
  }
  if (skk <= 0.0) {
    return;
  }
  const Vector3d step = skq / skk; // least-squares step per contact
  const double across = spacing * spacing - step.head<2>().squaredNorm();
  if (across < std::pow(0.4 * spacing, 2)) {
    return;
  }
  const double stepZ = std::copysign(std::sqrt(across), step.z());
  double z0 = 0.0;
  for (std::size_t c = 0; c < n; ++c) {
    z0 += q[c].z() - k[c] * stepZ;
  }
  z0 /= static_cast<double>(n);
  const Vector3d origin = lead.contacts.front();
  for (std::size_t c = 0; c < n; ++c) {
    Vector3d v = q[c];
    v.z() = z0 + k[c] * stepZ;
    lead.contacts[c] = origin + d * v;
  }
}

} // namespace

LeadSearch findLeads(const Image<float>& ct, const LeadFinderOptions& o)
{
  const ImageGeometry& g = ct.geometry();
  const Grid grid{ g };
  std::unordered_set<std::size_t> metal;
  const auto& v = ct.voxels();
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] >= o.metalHu) {
      metal.insert(i);
    }
  }
  LeadSearch out;
  const std::unordered_set<std::size_t> thick = thickMetal(metal, grid, o, out.thickObjects);
  std::unordered_set<std::size_t> thin;
  for (std::size_t m : metal) {
    if (thick.count(m) == 0) {
      thin.insert(m);
    }
  }
  // a contact's metal, bloomed to the voxels it touches, stays well under the volume of a ring
  // twice the lead's size in every direction
  const double voxelMm3 = g.spacing.prod();
  const double ringMm3 = M_PI * std::pow(o.diameterMm, 2) * o.contactLengthMm; // (2r)^2 pi * length
  const double maxBlobMm3 = 8.0 * ringMm3 + 4.0 * voxelMm3;
  std::vector<Blob> blobs;
  for (const auto& piece : pieces(thin, grid)) {
    Blob b;
    b.volumeMm3 = static_cast<double>(piece.size()) * voxelMm3;
    if (b.volumeMm3 > maxBlobMm3) {
      continue;
    }
    b.centre = blobCentre(piece, ct, grid, metal);
    blobs.push_back(b);
  }
  out.metalBlobs = static_cast<int>(blobs.size());
  out.leads = chain(blobs, ct, o, out.unchainedBlobs);
  for (auto& lead : out.leads) {
    fitAcrossSlices(lead, g, o.contactSpacingMm);
  }
  return out;
}

} // namespace drg::imaging
