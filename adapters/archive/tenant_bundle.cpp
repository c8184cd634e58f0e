// adapters/archive/tenant_bundle.cpp
#include "adapters/archive/tenant_bundle.hpp"

#include "adapters/archive/file_io.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "twin/error.hpp"
#include "twin/wall_clock.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace citytwin::archive {

namespace {

namespace fs = std::filesystem;

constexpr size_t block = 512;
constexpr std::string_view root_dir = "citytwin-snapshot/";
constexpr std::string_view format_name = "citytwin-snapshot";
// ustar sizes are 11 octal digits.
constexpr uint64_t max_file_bytes = (uint64_t{1} << 33) - 1;
constexpr size_t max_entries = 1'000'000;
constexpr size_t max_manifest_bytes = 64 * 1024;

caf::error damaged(const fs::path& file, const std::string& why) {
  return caf::make_error(twin::errc::corrupt_file,
                         file.string() + " is not a whole citytwin snapshot ("
                           + why + ")");
}

void put_octal(char* at, size_t width, uint64_t value) {
  // width - 1 digits and a NUL.
  std::string digits(width - 1, '0');
  for (size_t i = width - 1; i-- > 0 && value > 0; value >>= 3)
    digits[i] = static_cast<char>('0' + (value & 7));
  std::memcpy(at, digits.data(), width - 1);
  at[width - 1] = '\0';
}

std::array<char, block> make_header(const std::string& name, uint64_t size) {
  std::array<char, block> h{};
  std::memcpy(h.data(), name.data(), name.size());
  put_octal(h.data() + 100, 8, 0644);
  put_octal(h.data() + 108, 8, 0);
  put_octal(h.data() + 116, 8, 0);
  put_octal(h.data() + 124, 12, size);
  put_octal(h.data() + 136, 12, static_cast<uint64_t>(twin::now_ms() / 1000));
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h)
    sum += static_cast<unsigned char>(c);
  put_octal(h.data() + 148, 7, sum);
  h[155] = ' ';
  return h;
}

// One entry's name inside the snapshot and the file it comes from (or its
// bytes, for the manifest).
struct entry {
  std::string name;
  fs::path source;
  std::string bytes;
};

// Appends one entry; a vanished source is errc::unknown_entity (the caller
// starts again).
caf::error add_entry(int out, const fs::path& output, const entry& e,
                     bundle_report& report) {
  if (e.name.size() >= 100)
    return caf::make_error(twin::errc::invalid_config,
                           "name too long for a snapshot: " + e.name);
  std::string data;
  int in = -1;
  uint64_t size = e.bytes.size();
  if (!e.source.empty()) {
    in = ::open(e.source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0)
      return errno == ENOENT
               ? caf::make_error(twin::errc::unknown_entity, e.source.string())
               : file_error(errno, e.source, "open");
    struct stat st {};
    if (::fstat(in, &st) != 0) {
      auto err = file_error(errno, e.source, "stat");
      ::close(in);
      return err;
    }
    size = static_cast<uint64_t>(st.st_size);
    if (size > max_file_bytes) {
      ::close(in);
      return caf::make_error(twin::errc::invalid_config,
                             e.source.string() + " is over 8 GiB");
    }
  }
  auto header = make_header(e.name, size);
  auto err = write_all(out, output, {header.data(), header.size()});
  if (!err && in < 0)
    err = write_all(out, output, e.bytes);
  // Exactly `size` bytes: a journal file may grow while it is copied.
  std::vector<char> buf(1 << 20);
  uint64_t left = size;
  while (!err && in >= 0 && left > 0) {
    auto n = ::read(in, buf.data(), std::min<uint64_t>(buf.size(), left));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      err = n < 0 ? file_error(errno, e.source, "read")
                  : caf::make_error(twin::errc::unknown_entity,
                                    e.source.string() + " shrank");
      break;
    }
    err = write_all(out, output, {buf.data(), static_cast<size_t>(n)});
    left -= static_cast<uint64_t>(n);
  }
  if (in >= 0)
    ::close(in);
  if (err)
    return err;
  static const std::array<char, block> zeros{};
  if (auto pad = (block - size % block) % block)
    if (auto perr = write_all(out, output, {zeros.data(), pad}))
      return perr;
  ++report.files;
  report.bytes += size;
  return {};
}

// The files of a tenant's folder besides journal and segments that a
// restarted server reads (README.md).
constexpr std::array<std::string_view, 3> restart_files = {
  "latest.bin", "space.log", "created.log"};

std::vector<fs::path> files_in(const fs::path& folder, std::string_view ext) {
  std::vector<fs::path> result;
  std::error_code ec;
  for (auto it = fs::directory_iterator{folder, ec};
       !ec && it != fs::directory_iterator{}; it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ext)
      result.push_back(it->path());
  std::sort(result.begin(), result.end());
  return result;
}

caf::expected<bundle_report> write_once(const bundle_options& opts,
                                        const fs::path& tmp) {
  bundle_report report;
  report.tenant = opts.tenant;
  auto folder = opts.archive_root / opts.tenant;
  // Journal first, then latest.bin, then segments (see the header).
  std::vector<entry> entries;
  for (const auto& p : files_in(folder / "journal", ".wal"))
    entries.push_back({std::string{root_dir} + "archive/journal/"
                         + p.filename().string(),
                       p, {}});
  // latest.bin, and what the API wrote and the entities the unknown-id
  // policy made (each replaced whole by rename, or appended to).
  for (std::string_view name : restart_files)
    if (fs::exists(folder / name))
      entries.push_back({std::string{root_dir} + "archive/" + std::string{name},
                         folder / name, {}});
  for (const auto& p : files_in(folder / "segments", ".h5"))
    entries.push_back({std::string{root_dir} + "archive/segments/"
                         + p.filename().string(),
                       p, {}});
  entries.push_back({std::string{root_dir} + "city.city", opts.city_file, {}});
  if (!opts.rules_file.empty())
    entries.push_back(
      {std::string{root_dir} + "rules.yaml", opts.rules_file, {}});
  nlohmann::json manifest{{"format", format_name},
                          {"version", 1},
                          {"tenant", opts.tenant},
                          {"created", twin::iso_now()},
                          {"files", entries.size()}};
  entries.insert(entries.begin(),
                 {std::string{root_dir} + "manifest.json", {},
                  manifest.dump(2) + "\n"});
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                   0644);
  if (out < 0)
    return file_error(errno, tmp, "create");
  caf::error err;
  for (const auto& e : entries)
    if ((err = add_entry(out, tmp, e, report)))
      break;
  if (!err) {
    static const std::array<char, 2 * block> end{};
    err = write_all(out, tmp, {end.data(), end.size()});
  }
  if (!err && ::fsync(out) != 0)
    err = file_error(errno, tmp, "fsync");
  ::close(out);
  if (err)
    return err;
  return report;
}

uint64_t read_octal(const char* at, size_t width, bool& ok) {
  uint64_t value = 0;
  size_t i = 0;
  while (i < width && at[i] == ' ')
    ++i;
  size_t digits = 0;
  for (; i < width && at[i] >= '0' && at[i] <= '7'; ++i, ++digits)
    value = (value << 3) | static_cast<uint64_t>(at[i] - '0');
  ok = digits > 0 && digits <= 11 && (i == width || at[i] == '\0' || at[i] == ' ');
  return value;
}

// A name we wrote: our root, then [A-Za-z0-9._-] parts, no `..`.
bool safe_name(std::string_view name) {
  if (name.substr(0, root_dir.size()) != root_dir || name.size() >= 100)
    return false;
  auto rest = name.substr(root_dir.size());
  if (rest.empty() || rest.front() == '/' || rest.back() == '/')
    return false;
  if (rest.find("..") != std::string_view::npos
      || rest.find("//") != std::string_view::npos)
    return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'
           || c == '/';
  });
}

// Where an entry goes inside the tenant's folder; empty when it is not
// one we know.
fs::path destination(std::string_view rest) {
  if (rest == "city.city" || rest == "rules.yaml")
    return fs::path{rest};
  constexpr std::string_view archive = "archive/";
  if (rest.substr(0, archive.size()) != archive)
    return {};
  auto inner = rest.substr(archive.size());
  for (std::string_view name : restart_files)
    if (inner == name)
      return fs::path{inner};
  for (std::string_view dir : {"journal/", "segments/"})
    if (inner.substr(0, dir.size()) == dir
        && inner.find('/', dir.size()) == std::string_view::npos
        && inner.size() > dir.size())
      return fs::path{inner};
  return {};
}

} // namespace

caf::expected<bundle_report> write_bundle(const bundle_options& opts) {
  if (!valid_tenant_name(opts.tenant))
    return caf::make_error(twin::errc::invalid_config,
                           "'" + opts.tenant + "' is not a tenant name");
  std::error_code ec;
  if (!fs::is_directory(opts.archive_root / opts.tenant, ec))
    return caf::make_error(twin::errc::invalid_config,
                           "no archive of tenant '" + opts.tenant + "' in "
                             + opts.archive_root.string());
  if (fs::exists(opts.output, ec))
    return caf::make_error(twin::errc::invalid_config,
                           opts.output.string()
                             + " exists; snapshots never overwrite a file");
  auto tmp = opts.output;
  tmp += ".tmp";
  for (int attempt = 0;; ++attempt) {
    auto report = write_once(opts, tmp);
    if (report) {
      if (::rename(tmp.c_str(), opts.output.c_str()) != 0) {
        auto err = file_error(errno, opts.output, "rename into place");
        ::unlink(tmp.c_str());
        return err;
      }
      sync_folder(opts.output.parent_path());
      return report;
    }
    ::unlink(tmp.c_str());
    // A file vanished under the copy (the journal released it): again.
    if (report.error() != twin::errc::unknown_entity || attempt == 2)
      return report.error();
  }
}

caf::expected<bundle_report> read_bundle(const fs::path& input,
                                         const fs::path& archive_root) {
  int in = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return file_error(errno, input, "open");
  bundle_report report;
  fs::path staging;
  fs::path target;
  int out = -1;
  auto fail = [&](caf::error err) -> caf::expected<bundle_report> {
    if (out >= 0)
      ::close(out);
    ::close(in);
    std::error_code ec;
    if (!staging.empty())
      fs::remove_all(staging, ec);
    return err;
  };
  auto read_block = [&](char* buf) {
    size_t done = 0;
    while (done < block) {
      auto n = ::read(in, buf + done, block - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      done += static_cast<size_t>(n);
    }
    return true;
  };
  std::array<char, block> h{};
  size_t entries = 0;
  bool ended = false;
  while (!ended) {
    if (!read_block(h.data()))
      return fail(damaged(input, "it ends before its end marker"));
    if (std::all_of(h.begin(), h.end(), [](char c) { return c == 0; })) {
      ended = true;
      break;
    }
    if (++entries > max_entries)
      return fail(damaged(input, "too many entries"));
    if (std::memcmp(h.data() + 257, "ustar", 5) != 0)
      return fail(damaged(input, "an entry header is not ustar"));
    bool ok_sum = false, ok_size = false;
    auto sum = read_octal(h.data() + 148, 8, ok_sum);
    unsigned computed = 0;
    for (size_t i = 0; i < block; ++i)
      computed += (i >= 148 && i < 156) ? ' '
                                        : static_cast<unsigned char>(h[i]);
    if (!ok_sum || sum != computed)
      return fail(damaged(input, "a header checksum does not match"));
    auto size = read_octal(h.data() + 124, 12, ok_size);
    if (!ok_size || size > max_file_bytes)
      return fail(damaged(input, "an entry size is unreadable"));
    std::string name{h.data(), strnlen(h.data(), 100)};
    if (h[156] != '0' && h[156] != '\0')
      return fail(damaged(input, "entry '" + name + "' is not a plain file"));
    if (!safe_name(name))
      return fail(damaged(input, "entry name '" + name.substr(0, 100)
                                   + "' is not one a snapshot has"));
    auto rest = std::string_view{name}.substr(root_dir.size());
    std::string manifest_text;
    fs::path dest;
    if (entries == 1) {
      if (rest != "manifest.json" || size > max_manifest_bytes)
        return fail(damaged(input, "it does not start with its manifest"));
    } else {
      dest = destination(rest);
      if (dest.empty())
        return fail(damaged(input, "unknown entry '" + name + "'"));
      dest = staging / dest;
      std::error_code ec;
      fs::create_directories(dest.parent_path(), ec);
      out = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (out < 0)
        return fail(file_error(errno, dest, "create"));
    }
    // The entry's bytes, then padding to a block.
    std::vector<char> buf(1 << 20);
    uint64_t left = size;
    while (left > 0) {
      auto want = std::min<uint64_t>(buf.size(), left);
      auto n = ::read(in, buf.data(), want);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return fail(damaged(input, "entry '" + name + "' is cut short"));
      if (out >= 0) {
        if (auto err = write_all(out, dest,
                                 {buf.data(), static_cast<size_t>(n)}))
          return fail(err);
      } else {
        manifest_text.append(buf.data(), static_cast<size_t>(n));
      }
      left -= static_cast<uint64_t>(n);
      report.bytes += static_cast<uint64_t>(n);
    }
    if (auto pad = (block - size % block) % block) {
      std::array<char, block> skip{};
      size_t done = 0;
      while (done < pad) {
        auto n = ::read(in, skip.data(), pad - done);
        if (n <= 0)
          return fail(damaged(input, "entry '" + name + "' is cut short"));
        done += static_cast<size_t>(n);
      }
    }
    if (out >= 0) {
      if (::fsync(out) != 0)
        return fail(file_error(errno, dest, "fsync"));
      ::close(out);
      out = -1;
      ++report.files;
      continue;
    }
    // The manifest: which tenant, and where it goes.
    auto manifest = nlohmann::json::parse(manifest_text, nullptr, false);
    if (!manifest.is_object()
        || manifest.value("format", std::string{}) != format_name
        || !manifest.contains("version") || !manifest["version"].is_number()
        || manifest["version"].get<double>() != 1)
      return fail(damaged(input, "its manifest is not a version 1 snapshot's"));
    report.tenant = manifest.value("tenant", std::string{});
    if (!valid_tenant_name(report.tenant))
      return fail(damaged(input, "its manifest names no valid tenant"));
    target = archive_root / report.tenant;
    std::error_code ec;
    if (fs::exists(target, ec))
      return fail(caf::make_error(
        twin::errc::invalid_config,
        target.string()
          + " exists; a restore never writes over a tenant's archive (move "
            "it away first)"));
    staging = archive_root / ("." + report.tenant + ".restoring");
    fs::remove_all(staging, ec);
    fs::create_directories(staging, ec);
    if (ec)
      return fail(caf::make_error(twin::errc::io_failure,
                                  "cannot create " + staging.string() + ": "
                                    + ec.message()));
  }
  ::close(in);
  if (staging.empty())
    return damaged(input, "it holds nothing");
  std::error_code ec;
  if (!fs::exists(staging / "city.city", ec)) {
    fs::remove_all(staging, ec);
    return damaged(input, "it holds no city file");
  }
  sync_folder(staging);
  if (::rename(staging.c_str(), target.c_str()) != 0) {
    auto err = file_error(errno, target, "rename into place");
    fs::remove_all(staging, ec);
    return err;
  }
  sync_folder(archive_root);
  report.city_file = target / "city.city";
  return report;
}

} // namespace citytwin::archive
