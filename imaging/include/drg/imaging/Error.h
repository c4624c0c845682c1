#pragma once

#include <stdexcept>
#include <string>

namespace drg
{

/// Kind of failure, so that callers (CLI exit codes, GUI dialogs) can react without parsing text.
enum class ErrorCode
{
  InvalidArgument, ///< an option or value the user gave is out of range or malformed
  Io,              ///< a file or folder could not be read or written
  Format,          ///< input exists but is not what it claims to be (bad DICOM, bad JSON)
  Geometry,        ///< geometry that would give a wrong volume or plan (gaps, tilt, mixed planes)
  Unsupported,     ///< valid input that this version does not handle
  NotFound,        ///< the input does not show what was looked for (e.g. no spine in the image)
  Cancelled,       ///< the user cancelled a long operation
  Network,         ///< a DICOM peer could not be reached, refused us, did not answer or failed
  Internal         ///< a bug: an invariant of ours did not hold
};

/// Typed error with a message a clinician or a user can act on. Library code throws it; the CLI turns
/// it into a non-zero exit code, the GUI into a dialog.
class Error : public std::runtime_error
{
public:
  Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message)
    , m_code(code)
  {}

  ErrorCode code() const noexcept { return m_code; }

private:
  ErrorCode m_code;
};

/// Short stable name of an error code ("invalid-argument", "io", ...), for logs and JSON.
const char* errorCodeName(ErrorCode code) noexcept;

} // namespace drg
