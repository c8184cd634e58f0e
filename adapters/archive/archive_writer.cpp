// adapters/archive/archive_writer.cpp
#include "adapters/archive/archive_writer.hpp"

#include "twin/error.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

namespace citytwin::archive {

namespace {

// Readings taken from the journal per step: bounded, so one step stays
// short and the writer checks for a due segment in between.
constexpr size_t readings_per_step = 1'000'000;

struct writer_state {
  static inline const char* name = "archive_writer";
  std::shared_ptr<tenant_archive> archive;
  std::chrono::milliseconds poll{200};
  running_archive::log_sink log;
  bool failing = false; // logs once per failure run, not per step
};

void report(writer_state& st, const caf::error& err) {
  if (!err) {
    if (st.failing && st.log)
      st.log("archive " + st.archive->options().tenant + ": writing again");
    st.failing = false;
    return;
  }
  if (!st.failing && st.log)
    st.log("archive " + st.archive->options().tenant + ": "
           + twin::describe(err));
  st.failing = true;
}

caf::behavior archive_writer(caf::stateful_actor<writer_state>* self,
                             std::shared_ptr<tenant_archive> archive,
                             std::chrono::milliseconds poll,
                             running_archive::log_sink log) {
  self->state.archive = std::move(archive);
  self->state.poll = poll;
  self->state.log = std::move(log);
  self->send(self, caf::tick_atom_v);
  return {
    [self](caf::tick_atom) {
      auto& st = self->state;
      auto read = st.archive->catch_up(readings_per_step);
      caf::error err = read ? caf::error{} : read.error();
      auto now = std::chrono::steady_clock::now();
      if (!err && st.archive->segment_due(now))
        err = st.archive->publish(now);
      report(st, err);
      // More waiting in the journal: go on at once, else wait a poll.
      if (read && *read == readings_per_step)
        self->send(self, caf::tick_atom_v);
      else
        self->delayed_send(self, st.poll, caf::tick_atom_v);
    },
  };
}

} // namespace

running_archive::running_archive(caf::actor_system& sys,
                                 std::shared_ptr<tenant_archive> archive,
                                 std::chrono::milliseconds poll,
                                 log_sink log)
  : sys_(&sys), archive_(std::move(archive)) {
  writer_ = sys.spawn<caf::detached>(archive_writer, archive_, poll,
                                     std::move(log));
}

running_archive::~running_archive() {
  stop();
}

caf::error running_archive::stop() {
  if (!archive_ || !writer_)
    return {};
  {
    caf::scoped_actor self{*sys_};
    self->send_exit(writer_, caf::exit_reason::user_shutdown);
    self->wait_for(writer_);
  }
  writer_ = nullptr;
  // The writer is gone: this thread is the writer side now.
  for (;;) {
    auto read = archive_->catch_up(readings_per_step);
    if (!read)
      return read.error();
    if (*read == 0)
      break;
  }
  return archive_->publish(std::chrono::steady_clock::now());
}

} // namespace citytwin::archive
