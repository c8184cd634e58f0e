// adapters/broker/space_restore.cpp
#include "adapters/broker/space_restore.hpp"

#include "twin/broker/subscription.hpp"
#include "twin/error.hpp"
#include "twin/wall_clock.hpp"

namespace citytwin::broker {

namespace {

// Restores one tenant's log into its space.
caf::error restore_one(broker& brk, tenant_space& space,
                       const std::filesystem::path& file,
                       archive::journal_sync sync,
                       const std::function<void(const std::string&)>& note,
                       space_restore_report& report) {
  // The served city's archive holds its tenant's folder; the other
  // tenants' folders are held here, so that no second server and no
  // `citytwin erase` works on them meanwhile.
  archive::tenant_lock lock;
  if (!brk.archive(space.name())) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    auto locked = archive::tenant_lock::acquire(file.parent_path());
    if (!locked)
      return locked.error();
    lock = std::move(*locked);
  }
  auto opened = space_log::open(file, sync);
  if (!opened)
    return opened.error();
  auto& [log, contents] = *opened;
  log->hold(std::move(lock));
  auto drop = [&](const std::string& why) {
    ++report.dropped;
    if (note)
      note(file.string() + ": " + why);
  };
  for (auto& doc : contents.entities) {
    auto id = doc.value("id", std::string{});
    if (auto created = space.store().create(std::move(doc)); created)
      ++report.entities;
    else
      drop("entity " + id + " left out: " + twin::describe(created.error()));
  }
  const auto& access = brk.access();
  auto now = twin::now_ms();
  for (auto& logged : contents.subscriptions) {
    auto what = "subscription " + logged.id + " left out: ";
    auto sub = parse_subscription(logged.document, logged.id);
    if (!sub) {
      drop(what + twin::describe(sub.error()));
      continue;
    }
    auto who = twin::principal_named(access, logged.owner, now);
    if (!who) {
      drop(what + "its owner '" + logged.owner + "' has no valid credential");
      continue;
    }
    if (!may_subscribe(access, *who, space.name(), *sub)) {
      drop(what + "'" + logged.owner + "' may no longer subscribe to it");
      continue;
    }
    if (sub->via != transport::websocket)
      if (auto ok = brk.outbound(space.name())->check_endpoint(sub->endpoint);
          !ok) {
        drop(what + twin::describe(ok.error()));
        continue;
      }
    sub->tenant = space.name();
    sub->owner = logged.owner;
    auto visible = [&access, who = *who,
                    tenant = space.name()](std::string_view type) {
      return twin::may_read(access, who, tenant, type);
    };
    if (auto added = space.restore_subscription(std::move(*sub), visible,
                                                logged.status))
      ++report.subscriptions;
    else
      drop(what + twin::describe(added.error()));
  }
  brk.set_space_log(space.name(), log);
  space.keep_in(log);
  // What was left out goes from the file too; a torn tail is cut.
  return space.checkpoint();
}

} // namespace

caf::expected<space_restore_report>
keep_spaces(broker& brk, const std::filesystem::path& root,
            archive::journal_sync sync,
            const std::function<void(const std::string&)>& note) {
  space_restore_report report;
  for (const auto& t : brk.access().tenants) {
    auto* space = brk.seeding(t.name);
    if (!space)
      continue;
    if (auto err = restore_one(brk, *space, root / t.name / "space.log", sync,
                               note, report))
      return err;
  }
  return report;
}

} // namespace citytwin::broker
