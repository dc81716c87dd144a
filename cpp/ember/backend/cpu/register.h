// The cpu device's kernel groups; register_all() installs every one (called once at start-up).
#pragma once

namespace ember::cpu {

void register_all();

void register_elementwise();  // elementwise.cpp
void register_creation();     // creation.cpp: full, arange, linspace, eye
void register_movement();     // movement.cpp: astype, as_strided, set_view, where
void register_reductions();   // reduction.cpp
void register_indexing();     // indexing.cpp: gather, scatter, nonzero, take
void register_sorting();      // sorting.cpp
void register_linalg();       // linalg.cpp
void register_random();       // random.cpp

}  // namespace ember::cpu
