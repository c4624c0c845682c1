// drgplan-cli info / convert: what a folder holds, and a loaded volume written out.
#include "Commands.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"

#include <nlohmann/json.hpp>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace drg::cli
{
namespace
{

using namespace drg::imaging;
using nlohmann::json;

std::string planeName(const DicomStack& s)
{
  Eigen::Vector3d n = s.rowDirection.cross(s.columnDirection);
  int a = 0;
  double m = n.cwiseAbs().maxCoeff(&a);
  const char* names[] = { "sagittal", "coronal", "axial" };
  return m > 0.995 ? names[a] : std::string("oblique (closest ") + names[a] + ")";
}

/// Median gap between positions along the normal (mm), 0 when unknown.
double sliceSpacing(const DicomStack& s)
{
  Eigen::Vector3d n = s.rowDirection.cross(s.columnDirection);
  std::vector<double> d;
  for (const auto& f : s.frames) {
    if (f.hasPosition) {
      d.push_back(f.position.dot(n));
    }
  }
  if (d.size() < 2) {
    return 0.0;
  }
  std::sort(d.begin(), d.end());
  std::vector<double> gaps;
  for (std::size_t i = 0; i + 1 < d.size(); ++i) {
    gaps.push_back(d[i + 1] - d[i]);
  }
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
  return gaps[gaps.size() / 2];
}

std::string fixed(double v, int digits)
{
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

int runInfo(const std::string& input, bool asJson, bool showIdentity)
{
  DicomScan scan = scanDicom(input);
  json j;
  j["input"] = input;
  j["source"] = scan.source;
  j["files"] = scan.filesSeen;
  j["dicom_files"] = scan.dicomFiles;
  j["non_dicom_skipped"] = scan.nonDicomSkipped;
  j["unreadable_skipped"] = scan.unreadableSkipped;
  j["warnings"] = scan.warnings;
  json patients = json::array();
  int pn = 0;
  for (const auto& p : scan.patients) {
    ++pn;
    json pj;
    pj["patient"] = showIdentity ? p.name + " (" + p.id + ")" : "patient " + std::to_string(pn);
    json studies = json::array();
    for (const auto& st : p.studies) {
      json sj = { { "study_uid", st.studyUid }, { "date", st.date }, { "description", st.description } };
      json series = json::array();
      for (const auto& se : st.series) {
        json rj = { { "series_uid", se.seriesUid },
                    { "number", se.seriesNumber },
                    { "modality", se.modality },
                    { "description", se.description },
                    { "kind", dicomObjectKindName(se.kind) },
                    { "objects", se.objectCount },
                    { "localizers_skipped", se.localizers },
                    { "warnings", se.warnings } };
        json stacks = json::array();
        for (const auto& s : se.stacks) {
          stacks.push_back({ { "id", s.id },
                             { "images", s.frames.size() },
                             { "matrix", { s.columns, s.rows } },
                             { "pixel_spacing_mm", { s.pixelSpacing[1], s.pixelSpacing[0] } },
                             { "slice_spacing_mm", sliceSpacing(s) },
                             { "orientation", planeName(s) },
                             { "transfer_syntax", s.transferSyntaxName },
                             { "multi_frame", s.multiFrame },
                             { "split_reason", s.splitReason },
                             { "problem", stackGeometryProblem(s) } });
        }
        rj["stacks"] = stacks;
        series.push_back(rj);
      }
      sj["series"] = series;
      studies.push_back(sj);
    }
    pj["studies"] = studies;
    patients.push_back(pj);
  }
  j["patients"] = patients;
  if (asJson) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << input << ": " << scan.filesSeen
            << (scan.source == "DICOMDIR" ? " files listed in the DICOMDIR, " : " files, ") << scan.dicomFiles
            << " DICOM";
  if (scan.nonDicomSkipped > 0) {
    std::cout << ", " << scan.nonDicomSkipped << " not DICOM (skipped)";
  }
  if (scan.unreadableSkipped > 0) {
    std::cout << ", " << scan.unreadableSkipped << " unreadable (skipped)";
  }
  std::cout << "\n";
  for (const auto& pj : j["patients"]) {
    std::cout << pj["patient"].get<std::string>() << "\n";
    for (const auto& sj : pj["studies"]) {
      std::cout << "  study " << sj["date"].get<std::string>() << " " << sj["description"].get<std::string>()
                << "\n";
      for (const auto& rj : sj["series"]) {
        std::cout << "    series " << rj["number"].get<std::string>() << "  "
                  << rj["modality"].get<std::string>() << "  " << rj["description"].get<std::string>()
                  << "  [" << rj["kind"].get<std::string>() << ", " << rj["objects"].get<std::size_t>()
                  << " objects]\n";
        for (const auto& s : rj["stacks"]) {
          std::cout << "      " << s["id"].get<std::string>() << "\n        "
                    << s["images"].get<std::size_t>() << " images, " << s["matrix"][0] << " x "
                    << s["matrix"][1] << ", " << fixed(s["pixel_spacing_mm"][0].get<double>(), 3) << " x "
                    << fixed(s["pixel_spacing_mm"][1].get<double>(), 3) << " x "
                    << fixed(s["slice_spacing_mm"].get<double>(), 3) << " mm, "
                    << s["orientation"].get<std::string>() << ", " << s["transfer_syntax"].get<std::string>()
                    << "\n";
          if (!s["split_reason"].get<std::string>().empty()) {
            std::cout << "        split from the series: " << s["split_reason"].get<std::string>() << "\n";
          }
          if (!s["problem"].get<std::string>().empty()) {
            std::cout << "        cannot be loaded: " << s["problem"].get<std::string>() << "\n";
          }
        }
        if (rj["localizers_skipped"].get<std::size_t>() > 0) {
          std::cout << "      " << rj["localizers_skipped"].get<std::size_t>()
                    << " localizer images left out\n";
        }
        for (const auto& w : rj["warnings"]) {
          std::cout << "      warning: " << w.get<std::string>() << "\n";
        }
      }
    }
  }
  for (const auto& w : scan.warnings) {
    std::cout << "warning: " << w << "\n";
  }
  return 0;
}

int runConvert(const std::string& input, const std::string& output, const std::string& series,
               const GlobalOptions& global)
{
  std::filesystem::path out(output);
  // single-file formats only: the output is written aside and renamed into place, which a detached
  // header (.nhdr, .mhd) naming its data file would not survive
  if (!isVolumeFileName(out) || out.extension() == ".nhdr" || out.extension() == ".mhd") {
    throw Error(ErrorCode::InvalidArgument,
                "output '" + output + "' must end in .nii, .nii.gz, .nrrd or .mha (single-file formats)");
  }
  std::filesystem::path staged = temporarySibling(out);
  std::vector<std::string> warnings;
  ImageGeometry g;
  auto progress = [&](double f) { return reportProgress("loading", f, global.quiet); };
  struct RemoveOnFailure
  {
    const std::filesystem::path& path;
    bool armed = true;
    ~RemoveOnFailure()
    {
      std::error_code ignored;
      if (armed) {
        std::filesystem::remove(path, ignored);
      }
    }
  } cleanup{ staged };
  if (isVolumeFileName(input)) {
    Image<float> volume = readVolumeFile(input);
    g = volume.geometry();
    writeVolumeFile(volume, staged);
  } else {
    DicomScan scan = scanDicom(input);
    const DicomStack& stack = chooseStack(scan, input, series);
    if (const DicomSeriesInfo* se = scan.seriesOfStack(stack.id)) {
      warnings = se->warnings;
    }
    // exact 16-bit values stay 16-bit: half the memory, no conversion
    if (auto v16 = loadDicomStackInt16(stack, progress, &warnings)) {
      g = v16->geometry();
      writeVolumeFile(*v16, staged);
    } else {
      LoadedVolume v = loadDicomStack(stack, progress);
      warnings.insert(warnings.end(), v.warnings.begin(), v.warnings.end());
      g = v.volume.geometry();
      writeVolumeFile(v.volume, staged);
    }
  }
  commitStaged(staged, out);
  cleanup.armed = false;
  std::cout << "wrote " << output << ": " << g.size[0] << " x " << g.size[1] << " x " << g.size[2] << " at "
            << fixed(g.spacing[0], 3) << " x " << fixed(g.spacing[1], 3) << " x " << fixed(g.spacing[2], 3)
            << " mm\n";
  for (const auto& w : warnings) {
    std::cout << "warning: " << w << "\n";
  }
  return 0;
}

} // namespace

void addImportCommands(CLI::App& app, const GlobalOptions& global, Action& run)
{
  struct InfoArgs
  {
    std::string input;
    bool json = false;
    bool identity = false;
  };
  auto info = std::make_shared<InfoArgs>();
  CLI::App* i =
    app.add_subcommand("info", "list the patients, studies and series in a folder, file or DICOMDIR");
  i->add_option("input", info->input, "folder, DICOM file or DICOMDIR")->required();
  i->add_flag("--json", info->json, "print as JSON");
  i->add_flag("--show-identity", info->identity, "print patient names and ids (hidden by default)");
  i->callback([info, &run] { run = [info] { return runInfo(info->input, info->json, info->identity); }; });

  struct ConvertArgs
  {
    std::string input;
    std::string output;
    std::string series;
  };
  auto conv = std::make_shared<ConvertArgs>();
  CLI::App* c = app.add_subcommand("convert", "load a series and write it as NIfTI, NRRD or MetaImage");
  c->add_option("input", conv->input, "folder, DICOM file, DICOMDIR, or a volume file")->required();
  c->add_option("output", conv->output, "OUT.nii, OUT.nii.gz, OUT.nrrd or OUT.mha")->required();
  c->add_option("--series", conv->series, "series (stack) id when the input holds several (see info)");
  c->callback([conv, &global, &run] {
    run = [conv, &global] { return runConvert(conv->input, conv->output, conv->series, global); };
  });
}

} // namespace drg::cli
