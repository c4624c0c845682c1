#pragma once
// Internal: what the PACS client proposes in its associations (transfer syntaxes, storage classes).

#include <dcmtk/config/osconfig.h>
#include <dcmtk/ofstd/oflist.h>
#include <dcmtk/ofstd/ofstring.h>

#include <vector>

namespace drg::imaging::pacs
{

/// Transfer syntaxes we can decode, explicit little endian first.
OFList<OFString> decodableSyntaxes();

/// Explicit and implicit little endian: for the query/retrieve and verification services.
OFList<OFString> plainSyntaxes();

/// The storage classes a spine study holds (images, and the objects drgplan writes).
const std::vector<const char*>& storageClasses();

} // namespace drg::imaging::pacs
