#include "cli/describe_cli.h"

namespace xdpchain::cli {
namespace {

nlohmann::json describe_option(const CLI::Option &option) {
  nlohmann::json out;
  out["type"] = option.get_type_name();
  out["required"] = option.get_required();
  out["description"] = option.get_description();
  if (option.get_positional() && !option.nonpositional()) {
    out["name"] = option.get_name();
    return out;
  }
  nlohmann::json names = nlohmann::json::array();
  for (const auto &name : option.get_snames())
    names.push_back("-" + name);
  for (const auto &name : option.get_lnames())
    names.push_back("--" + name);
  out["names"] = names;
  out["takes_value"] = !option.get_type_name().empty(); // as --help shows a value
  out["default"] = option.get_default_str();
  return out;
}

// The options and positionals `--help` shows (an empty group is hidden).
void describe_arguments(const CLI::App &app, nlohmann::json &out) {
  out["options"] = nlohmann::json::array();
  out["positionals"] = nlohmann::json::array();
  for (const CLI::Option *option :
       app.get_options([](const CLI::Option *o) { return !o->get_group().empty(); })) {
    bool positional = option->get_positional() && !option->nonpositional();
    out[positional ? "positionals" : "options"].push_back(describe_option(*option));
  }
}

} // namespace

nlohmann::json describe_cli(const CLI::App &app) {
  nlohmann::json out;
  out["name"] = "xdpchain";
  out["description"] = app.get_description();
  out["footer"] = app.get_footer();
  describe_arguments(app, out);
  out["verbs"] = nlohmann::json::array();
  auto &mutable_app = const_cast<CLI::App &>(app); // get_subcommands(filter) is not const
  for (const CLI::App *verb :
       mutable_app.get_subcommands([](CLI::App *sub) { return !sub->get_group().empty(); })) {
    nlohmann::json entry;
    entry["name"] = verb->get_name();
    entry["description"] = verb->get_description();
    // `help` and `version` inherit the top-level footer; it is not theirs to repeat.
    entry["footer"] = verb->get_footer() == app.get_footer() ? "" : verb->get_footer();
    describe_arguments(*verb, entry);
    out["verbs"].push_back(entry);
  }
  return out;
}

} // namespace xdpchain::cli
