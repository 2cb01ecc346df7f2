#include "dispatcher/program_loader.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

namespace xdpchain::dispatcher {

namespace {

Result<Fd> load_btf(const std::vector<uint8_t> &btf) {
  if (btf.empty()) return Fd();
  int fd = bpf_btf_load(btf.data(), btf.size(), nullptr);
  if (fd >= 0) return Fd(fd);
  int err = errno;
  std::string log(1 << 16, '\0');
  LIBBPF_OPTS(bpf_btf_load_opts, opts, .log_buf = log.data(), .log_level = 1,
              .log_size = static_cast<uint32_t>(log.size()));
  Fd retry(bpf_btf_load(btf.data(), btf.size(), &opts));
  log.resize(std::strlen(log.c_str()));
  return Error::from_errno("load BTF", err).with_verifier_log(log);
}

int prog_load(const ProgramImage &image, int btf_fd, char *log, uint32_t log_size) {
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.expected_attach_type = BPF_XDP;
  opts.prog_flags = image.frags ? BPF_F_XDP_HAS_FRAGS : 0;
  if (btf_fd >= 0) {
    opts.prog_btf_fd = btf_fd;
    opts.func_info = image.func_info.data();
    opts.func_info_cnt = image.func_info.size();
    opts.func_info_rec_size = sizeof(bpf_func_info);
  }
  if (log) {
    opts.log_buf = log;
    opts.log_size = log_size;
    opts.log_level = 1;
  }
  return bpf_prog_load(BPF_PROG_TYPE_XDP, image.name.c_str(), "GPL", image.insns.data(),
                       image.insns.size(), &opts);
}

} // namespace

Result<ProgFd> load_program(const ProgramImage &image) {
  auto btf = load_btf(image.btf);
  if (!btf) return std::move(btf).error().wrap("program '" + image.name + "'");
  int fd = prog_load(image, btf->valid() ? btf->get() : -1, nullptr, 0);
  if (fd >= 0) return ProgFd(fd);
  int err = errno;
  std::string log(16 << 20, '\0');
  ProgFd retry(prog_load(image, btf->valid() ? btf->get() : -1, log.data(), log.size()));
  log.resize(std::strlen(log.c_str()));
  return Error::from_errno("load refused", err)
      .with_verifier_log(log)
      .wrap("program '" + image.name + "'");
}

} // namespace xdpchain::dispatcher
