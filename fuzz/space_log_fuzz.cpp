// fuzz/space_log_fuzz.cpp: the lines of a space log (archive/space_log.hpp)
// after its header, as a restarted server reads them: checksummed lines
// (archive/checked_log.hpp), then JSON records. Whatever is accepted must
// be written again into lines that read back the same.
#include "adapters/archive/checked_log.hpp"
#include "adapters/archive/space_log.hpp"
#include "fuzz_input.hpp"

#include <cstdlib>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  archive::checked_log::contents lines;
  if (archive::split_checked_lines(fuzz::as_text(data, size), lines).first
      != 0)
    return 0;
  archive::space_contents records;
  if (archive::read_space_records(lines.lines, records).first != 0)
    return 0;
  std::string again;
  for (const auto& text : lines.lines)
    again += archive::checked_line(text);
  archive::checked_log::contents reread;
  if (archive::split_checked_lines(again, reread).first != 0
      || reread.lines != lines.lines || reread.torn_bytes != 0)
    std::abort();
  return 0;
}
