// twin/import/sumo_tl_programs.cpp
#include "twin/import/sumo_tl_programs.hpp"

#include "twin/error.hpp"
#include "twin/import/sumo_signals.hpp"
#include "twin/import/xml_reader.hpp"

#include <fstream>
#include <unordered_set>

namespace citytwin::twin::import {

namespace {

// Reads the `<tlLogic>`s of an additional file; whatever else the file
// holds (bus stops, vTypes, detectors) belongs to other readers.
class tl_file_parser {
public:
  tl_file_parser(std::string_view file, sumo_tl_programs_report& report)
      : file_(file), report_(report) {
  }

  void start(const xml_element& e) {
    auto depth = depth_++;
    if (depth == 0)
      return; // SUMO takes any root: <additional>, <add>, <routes>
    auto name = e.name();
    if (name == "tlLogic" && depth == 1) {
      if (auto p = detail::read_tl_logic(e, file_, problem_)) {
        programs.push_back(std::move(*p));
        in_tl_ = true;
      }
    } else if (name == "phase" && in_tl_) {
      if (auto p = detail::read_phase(e, problem_))
        programs.back().phases.push_back(std::move(*p));
    } else if (name == "WAUT") {
      report_.warnings.push_back(
          where(e.line()) + "WAUT '" + std::string{e.attribute_or("id", "")}
          + "' ignored: program switching over time is not modelled; the "
            "program loaded last stays active");
    } else if (depth == 1) {
      ++report_.num_other_elements;
    }
  }

  void end(std::string_view name) {
    --depth_;
    if (name == "tlLogic")
      in_tl_ = false;
  }

  std::string where(size_t line) const {
    return std::string{file_} + ":" + std::to_string(line) + ": ";
  }

  std::vector<sumo_tl_logic> programs;
  std::vector<std::string> problems;

private:
  std::string_view file_;
  sumo_tl_programs_report& report_;
  detail::problem_sink problem_ = [this](size_t line, std::string text) {
    problems.push_back(where(line) + text);
  };
  size_t depth_ = 0;
  bool in_tl_ = false;
};

} // namespace

caf::expected<sumo_tl_programs_report>
read_sumo_tl_programs(std::istream& in, std::string_view file_name,
                      sumo_network& net) {
  sumo_tl_programs_report result;
  tl_file_parser parser{file_name, result};
  xml_callbacks callbacks;
  callbacks.on_start = [&](const xml_element& e) { parser.start(e); };
  callbacks.on_end = [&](std::string_view name) { parser.end(name); };
  if (auto err = read_xml(in, file_name, callbacks))
    return err;
  auto& problems = parser.problems;
  // SUMO only accepts programs for traffic lights the net has: "No
  // initial signal plan loaded for tls".
  std::unordered_set<std::string> known;
  for (const auto& p : net.tl_logics)
    known.insert(p.id);
  for (const auto& c : net.connections)
    known.insert(c.tl);
  for (const auto& p : parser.programs)
    if (!known.contains(p.id))
      problems.push_back(p.source + ": tlLogic '" + p.id
                         + "': the net has "
                           "no traffic light of that id");
  auto first = net.tl_logics.size();
  for (auto& p : parser.programs)
    net.tl_logics.push_back(std::move(p));
  detail::check_programs(net, first, problems, result.warnings);
  if (!problems.empty()) {
    net.tl_logics.resize(first); // as promised: net unchanged
    std::string text = std::to_string(problems.size())
                       + " problem(s) in SUMO additional file "
                       + std::string{file_name};
    for (const auto& p : problems)
      text += "\n" + p;
    return caf::make_error(errc::invalid_city, std::move(text));
  }
  result.num_programs = net.tl_logics.size() - first;
  detail::apply_signals(net);
  return result;
}

caf::expected<sumo_tl_programs_report>
load_sumo_tl_programs(const std::string& path, sumo_network& net) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return caf::make_error(errc::io_failure, "cannot open " + path);
  return read_sumo_tl_programs(in, path, net);
}

} // namespace citytwin::twin::import
