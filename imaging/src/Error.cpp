#include "drg/imaging/Error.h"

namespace drg
{

const char* errorCodeName(ErrorCode code) noexcept
{
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "invalid-argument";
    case ErrorCode::Io:
      return "io";
    case ErrorCode::Format:
      return "format";
    case ErrorCode::Geometry:
      return "geometry";
    case ErrorCode::Unsupported:
      return "unsupported";
    case ErrorCode::NotFound:
      return "not-found";
    case ErrorCode::Cancelled:
      return "cancelled";
    case ErrorCode::Network:
      return "network";
    case ErrorCode::Internal:
      return "internal";
  }
  return "internal";
}

} // namespace drg
