#include "dispatcher/generation.h"

#include "dispatcher/chain_state.h"
#include "dispatcher/program_loader.h"
#include "ext/extension.h"

#include <sys/stat.h>

#include <cerrno>

namespace xdpchain::dispatcher {

std::string slot_pin(const std::string &generation_path, size_t slot, const char *what) {
  return generation_path + "/slot" + std::to_string(slot) + "-" + what;
}

Result<BuiltGeneration> start_generation(const ProgramImage &image, const StateDir &dir) {
  auto program = load_program(image);
  if (!program) return std::move(program).error();
  auto info = ext::program_info(*program);
  if (!info) return std::move(info).error();
  BuiltGeneration built;
  built.program = std::move(*program);
  built.program_id = info->id;
  built.path = dir.generation_path(info->id);
  if (mkdir(built.path.c_str(), 0700) != 0)
    return Error::from_errno("create '" + built.path + "'", errno);
  Status pinned = pin_fd(built.program.get(), built.path + "/dispatcher");
  return finish_generation(std::move(built), std::move(pinned));
}

Result<BuiltGeneration> finish_generation(BuiltGeneration built, Status status) {
  if (status) return built;
  StateDir::remove_tree(built.path);
  return std::move(status).error();
}

} // namespace xdpchain::dispatcher
