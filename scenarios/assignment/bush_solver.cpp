// scenarios/assignment/bush_solver.cpp
#include "scenarios/assignment/bush_solver.hpp"

#include "scenarios/assignment/assignment_defaults.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

namespace citytwin::scenarios::assignment {

namespace {

/// Lists every OD pair without a path that avoids closed links and never
/// passes through another zone. Breadth-first search suffices and is much
/// cheaper than a shortest-path tree on large networks.
std::vector<parse_error> disconnected_pairs(const network& net,
                                            const od_matrix& demand,
                                            const loaded_links& links) {
  std::vector<parse_error> errors;
  std::vector<std::uint8_t> seen(static_cast<std::size_t>(net.num_nodes()));
  std::vector<node_id> queue;
  for (node_id origin = 0; origin < demand.num_zones(); ++origin) {
    auto row = demand.row(origin);
    if (row.empty())
      continue;
    std::fill(seen.begin(), seen.end(), 0);
    queue.assign(1, origin);
    seen[static_cast<std::size_t>(origin)] = 1;
    for (std::size_t head = 0; head < queue.size(); ++head) {
      auto node = queue[head];
      if (node != origin && !net.passable(node))
        continue;
      for (auto l : net.out_links(node)) {
        auto to = static_cast<std::size_t>(net.at(l).to);
        if (seen[to] == 0 && !links.function(l).closed) {
          seen[to] = 1;
          queue.push_back(net.at(l).to);
        }
      }
    }
    for (const auto& entry : row)
      if (seen[static_cast<std::size_t>(entry.destination)] == 0)
        errors.push_back({"assignment", 0,
                          "zone " + std::to_string(entry.destination + 1)
                            + " is unreachable from zone "
                            + std::to_string(origin + 1)});
  }
  return errors;
}

std::vector<parse_error> validate(const network& net, const od_matrix& demand,
                                  const loaded_links& links) {
  std::vector<parse_error> errors;
  auto fail = [&](std::string message) {
    errors.push_back({"assignment", 0, std::move(message)});
  };
  if (demand.num_zones() > net.num_zones())
    fail("trips have " + std::to_string(demand.num_zones())
         + " zones, the network " + std::to_string(net.num_zones()));
  for (link_id l = 0; l < net.num_links(); ++l)
    if (!(links.cost()[static_cast<std::size_t>(l)] >= 0))
      fail("link " + std::to_string(l + 1)
           + " has a negative or invalid free-flow cost (negative toll or "
             "weight?)");
  if (!errors.empty())
    return errors;
  return disconnected_pairs(net, demand, links);
}

} // namespace

result<bush_solver> bush_solver::create(network net, od_matrix demand,
                                        cost_weights weights) {
  if (!(weights.toll_factor >= 0) || !(weights.distance_factor >= 0))
    return parse_error{"assignment", 0,
                       "toll and distance factors must be non-negative"};
  loaded_links links(net, weights);
  auto errors = validate(net, demand, links);
  if (!errors.empty())
    return errors;
  bush_solver result_solver;
  result_solver.workspace_ = bush_workspace(net);
  result_solver.tree_ = shortest_path_tree(net.num_nodes());
  result_solver.flow_buffer_.assign(static_cast<std::size_t>(net.num_links()),
                                    0.0);
  result_solver.network_ = std::move(net);
  result_solver.demand_ = std::move(demand);
  result_solver.links_ = std::move(links);
  return result_solver;
}

void bush_solver::initialize_bushes() {
  // Sequential loading: each origin's tree sees the costs left by the
  // origins before it, a better start than all-or-nothing at free flow.
  for (node_id origin = 0; origin < demand_.num_zones(); ++origin) {
    auto row = demand_.row(origin);
    if (row.empty())
      continue;
    bushes_.push_back(bush::load_initial(network_, origin, row, links_, tree_,
                                         workspace_));
  }
}

void bush_solver::inner_pass(double skip_fraction) {
  double total = 0;
  for (auto e : excess_)
    total += e;
  double threshold = skip_fraction * total / static_cast<double>(excess_.size());
  for (std::size_t r = 0; r < bushes_.size(); ++r)
    if (excess_[r] > threshold)
      excess_[r] = bushes_[r].shift_flows(links_, workspace_);
}

void bush_solver::resynchronize_flows() {
  std::fill(flow_buffer_.begin(), flow_buffer_.end(), 0.0);
  for (const auto& b : bushes_)
    b.add_flows(flow_buffer_);
  links_.set_flows(flow_buffer_);
}

solve_summary bush_solver::solve(
  const solve_options& options,
  const std::function<void(const iteration_report&)>& progress) {
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(clock::now() - start).count();
  };
  solve_summary summary;
  if (bushes_.empty()) {
    initialize_bushes();
  } else {
    // Warm start: report where the previous solution stands now.
    summary.last = {0, measure(), elapsed()};
    if (progress)
      progress(summary.last);
    if (summary.last.measures.relative_gap <= options.target_gap) {
      summary.reason = stop_reason::converged;
      return summary;
    }
  }
  for (int iteration = 1;; ++iteration) {
    excess_.resize(bushes_.size());
    for (std::size_t r = 0; r < bushes_.size(); ++r) {
      bushes_[r].update_topology(network_, links_, workspace_);
      excess_[r] = bushes_[r].shift_flows(links_, workspace_);
    }
    for (int pass = 0; pass < options.inner_iterations; ++pass)
      inner_pass(options.inner_skip_fraction);
    resynchronize_flows();
    summary.iterations = iteration;
    summary.last = {iteration, measure(), elapsed()};
    if (progress)
      progress(summary.last);
    if (summary.last.measures.relative_gap <= options.target_gap) {
      summary.reason = stop_reason::converged;
      break;
    }
    if (summary.last.elapsed_seconds >= options.max_seconds) {
      summary.reason = stop_reason::max_time;
      break;
    }
    if (iteration >= options.max_iterations) {
      summary.reason = stop_reason::max_iterations;
      break;
    }
  }
  return summary;
}

void bush_solver::set_capacity(link_id id, double capacity) {
  network_.set_capacity(id, capacity);
  links_.set_capacity(id, capacity);
}

std::vector<parse_error> bush_solver::close_link(link_id id) {
  links_.set_closed(id, true);
  auto errors = disconnected_pairs(network_, demand_, links_);
  if (!errors.empty())
    links_.set_closed(id, false);
  return errors;
}

void bush_solver::reopen_link(link_id id) {
  links_.set_closed(id, false);
}

equilibrium_measures bush_solver::measure() {
  return measure_equilibrium(network_, demand_, links_, tree_);
}

std::size_t bush_solver::bush_memory_bytes() const noexcept {
  std::size_t result = 0;
  for (const auto& b : bushes_)
    result += b.memory_bytes();
  return result;
}

double bush_solver::max_conservation_error() {
  double result = 0;
  for (const auto& b : bushes_)
    result = std::max(result, b.conservation_error(workspace_));
  return result;
}

std::size_t bush_solver::total_bush_links() const noexcept {
  std::size_t result = 0;
  for (const auto& b : bushes_)
    result += b.num_links();
  return result;
}

} // namespace citytwin::scenarios::assignment
