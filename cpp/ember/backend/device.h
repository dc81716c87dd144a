// The device contract: each device keeps a table of kernels keyed by primitive name.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "ember/graph/node.h"

namespace ember {

struct KernelDesc;

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

// Fused elementwise Kernels on a non-cpu device: `can_fuse` says which of its nodes may join one,
// `run` computes a fused KernelDesc whose nodes all live on that device.
using FusedRunner = void (*)(const KernelDesc& kernel);
void register_fused(DeviceType device, bool (*can_fuse)(const Node&), FusedRunner run);
// Whether a node on a non-cpu device may join a fused Kernel (false if its device fuses nothing).
bool device_can_fuse(const Node& node);
// A device whose fused runner also takes a trailing reduction says which reductions it can end in.
void register_fused_reduction(DeviceType device, bool (*can_fuse)(const Node&));
bool device_can_fuse_reduction(const Node& node);
// Runs a fused Kernel on `device` (its registered runner).
void run_fused_on(DeviceType device, const KernelDesc& kernel);

// Sees each fused Kernel before the cpu runs it (the cuda device's NVRTC check, EMBER_NVRTC_CHECK=1,
// installs one; it may throw to fail the run). Null: none.
using FusedObserver = void (*)(const KernelDesc& kernel);
void set_fused_observer(FusedObserver observer);
FusedObserver fused_observer();

}  // namespace ember
