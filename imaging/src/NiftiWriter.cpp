#include "NiftiWriter.h"

#include "drg/imaging/Error.h"

#include <zlib.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace drg::imaging
{
namespace
{

#pragma pack(push, 1)
struct Nifti1Header
{
  std::int32_t sizeof_hdr;
  char data_type[10];
  char db_name[18];
  std::int32_t extents;
  std::int16_t session_error;
  char regular;
  char dim_info;
  std::int16_t dim[8];
  float intent_p1, intent_p2, intent_p3;
  std::int16_t intent_code;
  std::int16_t datatype;
  std::int16_t bitpix;
  std::int16_t slice_start;
  float pixdim[8];
  float vox_offset;
  float scl_slope;
  float scl_inter;
  std::int16_t slice_end;
  char slice_code;
  char xyzt_units;
  float cal_max, cal_min;
  float slice_duration;
  float toffset;
  std::int32_t glmax, glmin;
  char descrip[80];
  char aux_file[24];
  std::int16_t qform_code;
  std::int16_t sform_code;
  float quatern_b, quatern_c, quatern_d;
  float qoffset_x, qoffset_y, qoffset_z;
  float srow_x[4];
  float srow_y[4];
  float srow_z[4];
  char intent_name[16];
  char magic[4];
};
#pragma pack(pop)
static_assert(sizeof(Nifti1Header) == 348, "NIfTI-1 header must be 348 bytes");

/// Output that is either a plain file or a gzip stream.
class Sink
{
public:
  Sink(const std::filesystem::path& path, bool gzip)
    : m_gzip(gzip)
  {
    if (gzip) {
      m_gz = gzopen(path.c_str(), "wb1");
    } else {
      m_file = std::fopen(path.c_str(), "wb");
    }
    if (m_gz == nullptr && m_file == nullptr) {
      throw Error(ErrorCode::Io,
                  "cannot write " + path.string() + ": check that the folder exists and is writable");
    }
    m_path = path;
  }
  ~Sink()
  {
    if (m_gz != nullptr) {
      gzclose(m_gz);
    }
    if (m_file != nullptr) {
      std::fclose(m_file);
    }
  }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  void write(const void* data, std::size_t bytes)
  {
    bool ok = m_gzip ? gzwrite(m_gz, data, static_cast<unsigned>(bytes)) == static_cast<int>(bytes)
                     : std::fwrite(data, 1, bytes, m_file) == bytes;
    if (!ok) {
      throw Error(ErrorCode::Io, "writing " + m_path.string() + " failed (disk full?)");
    }
  }

  void close()
  {
    int rc = 0;
    if (m_gz != nullptr) {
      rc = gzclose(m_gz);
      m_gz = nullptr;
    }
    if (m_file != nullptr) {
      rc = std::fclose(m_file);
      m_file = nullptr;
    }
    if (rc != 0) {
      throw Error(ErrorCode::Io, "closing " + m_path.string() + " failed (disk full?)");
    }
  }

private:
  bool m_gzip;
  gzFile m_gz = nullptr;
  std::FILE* m_file = nullptr;
  std::filesystem::path m_path;
};

/// NIfTI-1 header for the grid (qform and sform in RAS), int16 or float32 data.
Nifti1Header makeHeader(const ImageGeometry& g, bool asInt16)
{
  Nifti1Header h;
  std::memset(&h, 0, sizeof(h));
  h.sizeof_hdr = 348;
  h.regular = 'r';
  h.dim[0] = 3;
  for (int a = 0; a < 3; ++a) {
    if (g.size[static_cast<std::size_t>(a)] > 32767) {
      throw Error(ErrorCode::Unsupported, "NIfTI-1 cannot hold more than 32767 voxels along an axis");
    }
    h.dim[a + 1] = static_cast<std::int16_t>(g.size[static_cast<std::size_t>(a)]);
    h.pixdim[a + 1] = static_cast<float>(g.spacing[a]);
  }
  for (int a = 4; a < 8; ++a) {
    h.dim[a] = 1;
  }
  h.datatype = asInt16 ? 4 : 16; // DT_INT16 : DT_FLOAT32
  h.bitpix = asInt16 ? 16 : 32;
  h.vox_offset = 352.0f;
  h.scl_slope = 1.0f;
  h.xyzt_units = 2; // millimetres
  std::strncpy(h.descrip, "drgplan", sizeof(h.descrip) - 1);
  std::memcpy(h.magic, "n+1\0", 4);

  // voxel -> RAS: flip x and y of LPS
  Eigen::Matrix3d flip = Eigen::Vector3d(-1, -1, 1).asDiagonal();
  Eigen::Matrix3d rotation = flip * g.direction;
  Eigen::Vector3d offset = flip * g.origin;
  Eigen::Matrix3d affine = rotation * g.spacing.asDiagonal();
  float* rows[3] = { h.srow_x, h.srow_y, h.srow_z };
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      rows[r][c] = static_cast<float>(affine(r, c));
    }
    rows[r][3] = static_cast<float>(offset[r]);
  }
  // qform: a proper rotation (qfac flips the third axis when the grid is left-handed)
  Eigen::Matrix3d proper = rotation;
  h.pixdim[0] = 1.0f;
  if (proper.determinant() < 0) {
    proper.col(2) *= -1.0;
    h.pixdim[0] = -1.0f;
  }
  Eigen::Quaterniond q(proper);
  q.normalize();
  if (q.w() < 0) {
    q.coeffs() *= -1.0;
  }
  h.quatern_b = static_cast<float>(q.x());
  h.quatern_c = static_cast<float>(q.y());
  h.quatern_d = static_cast<float>(q.z());
  h.qoffset_x = static_cast<float>(offset.x());
  h.qoffset_y = static_cast<float>(offset.y());
  h.qoffset_z = static_cast<float>(offset.z());
  h.qform_code = 1; // scanner anatomical
  h.sform_code = 1;
  return h;
}

bool gzipName(const std::filesystem::path& path)
{
  std::string name = path.filename().string();
  return name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0;
}

const char kNoExtension[4] = { 0, 0, 0, 0 };

} // namespace

void writeNiftiStreaming(const Image<float>& image, const std::filesystem::path& path, bool asInt16)
{
  const ImageGeometry& g = image.geometry();
  Nifti1Header h = makeHeader(g, asInt16);
  Sink sink(path, gzipName(path));
  sink.write(&h, sizeof(h));
  sink.write(kNoExtension, 4);
  const std::size_t slice = g.size[0] * g.size[1];
  const float* data = image.voxels().data();
  if (asInt16) {
    std::vector<std::int16_t> buffer(slice);
    for (std::size_t k = 0; k < g.size[2]; ++k) {
      const float* src = data + k * slice;
      for (std::size_t n = 0; n < slice; ++n) {
        buffer[n] = static_cast<std::int16_t>(src[n]);
      }
      sink.write(buffer.data(), slice * sizeof(std::int16_t));
    }
  } else {
    sink.write(data, g.voxelCount() * sizeof(float));
  }
  sink.close();
}

void writeNiftiStreaming(const Image<std::int16_t>& image, const std::filesystem::path& path)
{
  Nifti1Header h = makeHeader(image.geometry(), true);
  Sink sink(path, gzipName(path));
  sink.write(&h, sizeof(h));
  sink.write(kNoExtension, 4);
  sink.write(image.voxels().data(), image.voxels().size() * sizeof(std::int16_t));
  sink.close();
}

} // namespace drg::imaging
