// Stage 8: BTF for the object. Types of maps (libbpf's BTF-defined map encoding), the
// programs' FUNC prototypes (XDP: `int NAME(struct xdp_md *ctx)`, global), user structs,
// the `.xdp_run_config` chain metadata libxdp reads, and .BTF.ext func_info/line_info
// pointing at the source lines.
#pragma once

#include "common/result.h"
#include "compiler/btf/code_sections.h"
#include "compiler/source.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::compiler {

struct DataSymbol {
  std::string name;
  uint32_t offset = 0;
  uint32_t size = 0;
};

struct ObjectBtf {
  std::vector<uint8_t> btf;
  std::vector<uint8_t> btf_ext;
  std::vector<DataSymbol> maps; // in .maps, one per model map
  uint32_t maps_size = 0;
  std::vector<DataSymbol> run_config; // in .xdp_run_config
  uint32_t run_config_size = 0;
};

Result<ObjectBtf> run_build_btf(const ProgramModel &model, const std::vector<CodeSection> &sections,
                                const SourceFile &source);

} // namespace xdpchain::compiler
