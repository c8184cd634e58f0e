// scenarios/run_file.cpp
#include "scenarios/run_file.hpp"

#include "twin/error.hpp"

#include <hdf5.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace citytwin::scenarios {

namespace {

/// Closes an HDF5 handle on scope exit.
struct h5_handle {
  hid_t id;
  herr_t (*closer)(hid_t);
  ~h5_handle() {
    if (id >= 0)
      closer(id);
  }
  explicit operator bool() const {
    return id >= 0;
  }
};

template <class T>
hid_t mem_type();
template <>
hid_t mem_type<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
hid_t mem_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
hid_t mem_type<uint32_t>() {
  return H5T_NATIVE_UINT32;
}
template <>
hid_t mem_type<uint16_t>() {
  return H5T_NATIVE_UINT16;
}
template <>
hid_t mem_type<uint8_t>() {
  return H5T_NATIVE_UINT8;
}

/// A dataset of `rows` x `cols` (cols 0: one-dimensional), deflated.
template <class T>
bool write(hid_t group, const char* name, const std::vector<T>& data,
           hsize_t cols = 0) {
  hsize_t dims[2] = {cols == 0 ? data.size() : data.size() / cols, cols};
  int rank = cols == 0 ? 1 : 2;
  h5_handle space{H5Screate_simple(rank, dims, nullptr), H5Sclose};
  h5_handle dcpl{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  if (!data.empty()) {
    hsize_t chunk[2] = {std::min<hsize_t>(dims[0], cols == 0 ? 65536 : 16),
                        cols};
    H5Pset_chunk(dcpl.id, rank, chunk);
    H5Pset_shuffle(dcpl.id);
    H5Pset_deflate(dcpl.id, 4);
  }
  h5_handle dset{H5Dcreate2(group, name, mem_type<T>(), space.id, H5P_DEFAULT,
                            dcpl.id, H5P_DEFAULT),
                 H5Dclose};
  if (!dset)
    return false;
  return data.empty()
         || H5Dwrite(dset.id, mem_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     data.data())
              >= 0;
}

bool attribute(hid_t loc, const char* name, const std::string& value) {
  h5_handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  h5_handle space{H5Screate(H5S_SCALAR), H5Sclose};
  h5_handle attr{H5Acreate2(loc, name, type.id, space.id, H5P_DEFAULT,
                            H5P_DEFAULT),
                 H5Aclose};
  const char* text = value.c_str();
  return attr && H5Awrite(attr.id, type.id, &text) >= 0;
}

bool attribute(hid_t loc, const char* name, double value) {
  h5_handle space{H5Screate(H5S_SCALAR), H5Sclose};
  h5_handle attr{H5Acreate2(loc, name, H5T_NATIVE_DOUBLE, space.id,
                            H5P_DEFAULT, H5P_DEFAULT),
                 H5Aclose};
  return attr && H5Awrite(attr.id, H5T_NATIVE_DOUBLE, &value) >= 0;
}

/// A dataset of variable-length UTF-8 strings.
bool write_strings(hid_t group, const char* name,
                   const std::vector<std::string>& values) {
  h5_handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  hsize_t n = values.size();
  h5_handle space{H5Screate_simple(1, &n, nullptr), H5Sclose};
  h5_handle dset{H5Dcreate2(group, name, type.id, space.id, H5P_DEFAULT,
                            H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose};
  if (!dset)
    return false;
  std::vector<const char*> ptrs;
  for (const auto& v : values)
    ptrs.push_back(v.c_str());
  return n == 0
         || H5Dwrite(dset.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     ptrs.data())
              >= 0;
}

template <class T, class F>
std::vector<T> column(size_t n, F&& f) {
  std::vector<T> result(n);
  for (size_t i = 0; i < n; ++i)
    result[i] = f(i);
  return result;
}

} // namespace

caf::error write_run_file(const std::string& path, const scenario_spec& spec,
                          const scenario_setup& setup,
                          const dynamic::model_result& result,
                          const run_summary& summary,
                          const std::vector<recommended_action>& actions) {
  auto tmp = path + ".tmp";
  bool ok = true;
  {
    h5_handle file{H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT,
                             H5P_DEFAULT),
                   H5Fclose};
    if (!file)
      return caf::make_error(twin::errc::io_failure, "cannot create " + tmp);
    auto root = file.id;
    ok = attribute(root, "format", "citytwin-scenario-run 1")
         && attribute(root, "scenario", spec.name)
         && attribute(root, "city", spec.city)
         && attribute(root, "start", spec.start)
         && attribute(root, "seed", static_cast<double>(spec.seed))
         && attribute(root, "horizon_s", spec.horizon_s)
         && attribute(root, "step_s", spec.step_s)
         && attribute(root, "output_interval_s", spec.output_interval_s)
         && attribute(root, "simulated_s", result.simulated_s);
    const auto& net = setup.net;
    auto links = net.num_links();
    {
      h5_handle g{H5Gcreate2(root, "links", H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT),
                  H5Gclose};
      ok = ok && write(g.id, "segment", net.segment)
           && write(g.id, "length_m", net.length_m)
           && write(g.id, "free_time_s", net.free_time_s)
           && write(g.id, "storage_veh", net.storage_veh);
    }
    {
      h5_handle g{H5Gcreate2(root, "series", H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT),
                  H5Gclose};
      const auto& s = result.links;
      ok = ok && attribute(g.id, "interval_s", s.interval_s)
           && write(g.id, "flow_veh_h", s.flow_veh_h, links)
           && write(g.id, "speed_km_h", s.speed_km_h, links)
           && write(g.id, "density_veh_km", s.density_veh_km, links)
           && write(g.id, "queue_veh", s.queue_veh, links);
    }
    {
      h5_handle g{H5Gcreate2(root, "trips", H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT),
                  H5Gclose};
      const auto& t = setup.trips.trips;
      const auto& r = result.trips;
      auto n = t.size();
      std::string groups;
      for (const auto& name : setup.trips.group_names)
        groups += (groups.empty() ? "" : "\n") + name;
      ok = ok && attribute(g.id, "groups", groups)
           && attribute(g.id, "outcomes",
                        "0 arrived\n1 en_route\n2 waiting\n3 unroutable")
           && write(g.id, "group",
                    column<uint16_t>(n, [&](size_t i) { return t[i].group; }))
           && write(g.id, "depart_s",
                    column<double>(n, [&](size_t i) { return t[i].depart_s; }))
           && write(g.id, "inserted_s",
                    column<double>(n, [&](size_t i) { return r[i].inserted_s; }))
           && write(g.id, "arrived_s",
                    column<double>(n, [&](size_t i) { return r[i].arrived_s; }))
           && write(g.id, "route_length_m",
                    column<float>(n,
                                  [&](size_t i) { return r[i].route_length_m; }))
           && write(g.id, "outcome", column<uint8_t>(n, [&](size_t i) {
                      return static_cast<uint8_t>(r[i].outcome);
                    }));
    }
    {
      h5_handle g{H5Gcreate2(root, "congestion", H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT),
                  H5Gclose};
      const auto& c = summary.congestion;
      auto n = c.size();
      ok = ok
           && write(g.id, "segment",
                    column<uint32_t>(n, [&](size_t i) { return c[i].segment; }))
           && write(g.id, "from_s",
                    column<double>(n, [&](size_t i) { return c[i].from_s; }))
           && write(g.id, "to_s",
                    column<double>(n, [&](size_t i) { return c[i].to_s; }))
           && write(g.id, "max_queue_veh",
                    column<float>(n,
                                  [&](size_t i) { return c[i].max_queue_veh; }))
           && write(g.id, "min_speed_km_h", column<float>(n, [&](size_t i) {
                      return c[i].min_speed_km_h;
                    }));
    }
    {
      h5_handle g{H5Gcreate2(root, "actions", H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT),
                  H5Gclose};
      auto n = actions.size();
      std::vector<std::string> kind, text, reason, who, roads;
      for (const auto& a : actions) {
        kind.push_back(a.kind);
        text.push_back(a.text);
        reason.push_back(a.reason);
        std::string w, r;
        for (auto x : a.audiences)
          w += (w.empty() ? "" : ",") + std::string{to_string(x)};
        for (auto seg : a.segments)
          r += (r.empty() ? "" : ",") + std::to_string(seg);
        who.push_back(std::move(w));
        roads.push_back(std::move(r));
      }
      ok = ok && write_strings(g.id, "kind", kind)
           && write_strings(g.id, "text", text)
           && write_strings(g.id, "reason", reason)
           && write_strings(g.id, "audiences", who)
           && write_strings(g.id, "segments", roads)
           && write(g.id, "priority", column<uint8_t>(n, [&](size_t i) {
                      return actions[i].priority;
                    }))
           && write(g.id, "from_s",
                    column<double>(n, [&](size_t i) { return actions[i].from_s; }))
           && write(g.id, "to_s",
                    column<double>(n, [&](size_t i) { return actions[i].to_s; }));
    }
  }
  std::error_code ec;
  if (ok)
    std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) {
    std::filesystem::remove(tmp, ec);
    return caf::make_error(twin::errc::io_failure, "cannot write " + path);
  }
  return caf::none;
}

} // namespace citytwin::scenarios

namespace citytwin::scenarios {

namespace {

std::optional<std::string> read_string_attribute(hid_t loc, const char* name) {
  if (H5Aexists(loc, name) <= 0)
    return std::nullopt;
  h5_handle attr{H5Aopen(loc, name, H5P_DEFAULT), H5Aclose};
  h5_handle type{H5Aget_type(attr.id), H5Tclose};
  if (H5Tget_class(type.id) != H5T_STRING || !H5Tis_variable_str(type.id))
    return std::nullopt;
  h5_handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(mem.id, H5T_VARIABLE);
  H5Tset_cset(mem.id, H5T_CSET_UTF8);
  char* text = nullptr;
  if (H5Aread(attr.id, mem.id, &text) < 0 || text == nullptr)
    return std::nullopt;
  std::string result{text};
  H5free_memory(text);
  return result;
}

std::optional<double> read_double_attribute(hid_t loc, const char* name) {
  if (H5Aexists(loc, name) <= 0)
    return std::nullopt;
  h5_handle attr{H5Aopen(loc, name, H5P_DEFAULT), H5Aclose};
  double value = 0;
  if (H5Aread(attr.id, H5T_NATIVE_DOUBLE, &value) < 0)
    return std::nullopt;
  return value;
}

/// A one-dimensional dataset of at most `max_rows` rows.
template <class T>
bool read_column(hid_t file, const char* path, std::vector<T>& out,
                 hsize_t max_rows) {
  if (H5Lexists(file, path, H5P_DEFAULT) <= 0)
    return false;
  h5_handle dset{H5Dopen2(file, path, H5P_DEFAULT), H5Dclose};
  h5_handle space{H5Dget_space(dset.id), H5Sclose};
  if (!dset || !space || H5Sget_simple_extent_ndims(space.id) != 1)
    return false;
  hsize_t rows = 0;
  H5Sget_simple_extent_dims(space.id, &rows, nullptr);
  if (rows > max_rows)
    return false;
  out.resize(rows);
  return rows == 0
         || H5Dread(dset.id, mem_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                    out.data())
              >= 0;
}

} // namespace

caf::expected<run_file_contents> read_run_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    return caf::make_error(twin::errc::io_failure, "cannot open " + path);
  // HDF5 prints its own error stack on failures; we report ours.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  h5_handle file{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                 H5Fclose};
  auto corrupt = [&](const std::string& what) {
    return caf::make_error(twin::errc::corrupt_file,
                           path + ": not a citytwin run file (" + what + ")");
  };
  if (!file)
    return corrupt("not HDF5");
  if (read_string_attribute(file.id, "format")
      != std::optional<std::string>{"citytwin-scenario-run 1"})
    return corrupt("format attribute");
  run_file_contents result;
  result.scenario = read_string_attribute(file.id, "scenario").value_or("");
  result.city = read_string_attribute(file.id, "city").value_or("");
  result.horizon_s = read_double_attribute(file.id, "horizon_s").value_or(0);
  result.interval_s
    = read_double_attribute(file.id, "output_interval_s").value_or(0);
  {
    if (H5Lexists(file.id, "trips", H5P_DEFAULT) <= 0)
      return corrupt("no trips");
    h5_handle trips{H5Gopen2(file.id, "trips", H5P_DEFAULT), H5Gclose};
    auto names = read_string_attribute(trips.id, "groups").value_or("");
    size_t start = 0;
    while (start <= names.size()) {
      auto end = names.find('\n', start);
      if (end == std::string::npos)
        end = names.size();
      result.groups.push_back(names.substr(start, end - start));
      start = end + 1;
    }
  }
  auto n = max_run_file_trips;
  if (!read_column(file.id, "trips/group", result.trip_group, n)
      || !read_column(file.id, "trips/outcome", result.trip_outcome, n)
      || !read_column(file.id, "trips/inserted_s", result.inserted_s, n)
      || !read_column(file.id, "trips/arrived_s", result.arrived_s, n))
    return corrupt("trips");
  auto rows = result.trip_group.size();
  if (result.trip_outcome.size() != rows || result.inserted_s.size() != rows
      || result.arrived_s.size() != rows)
    return corrupt("trip columns of different lengths");
  for (auto g : result.trip_group)
    if (g >= result.groups.size())
      return corrupt("trip group out of range");
  if (!read_column(file.id, "congestion/segment", result.congested_segment, n)
      || !read_column(file.id, "congestion/from_s", result.congested_from_s, n)
      || !read_column(file.id, "congestion/to_s", result.congested_to_s, n)
      || result.congested_from_s.size() != result.congested_segment.size()
      || result.congested_to_s.size() != result.congested_segment.size())
    return corrupt("congestion");
  return result;
}

} // namespace citytwin::scenarios
