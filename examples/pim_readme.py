"""PyPIM's README program on ember's pim device: z = a * (1 + b) over 2^20 float32 elements, then
z[::2].sum() -> 32.0, with its cost next to PyPIM's (derived from pim.md's published per-op costs).

    PYTHONPATH=python python examples/pim_readme.py
"""
import ember as em
import ember.pim

N = 2 ** 20

em.pim.reset_metrics()
with em.pim.profile() as prof:
    a = em.full(N, 2.0 ** -15, dtype=em.float32, device="pim")  # one WRITE micro-op each
    b = em.ones(N, dtype=em.float32, device="pim")
    z = a * (1 + b)              # one fused stream; 1.0 is an immediate baked into the add
    result = z[::2].sum().item()  # the view is gathered with MOVEs, then a tree reduction
print("z[::2].sum() =", result)
assert result == 32.0
prof.print()

# PyPIM's cost for the same program, from pim.md: scalar temporary (writeMulti, 1 rw) + float add
# (1,367 logic) + float mul (1,582 logic); sum over 2^19 elements in 1,024 crossbars of 512 rows:
# 19 levels x (1,367 add + 4 copy) + 4 = 26,053 logic, 511 + 10 = 521 moves; 2 mask per macro and
# ~1 per reduction level; writeMulti for a and b; one host read for the result.
pypim_logic = 1367 + 1582 + 19 * (1367 + 4) + 4
pypim_move = 511 + 10
pypim_rw = 2 + 1 + 1
pypim_mask = 2 + 2 + 2 + 2 + 19 + 10
pypim_total = pypim_logic + pypim_move + pypim_rw + pypim_mask
ours = prof.totals
print()
print(f"{'':<10}{'ember pim':>12}{'PyPIM (derived)':>18}")
for k, v in (("logic", pypim_logic), ("move", pypim_move), ("rw", pypim_rw), ("mask", pypim_mask)):
    print(f"{k:<10}{ours[k][0]:>12,}{v:>18,}")
print(f"{'transfer':<10}{ours['transfer'][0]:>12,}{0:>18,}")
print(f"{'total':<10}{ours['total'][0]:>12,}{pypim_total:>18,}")
