// tests/twin/rules/alert_book.cpp
// The lifecycle of alerts (twin/rules/alert_book): raised, acknowledged,
// cleared, closed, and which ones are kept.

#include "twin/rules/alert_book.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace citytwin;
using rules::alert_status;

namespace {

// A raise (or clear) by rule `rule` on lamp `lamp`, at `time`.
rules::alert_change change(uint32_t lamp, bool raised, twin::time_ms time,
                           std::string rule = "lamp-fault") {
  rules::alert_change x;
  x.rule = std::move(rule);
  x.anchor = {twin::entity_kind::street_lamp, lamp};
  x.kind = "lamp_fault";
  x.text = "Lamp fault";
  x.why = "at " + std::to_string(time);
  x.time = time;
  x.raised = raised;
  return x;
}

} // namespace

TEST_CASE("alert: raise, acknowledge, clear closes it", "[twin][rules]") {
  rules::alert_book book;
  const auto* a = book.apply(change(1, true, 100));
  REQUIRE(a != nullptr);
  auto id = a->id;
  CHECK(a->status == alert_status::raised);
  CHECK(a->raised_at == 100);
  CHECK(book.num_open() == 1);
  auto acked = book.acknowledge(id, "operator-1", 150);
  REQUIRE(acked);
  CHECK(acked->status == alert_status::acknowledged);
  CHECK(acked->acknowledged_by == "operator-1");
  CHECK(acked->acknowledged_at == 150);
  CHECK(book.num_open() == 1); // acknowledged is still open
  const auto* cleared = book.apply(change(1, false, 200));
  REQUIRE(cleared != nullptr);
  CHECK(cleared->id == id);
  CHECK(cleared->status == alert_status::closed);
  CHECK(cleared->cleared_at == 200);
  CHECK(book.num_open() == 0);
}

TEST_CASE("alert: raise, clear, acknowledge closes it", "[twin][rules]") {
  rules::alert_book book;
  auto id = book.apply(change(1, true, 100))->id;
  const auto* cleared = book.apply(change(1, false, 200));
  REQUIRE(cleared != nullptr);
  // Cleared but nobody saw it: still listed, no longer open.
  CHECK(cleared->status == alert_status::cleared);
  CHECK(book.num_open() == 0);
  REQUIRE(book.list(10).size() == 1);
  CHECK(book.list(10)[0].status == alert_status::cleared);
  auto acked = book.acknowledge(id, "operator-2", 300);
  REQUIRE(acked);
  CHECK(acked->status == alert_status::closed);
  CHECK(acked->cleared_at == 200);
  CHECK(acked->acknowledged_at == 300);
  // A clear with nothing open changes nothing.
  CHECK(book.apply(change(1, false, 400)) == nullptr);
  // A new raise after it was cleared is a new alert.
  auto again = book.apply(change(1, true, 500))->id;
  CHECK(again == id + 1);
}

TEST_CASE("alert: raised again while open counts, keeps its id",
          "[twin][rules]") {
  rules::alert_book book;
  auto id = book.apply(change(1, true, 100))->id;
  auto other = book.apply(change(2, true, 110))->id; // another anchor
  CHECK(other != id);
  const auto* again = book.apply(change(1, true, 120));
  REQUIRE(again != nullptr);
  CHECK(again->id == id);
  CHECK(again->times_raised == 2);
  CHECK(again->why == "at 120");  // the newest explanation
  CHECK(again->raised_at == 100); // raised first at
  REQUIRE(book.acknowledge(id, "op", 130));
  // Acknowledged is still open: raising counts on it too.
  const auto* third = book.apply(change(1, true, 140));
  CHECK(third->id == id);
  CHECK(third->times_raised == 3);
  CHECK(third->status == alert_status::acknowledged);
  // Another rule on the same lamp has its own alert.
  CHECK(book.apply(change(1, true, 150, "other-rule"))->id != id);
  CHECK(book.num_open() == 3);
}

TEST_CASE("alert: acknowledging a closed or unknown alert fails",
          "[twin][rules]") {
  rules::alert_book book;
  auto id = book.apply(change(1, true, 100))->id;
  REQUIRE(book.acknowledge(id, "op", 110));
  auto twice = book.acknowledge(id, "op", 115);
  REQUIRE_FALSE(twice);
  CHECK(twin::describe(twice.error())
        == "out_of_range: alert " + std::to_string(id)
               + " is already acknowledged");
  book.apply(change(1, false, 120));
  auto closed = book.acknowledge(id, "op", 130);
  REQUIRE_FALSE(closed);
  CHECK(twin::describe(closed.error())
        == "out_of_range: alert " + std::to_string(id) + " is already closed");
  auto unknown = book.acknowledge(id + 100, "op", 140);
  REQUIRE_FALSE(unknown);
  CHECK(twin::describe(unknown.error())
        == "unknown_entity: no alert " + std::to_string(id + 100));
  CHECK_FALSE(book.acknowledge(0, "op", 150));
}

TEST_CASE("alert: the list puts open alerts first, newest first",
          "[twin][rules]") {
  rules::alert_book book;
  for (uint32_t lamp = 1; lamp <= 4; ++lamp)
    book.apply(change(lamp, true, 100 * lamp)); // ids 1 .. 4
  // Close 2 and 4 (the newest); clear 3 without acknowledging it.
  for (uint64_t id : {2, 4})
    REQUIRE(book.acknowledge(id, "op", 500));
  book.apply(change(2, false, 600));
  book.apply(change(4, false, 610));
  book.apply(change(3, false, 620));
  auto ids = [](const std::vector<rules::alert>& xs) {
    std::vector<uint64_t> result;
    for (const auto& x : xs)
      result.push_back(x.id);
    return result;
  };
  // Not closed (3 cleared, 1 raised), newest first; then closed 4, 2.
  CHECK(ids(book.list(10)) == std::vector<uint64_t>{3, 1, 4, 2});
  CHECK(ids(book.list(3)) == std::vector<uint64_t>{3, 1, 4});
  CHECK(ids(book.list(1)) == std::vector<uint64_t>{3});
}

TEST_CASE("alert: beyond max_kept_alerts closed ones go first",
          "[twin][rules]") {
  rules::alert_book book;
  // Ids 1 .. 10; close 6 .. 10, so the oldest ones (1 .. 5) stay open.
  for (uint32_t lamp = 1; lamp <= 10; ++lamp)
    book.apply(change(lamp, true, lamp));
  for (uint64_t id = 6; id <= 10; ++id) {
    REQUIRE(book.acknowledge(id, "op", 20));
    book.apply(change(static_cast<uint32_t>(id), false, 30));
  }
  // 10 + (max - 5) = max + 5 alerts: the 5 closed ones make room.
  for (uint32_t lamp = 11; lamp <= rules::max_kept_alerts + 5; ++lamp)
    book.apply(change(lamp, true, 40));
  auto all = book.list(rules::max_kept_alerts + 10);
  REQUIRE(all.size() == rules::max_kept_alerts);
  CHECK(book.num_open() == rules::max_kept_alerts);
  for (uint64_t id = 6; id <= 10; ++id)
    CHECK_FALSE(book.acknowledge(id, "op", 50)); // gone: unknown now
  // The oldest open ones are kept until nothing closed is left ...
  CHECK(all.back().id == 1);
  // ... then they go, oldest first.
  book.apply(change(rules::max_kept_alerts + 6, true, 60));
  book.apply(change(rules::max_kept_alerts + 7, true, 60));
  all = book.list(rules::max_kept_alerts + 10);
  REQUIRE(all.size() == rules::max_kept_alerts);
  CHECK(all.back().id == 3);
  auto gone = book.acknowledge(1, "op", 70);
  REQUIRE_FALSE(gone);
  CHECK(twin::describe(gone.error()) == "unknown_entity: no alert 1");
  CHECK(book.acknowledge(3, "op", 70));
}

TEST_CASE("alert: an outcome closes it, once, and keeps who acted",
          "[twin][rules]") {
  rules::alert_book book;
  auto x = change(1, true, 100, "whatif:run-1:0");
  x.audience = "police,ambulance";
  auto id = book.apply(x)->id;
  CHECK(book.list(1)[0].audience == "police,ambulance");
  REQUIRE(book.acknowledge(id, "emergency:fire-1", 110));
  auto done = book.report_outcome(id, "emergency:police-2",
                                  "done: road closed at 22:55", 120);
  REQUIRE(done);
  CHECK(done->status == alert_status::closed);
  CHECK(done->outcome == "done: road closed at 22:55");
  CHECK(done->outcome_by == "emergency:police-2");
  CHECK(done->outcome_at == 120);
  CHECK(done->acknowledged_by == "emergency:fire-1"); // the first to see it
  CHECK(done->cleared_at == 120);
  CHECK(book.num_open() == 0);
  auto twice = book.report_outcome(id, "emergency:police-2", "not_done", 130);
  REQUIRE_FALSE(twice);
  CHECK(twice.error() == twin::errc::out_of_range);
  CHECK(book.list(1)[0].outcome == "done: road closed at 22:55");
  // Reported without an acknowledgement: the reporter saw it.
  auto other = book.apply(change(2, true, 200, "whatif:run-1:1"))->id;
  auto direct = book.report_outcome(other, "operator:o", "not_needed", 210);
  REQUIRE(direct);
  CHECK(direct->acknowledged_by == "operator:o");
  CHECK(direct->acknowledged_at == 210);
  CHECK_FALSE(book.report_outcome(other + 10, "operator:o", "done", 220));
}
