#include "ember/backend/cuda/dynlib.h"

#include <gtest/gtest.h>

namespace ember::cuda {
namespace {

TEST(DynLib, OpensALibraryAndFindsItsSymbols) {
  DynLib libc({"libc.so.6"});
  ASSERT_TRUE(libc.ok()) << libc.error();
  EXPECT_EQ(libc.name(), "libc.so.6");
  EXPECT_NE(libc.get<void* (*)(size_t)>("malloc"), nullptr);
  EXPECT_EQ(libc.get<void (*)()>("no_such_symbol_in_libc"), nullptr);
}

TEST(DynLib, ReportsEveryNameThatFailed) {
  DynLib none({"libember_missing_a.so", "libember_missing_b.so"});
  EXPECT_FALSE(none.ok());
  EXPECT_NE(none.error().find("libember_missing_a.so"), std::string::npos);
  EXPECT_NE(none.error().find("libember_missing_b.so"), std::string::npos);
  EXPECT_EQ(none.get<void (*)()>("anything"), nullptr);
}

}  // namespace
}  // namespace ember::cuda
