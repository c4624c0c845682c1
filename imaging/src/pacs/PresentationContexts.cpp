// What the PACS client proposes in its associations.
#include "pacs/PresentationContexts.h"

#include <dcmtk/dcmdata/dcuid.h>

namespace drg::imaging::pacs
{

OFList<OFString> decodableSyntaxes()
{
  OFList<OFString> ts;
  for (const char* uid :
       { UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
         UID_DeflatedExplicitVRLittleEndianTransferSyntax, UID_BigEndianExplicitTransferSyntax,
         UID_JPEGProcess14SV1TransferSyntax, UID_JPEGProcess1TransferSyntax, UID_JPEGProcess2_4TransferSyntax,
         UID_JPEGLSLosslessTransferSyntax, UID_JPEGLSLossyTransferSyntax,
         UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax,
         UID_RLELosslessTransferSyntax }) {
    ts.push_back(uid);
  }
  return ts;
}

OFList<OFString> plainSyntaxes()
{
  OFList<OFString> ts;
  ts.push_back(UID_LittleEndianExplicitTransferSyntax);
  ts.push_back(UID_LittleEndianImplicitTransferSyntax);
  return ts;
}

const std::vector<const char*>& storageClasses()
{
  static const std::vector<const char*> classes = {
    UID_CTImageStorage,
    UID_EnhancedCTImageStorage,
    UID_MRImageStorage,
    UID_EnhancedMRImageStorage,
    UID_SecondaryCaptureImageStorage,
    UID_MultiframeGrayscaleWordSecondaryCaptureImageStorage,
    UID_ComputedRadiographyImageStorage,
    UID_DigitalXRayImageStorageForPresentation,
    UID_XRayAngiographicImageStorage,
    UID_XRayRadiofluoroscopicImageStorage,
    UID_PositronEmissionTomographyImageStorage,
    UID_SegmentationStorage,
    UID_Comprehensive3DSRStorage,
    UID_ComprehensiveSRStorage,
    UID_EnhancedSRStorage,
    UID_BasicTextSRStorage,
    UID_EncapsulatedPDFStorage,
    UID_GrayscaleSoftcopyPresentationStateStorage,
    UID_KeyObjectSelectionDocumentStorage,
    UID_RTStructureSetStorage,
  };
  return classes;
}

} // namespace drg::imaging::pacs
