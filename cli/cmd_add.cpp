// xdpchain add IFACE OBJECT: puts one more program into the interface's chain.
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/object_source.h"
#include "cli/report.h"

#include <xdpchain/chain.h>

#include <iostream>
#include <optional>

namespace xdpchain::cli {

namespace {

struct AddOptions {
  std::string interface;
  std::string object;
  std::string program;
  std::string label;
  std::optional<int> priority;
  std::string proceed_on;
  std::string mode; // "" = the chain's, else native
  dispatcher::Backend backend = dispatcher::Backend::automatic;
  std::optional<bool> counters;
  bool force = false;
};

Result<dispatcher::ChainSpec> with_member(const dispatcher::ChainSpec &current, bool present,
                                          const AddOptions &opts,
                                          std::optional<dispatcher::Mode> mode,
                                          const dispatcher::MemberSpec &member) {
  dispatcher::ChainSpec desired = current;
  if (!present) {
    desired.mode = mode.value_or(dispatcher::Mode::native);
    desired.backend = opts.backend;
  } else {
    if (mode && *mode != current.mode) desired.mode = *mode; // refused later
    if (opts.backend != dispatcher::Backend::automatic) desired.backend = opts.backend;
  }
  if (opts.counters) desired.counters = opts.counters;
  for (const auto &existing : current.members)
    if (!member.label.empty() && existing.label == member.label)
      return Error(ErrorKind::conflict,
                   "the chain already has a program labelled '" + member.label + "'")
          .hint("remove it first, or choose another label with --name");
  desired.members.push_back(member);
  return desired;
}

int run_add(const AddOptions &opts, const GlobalOptions &global) {
  std::optional<dispatcher::Mode> mode;
  if (!opts.mode.empty()) {
    auto parsed = parse_mode(opts.mode);
    if (!parsed) return report_error(parsed.error(), global);
    mode = *parsed;
  }
  auto object = materialize_object(opts.object);
  if (!object) return report_error(object.error(), global);
  dispatcher::MemberSpec member;
  member.object_path = *object;
  member.program = opts.program;
  member.label = opts.label;
  member.priority = opts.priority;
  if (!opts.proceed_on.empty()) {
    auto mask = parse_actions(opts.proceed_on);
    if (!mask) return report_error(mask.error(), global);
    member.proceed_on = *mask;
  }
  dispatcher::ChainOptions options = chain_options(global);
  options.replace_foreign = opts.force;
  // The global --netns has already moved us into the interface's namespace.
  auto chain = Chain::open(opts.interface, "", options);
  if (!chain) return report_error(chain.error(), global);
  auto report = chain->edit([&](const dispatcher::ChainSpec &current, bool present) {
    return with_member(current, present, opts, mode, member);
  });
  if (!report) return report_error(report.error(), global);
  return print_change(opts.interface, *report, global);
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<AddOptions>();
  auto *sub = app.add_subcommand("add", "add a program (.o object or .lisp source) to a chain");
  sub->add_option("interface", opts->interface, "network interface")->required();
  sub->add_option("object", opts->object, "BPF ELF object (.o) or xdpchain source (.lisp)")
      ->required();
  sub->add_option("--program", opts->program, "program name, when the object holds several");
  sub->add_option("--name", opts->label, "label in the chain (default: the program name)");
  sub->add_option("--priority", opts->priority,
                  "lower runs first (default: the object's XDP_RUN_CONFIG, else 50)");
  sub->add_option(
      "--proceed-on", opts->proceed_on,
      "verdicts that pass the packet on, e.g. pass,drop (default: object's, else pass)");
  // Value lists as words ({a,b}), not CLI11's "ENUM:value in {auto->0,...}": --help, the
  // man pages and the completion (packaging/gen_cli_docs.py reads the braces) show them.
  sub->add_option("--mode", opts->mode,
                  "native (driver, also: drv) or generic (also: skb); default native")
      ->type_name("{native,generic}");
  sub->add_option("--backend", opts->backend, "auto, freplace, tailcall or fused")
      ->transform(CLI::CheckedTransformer(backend_names(), CLI::ignore_case).description(""))
      ->type_name("{auto,freplace,tailcall,fused}");
  sub->add_option("--counters", opts->counters,
                  "on or off: per-member counters (off only with --backend fused; default: "
                  "keep the chain's, on for a new chain)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}},
                                          CLI::ignore_case)
                      .description(""))
      ->type_name("{on,off}");
  sub->add_flag("--force", opts->force, "replace another tool's XDP program on the interface");
  sub->footer(
      "examples:\n  xdpchain add veth0 drop_icmp.o --priority 20\n"
      "  xdpchain add veth0 filters.o --program drop_udp --name udp --proceed-on pass,drop\n"
      "  xdpchain add eth0 filter.lisp --mode generic --backend tailcall");
  sub->callback([opts, &global] { global.exit_code = run_add(*opts, global); });
}

const RegisterCommand registered{{"add", 10, setup}};

} // namespace

} // namespace xdpchain::cli
