// scenarios/assignment/bush.cpp
#include "scenarios/assignment/bush.hpp"

#include "scenarios/assignment/assignment_defaults.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace citytwin::scenarios::assignment {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

} // namespace

bush_workspace::bush_workspace(const network& net) {
  auto nodes = static_cast<std::size_t>(net.num_nodes());
  auto links = static_cast<std::size_t>(net.num_links());
  min_label.resize(nodes);
  max_label.resize(nodes);
  min_approach.resize(nodes);
  max_approach.resize(nodes);
  node_flow.resize(nodes);
  position.assign(nodes, -1);
  indegree.assign(nodes, 0);
  marked.assign(links, 0);
  link_flow.assign(links, 0.0);
  queue.reserve(nodes);
}

bush bush::load_initial(const network& net, node_id origin,
                        std::span<const od_entry> demand, loaded_links& links,
                        shortest_path_tree& tree, bush_workspace& ws) {
  tree.run(net, links.cost(), origin);
  bush result;
  result.origin_ = origin;
  result.demand_.assign(demand.begin(), demand.end());
  auto settled = tree.settled();
  auto pred = tree.pred_link();
  // The settle order of Dijkstra is a topological order of its tree.
  result.order_.assign(settled.begin(), settled.end());
  auto n = result.order_.size();
  for (std::size_t k = 0; k < n; ++k)
    ws.position[static_cast<std::size_t>(result.order_[k])]
      = static_cast<std::int32_t>(k);
  result.first_.assign(n + 1, 0);
  for (std::size_t k = 1; k < n; ++k) {
    auto l = pred[static_cast<std::size_t>(result.order_[k])];
    result.in_link_.push_back(l);
    result.in_tail_.push_back(
      ws.position[static_cast<std::size_t>(net.at(l).from)]);
    result.first_[k + 1] = static_cast<std::int32_t>(k);
  }
  result.in_flow_.assign(result.in_link_.size(), 0.0);
  std::fill_n(ws.node_flow.begin(), n, 0.0);
  for (const auto& entry : demand) {
    auto k = ws.position[static_cast<std::size_t>(entry.destination)];
    assert(k > 0); // Reachability is checked when the solver is created.
    result.demand_position_.push_back(k);
    ws.node_flow[static_cast<std::size_t>(k)] += entry.flow;
  }
  // Push each node's flow back onto its single approach, downstream first.
  for (auto k = n; k-- > 1;) {
    auto a = static_cast<std::size_t>(result.first_[k]);
    double flow = ws.node_flow[k];
    result.in_flow_[a] = flow;
    ws.node_flow[static_cast<std::size_t>(result.in_tail_[a])] += flow;
    if (flow > 0)
      links.shift(result.in_link_[a], flow);
  }
  for (auto node : result.order_)
    ws.position[static_cast<std::size_t>(node)] = -1;
  return result;
}

void bush::scan(std::span<const double> cost, bush_workspace& ws) const {
  auto n = order_.size();
  ws.min_label[0] = 0;
  ws.max_label[0] = 0;
  ws.min_approach[0] = -1;
  ws.max_approach[0] = -1;
  for (std::size_t k = 1; k < n; ++k) {
    double best_min = infinity;
    double best_max = -infinity;
    std::int32_t min_a = -1;
    std::int32_t max_a = -1;
    for (auto a = first_[k]; a < first_[k + 1]; ++a) {
      auto ai = static_cast<std::size_t>(a);
      auto tail = static_cast<std::size_t>(in_tail_[ai]);
      double c = cost[static_cast<std::size_t>(in_link_[ai])];
      double via_min = ws.min_label[tail] + c;
      if (via_min < best_min) {
        best_min = via_min;
        min_a = a;
      }
      double via_max = ws.max_label[tail] + c;
      if (in_flow_[ai] > 0 && via_max > best_max) {
        best_max = via_max;
        max_a = a;
      }
    }
    ws.min_label[k] = best_min;
    ws.min_approach[k] = min_a;
    ws.max_label[k] = best_max;
    ws.max_approach[k] = max_a;
  }
}

std::int32_t bush::update_topology(const network& net,
                                   const loaded_links& links,
                                   bush_workspace& ws) {
  auto cost = links.cost();
  scan(cost, ws);
  auto n = order_.size();
  // Keep used links and the shortest-path tree; remember their flows.
  for (std::size_t k = 1; k < n; ++k)
    for (auto a = first_[k]; a < first_[k + 1]; ++a) {
      auto ai = static_cast<std::size_t>(a);
      if (in_flow_[ai] > 0 || a == ws.min_approach[k]) {
        auto l = static_cast<std::size_t>(in_link_[ai]);
        ws.marked[l] = 1;
        ws.link_flow[l] = in_flow_[ai];
      }
    }
  // Longest path labels over the kept links. Every kept link (i,j) has
  // L_i <= L_j, so adding only links with L_i < L_j cannot close a cycle.
  auto& longest = ws.max_label;
  for (std::size_t k = 1; k < n; ++k) {
    double best = -infinity;
    for (auto a = first_[k]; a < first_[k + 1]; ++a) {
      auto ai = static_cast<std::size_t>(a);
      auto l = static_cast<std::size_t>(in_link_[ai]);
      if (ws.marked[l])
        best = std::max(best,
                        longest[static_cast<std::size_t>(in_tail_[ai])]
                          + cost[l]);
    }
    longest[k] = best;
  }
  for (std::size_t k = 0; k < n; ++k)
    ws.position[static_cast<std::size_t>(order_[k])]
      = static_cast<std::int32_t>(k);
  // Nie (2010): prefer links that shorten the bush's shortest paths; fall
  // back to Dial's longest-path shortcut criterion if there are none.
  std::int32_t added = 0;
  for (int pass = 0; pass < 2 && added == 0; ++pass) {
    for (std::size_t k = 0; k < n; ++k) {
      auto tail = order_[k];
      if (tail != origin_ && !net.passable(tail))
        continue;
      auto out = net.out_links(tail);
      auto heads = net.out_heads(tail);
      for (std::size_t e = 0; e < out.size(); ++e) {
        auto li = static_cast<std::size_t>(out[e]);
        if (ws.marked[li])
          continue;
        auto head_k = ws.position[static_cast<std::size_t>(heads[e])];
        if (head_k <= 0)
          continue; // Never into the origin; the head is always in the bush.
        auto h = static_cast<std::size_t>(head_k);
        bool shortcut
          = pass == 0 ? ws.min_label[k] + cost[li] < ws.min_label[h]
                          && longest[k] < longest[h]
                      : longest[k] + cost[li] < longest[h];
        if (shortcut) {
          ws.marked[li] = 1;
          ws.link_flow[li] = 0;
          ++added;
        }
      }
    }
  }
  for (auto node : order_)
    ws.position[static_cast<std::size_t>(node)] = -1;
  rebuild(net, ws);
  return added;
}

void bush::rebuild(const network& net, bush_workspace& ws) {
  auto n = order_.size();
  for (auto node : order_) {
    std::int32_t count = 0;
    for (auto l : net.in_links(node))
      count += ws.marked[static_cast<std::size_t>(l)];
    ws.indegree[static_cast<std::size_t>(node)] = count;
  }
  // Kahn's algorithm; the queue ends up holding the new order.
  ws.queue.clear();
  ws.queue.push_back(origin_);
  for (std::size_t head = 0; head < ws.queue.size(); ++head) {
    auto node = ws.queue[head];
    auto out = net.out_links(node);
    auto heads = net.out_heads(node);
    for (std::size_t e = 0; e < out.size(); ++e) {
      if (!ws.marked[static_cast<std::size_t>(out[e])])
        continue;
      if (--ws.indegree[static_cast<std::size_t>(heads[e])] == 0)
        ws.queue.push_back(heads[e]);
    }
  }
  // Links are only added with L_i < L_j, so the bush stays acyclic and
  // every node is sorted; anything else is a bug in the criteria above.
  assert(ws.queue.size() == n);
  order_.assign(ws.queue.begin(), ws.queue.end());
  for (std::size_t k = 0; k < n; ++k)
    ws.position[static_cast<std::size_t>(order_[k])]
      = static_cast<std::int32_t>(k);
  in_link_.clear();
  in_tail_.clear();
  in_flow_.clear();
  first_.assign(n + 1, 0);
  for (std::size_t k = 0; k < n; ++k) {
    auto in = net.in_links(order_[k]);
    auto tails = net.in_tails(order_[k]);
    for (std::size_t e = 0; e < in.size(); ++e) {
      auto li = static_cast<std::size_t>(in[e]);
      if (!ws.marked[li])
        continue;
      in_link_.push_back(in[e]);
      in_tail_.push_back(ws.position[static_cast<std::size_t>(tails[e])]);
      in_flow_.push_back(ws.link_flow[li]);
      ws.marked[li] = 0;
      ws.link_flow[li] = 0;
    }
    first_[k + 1] = static_cast<std::int32_t>(in_link_.size());
  }
  for (std::size_t d = 0; d < demand_.size(); ++d)
    demand_position_[d]
      = ws.position[static_cast<std::size_t>(demand_[d].destination)];
  for (auto node : order_)
    ws.position[static_cast<std::size_t>(node)] = -1;
}

double bush::shift_flows(loaded_links& links, bush_workspace& ws) {
  scan(links.cost(), ws);
  double excess = 0;
  for (std::size_t d = 0; d < demand_.size(); ++d) {
    auto k = static_cast<std::size_t>(demand_position_[d]);
    excess += demand_[d].flow * (ws.max_label[k] - ws.min_label[k]);
  }
  for (auto k = static_cast<std::int32_t>(order_.size()); k-- > 1;) {
    auto kk = static_cast<std::size_t>(k);
    if (ws.max_approach[kk] < 0 || ws.max_approach[kk] == ws.min_approach[kk])
      continue;
    // Labels are from the scan before this pass and may be stale; they only
    // pick candidates, newton_shift re-reads the current costs.
    if (ws.max_label[kk] - ws.min_label[kk]
        <= defaults::relative_cost_tolerance * ws.max_label[kk])
      continue;
    newton_shift(k, links, ws);
  }
  return excess;
}

double bush::conservation_error(bush_workspace& ws) const {
  auto n = order_.size();
  auto& balance = ws.node_flow;
  std::fill_n(balance.begin(), n, 0.0);
  for (std::size_t d = 0; d < demand_.size(); ++d)
    balance[static_cast<std::size_t>(demand_position_[d])] -= demand_[d].flow;
  for (std::size_t a = 0; a < in_link_.size(); ++a)
    balance[static_cast<std::size_t>(in_tail_[a])] -= in_flow_[a];
  for (std::size_t k = 1; k < n; ++k)
    for (auto a = first_[k]; a < first_[k + 1]; ++a)
      balance[k] += in_flow_[static_cast<std::size_t>(a)];
  double result = 0;
  for (std::size_t k = 1; k < n; ++k)
    result = std::max(result, std::abs(balance[k]));
  return result;
}

void bush::add_flows(std::span<double> flows) const {
  for (std::size_t a = 0; a < in_link_.size(); ++a)
    flows[static_cast<std::size_t>(in_link_[a])] += in_flow_[a];
}

std::size_t bush::memory_bytes() const noexcept {
  return order_.capacity() * sizeof(node_id)
         + first_.capacity() * sizeof(std::int32_t)
         + in_link_.capacity() * sizeof(link_id)
         + in_tail_.capacity() * sizeof(std::int32_t)
         + in_flow_.capacity() * sizeof(double)
         + demand_.capacity() * sizeof(od_entry)
         + demand_position_.capacity() * sizeof(std::int32_t);
}

} // namespace citytwin::scenarios::assignment
