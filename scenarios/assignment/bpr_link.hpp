// scenarios/assignment/bpr_link.hpp
#pragma once

#include <cmath>

namespace citytwin::scenarios::assignment {

/// Weights that turn tolls and lengths into cost units (TNTP READMEs give
/// them; Chicago Sketch uses 0.02 min/cent and 0.04 min/mile).
struct cost_weights {
  double toll_factor = 0;
  double distance_factor = 0;
};

/// The cost function of one link: BPR travel time plus a flow-independent
/// generalised part, `c(x) = fft (1 + b (x/cap)^p) + fixed`.
///
/// Integer powers (4 in every TNTP network) are evaluated by multiplication:
/// it is several times faster than `std::pow` and exactly reproducible.
struct bpr_link {
  double free_flow_time = 0;
  double b = 0;
  double power = 0;
  double capacity = 1;
  /// toll_factor * toll + distance_factor * length.
  double fixed = 0;
  /// `power` if it is an integer in 0..8, otherwise -1 (use std::pow).
  int integer_power = -1;
  /// A closed link costs `closed_cost` whatever its flow (see below).
  bool closed = false;

  /// Cost of a closed link: far above any real path cost, yet finite so that
  /// sums and products with zero flow stay well defined. A Newton step
  /// against it is clamped to the whole segment flow, so a closure empties
  /// the link in one pass instead of the ~50 a tiny BPR capacity needs.
  static constexpr double closed_cost = 1e15;

  /// Sets `power` and its fast-path exponent together.
  void set_power(double p) {
    power = p;
    integer_power = (p >= 0 && p <= 8 && std::floor(p) == p)
                      ? static_cast<int>(p)
                      : -1;
  }

  /// (x/cap)^k for k = power (use_power_minus_one = false) or power - 1.
  double ratio_power(double ratio, bool use_power_minus_one) const {
    if (integer_power < 0)
      return std::pow(ratio, use_power_minus_one ? power - 1 : power);
    int k = integer_power - (use_power_minus_one ? 1 : 0);
    double result = 1;
    for (int i = 0; i < k; ++i)
      result *= ratio;
    return result;
  }

  /// Generalised cost at flow x.
  double cost(double x) const {
    if (closed)
      return closed_cost;
    if (x <= 0 || b == 0)
      return free_flow_time + fixed;
    return free_flow_time * (1 + b * ratio_power(x / capacity, false)) + fixed;
  }

  /// dc/dx at flow x (the Newton step's curvature).
  double derivative(double x) const {
    if (closed || b == 0 || power == 0)
      return 0;
    if (x <= 0)
      return power == 1 ? free_flow_time * b / capacity : 0;
    return free_flow_time * b * power * ratio_power(x / capacity, true)
           / capacity;
  }

  /// Integral of c from 0 to x (the link's Beckmann term, with the fixed
  /// part counted linearly, as in the TNTP reference objective).
  double integral(double x) const {
    if (x <= 0)
      return 0;
    if (closed)
      return x * closed_cost;
    double congestion = b == 0 ? 0
                               : b * ratio_power(x / capacity, false)
                                   / (power + 1);
    return x * (free_flow_time * (1 + congestion) + fixed);
  }
};

} // namespace citytwin::scenarios::assignment
