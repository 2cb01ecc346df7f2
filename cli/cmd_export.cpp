// xdpchain export IFACE [-o FILE]: the interface's running chain as a manifest that
// `xdpchain apply` accepts and that reproduces the chain.
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"
#include "compiler/object_cache.h"
#include "manifests/emit.h"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

namespace xdpchain::cli {

namespace {

struct ExportOptions {
  std::string interface;
  std::string output;
  std::string name;
};

// Writes through a temporary file and a rename, so FILE is never half written.
Status write_file(const std::string &path, const std::string &text) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Error::from_errno("write '" + temporary + "'", errno ? errno : EIO);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(temporary.c_str());
    return Error::from_errno("rename '" + temporary + "' to '" + path + "'", err);
  }
  return {};
}

Result<std::string> export_chain(const ExportOptions &opts, const GlobalOptions &global) {
  // The global --netns has already moved us into the interface's namespace.
  auto spec = dispatcher::current_spec(opts.interface, chain_options(global));
  if (!spec) {
    if (spec.error().kind() == ErrorKind::not_found)
      spec.error().hint("xdpchain status " + opts.interface + " shows what runs there");
    return std::move(spec).error();
  }
  manifests::EmitOptions emit;
  emit.name = opts.name;
  emit.netns = global.netns;
  emit.source_of = compiler::cached_object_source; // .lisp members: their source file
  emit.comment = "xdpchain" + (global.netns.empty() ? "" : " --netns " + global.netns) +
                 " export " + opts.interface + ": apply this file to reproduce the chain";
  return manifests::emit_manifest(*spec, emit);
}

int run_export(const ExportOptions &opts, const GlobalOptions &global) {
  auto text = export_chain(opts, global);
  if (!text) return report_error(text.error(), global);
  bool to_stdout = opts.output.empty() || opts.output == "-";
  if (!to_stdout) {
    Status written = write_file(opts.output, *text);
    if (!written) return report_error(written.error(), global);
  }
  if (global.json) {
    nlohmann::json out = json_document();
    out["interface"] = opts.interface;
    if (to_stdout)
      out["manifest"] = *text;
    else
      out["written"] = opts.output;
    print_json(out);
  } else if (to_stdout) {
    std::cout << *text;
  }
  return kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<ExportOptions>();
  auto *sub = app.add_subcommand("export", "write an interface's chain as a manifest");
  sub->add_option("interface", opts->interface, "network interface")->required();
  sub->add_option("-o,--output", opts->output, "file to write (default: standard output)");
  sub->add_option("--name", opts->name, "metadata.name (default: from the interface name)");
  sub->footer("Paths are written absolute; a program compiled from a .lisp source is written\n"
              "as that source. With the global --netns NAME, spec.namespace is NAME.\n\n"
              "examples:\n  xdpchain export eth0 -o eth0.yaml\n"
              "  xdpchain --netns blue export veth0 | xdpchain diff -f -");
  sub->callback([opts, &global] { global.exit_code = run_export(*opts, global); });
}

const RegisterCommand registered{{"export", 56, setup}};

} // namespace

} // namespace xdpchain::cli
