#pragma once
// Internal: which files a DICOM scan reads (a folder's, one file, or those a DICOMDIR lists).

#include <filesystem>
#include <string>
#include <vector>

namespace drg::imaging::dicom
{

/// Part 10 files carry "DICM" at offset 128; raw datasets usually start with a group 0008 tag.
bool looksLikeDicom(const std::filesystem::path& path);

/// The files a scan of `input` reads, and where their list came from.
struct DicomInputFiles
{
  std::vector<std::filesystem::path> files; ///< sorted by path
  std::string source;                       ///< "folder", "file" or "DICOMDIR"
  std::vector<std::string> warnings;        ///< the DICOMDIR's missing or invalid records
};

/// A folder's files (recursively), a single file, or the files a DICOMDIR references (matched without
/// regard to case); a DICOMDIR that cannot be read makes its folder be listed, with a warning. Throws
/// drg::Error(Io) when `input` does not exist or cannot be listed.
DicomInputFiles listDicomInput(const std::filesystem::path& input);

} // namespace drg::imaging::dicom
