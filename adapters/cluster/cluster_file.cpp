// adapters/cluster/cluster_file.cpp
#include "adapters/cluster/cluster_file.hpp"

#include "twin/error.hpp"
#include "twin/problem_list.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace citytwin::cluster {

namespace {

using actors::cluster_map;
using actors::cluster_node;

size_t line_of(const YAML::Node& node) {
  // A missing key's node has no mark (and throws when asked for one).
  if (!node || node.Mark().is_null())
    return 0;
  return static_cast<size_t>(node.Mark().line) + 1;
}

bool valid_name(const std::string& s) {
  return !s.empty() && s.size() <= 32
         && std::all_of(s.begin(), s.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                     || c == '-' || c == '_';
            });
}

// A host name or an IPv4/IPv6 literal: letters, digits, '.', '-', ':'.
bool valid_host(const std::string& s) {
  return !s.empty() && s.size() <= 253
         && std::all_of(s.begin(), s.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                     || (c >= '0' && c <= '9') || c == '.' || c == '-'
                     || c == ':';
            });
}

class reader {
public:
  explicit reader(std::string origin) : problems_(std::move(origin)) {
  }

  caf::expected<cluster_map> run(std::string_view text) {
    try {
      read_root(YAML::Load(std::string{text}));
    } catch (const YAML::Exception& e) {
      problems_.add(e.mark.is_null() ? 0 : static_cast<size_t>(e.mark.line) + 1,
                    "YAML: " + e.msg);
    }
    if (!problems_.empty())
      return caf::make_error(twin::errc::invalid_config, problems_.report());
    return std::move(map_);
  }

private:
  void problem(const YAML::Node& at, const std::string& message) {
    problems_.add(line_of(at), message);
  }

  // Checks keys: only `allowed`, every `required` one.
  bool check_keys(const YAML::Node& node, const std::string& what,
                  const std::set<std::string>& allowed,
                  const std::set<std::string>& required) {
    if (!node.IsMap()) {
      problem(node, what + ": expected a map");
      return false;
    }
    std::set<std::string> seen;
    for (const auto& kv : node) {
      auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
      if (allowed.count(key) == 0)
        problem(kv.first, what + ": unknown key '" + key + "'");
      seen.insert(key);
    }
    for (const auto& key : required)
      if (seen.count(key) == 0)
        problem(node, what + ": missing '" + key + "'");
    return true;
  }

  // A text field that must pass `valid`; false when it is missing
  // (reported with the keys) or invalid (reported here as `expected`).
  bool text(const YAML::Node& node, const std::string& what,
            bool (*valid)(const std::string&), const std::string& expected,
            std::string& out) {
    if (!node)
      return false;
    if (!node.IsScalar() || !valid(node.Scalar())) {
      problem(node, what + ": expected " + expected);
      return false;
    }
    out = node.Scalar();
    return true;
  }

  template <class T>
  bool number(const YAML::Node& node, const std::string& what, T low, T high,
              T& out) {
    uint64_t x = 0;
    if (!node || !node.IsScalar() || !YAML::convert<uint64_t>::decode(node, x)
        || x < static_cast<uint64_t>(low) || x > static_cast<uint64_t>(high)) {
      problem(node, what + ": expected a whole number from "
                      + std::to_string(low) + " to " + std::to_string(high));
      return false;
    }
    out = static_cast<T>(x);
    return true;
  }

  void read_root(const YAML::Node& root) {
    if (!check_keys(root, "cluster file", {"version", "city", "shards", "nodes"},
                    {"version", "city", "shards", "nodes"}))
      return;
    number<uint64_t>(root["version"], "version", 1, UINT32_MAX, map_.version);
    text(root["city"], "city", valid_name,
         "the city's name ([a-z0-9_-], at most 32)", map_.city);
    auto shards_ok = number<uint32_t>(root["shards"], "shards", 1,
                                      max_cluster_shards, map_.num_shards);
    auto nodes = root["nodes"];
    if (!nodes || !nodes.IsSequence() || nodes.size() == 0
        || nodes.size() > max_cluster_nodes) {
      problem(nodes, "nodes: expected a list of 1 to "
                       + std::to_string(max_cluster_nodes) + " nodes");
      return;
    }
    size_t with_shards = 0;
    for (const auto& n : nodes) {
      read_node(n, shards_ok);
      with_shards += n.IsMap() && n["shards"] ? 1 : 0;
    }
    if (shards_ok)
      assign_shards(nodes, with_shards, map_.nodes.size() == nodes.size());
  }

  void read_node(const YAML::Node& n, bool shards_ok) {
    auto where = "nodes[" + std::to_string(map_.nodes.size() + skipped_) + "]";
    if (!check_keys(n, where, {"name", "host", "port", "shards"},
                    {"name", "host", "port"})) {
      ++skipped_;
      return;
    }
    cluster_node node;
    bool ok = true;
    auto name = n["name"];
    if (!text(name, where + ".name", valid_name, "[a-z0-9_-], at most 32",
              node.name)) {
      ok = false;
    } else if (auto [it, fresh] = names_.emplace(node.name, line_of(name));
               !fresh) {
      problem(name, where + ".name: '" + node.name
                      + "' names another node too (line "
                      + std::to_string(it->second) + ")");
      ok = false;
    }
    ok = text(n["host"], where + ".host", valid_host,
              "a host name or an address", node.host)
         && ok;
    ok = n["port"]
         && number<uint16_t>(n["port"], where + ".port", 1, 65535, node.port)
         && ok;
    if (ok) {
      auto address = node.host + ":" + std::to_string(node.port);
      if (auto [it, fresh] = addresses_.emplace(address, line_of(n)); !fresh) {
        problem(n, where + ": " + address + " is another node's address too "
                     "(line " + std::to_string(it->second) + ")");
        ok = false;
      }
    }
    if (auto shards = n["shards"]; shards) {
      if (!shards.IsSequence()) {
        problem(shards, where + ".shards: expected a list of shard numbers");
        ok = false;
      } else if (shards_ok) {
        for (const auto& s : shards) {
          uint32_t x = 0;
          if (number<uint32_t>(s, where + ".shards", 0, map_.num_shards - 1,
                               x))
            node.shards.push_back(x);
          else
            ok = false;
        }
      }
    }
    if (!ok) {
      ++skipped_;
      return;
    }
    map_.nodes.push_back(std::move(node));
    node_lines_.push_back(line_of(n));
  }

  // Either every node lists its shards (each shard exactly once), or none
  // does and shard i goes to node i mod n. With a node left out for its
  // own problems (`complete` false), shards claimed twice are still
  // found; shards nobody hosts are not reported, the node may host them.
  void assign_shards(const YAML::Node& nodes, size_t with_shards,
                     bool complete) {
    auto& m = map_;
    const auto& lines = node_lines_;
    m.owner.assign(m.num_shards, UINT32_MAX);
    if (with_shards == 0) {
      if (!complete)
        return;
      for (uint32_t s = 0; s < m.num_shards; ++s) {
        auto n = static_cast<uint32_t>(s % m.nodes.size());
        m.owner[s] = n;
        m.nodes[n].shards.push_back(s);
      }
      return;
    }
    if (with_shards != nodes.size()) {
      problem(nodes, "nodes: either every node lists its shards or none "
                     "does (then shard i goes to node i mod "
                       + std::to_string(m.nodes.size()) + ")");
      return;
    }
    for (uint32_t n = 0; n < m.nodes.size(); ++n) {
      auto& list = m.nodes[n].shards;
      std::sort(list.begin(), list.end());
      for (size_t k = 0; k < list.size(); ++k) {
        auto s = list[k];
        if (k > 0 && list[k - 1] == s) {
          problems_.add(lines[n], "node " + m.nodes[n].name + ": shard "
                                    + std::to_string(s) + " listed twice");
          continue;
        }
        if (m.owner[s] != UINT32_MAX) {
          problems_.add(lines[n], "shard " + std::to_string(s)
                                    + " is claimed by node "
                                    + m.nodes[m.owner[s]].name + " (line "
                                    + std::to_string(lines[m.owner[s]])
                                    + ") and node " + m.nodes[n].name);
          continue;
        }
        m.owner[s] = n;
      }
      list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    if (!complete)
      return;
    std::string orphans;
    size_t num_orphans = 0;
    for (uint32_t s = 0; s < m.num_shards; ++s)
      if (m.owner[s] == UINT32_MAX && ++num_orphans <= 20)
        orphans += (orphans.empty() ? "" : ", ") + std::to_string(s);
    if (num_orphans > 0)
      problem(nodes, std::to_string(num_orphans) + " shard(s) hosted by no "
                       "node: " + orphans + (num_orphans > 20 ? ", ..." : ""));
  }

  twin::problem_list problems_;
  cluster_map map_;
  size_t skipped_ = 0;
  std::vector<size_t> node_lines_; // by accepted node
  std::map<std::string, size_t> names_;     // name -> line
  std::map<std::string, size_t> addresses_; // host:port -> line
};

} // namespace

caf::expected<cluster_map> parse_cluster_file(std::string_view text,
                                              std::string_view origin) {
  if (text.size() > max_cluster_file_bytes)
    return caf::make_error(twin::errc::invalid_config,
                           std::string{origin} + ": "
                             + std::to_string(text.size())
                             + " bytes; a cluster file may have at most "
                             + std::to_string(max_cluster_file_bytes));
  return reader{std::string{origin}}.run(text);
}

caf::expected<cluster_map> load_cluster_file(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec)
    return caf::make_error(twin::errc::io_failure,
                           path + ": " + ec.message());
  if (size > max_cluster_file_bytes)
    return caf::make_error(twin::errc::invalid_config,
                           path + ": " + std::to_string(size)
                             + " bytes; a cluster file may have at most "
                             + std::to_string(max_cluster_file_bytes));
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof())
    return caf::make_error(twin::errc::io_failure, path + ": cannot read");
  return parse_cluster_file(text.str(), path);
}

} // namespace citytwin::cluster
