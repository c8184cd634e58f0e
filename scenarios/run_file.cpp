// scenarios/run_file.cpp
#include "scenarios/run_file.hpp"

#include "twin/error.hpp"

#include <hdf5.h>

#include <cstdio>
#include <filesystem>
#include <memory>
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
                          const run_summary& summary) {
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
