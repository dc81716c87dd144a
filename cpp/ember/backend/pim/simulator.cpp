#include "simulator.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ember::pim {

namespace {
[[noreturn]] void bad(const std::string& s) { throw std::invalid_argument("pim micro-op: " + s); }
}  // namespace

Simulator::Simulator(const Geometry& g) : mem_(g) {
  const Geometry& ge = mem_.geometry();
  xmask_ = {0, ge.crossbars - 1, 1};
  rmask_ = {0, ge.rows - 1, 1};
  row_bits_.assign(ge.row_words(), 0);
  for (uint32_t r = 0; r < ge.rows; ++r) row_bits_[r >> 6] |= uint64_t(1) << (r & 63);
}

void Simulator::set_mask(RangeMask& m, const MicroOp& op, uint32_t limit, const char* what) {
  uint32_t start = op.a, stop = op.b, step = op.c;
  if (start == stop) step = 1;
  if (start > stop || step == 0 || (stop - start) % step != 0 || stop >= limit)
    bad(std::string("invalid ") + what + " mask [" + std::to_string(start) + ", " +
        std::to_string(stop) + "] step " + std::to_string(step));
  m = {start, stop, step};
}

void Simulator::validate(const MicroOp& op) const {
  const Geometry& g = geometry();
  const uint32_t R = g.regs(), P = g.partitions;
  switch (op.code) {
    case OpCode::LogicH: {
      if (op.out >= R || op.in_a >= R || op.in_b >= R) bad("register out of range");
      if (op.p_step == 0 || op.p_out > op.p_end || op.p_end >= P ||
          (op.p_end - op.p_out) % op.p_step != 0)
        bad("invalid partition pattern");
      const uint32_t span = op.p_end - op.p_out;
      if (op.gate == Gate::Not || op.gate == Gate::Nor)
        if (op.p_a + span >= P) bad("input A partitions out of range");
      if (op.gate == Gate::Nor) {
        if (op.p_b + span >= P) bad("input B partitions out of range");
        if (op.p_a > op.p_b) bad("NOR requires pA <= pB");
      }
      break;
    }
    case OpCode::LogicV:
      if (op.reg >= R || op.a >= g.rows || op.b >= g.rows) bad("vertical operand out of range");
      if (op.gate == Gate::Nor) bad("vertical logic supports INIT0, INIT1 and NOT only");
      break;
    case OpCode::Read:
    case OpCode::Write:
      if (op.reg >= R) bad("register out of range");
      if (P < 64 && (op.data >> P) != 0) bad("write data wider than the partitions");
      break;
    case OpCode::Move:
      if (op.reg >= R || op.reg2 >= R || op.a >= g.rows || op.b >= g.rows)
        bad("move operand out of range");
      break;
    default: break;
  }
}

std::vector<uint64_t> Simulator::run(const std::vector<MicroOp>& ops) {
  std::vector<uint64_t> reads;
  for (const auto& op : ops)
    if (auto v = execute(op)) reads.push_back(*v);
  flush();
  return reads;
}

std::optional<uint64_t> Simulator::execute(const MicroOp& op) {
  validate(op);
  const Geometry& g = geometry();
  const int64_t X = xmask_.count(), R = rmask_.count(), P = g.partitions;
  Cost& c = metrics_[op.kind()];
  c.latency += 1;
  if (op.code == OpCode::LogicH || op.code == OpCode::LogicV) {
    c.energy += op_energy(op, X, R, P);
    if (dry_run) return std::nullopt;
    pending_.push_back(op);
    if (pending_.size() >= 4096) flush();
    return std::nullopt;
  }
  flush();
  switch (op.code) {
    case OpCode::MaskCrossbars:
      set_mask(xmask_, op, g.crossbars, "crossbar");
      break;
    case OpCode::MaskRows:
      set_mask(rmask_, op, g.rows, "row");
      std::fill(row_bits_.begin(), row_bits_.end(), 0);
      for (uint32_t r = rmask_.start; r <= rmask_.stop; r += rmask_.step)
        row_bits_[r >> 6] |= uint64_t(1) << (r & 63);
      rows_full_ = rmask_.count() == g.rows;
      break;
    case OpCode::Read:
      if (X != 1 || R != 1) bad("read requires exactly one crossbar and one row selected");
      c.energy += op_energy(op, X, R, P);
      if (dry_run) return uint64_t(0);
      return mem_.read_word(xmask_.start, rmask_.start, op.reg);
    case OpCode::Write: {
      c.energy += op_energy(op, X, R, P);
      if (dry_run) break;
      mem_.ensure(xmask_.start, xmask_.stop);
      for (uint32_t xb = xmask_.start; xb <= xmask_.stop; xb += xmask_.step)
        for (uint32_t p = 0; p < g.partitions; ++p) {
          uint64_t* col = mem_.column(xb, op.reg, p);
          const bool one = (op.data >> p) & 1;
          for (uint32_t w = 0; w < g.row_words(); ++w)
            col[w] = one ? (col[w] | row_bits_[w]) : (col[w] & ~row_bits_[w]);
        }
      break;
    }
    case OpCode::Move: {
      c.energy += op_energy(op, X, R, P);
      const int64_t d = op.dst_xb - int64_t(xmask_.start);
      if (int64_t(xmask_.start) + d < 0 || int64_t(xmask_.stop) + d >= int64_t(g.crossbars))
        bad("move destination crossbar out of range");
      if (dry_run) break;
      std::vector<uint64_t> words;
      words.reserve(X);
      for (uint32_t xb = xmask_.start; xb <= xmask_.stop; xb += xmask_.step)
        words.push_back(mem_.read_word(xb, op.a, op.reg));
      size_t i = 0;
      for (uint32_t xb = xmask_.start; xb <= xmask_.stop; xb += xmask_.step)
        mem_.write_word(uint32_t(xb + d), op.b, op.reg2, words[i++]);
      break;
    }
    default: break;
  }
  return std::nullopt;
}

void Simulator::flush() {
  if (pending_.empty()) return;
  run_logic_batch();
  pending_.clear();
}

void Simulator::run_logic_batch() {
  const uint32_t X = xmask_.count();
  mem_.ensure(xmask_.start, xmask_.stop);
  auto body = [&](uint32_t i) {
    const uint32_t xb = xmask_.start + i * xmask_.step;
    for (const auto& op : pending_) {
      if (op.code == OpCode::LogicH)
        exec_h(xb, op);
      else
        exec_v(xb, op);
    }
  };
  if (X == 1) {
    body(0);
    return;
  }
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, X), [&](const tbb::blocked_range<uint32_t>& r) {
    for (uint32_t i = r.begin(); i != r.end(); ++i) body(i);
  });
}

void Simulator::exec_h(uint32_t xb, const MicroOp& op) {
  const uint32_t W = geometry().row_words();
  const uint64_t* m = row_bits_.data();
  const uint32_t G = (op.p_end - op.p_out) / op.p_step + 1;
  if (op.gate == Gate::Init0 || op.gate == Gate::Init1) {
    for (uint32_t k = 0; k < G; ++k) {
      uint64_t* o = mem_.column(xb, op.out, op.p_out + k * op.p_step);
      if (op.gate == Gate::Init1)
        for (uint32_t w = 0; w < W; ++w) o[w] |= m[w];
      else
        for (uint32_t w = 0; w < W; ++w) o[w] &= ~m[w];
    }
    return;
  }
  // Reads happen before writes: if an input register is the output register at a different
  // partition offset, snapshot the inputs first.
  const bool nor = op.gate == Gate::Nor;
  const bool alias = (op.in_a == op.out && op.p_a != op.p_out) ||
                     (nor && op.in_b == op.out && op.p_b != op.p_out);
  thread_local std::vector<uint64_t> snap;
  if (alias) snap.resize(size_t(2) * G * W);
  auto in_col = [&](uint32_t reg, uint32_t p0, uint32_t k, uint32_t slot) -> const uint64_t* {
    const uint64_t* c = mem_.column(xb, reg, p0 + k * op.p_step);
    if (!alias) return c;
    uint64_t* s = snap.data() + (size_t(slot) * G + k) * W;
    std::copy(c, c + W, s);
    return s;
  };
  if (alias) {
    for (uint32_t k = 0; k < G; ++k) {
      in_col(op.in_a, op.p_a, k, 0);
      if (nor) in_col(op.in_b, op.p_b, k, 1);
    }
  }
  for (uint32_t k = 0; k < G; ++k) {
    uint64_t* o = mem_.column(xb, op.out, op.p_out + k * op.p_step);
    const uint64_t* a = alias ? snap.data() + size_t(k) * W
                              : mem_.column(xb, op.in_a, op.p_a + k * op.p_step);
    if (nor) {
      const uint64_t* b = alias ? snap.data() + (size_t(G) + k) * W
                                : mem_.column(xb, op.in_b, op.p_b + k * op.p_step);
      if (rows_full_)
        for (uint32_t w = 0; w < W; ++w) o[w] &= ~(a[w] | b[w]);
      else
        for (uint32_t w = 0; w < W; ++w) o[w] &= ~((a[w] | b[w]) & m[w]);
    } else {
      if (rows_full_)
        for (uint32_t w = 0; w < W; ++w) o[w] &= ~a[w];
      else
        for (uint32_t w = 0; w < W; ++w) o[w] &= ~(a[w] & m[w]);
    }
  }
}

void Simulator::exec_v(uint32_t xb, const MicroOp& op) {
  const uint32_t in = op.a, out = op.b;
  for (uint32_t p = 0; p < geometry().partitions; ++p) {
    uint64_t* col = mem_.column(xb, op.reg, p);
    const uint64_t obit = uint64_t(1) << (out & 63);
    const bool ibit = (col[in >> 6] >> (in & 63)) & 1;
    if (op.gate == Gate::Init0 || (op.gate == Gate::Not && ibit))
      col[out >> 6] &= ~obit;
    else if (op.gate == Gate::Init1)
      col[out >> 6] |= obit;
  }
}

uint64_t Simulator::peek(uint32_t xb, uint32_t row, uint32_t reg) {
  flush();
  return mem_.read_word(xb, row, reg);
}

void Simulator::poke(uint32_t xb, uint32_t row, uint32_t reg, uint64_t word) {
  flush();
  mem_.write_word(xb, row, reg, word);
}

}  // namespace ember::pim
