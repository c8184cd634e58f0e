// scenarios/assignment/loaded_links.cpp
#include "scenarios/assignment/loaded_links.hpp"

namespace citytwin::scenarios::assignment {

loaded_links::loaded_links(const network& net, cost_weights weights) {
  bpr_.reserve(net.links().size());
  for (const auto& l : net.links()) {
    bpr_link f;
    f.free_flow_time = l.free_flow_time;
    f.b = l.b;
    f.set_power(l.power);
    f.capacity = l.capacity;
    f.fixed = weights.toll_factor * l.toll + weights.distance_factor * l.length;
    bpr_.push_back(f);
  }
  flow_.assign(bpr_.size(), 0.0);
  cost_.resize(bpr_.size());
  derivative_.resize(bpr_.size());
  set_flows(flow_);
}

void loaded_links::set_flows(std::span<const double> flows) {
  for (std::size_t i = 0; i < bpr_.size(); ++i) {
    flow_[i] = flows[i];
    cost_[i] = bpr_[i].cost(flow_[i]);
    derivative_[i] = bpr_[i].derivative(flow_[i]);
  }
}

void loaded_links::set_capacity(link_id id, double capacity) {
  auto i = static_cast<std::size_t>(id);
  bpr_[i].capacity = capacity;
  cost_[i] = bpr_[i].cost(flow_[i]);
  derivative_[i] = bpr_[i].derivative(flow_[i]);
}

void loaded_links::set_closed(link_id id, bool closed) {
  auto i = static_cast<std::size_t>(id);
  bpr_[i].closed = closed;
  cost_[i] = bpr_[i].cost(flow_[i]);
  derivative_[i] = bpr_[i].derivative(flow_[i]);
}

double loaded_links::beckmann() const {
  compensated_sum sum;
  for (std::size_t i = 0; i < bpr_.size(); ++i)
    sum.add(bpr_[i].integral(flow_[i]));
  return sum.value();
}

double loaded_links::total_cost() const {
  compensated_sum sum;
  for (std::size_t i = 0; i < bpr_.size(); ++i)
    sum.add(flow_[i] * cost_[i]);
  return sum.value();
}

double loaded_links::total_time() const {
  compensated_sum sum;
  for (std::size_t i = 0; i < bpr_.size(); ++i)
    sum.add(flow_[i] * (cost_[i] - bpr_[i].fixed));
  return sum.value();
}

} // namespace citytwin::scenarios::assignment
