#include "ParallelFor.h"

#include "drg/imaging/Error.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace drg::imaging
{

void parallelFor(std::size_t n, const std::function<void(std::size_t)>& body,
                 const ProgressCallback& progress, const std::string& cancelMessage, unsigned maxThreads)
{
  std::atomic<std::size_t> next{ 0 };
  std::atomic<std::size_t> done{ 0 };
  std::atomic<bool> stop{ false };
  bool cancelled = false;
  std::mutex errorMutex;
  std::exception_ptr error;
  auto worker = [&](bool caller) {
    while (!stop.load()) {
      std::size_t i = next.fetch_add(1);
      if (i >= n) {
        return;
      }
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!error) {
          error = std::current_exception();
        }
        stop = true;
        return;
      }
      std::size_t k = done.fetch_add(1) + 1;
      if (caller && progress && !progress(static_cast<double>(k) / static_cast<double>(n))) {
        cancelled = true;
        stop = true;
      }
    }
  };
  unsigned threads = maxThreads > 0 ? maxThreads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(n, 1))));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(worker, false);
  }
  worker(true);
  for (auto& t : pool) {
    t.join();
  }
  if (error) {
    std::rethrow_exception(error);
  }
  if (cancelled) {
    throw Error(ErrorCode::Cancelled, cancelMessage);
  }
}

} // namespace drg::imaging
