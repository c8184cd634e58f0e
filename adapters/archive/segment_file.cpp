// adapters/archive/segment_file.cpp
#include "adapters/archive/segment_file.hpp"

#include "adapters/archive/column_codec.hpp"
#include "adapters/archive/file_io.hpp"
#include "twin/error.hpp"

#include <hdf5.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

namespace citytwin::archive {

namespace {

namespace fs = std::filesystem;

/// The layout's name and version (root attributes, README.md).
constexpr std::string_view format_name = "citytwin-archive-segment";
constexpr int32_t format_version = 1;

/// Rows per chunk of the sample columns: 64Ki rows = 512 KiB raw per
/// column. Chosen by measurement (README.md, "Tuning"): 32Ki compressed
/// the recorded datasets 1-7% worse, smaller chunks worse still; a
/// one-day read (86,400 rows) still decompresses at most three chunks.
constexpr hsize_t sample_chunk_rows = 64 * 1024;

/// Rows per chunk of the index columns of `/streams`, which stay
/// contiguous up to this many streams.
constexpr hsize_t index_chunk_rows = 16 * 1024;

/// zlib level of the deflate filter (README.md, "Tuning"): level 6 stores
/// the recorded datasets in 11% less than level 1 and still appends at
/// more than 4M samples/s; level 9 saves 3% more at a tenth of the speed.
constexpr unsigned deflate_level = 6;

/// Half the entries of a chunk index node (HDF5's `istore_k`, default
/// 32): smaller nodes, because a chunk index node costs 2 KiB per column
/// at the default, 40% of a small segment.
constexpr unsigned chunk_index_k = 8;

/// What a damaged or foreign file gets told, after what is wrong with it.
constexpr std::string_view corrupt_advice
    = ": not a readable citytwin archive segment; move it away to start a "
      "fresh archive; citytwin never overwrites it";

// HDF5 prints its error stack to stderr by default; we turn failures into
// errors instead. The setting is per thread in a thread-safe build.
void silence_hdf5() {
  thread_local bool silenced = false;
  if (!silenced) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    silenced = true;
  }
}

/// Owns one HDF5 id and closes it with the matching H5?close.
class h5_id {
public:
  using closer = herr_t (*)(hid_t);

  h5_id() = default;

  h5_id(hid_t id, closer close) : id_(id), close_(close) {
  }

  h5_id(h5_id&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {
  }

  h5_id& operator=(h5_id&& other) noexcept {
    std::swap(id_, other.id_);
    std::swap(close_, other.close_);
    return *this;
  }

  ~h5_id() {
    if (id_ >= 0)
      close_(id_);
  }

  hid_t get() const {
    return id_;
  }

  explicit operator bool() const {
    return id_ >= 0;
  }

  /// Closes now and reports whether closing succeeded (a file's last
  /// writes happen here).
  bool close() {
    auto id = std::exchange(id_, H5I_INVALID_HID);
    return id < 0 || close_(id) >= 0;
  }

private:
  hid_t id_ = H5I_INVALID_HID;
  closer close_ = nullptr;
};

// -- errors -------------------------------------------------------------------

struct stack_walk {
  bool out_of_space = false;
  std::string innermost;
};

herr_t walk_error(unsigned, const H5E_error2_t* e, void* data) {
  auto& walk = *static_cast<stack_walk*>(data);
  if (e->desc == nullptr)
    return 0;
  std::string_view desc{e->desc};
  // The POSIX driver reports `errno = 28, error message = ...`.
  for (int code : {ENOSPC, EDQUOT})
    if (desc.find("errno = " + std::to_string(code) + ",")
        != std::string_view::npos)
      walk.out_of_space = true;
  walk.innermost = desc;
  return 0;
}

/// The error for an HDF5 call that just failed while writing `file`;
/// reads the thread's error stack, so call it before any other HDF5 call.
caf::error write_failure(const fs::path& file, std::string_view what) {
  stack_walk walk;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_error, &walk);
  auto code = walk.out_of_space || errno == ENOSPC ? twin::errc::out_of_space
                                                   : twin::errc::io_failure;
  std::string text = "cannot write " + file.string() + ": " + std::string{what};
  if (!walk.innermost.empty())
    text += " (" + walk.innermost + ")";
  return caf::make_error(code, std::move(text));
}

caf::error corrupt(const fs::path& file, std::string_view what) {
  return caf::make_error(twin::errc::corrupt_file,
                         file.string() + ": " + std::string{what}
                             + std::string{corrupt_advice});
}

// -- writing ------------------------------------------------------------------

/// The blocks in index order, encoded into the columns of the file.
struct encoded_segment {
  std::vector<const stream_block*> order;
  std::vector<const char*> entity, quantity, unit;
  std::vector<uint64_t> offset, count;
  std::vector<int64_t> first, last;
  std::vector<int8_t> encoding;
  std::vector<int64_t> time, value;
};

caf::expected<encoded_segment> encode(const fs::path& path,
                                      std::span<const stream_block> blocks) {
  encoded_segment result;
  size_t num_samples = 0;
  for (const auto& b : blocks) {
    if (b.samples.empty()) // a stream without samples has no row
      continue;
    result.order.push_back(&b);
    num_samples += b.samples.size();
  }
  std::sort(result.order.begin(), result.order.end(),
            [](const stream_block* x, const stream_block* y) {
              return x->name < y->name;
            });
  auto refuse = [&](const stream_block& b, std::string_view why) {
    return caf::make_error(twin::errc::io_failure,
                           "cannot write " + path.string() + ": stream "
                               + b.name.entity + " " + b.name.quantity + " "
                               + std::string{why});
  };
  result.time.reserve(num_samples);
  result.value.reserve(num_samples);
  for (size_t i = 0; i < result.order.size(); ++i) {
    const auto& b = *result.order[i];
    if (i > 0 && result.order[i - 1]->name == b.name)
      return refuse(b, "appears twice");
    for (size_t j = 1; j < b.samples.size(); ++j)
      if (b.samples[j].time <= b.samples[j - 1].time)
        return refuse(b, "has samples out of time order or repeated");
    result.entity.push_back(b.name.entity.c_str());
    result.quantity.push_back(b.name.quantity.c_str());
    result.unit.push_back(b.unit.c_str());
    result.offset.push_back(result.time.size());
    result.count.push_back(b.samples.size());
    result.first.push_back(b.samples.front().time);
    result.last.push_back(b.samples.back().time);
    auto k = choose_encoding(b.samples);
    result.encoding.push_back(k);
    encode_times(b.samples, result.time);
    encode_values(b.samples, k, result.value);
  }
  return result;
}

h5_id utf8_string_type() {
  h5_id result{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(result.get(), H5T_VARIABLE);
  H5Tset_cset(result.get(), H5T_CSET_UTF8);
  return result;
}

bool write_attribute(hid_t loc, const char* name, hid_t file_type,
                     hid_t mem_type, const void* data) {
  h5_id space{H5Screate(H5S_SCALAR), H5Sclose};
  h5_id attr{
      H5Acreate2(loc, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose};
  return attr && H5Awrite(attr.get(), mem_type, data) >= 0;
}

bool write_string_attribute(hid_t loc, const char* name,
                            const std::string& value) {
  auto type = utf8_string_type();
  const char* text = value.c_str();
  return write_attribute(loc, name, type.get(), type.get(), &text);
}

/// How a column is stored: contiguous, or chunked and deflated.
struct column_storage {
  hsize_t chunk_rows = 0; ///< 0: contiguous
  bool shuffle = false;   ///< byte shuffle before deflate
};

/// The index columns: contiguous while small (a chunk index costs more
/// than it saves), else chunked, shuffled and deflated.
column_storage index_storage(hsize_t n) {
  if (n <= index_chunk_rows)
    return {};
  return {index_chunk_rows, true};
}

/// Creates and writes a one-dimensional dataset of `n` rows.
bool write_column(hid_t group, const char* name, hid_t file_type,
                  hid_t mem_type, hsize_t n, const void* data,
                  column_storage storage) {
  h5_id space{H5Screate_simple(1, &n, nullptr), H5Sclose};
  h5_id dcpl{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  auto [chunk_rows, shuffle] = storage;
  if (chunk_rows > 0 && n > 0) {
    auto chunk = std::min(n, chunk_rows);
    if (H5Pset_chunk(dcpl.get(), 1, &chunk) < 0
        || (shuffle && H5Pset_shuffle(dcpl.get()) < 0)
        || H5Pset_deflate(dcpl.get(), deflate_level) < 0)
      return false;
  }
  h5_id dset{H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT,
                        dcpl.get(), H5P_DEFAULT),
             H5Dclose};
  if (!dset)
    return false;
  return n == 0
         || H5Dwrite(dset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data)
                >= 0;
}

caf::error write_file(const fs::path& tmp, const segment_info& info,
                      const encoded_segment& seg) {
  h5_id fcpl{H5Pcreate(H5P_FILE_CREATE), H5Pclose};
  if (H5Pset_istore_k(fcpl.get(), chunk_index_k) < 0)
    return write_failure(tmp, "H5Pset_istore_k failed");
  // HDF5 builds the file in memory (the core driver, no backing store);
  // we write the finished image ourselves. A full disk then fails a plain
  // write(2) of ours, never a call inside HDF5, which would leave a
  // half-closed file in the library (its close at exit crashed).
  h5_id fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  if (H5Pset_fapl_core(fapl.get(), 4 << 20, 0) < 0)
    return write_failure(tmp, "H5Pset_fapl_core failed");
  h5_id file{H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
             H5Fclose};
  if (!file)
    return write_failure(tmp, "H5Fcreate failed");
  auto first = info.first;
  auto last = info.last;
  if (!seg.order.empty()) {
    first = *std::min_element(seg.first.begin(), seg.first.end());
    last = *std::max_element(seg.last.begin(), seg.last.end());
  }
  auto root = file.get();
  std::string format{format_name};
  if (!write_string_attribute(root, "format", format)
      || !write_attribute(root, "version", H5T_STD_I32LE, H5T_NATIVE_INT32,
                          &format_version)
      || !write_string_attribute(root, "tenant", info.tenant)
      || !write_attribute(root, "first_ms", H5T_STD_I64LE, H5T_NATIVE_INT64,
                          &first)
      || !write_attribute(root, "last_ms", H5T_STD_I64LE, H5T_NATIVE_INT64,
                          &last)
      || !write_attribute(root, "journal_through", H5T_STD_U64LE,
                          H5T_NATIVE_UINT64, &info.journal_through))
    return write_failure(tmp, "cannot write the root attributes");
  h5_id streams{
      H5Gcreate2(root, "streams", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Gclose};
  h5_id samples{
      H5Gcreate2(root, "samples", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Gclose};
  if (!streams || !samples)
    return write_failure(tmp, "cannot create the groups");
  auto str = utf8_string_type();
  hsize_t n = seg.order.size();
  auto s = streams.get();
  if (!write_column(s, "entity", str.get(), str.get(), n, seg.entity.data(), {})
      || !write_column(s, "quantity", str.get(), str.get(), n,
                       seg.quantity.data(), {})
      || !write_column(s, "unit", str.get(), str.get(), n, seg.unit.data(), {})
      || !write_column(s, "offset", H5T_STD_U64LE, H5T_NATIVE_UINT64, n,
                       seg.offset.data(), index_storage(n))
      || !write_column(s, "count", H5T_STD_U64LE, H5T_NATIVE_UINT64, n,
                       seg.count.data(), index_storage(n))
      || !write_column(s, "first_ms", H5T_STD_I64LE, H5T_NATIVE_INT64, n,
                       seg.first.data(), index_storage(n))
      || !write_column(s, "last_ms", H5T_STD_I64LE, H5T_NATIVE_INT64, n,
                       seg.last.data(), index_storage(n))
      || !write_column(s, "encoding", H5T_STD_I8LE, H5T_NATIVE_INT8, n,
                       seg.encoding.data(), index_storage(n)))
    return write_failure(tmp, "cannot write /streams");
  hsize_t m = seg.time.size();
  if (!write_column(samples.get(), "time", H5T_STD_I64LE, H5T_NATIVE_INT64, m,
                    seg.time.data(), {sample_chunk_rows, true})
      || !write_column(samples.get(), "value", H5T_STD_I64LE, H5T_NATIVE_INT64,
                       m, seg.value.data(), {sample_chunk_rows, false}))
    return write_failure(tmp, "cannot write /samples");
  if (H5Fflush(root, H5F_SCOPE_LOCAL) < 0)
    return write_failure(tmp, "H5Fflush failed");
  streams = {};
  samples = {};
  auto size = H5Fget_file_image(root, nullptr, 0);
  if (size < 0)
    return write_failure(tmp, "H5Fget_file_image failed");
  std::string image(static_cast<size_t>(size), '\0');
  if (H5Fget_file_image(root, image.data(), image.size()) != size)
    return write_failure(tmp, "H5Fget_file_image failed");
  if (!file.close())
    return write_failure(tmp, "H5Fclose failed");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return file_error(errno, tmp, "create");
  if (auto err = write_all(fd, tmp, image)) {
    ::close(fd);
    return err;
  }
  if (::close(fd) != 0)
    return file_error(errno, tmp, "close");
  return caf::none;
}

caf::error sync(const fs::path& file, int flags) {
  int fd = ::open(file.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    return file_error(errno, file, "open");
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return file_error(err, file, "fsync");
  }
  ::close(fd);
  return caf::none;
}

// Renames `tmp` to `path` unless `path` exists, even if another process
// creates it meanwhile.
caf::error rename_no_replace(const fs::path& tmp, const fs::path& path) {
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(),
                  RENAME_NOREPLACE)
      == 0)
    return caf::none;
  int err = errno;
  if (err == EINVAL || err == ENOSYS) {
    // A file system without renameat2's flag: link fails if `path` exists.
    if (::link(tmp.c_str(), path.c_str()) == 0) {
      ::unlink(tmp.c_str());
      return caf::none;
    }
    err = errno;
  }
  if (err == EEXIST)
    return caf::make_error(twin::errc::io_failure,
                           "refusing to overwrite segment file "
                               + path.string());
  return file_error(err, path, "rename " + tmp.string() + " to");
}

caf::error publish(const fs::path& tmp, const fs::path& path) {
  if (auto err = sync(tmp, O_RDONLY))
    return err;
  if (auto err = rename_no_replace(tmp, path))
    return err;
  auto dir = path.parent_path();
  return sync(dir.empty() ? fs::path{"."} : dir, O_RDONLY | O_DIRECTORY);
}

} // namespace

caf::error write_segment(const fs::path& path, const segment_info& info,
                         std::span<const stream_block> blocks) {
  silence_hdf5();
  std::error_code ec;
  if (fs::exists(path, ec))
    return caf::make_error(twin::errc::io_failure,
                           "refusing to overwrite segment file "
                               + path.string());
  auto seg = encode(path, blocks);
  if (!seg)
    return std::move(seg.error());
  auto tmp = path;
  tmp += ".tmp";
  auto err = write_file(tmp, info, *seg);
  if (!err)
    err = publish(tmp, path);
  if (err)
    fs::remove(tmp, ec);
  return err;
}

// -- reading ------------------------------------------------------------------

struct segment_reader::handle {
  h5_id file;
  h5_id time;
  h5_id value;
  uint64_t num_samples = 0;
  /// The `encoding` of each stream, in the order of `streams_`.
  std::vector<int8_t> encoding;
};

namespace {

/// Reads a scalar attribute of integer class into `out`.
template <class T>
bool read_integer_attribute(hid_t loc, const char* name, hid_t mem_type,
                            T& out) {
  if (H5Aexists(loc, name) <= 0)
    return false;
  h5_id attr{H5Aopen(loc, name, H5P_DEFAULT), H5Aclose};
  h5_id type{H5Aget_type(attr.get()), H5Tclose};
  h5_id space{H5Aget_space(attr.get()), H5Sclose};
  return attr && H5Tget_class(type.get()) == H5T_INTEGER
         && H5Sget_simple_extent_npoints(space.get()) == 1
         && H5Aread(attr.get(), mem_type, &out) >= 0;
}

/// Reads a scalar variable-length string attribute.
bool read_string_attribute(hid_t loc, const char* name, std::string& out) {
  if (H5Aexists(loc, name) <= 0)
    return false;
  h5_id attr{H5Aopen(loc, name, H5P_DEFAULT), H5Aclose};
  h5_id type{H5Aget_type(attr.get()), H5Tclose};
  h5_id space{H5Aget_space(attr.get()), H5Sclose};
  if (!attr || H5Tget_class(type.get()) != H5T_STRING
      || H5Tis_variable_str(type.get()) <= 0
      || H5Sget_simple_extent_npoints(space.get()) != 1)
    return false;
  auto mem = utf8_string_type();
  char* text = nullptr;
  if (H5Aread(attr.get(), mem.get(), &text) < 0)
    return false;
  out = text != nullptr ? text : "";
  H5free_memory(text);
  return true;
}

/// Opens a one-dimensional dataset of class `cls` and returns its length.
h5_id open_column(hid_t group, const char* name, H5T_class_t cls,
                  hsize_t& length) {
  if (H5Lexists(group, name, H5P_DEFAULT) <= 0)
    return {};
  h5_id dset{H5Dopen2(group, name, H5P_DEFAULT), H5Dclose};
  if (!dset)
    return {};
  h5_id type{H5Dget_type(dset.get()), H5Tclose};
  h5_id space{H5Dget_space(dset.get()), H5Sclose};
  if (H5Tget_class(type.get()) != cls
      || (cls == H5T_STRING && H5Tis_variable_str(type.get()) <= 0)
      || H5Sget_simple_extent_ndims(space.get()) != 1
      || H5Sget_simple_extent_dims(space.get(), &length, nullptr) < 0)
    return {};
  return dset;
}

template <class T>
bool read_numbers(hid_t group, const char* name, hid_t mem_type, hsize_t n,
                  std::vector<T>& out) {
  hsize_t length = 0;
  auto dset = open_column(group, name, H5T_INTEGER, length);
  if (!dset || length != n)
    return false;
  out.resize(n);
  return n == 0
         || H5Dread(dset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                    out.data())
                >= 0;
}

bool read_strings(hid_t group, const char* name, hsize_t n,
                  std::vector<std::string>& out) {
  hsize_t length = 0;
  auto dset = open_column(group, name, H5T_STRING, length);
  if (!dset || length != n)
    return false;
  out.resize(n);
  if (n == 0)
    return true;
  auto mem = utf8_string_type();
  std::vector<char*> texts(n, nullptr);
  if (H5Dread(dset.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
              texts.data())
      < 0)
    return false;
  for (size_t i = 0; i < n; ++i)
    if (texts[i] != nullptr)
      out[i] = texts[i];
  h5_id space{H5Dget_space(dset.get()), H5Sclose};
  H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, texts.data());
  return true;
}

/// Reads rows [offset, offset + n) of a sample column in one call.
bool read_rows(hid_t dset, uint64_t offset, uint64_t n, int64_t* out) {
  if (n == 0)
    return true;
  h5_id file_space{H5Dget_space(dset), H5Sclose};
  hsize_t start = offset;
  hsize_t count = n;
  h5_id mem_space{H5Screate_simple(1, &count, nullptr), H5Sclose};
  return file_space && mem_space
         && H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start,
                                nullptr, &count, nullptr)
                >= 0
         && H5Dread(dset, H5T_NATIVE_INT64, mem_space.get(), file_space.get(),
                    H5P_DEFAULT, out)
                >= 0;
}

/// The index columns, read and checked against each other and `m`.
struct index_columns {
  std::vector<std::string> entity, quantity, unit;
  std::vector<uint64_t> offset, count;
  std::vector<int64_t> first, last;
  std::vector<int8_t> encoding;
};

/// What is wrong with the index, or empty.
std::string check_index(const index_columns& ix, uint64_t m) {
  auto n = ix.entity.size();
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  ranges.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0
        && std::tie(ix.entity[i - 1], ix.quantity[i - 1])
               >= std::tie(ix.entity[i], ix.quantity[i]))
      return "/streams rows are not sorted by (entity, quantity)";
    if (ix.count[i] == 0 || ix.offset[i] > m || ix.count[i] > m - ix.offset[i])
      return "stream row " + std::to_string(i) + " lies outside /samples";
    if (ix.first[i] > ix.last[i])
      return "stream row " + std::to_string(i) + " ends before it starts";
    if (ix.encoding[i] < xor_encoding || ix.encoding[i] > max_decimal_encoding)
      return "stream row " + std::to_string(i) + " has an unknown encoding";
    ranges.emplace_back(ix.offset[i], ix.count[i]);
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i - 1].first + ranges[i - 1].second > ranges[i].first)
      return "streams overlap in /samples";
  return {};
}

} // namespace

caf::expected<std::shared_ptr<const segment_reader>>
segment_reader::open(const fs::path& path) {
  silence_hdf5();
  // A file we cannot read at all is an I/O problem, not a damaged file.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return file_error(errno, path, "open");
  ::close(fd);
  auto h5 = std::make_unique<handle>();
  h5->file = {H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  if (!h5->file)
    return corrupt(path, "not an HDF5 file, or truncated");
  auto root = h5->file.get();
  std::string format;
  int32_t version = 0;
  if (!read_string_attribute(root, "format", format) || format != format_name)
    return corrupt(path, "no attribute format = \"citytwin-archive-segment\"");
  if (!read_integer_attribute(root, "version", H5T_NATIVE_INT32, version)
      || version != format_version)
    return corrupt(path, "no attribute version = 1");
  std::shared_ptr<segment_reader> result{new segment_reader};
  auto& info = result->info_;
  if (!read_string_attribute(root, "tenant", info.tenant)
      || !read_integer_attribute(root, "first_ms", H5T_NATIVE_INT64, info.first)
      || !read_integer_attribute(root, "last_ms", H5T_NATIVE_INT64, info.last)
      || !read_integer_attribute(root, "journal_through", H5T_NATIVE_UINT64,
                                 info.journal_through))
    return corrupt(path, "root attributes missing or of the wrong type");
  hsize_t m = 0;
  hsize_t m_value = 0;
  h5->time = open_column(root, "samples/time", H5T_INTEGER, m);
  h5->value = open_column(root, "samples/value", H5T_INTEGER, m_value);
  if (!h5->time || !h5->value || m != m_value)
    return corrupt(path, "/samples/time and /samples/value missing or of "
                         "different lengths");
  if (H5Lexists(root, "streams", H5P_DEFAULT) <= 0)
    return corrupt(path, "no group /streams");
  h5_id streams{H5Gopen2(root, "streams", H5P_DEFAULT), H5Gclose};
  hsize_t n = 0;
  if (!streams || !open_column(streams.get(), "entity", H5T_STRING, n))
    return corrupt(path, "no /streams/entity of strings");
  index_columns ix;
  auto s = streams.get();
  if (!read_strings(s, "entity", n, ix.entity)
      || !read_strings(s, "quantity", n, ix.quantity)
      || !read_strings(s, "unit", n, ix.unit)
      || !read_numbers(s, "offset", H5T_NATIVE_UINT64, n, ix.offset)
      || !read_numbers(s, "count", H5T_NATIVE_UINT64, n, ix.count)
      || !read_numbers(s, "first_ms", H5T_NATIVE_INT64, n, ix.first)
      || !read_numbers(s, "last_ms", H5T_NATIVE_INT64, n, ix.last)
      || !read_numbers(s, "encoding", H5T_NATIVE_INT8, n, ix.encoding))
    return corrupt(path, "/streams columns missing, unreadable or of "
                         "different lengths");
  if (auto what = check_index(ix, m); !what.empty())
    return corrupt(path, what);
  result->streams_.reserve(n);
  for (size_t i = 0; i < n; ++i)
    result->streams_.push_back(
        {{std::move(ix.entity[i]), std::move(ix.quantity[i])},
         std::move(ix.unit[i]),
         ix.offset[i],
         ix.count[i],
         ix.first[i],
         ix.last[i]});
  h5->num_samples = m;
  h5->encoding = std::move(ix.encoding);
  result->path_ = path;
  result->h5_ = std::move(h5);
  return std::shared_ptr<const segment_reader>{std::move(result)};
}

segment_reader::~segment_reader() = default;

const segment_stream* segment_reader::find(const stream_name& name) const {
  auto i = std::lower_bound(
      streams_.begin(), streams_.end(), name,
      [](const segment_stream& s, const stream_name& x) { return s.name < x; });
  if (i == streams_.end() || i->name != name)
    return nullptr;
  return &*i;
}

caf::error segment_reader::read(const stream_name& name, twin::time_ms from,
                                twin::time_ms to,
                                std::vector<sample>& out) const {
  silence_hdf5();
  const auto* s = find(name);
  if (s == nullptr || from >= to || to <= s->first || from > s->last)
    return caf::none;
  std::vector<int64_t> time(s->count);
  if (!read_rows(h5_->time.get(), s->offset, s->count, time.data()))
    return corrupt(path_, "cannot read the times of " + name.entity + " "
                              + name.quantity);
  decode_times(time);
  auto lo = std::lower_bound(time.begin(), time.end(), from) - time.begin();
  auto hi = std::lower_bound(time.begin(), time.end(), to) - time.begin();
  // Values are prefix sums: rows [0, hi) are needed for values [lo, hi).
  std::vector<int64_t> rows(hi);
  if (!read_rows(h5_->value.get(), s->offset, hi, rows.data()))
    return corrupt(path_, "cannot read the values of " + name.entity + " "
                              + name.quantity);
  std::vector<double> value(hi);
  decode_values(rows, h5_->encoding[s - streams_.data()], value);
  out.reserve(out.size() + (hi - lo));
  for (auto i = lo; i < hi; ++i)
    out.push_back({time[i], value[i]});
  return caf::none;
}

caf::error segment_reader::read_last(const stream_name& name, size_t n,
                                     twin::time_ms to,
                                     std::vector<sample>& out) const {
  const auto* s = find(name);
  if (s == nullptr || n == 0 || to <= s->first)
    return caf::none;
  // The times decide which rows; reading [first, to) costs the same.
  std::vector<sample> all;
  if (auto err = read(name, s->first, to, all))
    return err;
  auto skip = all.size() > n ? all.size() - n : 0;
  out.insert(out.end(), all.begin() + static_cast<ptrdiff_t>(skip), all.end());
  return caf::none;
}

caf::error merge_segments(std::span<const fs::path> inputs,
                          const fs::path& output, const segment_info& info) {
  std::vector<std::shared_ptr<const segment_reader>> readers;
  for (const auto& path : inputs) {
    auto r = segment_reader::open(path);
    if (!r)
      return std::move(r.error());
    readers.push_back(std::move(*r));
  }
  // Every stream with the inputs holding it, in input order.
  std::map<stream_name, std::vector<const segment_reader*>> holders;
  for (const auto& r : readers)
    for (const auto& s : r->streams())
      holders[s.name].push_back(r.get());
  std::vector<stream_block> blocks;
  blocks.reserve(holders.size());
  for (const auto& [name, rs] : holders) {
    auto& b = blocks.emplace_back();
    b.name = name;
    for (const auto* r : rs) {
      b.unit = r->find(name)->unit; // the latest input's unit
      // [min, max) leaves out a sample at the largest time_ms, 292 million
      // years from now.
      if (auto err
          = r->read(name, std::numeric_limits<twin::time_ms>::min(),
                    std::numeric_limits<twin::time_ms>::max(), b.samples))
        return err;
    }
    // Later inputs come later among equal times; keep the last of each.
    std::stable_sort(
        b.samples.begin(), b.samples.end(),
        [](const sample& x, const sample& y) { return x.time < y.time; });
    auto w = b.samples.begin();
    for (auto i = b.samples.begin(); i != b.samples.end(); ++i) {
      if (w != b.samples.begin() && (w - 1)->time == i->time)
        *(w - 1) = *i;
      else
        *w++ = *i;
    }
    b.samples.erase(w, b.samples.end());
  }
  return write_segment(output, info, blocks);
}

} // namespace citytwin::archive
