#include "ember/runtime/scheduler.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace ember::runtime {
namespace {

struct Dispatcher {
  std::mutex mu;
  std::condition_variable work, idle;
  std::deque<std::function<void()>> queue;
  bool busy = false;
  bool started = false;

  void start() {
    if (started) return;  // one worker: jobs run in submission order
    started = true;
    std::thread([this] {
      for (;;) {
        std::function<void()> job;
        {
          std::unique_lock<std::mutex> lock(mu);
          work.wait(lock, [&] { return !queue.empty(); });
          job = std::move(queue.front());
          queue.pop_front();
          busy = true;
        }
        job();  // jobs catch their own errors
        job = nullptr;
        {
          std::lock_guard<std::mutex> lock(mu);
          busy = false;
        }
        idle.notify_all();
      }
    }).detach();  // lives as long as the process; never joined at exit
  }
};

Dispatcher& dispatcher() {
  static Dispatcher* d = new Dispatcher;  // never destroyed: the worker may outlive static teardown
  return *d;
}

}  // namespace

void submit(std::function<void()> job) {
  Dispatcher& d = dispatcher();
  {
    std::lock_guard<std::mutex> lock(d.mu);
    d.start();
    d.queue.push_back(std::move(job));
  }
  d.work.notify_one();
}

void wait_all() {
  Dispatcher& d = dispatcher();
  std::unique_lock<std::mutex> lock(d.mu);
  d.idle.wait(lock, [&] { return d.queue.empty() && !d.busy; });
}

}  // namespace ember::runtime
