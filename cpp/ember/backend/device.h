// The device contract: each device keeps a table of kernels keyed by primitive name.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "ember/graph/node.h"

namespace ember {

// A kernel reads node.inputs (all evaluated) and node.params, and fills node.data.
using Kernel = void (*)(Node& node);

void register_kernel(DeviceType device, std::string_view op, Kernel kernel);
// Runs nodes whose op has no kernel on `device` (e.g. pim's opt-in fallback to the cpu).
void register_fallback(DeviceType device, Kernel kernel);
// The kernel of `op` on `device`, or nullptr.
Kernel find_kernel(DeviceType device, std::string_view op);
// Runs the node's kernel on its device (a "to_device" transfer runs on its non-cpu side); NotImplementedError names the op and the device if none.
void run_node(Node& node);
std::string_view device_name(DeviceType d);
// The primitives `device` has kernels for, sorted (coverage tables, exporters' checks).
std::vector<std::string> kernel_names(DeviceType device);

}  // namespace ember
