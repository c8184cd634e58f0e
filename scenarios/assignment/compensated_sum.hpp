// scenarios/assignment/compensated_sum.hpp
#pragma once

#include <cmath>

namespace citytwin::scenarios::assignment {

/// Neumaier's compensated sum: gaps of 1e-12 need sums of ~1e4 terms that
/// are accurate to well below 1e-12 relative.
class compensated_sum {
public:
  void add(double x) {
    double t = sum_ + x;
    if (std::abs(sum_) >= std::abs(x))
      correction_ += (sum_ - t) + x;
    else
      correction_ += (x - t) + sum_;
    sum_ = t;
  }

  double value() const {
    return sum_ + correction_;
  }

private:
  double sum_ = 0;
  double correction_ = 0;
};

} // namespace citytwin::scenarios::assignment
