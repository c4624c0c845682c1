// Which files a DICOM scan reads: a folder's, one file, or those a DICOMDIR lists.
#include "dicom/DicomInputFiles.h"

#include "dicom/DicomCommon.h"

#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace drg::imaging::dicom
{
namespace fs = std::filesystem;

bool looksLikeDicom(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  char head[132] = {};
  in.read(head, sizeof(head));
  std::streamsize n = in.gcount();
  if (n >= 132 && std::string(head + 128, 4) == "DICM") {
    return true;
  }
  return n >= 4 && ((head[0] == 0x08 && head[1] == 0x00) || (head[0] == 0x02 && head[1] == 0x00)) &&
         head[3] == 0x00;
}

namespace
{

/// Finds `components` under `root`, matching each name exactly or else without regard to case (a
/// DICOMDIR stores upper-case ISO 9660 names; copies of a CD often have lower-case ones).
std::optional<fs::path> resolveFileId(const fs::path& root, const std::vector<std::string>& components)
{
  fs::path at = root;
  std::error_code ec;
  for (const std::string& name : components) {
    fs::path exact = at / name;
    if (fs::exists(exact, ec)) {
      at = exact;
      continue;
    }
    std::optional<fs::path> match;
    for (fs::directory_iterator it(at, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string candidate = it->path().filename().string();
      if (candidate.size() == name.size() &&
          std::equal(candidate.begin(), candidate.end(), name.begin(),
                     [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); })) {
        match = it->path();
        break;
      }
    }
    if (!match) {
      return std::nullopt;
    }
    at = *match;
  }
  return at;
}

/// The files a DICOMDIR references (in its record order, once each), or nullopt when `dicomdir`
/// cannot be read as one; problems with single records go to `warnings`.
std::optional<std::vector<fs::path>> filesOfDicomDir(const fs::path& dicomdir,
                                                     std::vector<std::string>& warnings)
{
  DcmFileFormat ff;
  if (ff.loadFile(dicomdir.c_str()).bad()) {
    return std::nullopt;
  }
  DcmSequenceOfItems* records = nullptr;
  if (ff.getDataset()->findAndGetSequence(DCM_DirectoryRecordSequence, records).bad() || records == nullptr) {
    return std::nullopt;
  }
  const fs::path root = dicomdir.parent_path().empty() ? fs::path(".") : dicomdir.parent_path();
  std::vector<fs::path> files;
  std::set<fs::path> seen;
  std::size_t missing = 0;
  std::size_t invalid = 0;
  std::string firstMissing;
  for (unsigned long n = 0; n < records->card(); ++n) {
    DcmItem* record = records->getItem(n);
    Uint16 inUse = 0xFFFF;
    if (record->findAndGetUint16(DCM_RecordInUseFlag, inUse).good() && inUse == 0) {
      continue; // a deleted record
    }
    OFString id;
    if (record->findAndGetOFStringArray(DCM_ReferencedFileID, id).bad() || id.empty()) {
      continue; // patient, study and series records reference no file
    }
    std::vector<std::string> components;
    std::stringstream parts(id.c_str());
    for (std::string part; std::getline(parts, part, '\\');) {
      components.push_back(part);
    }
    bool valid = !components.empty();
    for (const std::string& c : components) {
      valid = valid && !c.empty() && c != "." && c != ".." && c.find('/') == std::string::npos;
    }
    if (!valid) {
      ++invalid;
      continue;
    }
    std::optional<fs::path> file = resolveFileId(root, components);
    if (!file) {
      if (missing++ == 0) {
        firstMissing = id.c_str();
      }
      continue;
    }
    if (seen.insert(*file).second) {
      files.push_back(*file);
    }
  }
  if (missing > 0) {
    warnings.push_back("the DICOMDIR references " + std::to_string(missing) +
                       " file(s) that are not on the medium (first: " + firstMissing + ")");
  }
  if (invalid > 0) {
    warnings.push_back("ignored " + std::to_string(invalid) + " DICOMDIR record(s) with an invalid file ID");
  }
  return files;
}

bool isDicomDirFile(const fs::path& file)
{
  std::string lowerName = file.filename().string();
  std::transform(lowerName.begin(), lowerName.end(), lowerName.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lowerName == "dicomdir") {
    return true;
  }
  if (!looksLikeDicom(file)) {
    return false;
  }
  DcmFileFormat ff;
  if (ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                          DCM_FileMetaInformationVersion)
        .bad()) {
    return false;
  }
  return dicom::text(*ff.getMetaInfo(), DCM_MediaStorageSOPClassUID) == UID_MediaStorageDirectoryStorage;
}

} // namespace

DicomInputFiles listDicomInput(const fs::path& input)
{
  std::error_code ec;
  if (!fs::exists(input, ec)) {
    throw Error(ErrorCode::Io, "'" + input.string() + "' does not exist");
  }
  DicomInputFiles in;
  fs::path root = input;
  if (fs::is_regular_file(input, ec) && isDicomDirFile(input)) {
    if (auto listed = filesOfDicomDir(input, in.warnings)) {
      in.files = std::move(*listed);
      in.source = "DICOMDIR";
    } else {
      // a damaged DICOMDIR is common on old CDs: the images beside it are still worth reading
      in.warnings.push_back(input.filename().string() +
                            " could not be read as a DICOMDIR; its folder was scanned instead");
      root = input.parent_path().empty() ? fs::path(".") : input.parent_path();
    }
  }
  if (!in.source.empty()) {
    // the files come from the DICOMDIR
  } else if (fs::is_directory(root, ec)) {
    in.source = "folder";
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         it != end; it.increment(ec)) {
      if (ec) {
        break;
      }
      if (it->is_regular_file(ec)) {
        in.files.push_back(it->path());
      }
    }
    if (ec) {
      throw Error(ErrorCode::Io, "cannot list " + root.string() + ": " + ec.message());
    }
  } else if (fs::is_regular_file(root, ec)) {
    in.source = "file";
    in.files.push_back(root);
  } else {
    throw Error(ErrorCode::Io, "'" + input.string() + "' is neither a file nor a folder");
  }
  std::sort(in.files.begin(), in.files.end());
  return in;
}

} // namespace drg::imaging::dicom
