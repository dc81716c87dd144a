// Asynchronous dispatch: a FIFO of jobs run one after another on a background thread, so the
// caller (Python) gets control back while earlier work executes. Kernels inside a job still spread
// over the thread pool. FIFO order is what makes a later job safe to read an earlier job's results.
#pragma once
#include <functional>

namespace ember::runtime {

void submit(std::function<void()> job);
// Waits until every submitted job has finished.
void wait_all();

}  // namespace ember::runtime
