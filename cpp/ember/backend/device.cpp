#include "ember/backend/device.h"

#include <algorithm>
#include <atomic>
#include <array>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "ember/backend/cpu/register.h"
#include "ember/errors.h"
#include <mutex>

namespace ember {
namespace {

using Table = std::unordered_map<std::string_view, Kernel>;

std::array<Table, 3>& tables() {
  static std::array<Table, 3> t;
  return t;
}
std::array<Kernel, 3> g_fallback{};
std::array<bool (*)(const Node&), 3> g_can_fuse{};
std::array<FusedRunner, 3> g_fused{};
std::array<bool (*)(const Node&), 3> g_can_fuse_reduction{};

void same_device(Node& node) { node.data = node.inputs[0]->data; }

void register_builtin_kernels() {
  static std::once_flag registered;
  std::call_once(registered, [] {
    cpu::register_all();
    register_kernel(DeviceType::CPU, "to_device", same_device);
  });
}

}  // namespace

std::vector<std::string> kernel_names(DeviceType device) {
  register_builtin_kernels();
  std::vector<std::string> names;
  for (auto& [op, kernel] : tables()[static_cast<int>(device)]) names.emplace_back(op);
  std::sort(names.begin(), names.end());
  return names;
}

std::string_view device_name(DeviceType d) {
  switch (d) {
    case DeviceType::CPU: return "cpu";
    case DeviceType::CUDA: return "cuda";
    case DeviceType::PIM: return "pim";
  }
  return "?";
}

void register_kernel(DeviceType device, std::string_view op, Kernel kernel) {
  tables()[static_cast<int>(device)][op] = kernel;
}

void register_fused(DeviceType device, bool (*can_fuse)(const Node&), FusedRunner run) {
  g_can_fuse[static_cast<int>(device)] = can_fuse;
  g_fused[static_cast<int>(device)] = run;
}

bool device_can_fuse(const Node& node) {
  auto f = g_can_fuse[static_cast<int>(node.device)];
  return node.device != DeviceType::CPU && f && f(node);
}

void register_fused_reduction(DeviceType device, bool (*can_fuse)(const Node&)) {
  g_can_fuse_reduction[static_cast<int>(device)] = can_fuse;
}

bool device_can_fuse_reduction(const Node& node) {
  auto f = g_can_fuse_reduction[static_cast<int>(node.device)];
  return node.device != DeviceType::CPU && f && f(node);
}

void run_fused_on(DeviceType device, const KernelDesc& kernel) {
  auto f = g_fused[static_cast<int>(device)];
  if (!f) throw std::logic_error("device " + std::string(device_name(device)) + " runs no fused kernels");
  f(kernel);
}

std::atomic<FusedObserver> g_fused_observer{nullptr};
void set_fused_observer(FusedObserver observer) { g_fused_observer.store(observer); }
FusedObserver fused_observer() { return g_fused_observer.load(std::memory_order_relaxed); }

void register_fallback(DeviceType device, Kernel kernel) { g_fallback[static_cast<int>(device)] = kernel; }

Kernel find_kernel(DeviceType device, std::string_view op) {
  auto& table = tables()[static_cast<int>(device)];
  auto it = table.find(op);
  return it == table.end() ? nullptr : it->second;
}

void run_node(Node& node) {
  register_builtin_kernels();
  DeviceType device = node.device;
  if (node.op == "to_device") {  // params.ints[0]: the target; the device side does the transfer
    DeviceType source = node.inputs.at(0)->device;
    device = source != DeviceType::CPU ? source : static_cast<DeviceType>(node.params.ints.at(0));
  }
  auto& table = tables()[static_cast<int>(device)];
  auto it = table.find(node.op);
  if (it == table.end() && g_fallback[static_cast<int>(device)]) return g_fallback[static_cast<int>(device)](node);
  if (it == table.end())
    throw NotImplementedError("'" + std::string(node.op) + "' is not implemented on device " +
                              std::string(device_name(device)));
  it->second(node);
}

}  // namespace ember
