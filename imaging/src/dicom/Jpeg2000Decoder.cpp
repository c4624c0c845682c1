#include "dicom/Jpeg2000Decoder.h"

#include "drg/imaging/Error.h"

// the system OpenJPEG by its versioned path: ITK bundles an older openjpeg.h on our include path
#include <openjpeg-2.5/openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace drg::imaging::j2k
{
namespace
{

struct MemoryStream
{
  const std::uint8_t* data;
  std::size_t size;
  std::size_t offset;
};

OPJ_SIZE_T readBytes(void* buffer, OPJ_SIZE_T n, void* user)
{
  auto* s = static_cast<MemoryStream*>(user);
  if (s->offset >= s->size) {
    return static_cast<OPJ_SIZE_T>(-1);
  }
  std::size_t take = std::min<std::size_t>(n, s->size - s->offset);
  std::memcpy(buffer, s->data + s->offset, take);
  s->offset += take;
  return take;
}

OPJ_OFF_T skipBytes(OPJ_OFF_T n, void* user)
{
  auto* s = static_cast<MemoryStream*>(user);
  OPJ_OFF_T target =
    std::clamp<OPJ_OFF_T>(static_cast<OPJ_OFF_T>(s->offset) + n, 0, static_cast<OPJ_OFF_T>(s->size));
  OPJ_OFF_T moved = target - static_cast<OPJ_OFF_T>(s->offset);
  s->offset = static_cast<std::size_t>(target);
  return moved;
}

OPJ_BOOL seekTo(OPJ_OFF_T n, void* user)
{
  auto* s = static_cast<MemoryStream*>(user);
  if (n < 0 || static_cast<std::size_t>(n) > s->size) {
    return OPJ_FALSE;
  }
  s->offset = static_cast<std::size_t>(n);
  return OPJ_TRUE;
}

void quiet(const char*, void*) {}

} // namespace

bool isJpeg2000TransferSyntax(const std::string& uid)
{
  return uid == "1.2.840.10008.1.2.4.90" || uid == "1.2.840.10008.1.2.4.91" ||
         uid == "1.2.840.10008.1.2.4.92" || uid == "1.2.840.10008.1.2.4.93";
}

DecodedFrame decode(const std::uint8_t* data, std::size_t size)
{
  if (size < 12) {
    throw Error(ErrorCode::Format, "JPEG 2000 frame is empty or truncated");
  }
  bool jp2 = std::memcmp(data, "\x00\x00\x00\x0C\x6A\x50\x20\x20", 8) == 0;
  std::unique_ptr<opj_codec_t, void (*)(opj_codec_t*)> codec(
    opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K), opj_destroy_codec);
  opj_set_info_handler(codec.get(), quiet, nullptr);
  opj_set_warning_handler(codec.get(), quiet, nullptr);
  opj_set_error_handler(codec.get(), quiet, nullptr);
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  if (!opj_setup_decoder(codec.get(), &params)) {
    throw Error(ErrorCode::Internal, "OpenJPEG decoder setup failed");
  }
  MemoryStream ms{ data, size, 0 };
  std::unique_ptr<opj_stream_t, void (*)(opj_stream_t*)> stream(opj_stream_create(1 << 16, OPJ_TRUE),
                                                                opj_stream_destroy);
  opj_stream_set_user_data(stream.get(), &ms, nullptr);
  opj_stream_set_user_data_length(stream.get(), size);
  opj_stream_set_read_function(stream.get(), readBytes);
  opj_stream_set_skip_function(stream.get(), skipBytes);
  opj_stream_set_seek_function(stream.get(), seekTo);
  opj_image_t* raw = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw)) {
    throw Error(ErrorCode::Format, "JPEG 2000 frame header is not valid");
  }
  std::unique_ptr<opj_image_t, void (*)(opj_image_t*)> image(raw, opj_image_destroy);
  if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get())) {
    throw Error(ErrorCode::Format, "JPEG 2000 frame could not be decoded (corrupt or truncated data)");
  }
  if (image->numcomps < 1 || image->comps[0].data == nullptr) {
    throw Error(ErrorCode::Format, "JPEG 2000 frame holds no image component");
  }
  const opj_image_comp_t& c = image->comps[0];
  DecodedFrame out;
  out.width = static_cast<int>(c.w);
  out.height = static_cast<int>(c.h);
  out.precision = static_cast<int>(c.prec);
  out.isSigned = c.sgnd != 0;
  out.samples.assign(c.data, c.data + static_cast<std::size_t>(c.w) * c.h);
  return out;
}

} // namespace drg::imaging::j2k
