// The op surface: every array operation ember offers. Ops validate arguments, promote dtypes,
// broadcast and build graph nodes; they compute nothing (devices do).
#pragma once
#include "ember/ops/creation.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/indexing.h"
#include "ember/ops/linalg.h"
#include "ember/ops/manipulation.h"
#include "ember/ops/random.h"
#include "ember/ops/reduction.h"
#include "ember/ops/sorting.h"
