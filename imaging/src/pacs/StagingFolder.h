#pragma once
// Internal: how a retrieved series enters the cache complete or not at all.

#include <filesystem>

namespace drg::imaging::pacs
{

/// Removes `p` and what it holds, ignoring errors.
void removeQuietly(const std::filesystem::path& p);

/// Removes the folder `p` when it is empty, ignoring errors.
void removeIfEmpty(const std::filesystem::path& p);

/// Staging folders ".incoming-<pid>-..." (and ".old-<pid>-...") of processes that are gone: left by a
/// crash or a kill, never complete.
void removeAbandonedStaging(const std::filesystem::path& studyFolder);

/// A series received into a folder of its own, removed unless committed.
struct StagingFolder
{
  /// Creates the folder `p`; throws drg::Error(Io) when it cannot.
  explicit StagingFolder(std::filesystem::path p);
  ~StagingFolder();
  StagingFolder(const StagingFolder&) = delete;
  StagingFolder& operator=(const StagingFolder&) = delete;

  /// Removes the folder (and forgets it).
  void discard();

  /// Moves the folder to `target`. A complete `target` already there stays (another retrieve made it
  /// meanwhile: false) unless `replace`, when it is swapped out and removed only once the new one is in.
  bool commit(const std::filesystem::path& target, bool replace);

  std::filesystem::path path;
};

} // namespace drg::imaging::pacs
