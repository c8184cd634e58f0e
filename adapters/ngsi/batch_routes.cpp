// adapters/ngsi/batch_routes.cpp: /entityOperations/{create,upsert,update,
// delete} (NGSI-LD 5.6.7-5.6.10).
#include "twin/broker/ngsi_entity.hpp"
#include "adapters/broker/twin_document.hpp"
#include "adapters/ngsi/api_context.hpp"

namespace citytwin::ngsi {

namespace {

using broker::broker_errc;

// Most entities one batch may carry.
constexpr size_t max_batch = 1000;

struct batch_result {
  json success = json::array();
  json errors = json::array();

  void fail(const std::string& id, broker_errc code, std::string detail) {
    errors.push_back(
        {{"entityId", id},
         {"error",
          {{"type", std::string{"https://uri.etsi.org/ngsi-ld/errors/"}
                        + broker::problem_name(code)},
           {"title", broker::problem_name(code)},
           {"status", broker::http_status(code)},
           {"detail", std::move(detail)}}}});
  }

  void fail(const std::string& id, const caf::error& err) {
    auto code = err.category() == caf::atom("broker")
                    ? static_cast<broker_errc>(err.code())
                    : broker_errc::bad_request_data;
    fail(id, code, broker::detail_of(err));
  }
};

bool may_write_all(api_call& call, const json& entity) {
  auto types = broker::types_of(entity);
  return !types.empty()
         && std::all_of(types.begin(), types.end(),
                        [&](const auto& t) { return can_write(call, t); });
}

void run_one(api_call& call, const std::string& op, const json& item,
             bool update_mode, bool no_overwrite, batch_result& out) {
  auto& store = call.space->store();
  if (op == "delete") {
    if (!item.is_string()) {
      out.fail("", broker_errc::bad_request_data, "ids must be strings");
      return;
    }
    auto id = item.get<std::string>();
    if (broker::twin_owned_id(id)) {
      call.brk.refuse("twin_owned_write");
      return out.fail(id, broker_errc::forbidden, "the twin's own entity");
    }
    auto found = store.get(id);
    if (!found)
      return out.fail(id, found.error());
    if (!may_write_all(call, **found)) {
      call.brk.refuse("batch_write");
      return out.fail(id, broker_errc::forbidden, "not allowed");
    }
    auto change = store.remove(id);
    if (!change)
      return out.fail(id, change.error());
    if (auto err = call.space->commit(*change))
      return out.fail(id, err);
    out.success.push_back(id);
    return;
  }
  auto id = item.is_object() ? item.value("id", std::string{}) : "";
  if (broker::twin_owned_id(id)) {
    call.brk.refuse("twin_owned_write");
    return out.fail(id, broker_errc::forbidden, "the twin's own entity");
  }
  auto entity = op == "update" ? broker::normalize_fragment(item, true)
                               : broker::normalize_entity(item);
  if (!entity)
    return out.fail(id, entity.error());
  if (op == "update" && !broker::valid_entity_id(id))
    return out.fail(id, broker_errc::bad_request_data, "invalid entity id");
  auto existing = store.get(id);
  const json& typed = existing ? **existing : *entity;
  bool allowed = may_write_all(call, typed)
                 && (op == "update" || may_write_all(call, *entity));
  if (!allowed) {
    call.brk.refuse("batch_write");
    return out.fail(id, broker_errc::forbidden, "not allowed");
  }
  caf::expected<broker::entity_change> change{caf::error{}};
  std::vector<std::string> not_updated;
  if (op == "create") {
    change = store.create(std::move(*entity));
  } else if (op == "upsert") {
    if (!existing)
      change = store.create(std::move(*entity));
    else if (update_mode)
      change = store.append(id, *entity, false, not_updated);
    else
      change = store.replace(id, std::move(*entity));
  } else { // update
    if (!existing)
      return out.fail(id, existing.error());
    change = store.append(id, *entity, no_overwrite, not_updated);
  }
  if (!change)
    return out.fail(id, change.error());
  if (auto err = call.space->commit(*change))
    return out.fail(id, err);
  out.success.push_back(id);
}

} // namespace

std::optional<http_response> batch_routes(api_call& call,
                                          std::string_view path) {
  constexpr std::string_view prefix = "/entityOperations/";
  if (path.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  auto op = std::string{path.substr(prefix.size())};
  if (op != "create" && op != "upsert" && op != "update" && op != "delete")
    return problem(call, broker_errc::not_found,
                   "unknown batch operation '" + op + "'");
  if (call.req.method != "POST")
    return problem(call, broker_errc::method_not_allowed,
                   "batch operations use POST");
  // Only the tenant's own tokens with a writing role change anything:
  // refuse the others before reading the body, and before any per-entity
  // answer could tell an existing id from a missing one.
  if (call.who.k != twin::principal::kind::token
      || call.who.tenant != call.space->name()
      || !twin::permits(call.who.r, twin::action::write))
    return refuse_write(call, "batch operations");
  auto body = read_body(call);
  if (auto* res = std::get_if<http_response>(&body))
    return std::move(*res);
  auto& items = std::get<json>(body);
  if (!items.is_array() || items.empty())
    return problem(call, broker_errc::bad_request_data,
                   "a batch is a non-empty JSON array");
  if (items.size() > max_batch)
    return problem(call, broker_errc::too_large,
                   "at most " + std::to_string(max_batch)
                       + " entities per batch");
  bool update_mode = false;
  bool no_overwrite = false;
  for (const auto& option : split_list(call.param("options"))) {
    update_mode |= option == "update";
    no_overwrite |= option == "noOverwrite";
  }
  batch_result out;
  for (auto& item : items) {
    if (item.is_object())
      item.erase("@context");
    run_one(call, op, item, update_mode, no_overwrite, out);
  }
  if (out.errors.empty()) {
    if (op == "create")
      return reply(call, 201, std::move(out.success));
    return empty(call, 204);
  }
  return reply(
      call, 207,
      {{"success", std::move(out.success)}, {"errors", std::move(out.errors)}});
}

std::optional<http_response> type_routes(api_call& call,
                                         std::string_view path) {
  constexpr std::string_view prefix = "/types";
  if (path.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  if (call.req.method != "GET")
    return problem(call, broker_errc::method_not_allowed, "use GET");
  auto rest = path.substr(prefix.size());
  auto types = call.space->store().types();
  std::erase_if(types,
                [&](const auto& kv) { return !can_read(call, kv.first); });
  if (rest.empty() || rest == "/") {
    bool details = call.param("details") && *call.param("details") == "true";
    if (!details) {
      json list = json::array();
      for (const auto& [name, info] : types)
        list.push_back(name);
      return reply(call, 200,
                   {{"id", "urn:ngsi-ld:EntityTypeList:" + call.space->name()},
                    {"type", "EntityTypeList"},
                    {"typeList", std::move(list)}});
    }
    json list = json::array();
    for (const auto& [name, info] : types)
      list.push_back({{"id", name},
                      {"type", "EntityType"},
                      {"typeName", name},
                      {"attributeNames", info.attributes}});
    return reply(call, 200, std::move(list));
  }
  auto name = percent_decode(rest.substr(1));
  if (!name || !broker::valid_name(*name))
    return problem(call, broker_errc::bad_request_data, "invalid type name");
  auto i = types.find(*name);
  if (i == types.end())
    return problem(call, broker_errc::not_found,
                   "no entities of type '" + *name + "'");
  json attrs = json::array();
  for (const auto& a : i->second.attributes)
    attrs.push_back({{"id", a}, {"type", "Attribute"}, {"attributeName", a}});
  return reply(call, 200,
               {{"id", *name},
                {"type", "EntityTypeInformation"},
                {"typeName", *name},
                {"entityCount", i->second.count},
                {"attributeDetails", std::move(attrs)}});
}

} // namespace citytwin::ngsi
