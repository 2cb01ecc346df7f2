// xdpchain features [IFACE]: what this kernel (and interface) can do, and why not.
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"
#include "dispatcher/probe.h"
#include "dispatcher/state_dir.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace xdpchain::cli {

namespace {

struct FeaturesOptions {
  std::string interface;
};

nlohmann::json to_json(const dispatcher::FeatureResult &r) {
  return {{"supported", r.supported}, {"reason", r.reason}};
}

void print_line(const char *name, const dispatcher::FeatureResult &r) {
  std::cout << "  " << name << (r.supported ? ": yes" : ": no") << " (" << r.reason << ")\n";
}

int run_features(const FeaturesOptions &opts, GlobalOptions &global) {
  // A named interface that does not exist is bad input, as for every other verb.
  if (!opts.interface.empty()) {
    auto iface = dispatcher::resolve_interface(opts.interface);
    if (!iface) return report_error(iface.error(), global);
  }
  dispatcher::Features f = dispatcher::probe_features(opts.interface);
  if (global.json) {
    nlohmann::json out = json_document();
    out["freplace"] = to_json(f.freplace);
    out["tailcall"] = to_json(f.tailcall);
    out["fused"] = to_json(f.fused);
    out["xdp_link"] = to_json(f.xdp_link);
    out["frags"] = to_json(f.frags);
    if (f.native) out["native"] = to_json(*f.native);
    if (f.generic) out["generic"] = to_json(*f.generic);
    print_json(out);
    return kExitOk;
  }
  std::cout << "kernel features:\n";
  print_line("freplace", f.freplace);
  print_line("tailcall", f.tailcall);
  print_line("fused", f.fused);
  print_line("xdp_link", f.xdp_link);
  print_line("frags", f.frags);
  if (f.native) {
    std::cout << "interface " << opts.interface << ":\n";
    print_line("native", *f.native);
    print_line("generic", *f.generic);
  }
  std::cout << "backend auto would use: "
            << (f.freplace.supported || f.tailcall.supported
                    ? to_string(dispatcher::automatic_backend(f.freplace))
                    : "none")
            << "\n";
  return kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<FeaturesOptions>();
  auto *sub = app.add_subcommand("features", "probe what this kernel and an interface support");
  sub->add_option("interface", opts->interface,
                  "also report native/generic XDP on this interface (asks the driver; attaches "
                  "nothing)");
  sub->footer("examples:\n  xdpchain features\n  xdpchain features veth0 --json");
  sub->callback([opts, &global] { global.exit_code = run_features(*opts, global); });
}

const RegisterCommand registered{{"features", 60, setup}};

} // namespace

} // namespace xdpchain::cli
