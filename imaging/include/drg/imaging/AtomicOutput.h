#pragma once

#include <filesystem>
#include <string_view>

namespace drg::imaging
{

/// Writes `bytes` to `path` through a temporary file in the same folder (fsync'ed) and a rename
/// (the folder fsync'ed too), so that a reader never sees a half-written file, even after a crash. Throws
/// drg::Error(Io) with the path on failure.
void writeFileAtomically(const std::filesystem::path& path, std::string_view bytes);

/// Temporary sibling path for `path` (same folder, hidden, unique to this process), keeping the
/// extension chain (".nii.gz") so that writers that choose the format by name still work.
std::filesystem::path temporarySibling(const std::filesystem::path& path);

/// Moves a completely written file or folder `staged` to `target`, replacing what was there.
void commitStaged(const std::filesystem::path& staged, const std::filesystem::path& target);

} // namespace drg::imaging
