// tests/adapters/broker/space_log.cpp: what the API wrote into a tenant's
// space survives a restart (the space log), a torn last line is dropped,
// damage is refused with the file's name, and a full disk refuses the
// change without keeping half of it.
#include "adapters/archive/space_log.hpp"
#include "adapters/broker/tenant_space.hpp"

#include "twin/broker/subscription.hpp"
#include "twin/error.hpp"
#include "scratch_folder.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace citytwin;
using namespace citytwin::broker;
using namespace citytwin::archive;
using Catch::Contains;

namespace {

namespace fs = std::filesystem;

// A scratch folder and the space log's path in it.
struct scratch_file : test::scratch_folder {
  fs::path file;
  explicit scratch_file(const std::string& name)
    : scratch_folder("space", name), file(path / "space.log") {
  }
};

json bench(const std::string& n, int seats) {
  return {{"id", "urn:ngsi-ld:Bench:" + n},
          {"type", "Bench"},
          {"seatCount", {{"type", "Property"}, {"value", seats}}}};
}

auto open_log(const fs::path& p) {
  auto opened = space_log::open(p, archive::journal_sync::process);
  REQUIRE(opened);
  return std::move(*opened);
}

} // namespace

TEST_CASE("a space log gives back the newest state of each entity and "
          "subscription",
          "[broker][space_log]") {
  scratch_file f{"state"};
  {
    auto [log, contents] = open_log(f.file);
    CHECK(contents.entities.empty());
    REQUIRE_FALSE(log->put_entity(bench("a", 1)));
    REQUIRE_FALSE(log->put_entity(bench("b", 2)));
    REQUIRE_FALSE(log->put_entity(bench("a", 3)));
    REQUIRE_FALSE(log->delete_entity("urn:ngsi-ld:Bench:b"));
    logged_subscription sub{"urn:s:1", "demo-admin",
                            {{"id", "urn:s:1"}, {"type", "Subscription"}},
                            {{"timesSent", 7}}};
    REQUIRE_FALSE(log->put_subscription(sub));
    sub.id = "urn:s:2";
    sub.document["id"] = "urn:s:2";
    REQUIRE_FALSE(log->put_subscription(sub));
    REQUIRE_FALSE(log->delete_subscription("urn:s:1"));
  }
  auto [log, contents] = open_log(f.file);
  CHECK(contents.records == 7);
  REQUIRE(contents.entities.size() == 1);
  CHECK(contents.entities[0] == bench("a", 3));
  REQUIRE(contents.subscriptions.size() == 1);
  CHECK(contents.subscriptions[0].id == "urn:s:2");
  CHECK(contents.subscriptions[0].owner == "demo-admin");
  CHECK(contents.subscriptions[0].status["timesSent"] == 7);
  // Rewritten: one record per thing that exists.
  REQUIRE_FALSE(log->rewrite(contents.entities, contents.subscriptions));
  auto [again, reread] = open_log(f.file);
  CHECK(reread.records == 2);
  CHECK(reread.entities == contents.entities);
}

TEST_CASE("a torn last line is dropped and damage before it is refused",
          "[broker][space_log]") {
  scratch_file f{"torn"};
  {
    auto [log, contents] = open_log(f.file);
    REQUIRE_FALSE(log->put_entity(bench("a", 1)));
    REQUIRE_FALSE(log->put_entity(bench("b", 2)));
  }
  auto full = fs::file_size(f.file);
  fs::resize_file(f.file, full - 5); // killed inside the write of "b"
  {
    auto [log, contents] = open_log(f.file);
    CHECK(contents.torn_bytes > 0);
    REQUIRE(contents.entities.size() == 1);
    // Appends go after the cut, not after the torn line.
    REQUIRE_FALSE(log->put_entity(bench("c", 3)));
  }
  {
    auto [log, contents] = open_log(f.file);
    CHECK(contents.torn_bytes == 0);
    CHECK(contents.entities.size() == 2);
  }
  // One changed byte in a complete line: refused, named, not rewritten.
  std::fstream io{f.file, std::ios::in | std::ios::out | std::ios::binary};
  io.seekp(30);
  io.put('#');
  io.close();
  auto before = fs::file_size(f.file);
  auto damaged = space_log::open(f.file, archive::journal_sync::process);
  REQUIRE_FALSE(damaged);
  CHECK(damaged.error() == twin::errc::corrupt_file);
  CHECK_THAT(twin::describe(damaged.error()),
             Contains(f.file.string()) && Contains("line 2"));
  CHECK(fs::file_size(f.file) == before);
}

TEST_CASE("a full disk refuses an API write and leaves the space as it was",
          "[broker][space_log]") {
  scratch_file f{"full"};
  notifier n;
  tenant_space space{"demo", n};
  auto [log, contents] = open_log(f.file);
  space.keep_in(log);
  auto created = space.store().create(bench("a", 1));
  REQUIRE(created);
  REQUIRE_FALSE(space.commit(*created));
  auto size_before = fs::file_size(f.file);
  // The file size limit stands in for a full disk (EFBIG, SIGXFSZ ignored).
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = size_before + 10;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  auto second = space.store().create(bench("b", 2));
  REQUIRE(second);
  auto refused_create = space.commit(*second);
  std::vector<std::string> not_updated;
  auto changed = space.store().update("urn:ngsi-ld:Bench:a",
                                      {{"seatCount", {{"type", "Property"},
                                                      {"value", 9}}}},
                                      not_updated);
  REQUIRE(changed);
  auto refused_update = space.commit(*changed);
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  std::signal(SIGXFSZ, old_handler);
  CHECK(refused_create);
  CHECK(refused_update);
  CHECK(log->refused() == 2);
  // Nothing of the refused writes in memory or in the file.
  CHECK_FALSE(space.store().get("urn:ngsi-ld:Bench:b"));
  auto a = space.store().get("urn:ngsi-ld:Bench:a");
  REQUIRE(a);
  CHECK((**a)["seatCount"]["value"] == 1);
  CHECK(fs::file_size(f.file) == size_before);
  space.keep_in(nullptr);
  auto [reopened, kept] = open_log(f.file);
  REQUIRE(kept.entities.size() == 1);
  CHECK(kept.entities[0]["seatCount"]["value"] == 1);
}

TEST_CASE("a busy space log is compacted while the server runs",
          "[broker][space_log]") {
  scratch_file f{"busy"};
  notifier n;
  tenant_space space{"demo", n};
  auto [log, contents] = open_log(f.file);
  space.keep_in(log);
  auto created = space.store().create(bench("a", 0));
  REQUIRE(created);
  REQUIRE_FALSE(space.commit(*created));
  // 300 changes of a 100 KB attribute append 30 MB; the log is rewritten
  // from the one entity whenever it passes 16 MiB.
  std::string filler(100'000, 'x');
  for (int i = 1; i <= 300; ++i) {
    std::vector<std::string> not_updated;
    auto changed = space.store().update(
      "urn:ngsi-ld:Bench:a",
      {{"seatCount", {{"type", "Property"}, {"value", i}}}}, not_updated);
    REQUIRE(changed);
    auto appended = space.store().append(
      "urn:ngsi-ld:Bench:a",
      {{"note", {{"type", "Property"}, {"value", filler}}}}, false,
      not_updated);
    REQUIRE(appended);
    REQUIRE_FALSE(space.commit(*appended));
  }
  CHECK(fs::file_size(f.file) < (17u << 20));
  space.keep_in(nullptr);
  auto [reopened, kept] = open_log(f.file);
  REQUIRE(kept.entities.size() == 1);
  CHECK(kept.entities[0]["seatCount"]["value"] == 300);
  CHECK(kept.records < 200);
}
