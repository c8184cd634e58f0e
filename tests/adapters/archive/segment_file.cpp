// tests/adapters/archive/segment_file.cpp: archive segment files and a
// tenant's folder of them.
#include "adapters/archive/segment_file.hpp"
#include "adapters/archive/column_codec.hpp"
#include "adapters/archive/segment_set.hpp"

#include "skip.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>

using namespace citytwin;
using namespace citytwin::archive;
using Catch::Contains;

namespace {

namespace fs = std::filesystem;

// A fresh folder per test case, removed at its end.
struct temp_folder {
  fs::path path;

  explicit temp_folder(const std::string& name)
      : path(
          fs::temp_directory_path()
          / ("citytwin_archive_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }

  ~temp_folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

stream_block block(const std::string& entity, const std::string& quantity,
                   std::vector<sample> samples, const std::string& unit = "") {
  return {{entity, quantity}, unit, std::move(samples)};
}

// `n` samples at t0, t0 + step, ... whose values are value(i).
template <class F>
std::vector<sample> series(size_t n, twin::time_ms t0, twin::time_ms step,
                           F value) {
  std::vector<sample> result;
  for (size_t i = 0; i < n; ++i)
    result.push_back({t0 + static_cast<twin::time_ms>(i) * step, value(i)});
  return result;
}

// The streams every round-trip test writes, one of each kind of value.
std::vector<stream_block> mixed_blocks() {
  std::mt19937_64 rng{42};
  std::uniform_real_distribution<double> noise{-1e3, 1e3};
  std::vector<stream_block> result;
  result.push_back(block("urn:a", "vehicle_count",
                         series(100, 1'700'000'000'000, 60'000,
                                [](size_t i) { return double(i % 7); })));
  result.push_back(block("urn:a", "temperature",
                         series(100, 1'700'000'000'000, 1000,
                                [](size_t i) { return 0.1 * double(i); }),
                         "Cel"));
  result.push_back(block("urn:b", "temperature",
                         series(50, 1'700'000'000'500, 1000,
                                [](size_t i) { return -12.5 + double(i); }),
                         "Cel"));
  result.push_back(block(
      "urn:c", "noise",
      series(64, 1'600'000'000'000, 7, [&](size_t) { return noise(rng); })));
  result.push_back(block("urn:d", "one", {{-5, 3.25}}));
  return result;
}

fs::path write(const fs::path& folder, const std::string& name,
               std::span<const stream_block> blocks,
               uint64_t journal_through = 7) {
  auto path = folder / name;
  auto err = write_segment(path, {"tenant-x", 0, 0, journal_through}, blocks);
  INFO(twin::describe(err));
  REQUIRE(!err);
  return path;
}

std::shared_ptr<const segment_reader> open(const fs::path& path) {
  auto result = segment_reader::open(path);
  INFO((result ? "" : twin::describe(result.error())));
  REQUIRE(result);
  return *result;
}

std::vector<sample> read_all(const segment_reader& r, const stream_name& n) {
  std::vector<sample> result;
  REQUIRE(!r.read(n, std::numeric_limits<twin::time_ms>::min(),
                  std::numeric_limits<twin::time_ms>::max(), result));
  return result;
}

twin::errc code_of(const caf::error& err) {
  return static_cast<twin::errc>(err.code());
}

// Opening `path` fails with corrupt_file, naming it and what to do.
void require_refused(const fs::path& path) {
  auto r = segment_reader::open(path);
  REQUIRE(!r);
  CHECK(code_of(r.error()) == twin::errc::corrupt_file);
  auto text = twin::describe(r.error());
  CHECK_THAT(text, Contains(path.string()));
  CHECK_THAT(text, Contains("move it away to start a fresh archive; citytwin "
                            "never overwrites it"));
}

} // namespace

TEST_CASE("archive: values take the smallest exact decimal scale",
          "[archive]") {
  auto k = [](std::vector<double> values) {
    std::vector<sample> xs;
    for (size_t i = 0; i < values.size(); ++i)
      xs.push_back({twin::time_ms(i), values[i]});
    return int{choose_encoding(xs)};
  };
  constexpr double two53 = 9007199254740992.0;
  CHECK(k({0, 1, 2, -40}) == 0);
  CHECK(k({21.3, 21.4, -0.1}) == 1);
  CHECK(k({21.25, 1}) == 2);
  CHECK(k({1e-9, 2}) == 9);
  CHECK(k({1.0 / 3}) == xor_encoding);
  CHECK(k({1e-10}) == xor_encoding); // needs 10 decimals
  CHECK(k({1e300}) == xor_encoding); // beyond 2^53
  CHECK(k({two53}) == 0);            // the largest integer allowed
  CHECK(k({two53 + 2}) == xor_encoding);
  CHECK(k({-two53, two53}) == xor_encoding); // a delta of 2^54
  CHECK(k({-0.0}) == xor_encoding);          // would read back as +0.0
  CHECK(k({std::nan("")}) == xor_encoding);
  CHECK(k({std::numeric_limits<double>::infinity()}) == xor_encoding);
  CHECK(k({}) == 0);
}

TEST_CASE("archive: the codec round-trips every encoding bit for bit",
          "[archive]") {
  std::vector<sample> xs{
      {-3, -0.0}, {0, 0.1}, {5, 1e300}, {9, std::nan("")}, {12, -7.25}};
  for (int8_t k : {int8_t{xor_encoding}, int8_t{3}}) {
    auto in = k == xor_encoding
                  ? xs
                  : std::vector<sample>{{-3, 0.125}, {0, -4}, {5, 8.001}};
    REQUIRE(choose_encoding(in) == k);
    std::vector<int64_t> times;
    std::vector<int64_t> rows;
    encode_times(in, times);
    encode_values(in, k, rows);
    decode_times(times);
    std::vector<double> values(rows.size());
    decode_values(rows, k, values);
    for (size_t i = 0; i < in.size(); ++i) {
      CHECK(times[i] == in[i].time);
      CHECK(std::bit_cast<uint64_t>(values[i])
            == std::bit_cast<uint64_t>(in[i].value));
    }
  }
}

TEST_CASE("archive: a segment round-trips integer decimal negative "
          "full-precision and single-sample streams",
          "[archive]") {
  temp_folder dir{"round_trip"};
  auto blocks = mixed_blocks();
  auto path = write(dir.path, "s.h5", blocks, 42);
  auto r = open(path);
  CHECK(r->path() == path);
  CHECK(r->info().tenant == "tenant-x");
  CHECK(r->info().first == -5); // the single sample of urn:d
  CHECK(r->info().last == 1'700'000'000'000 + 99 * 60'000);
  CHECK(r->info().journal_through == 42);
  REQUIRE(r->streams().size() == blocks.size());
  for (const auto& b : blocks) {
    const auto* s = r->find(b.name);
    REQUIRE(s != nullptr);
    CHECK(s->unit == b.unit);
    CHECK(s->count == b.samples.size());
    CHECK(s->first == b.samples.front().time);
    CHECK(s->last == b.samples.back().time);
    CHECK(read_all(*r, b.name) == b.samples);
  }
  CHECK(r->find({"urn:a", "nothing"}) == nullptr);
  CHECK(!fs::exists(path.string() + ".tmp"));
}

TEST_CASE("archive: reads honour the half-open range and read_last",
          "[archive]") {
  temp_folder dir{"bounds"};
  // Times 1000, 2000, ..., 10000 with values 1..10.
  std::vector<stream_block> blocks{block(
      "urn:e", "q", series(10, 1000, 1000, [](size_t i) { return i + 1.0; }))};
  auto r = open(write(dir.path, "s.h5", blocks));
  stream_name name{"urn:e", "q"};
  auto times = [&](twin::time_ms from, twin::time_ms to) {
    std::vector<sample> out;
    REQUIRE(!r->read(name, from, to, out));
    std::vector<twin::time_ms> result;
    for (auto& s : out)
      result.push_back(s.time);
    return result;
  };
  using v = std::vector<twin::time_ms>;
  CHECK(times(3000, 6000) == v{3000, 4000, 5000});
  CHECK(times(2500, 3001) == v{3000});
  CHECK(times(0, 1000).empty());          // `to` excluded
  CHECK(times(10000, 20000) == v{10000}); // `from` included
  CHECK(times(10001, 20000).empty());
  CHECK(times(5000, 5000).empty());
  CHECK(times(6000, 5000).empty());
  auto last = [&](size_t n, twin::time_ms to) {
    std::vector<sample> out{{1, 1}}; // reads append
    REQUIRE(!r->read_last(name, n, to, out));
    out.erase(out.begin());
    return out;
  };
  CHECK(last(3, 5000) == std::vector<sample>{{2000, 2}, {3000, 3}, {4000, 4}});
  CHECK(last(100, 1'000'000).size() == 10);
  CHECK(last(2, 1000).empty());
  CHECK(last(0, 5000).empty());
  std::vector<sample> none;
  CHECK(!r->read({"urn:none", "q"}, 0, 100'000, none));
  CHECK(!r->read_last({"urn:none", "q"}, 5, 100'000, none));
  CHECK(none.empty());
}

TEST_CASE("archive: many streams are indexed in (entity, quantity) order",
          "[archive]") {
  temp_folder dir{"many"};
  // 300 streams given in reverse order; stream i has i % 5 + 1 samples.
  std::vector<stream_block> blocks;
  for (int i = 299; i >= 0; --i) {
    char entity[32];
    std::snprintf(entity, sizeof(entity), "urn:x:%03d", i / 3);
    blocks.push_back(block(entity, "q" + std::to_string(i % 3),
                           series(i % 5 + 1, i, 10, [i](size_t j) {
                             return i * 0.5 + double(j);
                           })));
  }
  auto r = open(write(dir.path, "s.h5", blocks));
  const auto& streams = r->streams();
  REQUIRE(streams.size() == 300);
  uint64_t next_offset = 0;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (i > 0)
      CHECK(streams[i - 1].name < streams[i].name);
    CHECK(streams[i].offset == next_offset); // packed in index order
    next_offset += streams[i].count;
  }
  for (const auto& b : blocks)
    CHECK(read_all(*r, b.name) == b.samples);
}

TEST_CASE("archive: writing refuses an existing path and bad blocks",
          "[archive]") {
  temp_folder dir{"refuse"};
  auto blocks = mixed_blocks();
  auto path = write(dir.path, "s.h5", blocks, 1);
  auto err = write_segment(path, {"other", 0, 0, 2}, blocks);
  REQUIRE(err);
  CHECK(code_of(err) == twin::errc::io_failure);
  CHECK_THAT(twin::describe(err), Contains(path.string()));
  CHECK(open(path)->info().journal_through == 1); // the first file, intact
  CHECK(!fs::exists(path.string() + ".tmp"));
  std::vector<stream_block> twice{blocks[0], blocks[0]};
  CHECK(code_of(write_segment(dir.path / "t.h5", {}, twice))
        == twin::errc::io_failure);
  std::vector<stream_block> unsorted{block("urn:u", "q", {{2, 1}, {1, 1}})};
  CHECK(code_of(write_segment(dir.path / "u.h5", {}, unsorted))
        == twin::errc::io_failure);
  CHECK(!fs::exists(dir.path / "t.h5"));
  CHECK(!fs::exists(dir.path / "u.h5.tmp"));
}

TEST_CASE("archive: damaged and foreign files are refused as corrupt_file",
          "[archive]") {
  temp_folder dir{"corrupt"};
  // A real segment large enough that its data lie past its metadata.
  std::vector<stream_block> blocks;
  std::mt19937_64 rng{7};
  std::uniform_real_distribution<double> noise{0, 1};
  for (int i = 0; i < 20; ++i)
    blocks.push_back(
        block("urn:s" + std::to_string(i), "q",
              series(1000, 0, 1000, [&](size_t) { return noise(rng); })));
  auto good = write(dir.path, "good.h5", blocks);
  auto size = fs::file_size(good);
  REQUIRE(size > 100'000); // 20,000 noisy doubles do not compress much
  auto truncated = dir.path / "truncated.h5";
  fs::copy_file(good, truncated);
  fs::resize_file(truncated, size / 2);
  require_refused(truncated);

  auto random = dir.path / "random.h5";
  {
    std::ofstream out{random, std::ios::binary};
    for (int i = 0; i < 10'000; ++i)
      out.put(static_cast<char>(rng()));
  }
  require_refused(random);

  // A valid HDF5 file, but not ours: no format attribute.
  auto foreign = dir.path / "foreign.h5";
  auto file
      = H5Fcreate(foreign.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(file >= 0);
  H5Fclose(file);
  require_refused(foreign);

  auto missing = segment_reader::open(dir.path / "missing.h5");
  REQUIRE(!missing);
  CHECK(code_of(missing.error()) == twin::errc::io_failure);

  // A folder holding a damaged segment does not open.
  auto set = segment_set::open(dir.path);
  REQUIRE(!set);
  CHECK(code_of(set.error()) == twin::errc::corrupt_file);
}

TEST_CASE("archive: merging keeps a later input's sample on equal times",
          "[archive]") {
  temp_folder dir{"merge"};
  // A: times 1..5 valued 1; B: times 4..8 valued 2, with another unit.
  auto a = write(dir.path, "a.h5",
                 std::vector<stream_block>{
                     block("urn:m", "q",
                           series(5, 1, 1, [](size_t) { return 1.0; }), "old"),
                     block("urn:only-a", "q", {{3, 0.5}})},
                 3);
  auto b = write(
      dir.path, "b.h5",
      std::vector<stream_block>{block(
          "urn:m", "q", series(5, 4, 1, [](size_t) { return 2.0; }), "new")},
      9);
  auto out = dir.path / "merged.h5";
  std::vector<fs::path> inputs{a, b};
  auto err = merge_segments(inputs, out, {"tenant-x", 0, 0, 9});
  INFO(twin::describe(err));
  REQUIRE(!err);
  auto r = open(out);
  CHECK(r->info().first == 1);
  CHECK(r->info().last == 8);
  CHECK(r->info().journal_through == 9);
  CHECK(read_all(*r, {"urn:m", "q"})
        == std::vector<sample>{
            {1, 1}, {2, 1}, {3, 1}, {4, 2}, {5, 2}, {6, 2}, {7, 2}, {8, 2}});
  CHECK(r->find({"urn:m", "q"})->unit == "new");
  CHECK(read_all(*r, {"urn:only-a", "q"}) == std::vector<sample>{{3, 0.5}});
}

TEST_CASE("archive: a segment set reopens its folder, reads across "
          "segments and compacts them",
          "[archive]") {
  temp_folder dir{"set"};
  auto folder = dir.path / "tenant-x" / "segments";
  stream_name name{"urn:k", "q"};
  {
    auto set = segment_set::open(folder);
    REQUIRE(set);
    auto& s = **set;
    CHECK(s.size() == 0);
    CHECK(s.journal_through() == 0);
    // 2023-11-14T22:13:20Z; then a second segment an hour later, whose
    // sample at 3,600,000 repeats the first's last time with a new value.
    const twin::time_ms t0 = 1'700'000'000'000;
    auto p1 = s.next_path(t0);
    CHECK(p1.filename() == "20231114T221320Z-000001.h5");
    REQUIRE(!write_segment(p1, {"tenant-x", 0, 0, 5},
                           std::vector<stream_block>{block(
                               "urn:k", "q", {{t0, 1}, {t0 + 3'600'000, 2}})}));
    REQUIRE(!s.add(p1));
    auto p2 = s.next_path(t0 + 3'600'000);
    CHECK(p2.filename() == "20231114T231320Z-000002.h5");
    REQUIRE(!write_segment(
        p2, {"tenant-x", 0, 0, 11},
        std::vector<stream_block>{
            block("urn:k", "q", {{t0 + 3'600'000, 3}, {t0 + 3'601'000, 4}}),
            block("urn:j", "q", {{t0, 0}})}));
    REQUIRE(!s.add(p2));
  }
  std::ofstream{folder / "20231114T235959Z-000003.h5.tmp"} << "interrupted";
  auto set = segment_set::open(folder);
  REQUIRE(set);
  auto& s = **set;
  CHECK(s.size() == 2);
  CHECK(!fs::exists(folder / "20231114T235959Z-000003.h5.tmp"));
  CHECK(s.journal_through() == 11);
  CHECK(s.stream_names()
        == std::vector<stream_name>{{"urn:j", "q"}, {"urn:k", "q"}});
  const twin::time_ms t0 = 1'700'000'000'000;
  auto all = s.read(name, 0, t0 * 2);
  REQUIRE(all);
  // The repeated time keeps the newer segment's 3.
  CHECK(*all
        == std::vector<sample>{
            {t0, 1}, {t0 + 3'600'000, 3}, {t0 + 3'601'000, 4}});
  auto last = s.read_last(name, 2, t0 + 3'601'000);
  REQUIRE(last);
  CHECK(*last == std::vector<sample>{{t0, 1}, {t0 + 3'600'000, 3}});
  auto bytes = s.bytes_on_disk();
  CHECK(bytes > 0);
  // The names continue after the highest sequence number found.
  CHECK(s.next_path(t0).filename() == "20231114T221320Z-000003.h5");
  // Both segments lie inside the day: one file replaces them.
  REQUIRE(!s.compact(t0 - 3'600'000, t0 + 86'400'000));
  CHECK(s.size() == 1);
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator{folder}) {
    (void)entry;
    ++files;
  }
  CHECK(files == 1);
  CHECK(s.journal_through() == 11);
  CHECK(*s.read(name, 0, t0 * 2) == *all);
  auto reopened = segment_set::open(folder);
  REQUIRE(reopened);
  CHECK((*reopened)->size() == 1);
  CHECK(*(*reopened)->read(name, 0, t0 * 2) == *all);
}

TEST_CASE("archive: a read-only segment set changes nothing on disk",
          "[archive]") {
  temp_folder dir{"read_only"};
  auto folder = dir.path / "tenant-x" / "segments";
  // A missing folder is an error, not created.
  auto missing = segment_set::open(folder, open_mode::read_only);
  REQUIRE(!missing);
  CHECK(code_of(missing.error()) == twin::errc::io_failure);
  CHECK(!fs::exists(folder));
  fs::create_directories(folder);
  const twin::time_ms t0 = 1'700'000'000'000;
  const twin::time_ms hour = 3'600'000;
  write(folder, "a-000001.h5",
        std::vector<stream_block>{block("urn:k", "q", {{t0, 1}, {t0 + 10, 2}})});
  write(folder, "b-000002.h5",
        std::vector<stream_block>{block("urn:k", "q", {{t0 + 2 * hour, 3}})});
  // A running server's segment being written.
  std::ofstream{folder / "c-000003.h5.tmp"} << "in progress";
  auto set = segment_set::open(folder, open_mode::read_only);
  REQUIRE(set);
  auto& s = **set;
  CHECK(s.size() == 2);
  CHECK(fs::exists(folder / "c-000003.h5.tmp"));
  CHECK(s.compact(t0 - hour, t0 + 3 * hour));
  CHECK(s.size() == 2);
  // The spans are [t0, t0 + 10] and [t0 + 2 h]: the gap between is skipped.
  CHECK(s.next_covered(t0 - hour) == t0);
  CHECK(s.next_covered(t0 + 5) == t0 + 5);
  CHECK(s.next_covered(t0 + 11) == t0 + 2 * hour);
  CHECK(s.next_covered(t0 + 2 * hour + 1) == std::nullopt);
  CHECK(s.read({"urn:k", "q"}, t0, t0 + 3 * hour)->size() == 3);
}

TEST_CASE("archive: h5py and numpy alone decode a segment as README.md says",
          "[archive]") {
  temp_folder dir{"h5py"};
  auto blocks = mixed_blocks();
  auto path = write(dir.path, "s.h5", blocks);
  auto script = fs::path{__FILE__}.parent_path() / "read_segment.py";
  std::string args = " '" + script.string() + "' '" + path.string() + "'";
  for (const auto& b : blocks)
    args += " '" + b.name.entity + "' '" + b.name.quantity + "'";
  // The script exits 77 without h5py. Debian's python3 has it; a python3
  // of pyenv or a venv first on PATH may not.
  std::string text;
  int status = -1;
  for (std::string python : {"python3", "/usr/bin/python3"}) {
    auto* pipe = ::popen((python + args + " 2>/dev/null").c_str(), "r");
    REQUIRE(pipe != nullptr);
    text.clear();
    char buf[4096];
    while (auto n = std::fread(buf, 1, sizeof(buf), pipe))
      text.append(buf, n);
    status = ::pclose(pipe);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
      break;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    citytwin::test::skip("python3-h5py missing: run .ci/setup");
  // "# entity quantity", then one "time value" line per sample; the values
  // parse back exactly.
  std::map<stream_name, std::vector<sample>> decoded;
  std::istringstream lines{text};
  std::string line;
  std::vector<sample>* current = nullptr;
  while (std::getline(lines, line)) {
    std::istringstream words{line};
    std::string first;
    std::string second;
    words >> first >> second;
    if (first == "#") {
      std::string quantity;
      words >> quantity;
      current = &decoded[{second, quantity}];
    } else {
      REQUIRE(current != nullptr);
      current->push_back(
          {std::stoll(first), std::strtod(second.c_str(), nullptr)});
    }
  }
  REQUIRE(decoded.size() == blocks.size());
  for (const auto& b : blocks) {
    INFO(b.name.entity << " " << b.name.quantity);
    CHECK(decoded[b.name] == b.samples);
  }
}
