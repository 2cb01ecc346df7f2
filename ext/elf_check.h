// Checks an untrusted BPF ELF object before libbpf parses it. libbpf 1.1 (Debian 12's) trusts
// much of an object's structure and can crash on a corrupted one, so:
//   check_elf_structure  our own bounds checks: the ELF header, the section table and every
//                        section inside the file, string tables terminated, symbol and
//                        relocation indices valid;
//   parse_in_child       libbpf opens the bytes, and libxdp reads each program's
//                        XDP_RUN_CONFIG, in a forked child first: a crash there
//                        becomes "object X is malformed", never a crash of the command.
#pragma once

#include "common/result.h"

#include <string>
#include <string_view>

namespace xdpchain::ext {

// invalid_argument naming `path` and what is wrong.
Status check_elf_structure(std::string_view bytes, const std::string &path);

// Ok when the child opened the bytes or returned an ordinary libbpf error (the caller's own
// open then reports it); invalid_argument when the child died.
Status parse_in_child(std::string_view bytes, const std::string &path);

} // namespace xdpchain::ext
