#include "ember/backend/device.h"

#include <array>
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

}  // namespace

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

void run_node(Node& node) {
  static std::once_flag registered;
  std::call_once(registered, cpu::register_all);
  auto& table = tables()[static_cast<int>(node.device)];
  auto it = table.find(node.op);
  if (it == table.end())
    throw NotImplementedError("'" + std::string(node.op) + "' is not implemented on device " +
                              std::string(device_name(node.device)));
  it->second(node);
}

}  // namespace ember
