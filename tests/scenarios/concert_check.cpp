// tests/scenarios/concert_check.cpp: the concert egress of the notes on
// the same trips in our model and in SUMO meso with junction control and
// rerouting (scenarios/concert_check), at the notes' demand (about 8 s):
// at a third of it our trips are far longer than SUMO's (event +92 %),
// which is the model's open calibration problem, reported in the issue.
#include "scenarios/concert_check.hpp"

#include "tests/skip.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;
using namespace citytwin::scenarios;

TEST_CASE("concert egress: the same trips reach the same places in both "
          "models, in about the same time",
          "[scenarios][sumo]") {
  concert_check_options opts;
  test::require_path(opts.net, "apt-get install sumo-tools");
  test::require_program("sumo", "apt-get install sumo");
  test::require_program("duarouter", "apt-get install sumo");
  auto r = check_concert_egress(opts);
  REQUIRE(r);
  CHECK(r->generated == 1849 + 4500);
  // Dropped trips are dropped for both: what is left is loaded in both.
  CHECK(r->background_loaded + r->event_loaded + r->dropped_sumo
          + r->dropped_ours
        == r->generated);
  REQUIRE(r->event_loaded > 3000);
  // Everybody gets home within the three hours in both models.
  CHECK(r->ours_event.done == r->event_loaded);
  CHECK(r->sumo_event.done == r->event_loaded);
  CHECK(r->common_event == r->event_loaded);
  // The model's answer for the planner: event trips as long as SUMO's
  // within the issue's +/-20 %.
  CHECK(r->ours_event.mean_s == Approx(r->sumo_event.mean_s).epsilon(0.2));
  CHECK(r->ours_background.mean_s
        == Approx(r->sumo_background.mean_s).epsilon(0.2));
}
