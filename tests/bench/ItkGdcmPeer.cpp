// The ITK peer for the import benchmark: ImageSeriesReader + GDCMImageIO, as ITK-based tools load a
// DICOM series. Its own translation unit: ITK's templates are slow to compile.
#include "ItkGdcmPeer.h"

#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkImageSeriesReader.h>

std::size_t loadWithItkGdcm(const std::string& folder)
{
  using ImageType = itk::Image<float, 3>;
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetUseSeriesDetails(true);
  names->SetDirectory(folder);
  const auto& uids = names->GetSeriesUIDs();
  if (uids.empty()) {
    return 0;
  }
  auto reader = itk::ImageSeriesReader<ImageType>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(names->GetFileNames(uids.front()));
  reader->Update();
  return reader->GetOutput()->GetLargestPossibleRegion().GetNumberOfPixels();
}
