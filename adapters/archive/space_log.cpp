// adapters/archive/space_log.cpp
#include "adapters/archive/space_log.hpp"

#include <map>

namespace citytwin::archive {

namespace {

std::string string_member(const json& j) {
  return j.is_string() ? j.get<std::string>() : std::string{};
}

json subscription_record(const logged_subscription& sub) {
  return {{"owner", sub.owner},
          {"document", sub.document},
          {"status", sub.status}};
}

} // namespace

std::pair<size_t, std::string>
read_space_records(const std::vector<std::string>& records,
                   space_contents& out) {
  // In creation order; a deleted thing created again goes to the end.
  std::map<std::string, json> entities;
  std::vector<std::string> entity_order;
  std::map<std::string, logged_subscription> subs;
  std::vector<std::string> sub_order;
  for (size_t i = 0; i < records.size(); ++i) {
    auto record = json::parse(records[i], nullptr, false);
    auto bad = [&](std::string why) {
      return std::make_pair(i + 2, std::move(why)); // line 1 is the header
    };
    if (record.is_discarded() || !record.is_object() || record.size() != 1)
      return bad("not a record");
    ++out.records;
    const auto& [kind, value] = *record.items().begin();
    if (kind == "entity" && value.is_object() && value.contains("id")
        && value["id"].is_string()) {
      auto id = value["id"].get<std::string>();
      if (entities.count(id) == 0)
        entity_order.push_back(id);
      entities[id] = value;
    } else if (kind == "deleteEntity" && value.is_string()) {
      entities.erase(value.get<std::string>());
    } else if (kind == "subscription" && value.is_object()
               && value.contains("document")
               && value["document"].is_object()) {
      logged_subscription sub;
      sub.document = value["document"];
      sub.id = string_member(sub.document.value("id", json{}));
      sub.owner = string_member(value.value("owner", json{}));
      if (value.contains("status") && value["status"].is_object())
        sub.status = value["status"];
      if (sub.id.empty())
        return bad("a subscription without id");
      if (subs.count(sub.id) == 0)
        sub_order.push_back(sub.id);
      subs[sub.id] = std::move(sub);
    } else if (kind == "deleteSubscription" && value.is_string()) {
      subs.erase(value.get<std::string>());
    } else {
      return bad("unknown record '" + kind + "'");
    }
  }
  for (auto& id : entity_order)
    if (auto i = entities.find(id); i != entities.end()) {
      out.entities.push_back(std::move(i->second));
      entities.erase(i);
    }
  for (auto& id : sub_order)
    if (auto i = subs.find(id); i != subs.end()) {
      out.subscriptions.push_back(std::move(i->second));
      subs.erase(i);
    }
  return {0, {}};
}

namespace {

checked_log::options log_options(journal_sync sync) {
  checked_log::options opts;
  opts.header = "citytwin-space 1";
  opts.what = "space log";
  opts.advice = "move the file away to start the tenant without its API "
                "entities and subscriptions";
  opts.sync = sync;
  return opts;
}

} // namespace

caf::expected<space_contents>
space_log::read(const std::filesystem::path& file) {
  auto opts = log_options(journal_sync::process);
  auto read = checked_log::read(file, opts);
  if (!read)
    return read.error();
  space_contents contents;
  contents.torn_bytes = read->torn_bytes;
  if (auto [line_no, why] = read_space_records(read->lines, contents);
      line_no != 0)
    return checked_log::damaged(file, opts, line_no, why);
  return contents;
}

caf::expected<std::pair<std::shared_ptr<space_log>, space_contents>>
space_log::open(const std::filesystem::path& file, journal_sync sync) {
  auto opened = checked_log::open(file, log_options(sync));
  if (!opened)
    return opened.error();
  auto& [lines, read] = *opened;
  space_contents contents;
  contents.torn_bytes = read.torn_bytes;
  if (auto [line_no, why] = read_space_records(read.lines, contents);
      line_no != 0)
    return lines->damaged(line_no, why);
  std::shared_ptr<space_log> log{new space_log{std::move(lines)}};
  return std::make_pair(std::move(log), std::move(contents));
}

caf::error space_log::put_entity(const json& entity) {
  return lines_->append(json{{"entity", entity}}.dump());
}

caf::error space_log::delete_entity(std::string_view id) {
  return lines_->append(json{{"deleteEntity", id}}.dump());
}

caf::error space_log::put_subscription(const logged_subscription& sub) {
  return lines_->append(
    json{{"subscription", subscription_record(sub)}}.dump());
}

caf::error space_log::delete_subscription(std::string_view id) {
  return lines_->append(json{{"deleteSubscription", id}}.dump());
}

caf::error
space_log::rewrite(const std::vector<json>& entities,
                   const std::vector<logged_subscription>& subscriptions) {
  std::vector<std::string> records;
  records.reserve(entities.size() + subscriptions.size());
  for (const auto& e : entities)
    records.push_back(json{{"entity", e}}.dump());
  for (const auto& s : subscriptions)
    records.push_back(json{{"subscription", subscription_record(s)}}.dump());
  return lines_->rewrite(records);
}

} // namespace citytwin::archive
