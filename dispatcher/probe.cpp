#include "dispatcher/probe.h"

#include "common/btf_builder.h"
#include "common/insn_builder.h"
#include "dispatcher/counters.h"
#include "dispatcher/freplace_generator.h"
#include "dispatcher/fused_generator.h"
#include "dispatcher/program_loader.h"
#include "dispatcher/state_dir.h"
#include "dispatcher/tailcall_generator.h"
#include "dispatcher/xdp_attach.h"
#include "dispatcher/xdp_features.h"

#include <bpf/bpf.h>
#include <linux/if_link.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xdpchain::dispatcher {

namespace {

FeatureResult refused(const std::string &what, int err) {
  return {false,
          what + ": refused by kernel (" + strerrorname_np(err) + ": " + std::strerror(err) + ")"};
}

Result<ProgFd> load_pass_program(bool frags) {
  bpf::InsnBuilder b;
  b.mov64_imm(bpf::R0, XDP_PASS);
  b.exit_insn();
  ProgramImage image;
  image.name = "xdpc_probe";
  image.insns = *b.assemble();
  image.frags = frags;
  return load_program(image);
}

// An extension `int probe(struct xdp_md *ctx) { return XDP_PASS; }` for stub slot0.
int load_probe_extension(ProgRef target, uint32_t target_btf_id, Fd &btf_fd) {
  bpf::BtfBuilder btf;
  bpf_func_info info{0, btf.func("probe", btf.xdp_func_proto(), bpf::Linkage::global)};
  auto loaded = btf.load();
  if (!loaded) {
    errno = loaded.error().err();
    return -1;
  }
  btf_fd = std::move(*loaded);
  bpf::InsnBuilder b;
  b.mov64_imm(bpf::R0, XDP_PASS);
  b.exit_insn();
  auto insns = *b.assemble();
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.attach_prog_fd = static_cast<uint32_t>(target.get());
  opts.prog_btf_fd = static_cast<uint32_t>(btf_fd.get());
  opts.attach_btf_id = target_btf_id;
  opts.func_info = &info;
  opts.func_info_cnt = 1;
  opts.func_info_rec_size = sizeof info;
  return bpf_prog_load(BPF_PROG_TYPE_EXT, "xdpc_probe_ext", "GPL", insns.data(), insns.size(),
                       &opts);
}

FeatureResult run_freplace_probe() {
  auto counters = create_counters_map();
  if (!counters) return {false, counters.error().str()};
  DispatcherSpec spec;
  spec.slots.push_back(SlotSpec{});
  spec.counters_map = *counters;
  auto image = generate_freplace_dispatcher(spec);
  if (!image) return {false, image.error().str()};
  auto dispatcher = load_program(*image);
  if (!dispatcher) return {false, "generated dispatcher refused: " + dispatcher.error().str()};
  // The stub slot0 is BTF type id of func_info[1].
  Fd btf_fd;
  ProgFd ext(load_probe_extension(*dispatcher, image->func_info[1].type_id, btf_fd));
  if (!ext) return refused("load BPF_PROG_TYPE_EXT", errno);
  LIBBPF_OPTS(bpf_link_create_opts, opts, .target_btf_id = image->func_info[1].type_id);
  LinkFd link(
      bpf_link_create(ext.get(), dispatcher->get(), static_cast<bpf_attach_type>(0), &opts));
  if (!link) return refused("link extension to dispatcher stub", errno);
  return {true, "an extension loaded and linked to a generated dispatcher stub"};
}

FeatureResult run_tailcall_probe() {
  MapFd array(bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "xdpc_probe", 4, 4, 1, nullptr));
  if (!array) return refused("create prog array", errno);
  auto image = generate_tailcall_root({array, false});
  if (!image) return {false, image.error().str()};
  auto root = load_program(*image);
  if (!root) return {false, "tail-call root refused: " + root.error().str()};
  auto member = load_pass_program(false);
  if (!member) return {false, member.error().str()};
  uint32_t key = 0;
  int fd = member->get();
  if (bpf_map_update_elem(array.get(), &key, &fd, BPF_ANY) != 0)
    return refused("insert program into prog array", errno);
  return {true, "a prog array accepted an XDP program and a root that tail-calls it loaded"};
}

// Two inlined members that use the stack, one with a subprogram.
FeatureResult run_fused_probe() {
  bpf::InsnBuilder member;
  bpf::Label sub = member.new_label();
  member.st_imm(BPF_DW, bpf::R10, -8, XDP_PASS);
  member.call_local(sub);
  member.ldx(BPF_DW, bpf::R0, bpf::R10, -8);
  member.exit_insn();
  member.bind(sub);
  member.mov64_imm(bpf::R0, 0);
  member.exit_insn();
  auto insns = member.assemble();
  if (!insns) return {false, insns.error().str()};
  FusedSpec spec;
  spec.members = {{{}, "probe0", *insns}, {{}, "probe1", *insns}};
  auto fused = generate_fused(spec);
  if (!fused) return {false, fused.error().str()};
  auto prog = load_program(fused->image);
  if (!prog) return {false, "fused program refused: " + prog.error().str()};
  return {true, "a generated program with two members' code inline loaded"};
}

} // namespace

const FeatureResult &probe_fused() {
  static const FeatureResult result = run_fused_probe();
  return result;
}

const FeatureResult &probe_freplace() {
  static const FeatureResult result = [] {
    FeatureResult r = run_freplace_probe();
    if (!r.supported) r.reason = "freplace: " + r.reason;
    return r;
  }();
  return result;
}

const FeatureResult &probe_tailcall() {
  static const FeatureResult result = run_tailcall_probe();
  return result;
}

FeatureResult probe_frags() {
  auto prog = load_pass_program(true);
  if (!prog) return {false, "XDP program with BPF_F_XDP_HAS_FRAGS refused: " + prog.error().str()};
  return {true, "an XDP program with BPF_F_XDP_HAS_FRAGS loaded"};
}

// In a throwaway network namespace (a child process), links a pass program to its loopback.
FeatureResult probe_xdp_link() {
  pid_t child = fork();
  if (child < 0) return {false, std::string("fork: ") + std::strerror(errno)};
  if (child == 0) {
    if (unshare(CLONE_NEWNET) != 0) _exit(100);
    auto prog = load_pass_program(false);
    if (!prog) _exit(101);
    LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_SKB_MODE);
    int fd = bpf_link_create(prog->get(), 1 /* lo */, BPF_XDP, &opts);
    _exit(fd >= 0 ? 0 : (errno & 0x7f));
  }
  int status = 0;
  waitpid(child, &status, 0);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  if (code == 0) return {true, "an XDP bpf_link attached in a scratch network namespace"};
  if (code == 100) return {false, "could not create a scratch network namespace to probe"};
  if (code == 101) return {false, "could not load a probe program"};
  return refused("create XDP bpf_link", code);
}

FeatureResult probe_mode(const std::string &interface, bool native) {
  Mode mode = native ? Mode::native : Mode::generic;
  auto iface = resolve_interface(interface);
  if (!iface) return {false, iface.error().str()};
  auto attached = query_attached(iface->ifindex);
  if (!attached) return {false, attached.error().str()};
  if (attached->prog_id != 0 && attached->mode == mode)
    return {true, "in use now: " + attached->describe()};
  if (!native) return {true, "generic XDP runs on every interface"};
  auto features = query_xdp_features(iface->ifindex);
  if (!features) return {false, "not probed: " + features.error().str()};
  if (*features & kXdpActBasic)
    return {true, "the driver reports XDP features: " + xdp_features_to_string(*features)};
  return {false, "the driver reports no native XDP support (XDP features: none)"};
}

Backend automatic_backend(const FeatureResult &freplace) {
  return freplace.supported ? Backend::freplace : Backend::tailcall;
}

Features probe_features(const std::string &interface) {
  Features features;
  features.freplace = probe_freplace();
  features.tailcall = probe_tailcall();
  features.fused = probe_fused();
  features.xdp_link = probe_xdp_link();
  features.frags = probe_frags();
  if (!interface.empty()) {
    features.native = probe_mode(interface, true);
    features.generic = probe_mode(interface, false);
  }
  return features;
}

} // namespace xdpchain::dispatcher
