#include "manifests/validate.h"

#include "manifests/interface_selection.h"

#include "common/netns.h"
#include "dispatcher/chain_spec.h"
#include "manifests/key_check.h"
#include "manifests/schema.h"

#include <linux/magic.h>
#include <net/if.h>
#include <sys/statfs.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

namespace xdpchain::manifests {

namespace {

std::string describe(const Node &node) {
  switch (node.kind) {
  case NodeKind::null:
    return "nothing";
  case NodeKind::scalar:
    return "a scalar";
  case NodeKind::sequence:
    return "a list";
  case NodeKind::map:
    return "a mapping";
  default:
    return "no value";
  }
}

std::string at(const Mark &mark) {
  return std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

std::string join(const std::string &path, const std::string &key) {
  return path.empty() ? key : path + "." + key;
}

std::string index(const std::string &path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

ValidateOptions with_defaults(ValidateOptions options) {
  if (!options.file_exists)
    options.file_exists = [](const std::string &path) {
      std::error_code ec;
      return std::filesystem::is_regular_file(path, ec);
    };
  if (!options.netns_exists) options.netns_exists = netns_exists;
  if (!options.on_bpffs)
    options.on_bpffs = [](const std::string &path) {
      std::filesystem::path existing = path;
      std::error_code ec;
      while (!existing.empty() && existing != existing.root_path() &&
             !std::filesystem::exists(existing, ec))
        existing = existing.parent_path();
      struct statfs st;
      return statfs(existing.c_str(), &st) == 0 && st.f_type == BPF_FS_MAGIC;
    };
  if (!options.interface_exists)
    options.interface_exists = [](const std::string &interface,
                                  const std::string &netns) -> Result<bool> {
      auto index = interface_index(interface, netns);
      if (!index) return std::move(index).error();
      return *index != 0;
    };
  return options;
}

class Checker {
public:
  Checker(const ManifestFile &file, ValidateOptions options)
      : file_(file), options_(with_defaults(std::move(options))) {}

  std::vector<Diagnostic> run() {
    if (file_.documents.empty())
      add(Check::syntax, {1, 1}, "", "manifest has no documents",
          "a manifest holds one or more XdpChain documents separated by '---'");
    for (const auto &document : file_.documents)
      check_document(document);
    std::stable_sort(out_.begin(), out_.end(), [](const Diagnostic &a, const Diagnostic &b) {
      return std::tie(a.mark.line, a.mark.column) < std::tie(b.mark.line, b.mark.column);
    });
    return std::move(out_);
  }

private:
  void add(Check check, const Mark &mark, const std::string &key, std::string message,
           std::string hint = "") {
    out_.push_back({check, file_.path, mark, key, std::move(message), std::move(hint)});
  }

  void keys(const Object &object, const std::string &path, const KeyList &known) {
    for (auto &problem : check_keys(object, known))
      add(problem.check, problem.mark, join(path, problem.key), problem.message, problem.hint);
  }

  // A required or optional mapping; false when it is not one (the problem is recorded).
  bool mapping(const Object &object, const Mark &parent, const std::string &path, bool required) {
    if (object.kind == NodeKind::map) return true;
    if (!object.given()) {
      if (required) add(Check::missing_key, parent, path, "missing required key");
      return false;
    }
    add(Check::wrong_type, object.mark, path, "expected a mapping, got " + describe(object));
    return false;
  }

  // A required or optional string; false when absent or not a scalar.
  bool string(const Scalar &scalar, const Mark &parent, const std::string &path, bool required) {
    if (scalar.kind == NodeKind::scalar) {
      if (!scalar.text.empty()) return true;
      add(Check::bad_value, scalar.mark, path, "must not be empty");
      return false;
    }
    if (!scalar.given()) {
      if (required) add(Check::missing_key, parent, path, "missing required key");
      return false;
    }
    add(Check::wrong_type, scalar.mark, path, "expected a string, got " + describe(scalar));
    return false;
  }

  void check_document(const ChainManifest &document) {
    const std::string number = "document " + std::to_string(document.index + 1);
    if (document.kind != NodeKind::map) {
      add(Check::syntax, document.mark, "",
          number + " is " + describe(document) + ", expected a mapping (an XdpChain object)");
      return;
    }
    // `status`: what the Kubernetes API server reports about the object; ignored.
    keys(document, "", {"apiVersion", "kind", "metadata", "spec", "status"});
    check_header(document);
    if (mapping(document.metadata, document.mark, "metadata", true))
      check_metadata(document.metadata);
    if (mapping(document.spec, document.mark, "spec", true)) check_spec(document.spec);
  }

  void check_header(const ChainManifest &document) {
    const Scalar &api = document.api_version;
    if (!api.given())
      add(Check::api_version, document.mark, "apiVersion", "missing apiVersion",
          std::string("add 'apiVersion: ") + kApiVersion + "'");
    else if (api.kind != NodeKind::scalar || api.text != kApiVersion)
      add(Check::api_version, api.mark, "apiVersion",
          "unknown apiVersion " + quote(api) + ", expected '" + kApiVersion + "'");
    const Scalar &kind = document.kind_name;
    if (!kind.given())
      add(Check::kind, document.mark, "kind", "missing kind",
          std::string("add 'kind: ") + kKind + "'");
    else if (kind.kind != NodeKind::scalar || kind.text != kKind)
      add(Check::kind, kind.mark, "kind",
          "unknown kind " + quote(kind) + ", expected '" + kKind + "'");
  }

  static std::string quote(const Scalar &scalar) {
    return scalar.kind == NodeKind::scalar ? "'" + scalar.text + "'" : describe(scalar);
  }

  void check_metadata(const MetadataManifest &metadata) {
    // Everything past `annotations` is what the API server adds (`kubectl get -o yaml`):
    // accepted and ignored.
    keys(metadata, "metadata",
         {"name", "labels", "annotations", "namespace", "uid", "resourceVersion",
          "creationTimestamp", "generation", "managedFields", "selfLink", "finalizers",
          "ownerReferences", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName"});
    if (string(metadata.name, metadata.mark, "metadata.name", true) &&
        !valid_object_name(metadata.name.text))
      add(Check::bad_value, metadata.name.mark, "metadata.name",
          "invalid name '" + metadata.name.text + "'",
          "use lower-case letters, digits, '-' and '.' (a Kubernetes object name)");
    check_string_map(metadata.labels, metadata.mark, "metadata.labels");
    check_string_map(metadata.annotations, metadata.mark, "metadata.annotations");
  }

  void check_string_map(const StringMap &map, const Mark &parent, const std::string &path) {
    if (!mapping(map, parent, path, false)) return;
    std::set<std::string> seen;
    for (size_t i = 0; i < map.keys.size(); ++i) {
      const Key &key = map.keys[i];
      if (!seen.insert(key.name).second)
        add(Check::duplicate_key, key.mark, join(path, key.name), "duplicate key");
      const Scalar &value = map.values[i];
      if (value.given() && value.kind != NodeKind::scalar)
        add(Check::wrong_type, value.mark, join(path, key.name),
            "expected a string, got " + describe(value));
    }
  }

  void check_spec(const SpecManifest &spec) {
    keys(spec, "spec",
         {"interface", "interfaces", "interfaceSelector", "namespace", "mode", "backend", "force",
          "counters", "programs"});
    boolean(spec.force, "spec.force");
    boolean(spec.counters, "spec.counters");
    bool netns_ok = true;
    if (string(spec.network_namespace, spec.mark, "spec.namespace", false) &&
        !options_.netns_exists(spec.network_namespace.text)) {
      netns_ok = false;
      add(Check::unknown_namespace, spec.network_namespace.mark, "spec.namespace",
          "network namespace '" + spec.network_namespace.text + "' not found (no " +
              netns_path(spec.network_namespace.text) + ")",
          "create it with 'ip netns add " + spec.network_namespace.text + "'");
    }
    check_selection(spec, netns_ok);
    if (string(spec.mode, spec.mark, "spec.mode", false) && !read_mode(spec.mode.text))
      add(Check::bad_value, spec.mode.mark, "spec.mode",
          "unknown mode '" + spec.mode.text + "', expected native or generic");
    std::optional<dispatcher::Backend> backend = dispatcher::Backend::automatic;
    if (string(spec.backend, spec.mark, "spec.backend", false)) {
      backend = read_backend(spec.backend.text);
      if (!backend)
        add(Check::bad_value, spec.backend.mark, "spec.backend",
            "unknown backend '" + spec.backend.text +
                "', expected auto, freplace, tailcall or fused");
    }
    // Only the fused backend can run without counters. A manifest must name it: `auto` (also
    // when backend is left out) picks fused only for a chain already running fused, so the
    // document would work on some nodes and not others; it is refused here, at its line.
    if (backend && *backend != dispatcher::Backend::fused && spec.counters.given() &&
        spec.counters.text == "false")
      add(Check::conflict, spec.counters.mark, "spec.counters",
          std::string("counters: false needs backend: fused, not ") +
              dispatcher::to_string(*backend),
          "set 'backend: fused', or leave counters on");
    check_programs(spec, backend);
  }

  // An optional `true`/`false` (unquoted).
  void boolean(const Scalar &value, const std::string &path) {
    if (value.given() && (value.kind != NodeKind::scalar || value.quoted ||
                          (value.text != "true" && value.text != "false")))
      add(Check::wrong_type, value.mark, path,
          "expected true or false, got " +
              (value.kind == NodeKind::scalar ? "'" + value.text + "'" : describe(value)));
  }

  // Exactly one of spec.interface, spec.interfaces and spec.interfaceSelector.
  void check_selection(const SpecManifest &spec, bool netns_ok) {
    int given = spec.interface.given() + spec.interfaces.given() + spec.interface_selector.given();
    if (given > 1) {
      add(Check::conflict, spec.mark, "spec",
          "give only one of 'interface', 'interfaces' and 'interfaceSelector'");
      return;
    }
    if (spec.interfaces.given()) return check_interface_list(spec.interfaces);
    if (spec.interface_selector.given()) return check_selector(spec.interface_selector);
    if (string(spec.interface, spec.mark, "spec.interface", true)) check_interface(spec, netns_ok);
  }

  void check_interface_list(const List<Scalar> &list) {
    if (list.kind != NodeKind::sequence) {
      add(Check::wrong_type, list.mark, "spec.interfaces",
          "expected a list, got " + describe(list));
      return;
    }
    if (list.items.empty()) {
      add(Check::bad_value, list.mark, "spec.interfaces", "must not be empty",
          "name at least one interface or pattern, e.g. [eth0, 'ens*']");
      return;
    }
    for (size_t i = 0; i < list.items.size(); ++i) {
      const Scalar &item = list.items[i];
      const std::string path = index("spec.interfaces", i);
      if (!string(item, list.mark, path, true)) continue;
      if (auto problem = pattern_problem(item.text))
        add(Check::bad_value, item.mark, path, "interface pattern '" + item.text + "' " + *problem);
    }
  }

  void check_selector(const InterfaceSelectorManifest &selector) {
    if (!mapping(selector, selector.mark, "spec.interfaceSelector", true)) return;
    keys(selector, "spec.interfaceSelector", {"primary"});
    const Scalar &primary = selector.primary;
    if (!primary.given()) {
      add(Check::missing_key, selector.mark, "spec.interfaceSelector.primary",
          "missing required key", "'primary: true' picks the interface of the default route");
      return;
    }
    if (primary.kind != NodeKind::scalar || primary.quoted || primary.text != "true")
      add(Check::bad_value, primary.mark, "spec.interfaceSelector.primary",
          "expected true, got " +
              (primary.kind == NodeKind::scalar ? "'" + primary.text + "'" : describe(primary)));
  }

  void check_interface(const SpecManifest &spec, bool netns_ok) {
    const Scalar &interface = spec.interface;
    const std::string &netns = spec.network_namespace.given() ? spec.network_namespace.text : "";
    if (interface.text.size() >= IFNAMSIZ) {
      add(Check::bad_value, interface.mark, "spec.interface",
          "interface name '" + interface.text + "' is longer than " + std::to_string(IFNAMSIZ - 1) +
              " characters");
      return;
    }
    std::string where = netns.empty() ? "" : " in network namespace '" + netns + "'";
    auto key = std::make_pair(netns, interface.text);
    if (auto first = interfaces_.find(key); first != interfaces_.end())
      add(Check::conflict, interface.mark, "spec.interface",
          "interface '" + interface.text + "'" + where + " already has a chain in this file (at " +
              at(first->second) + ")",
          "put all programs of one interface into one document");
    else
      interfaces_.emplace(key, interface.mark);
    if (!netns_ok) return;
    auto exists = options_.interface_exists(interface.text, netns);
    if (!exists)
      add(Check::unknown_interface, interface.mark, "spec.interface",
          "interface '" + interface.text + "'" + where + ": " + exists.error().str());
    else if (!*exists)
      add(Check::unknown_interface, interface.mark, "spec.interface",
          "interface '" + interface.text + "' not found" + where);
  }

  void check_programs(const SpecManifest &spec, std::optional<dispatcher::Backend> backend) {
    const auto &programs = spec.programs;
    if (!programs.given()) {
      add(Check::missing_key, spec.mark, "spec.programs", "missing required key",
          "an empty list 'programs: []' removes the chain");
      return;
    }
    if (programs.kind != NodeKind::sequence) {
      add(Check::wrong_type, programs.mark, "spec.programs",
          "expected a list, got " + describe(programs));
      return;
    }
    check_program_count(programs, backend);
    std::map<std::string, Mark> names;
    for (size_t i = 0; i < programs.items.size(); ++i)
      check_program(programs.items[i], index("spec.programs", i), names);
  }

  void check_program_count(const List<ProgramManifest> &programs,
                           std::optional<dispatcher::Backend> backend) {
    if (!backend) return;
    int limit = kMaxProgramsAuto;
    if (*backend == dispatcher::Backend::tailcall) limit = dispatcher::kMaxMembersTailcall;
    if (*backend == dispatcher::Backend::freplace) limit = dispatcher::kMaxMembersFreplace;
    if (*backend == dispatcher::Backend::fused) limit = dispatcher::kMaxMembersFused;
    int count = static_cast<int>(programs.items.size());
    if (count <= limit) return;
    add(Check::too_many_programs, programs.mark, "spec.programs",
        std::to_string(count) + " programs, but backend " + dispatcher::to_string(*backend) +
            " chains at most " + std::to_string(limit),
        *backend == dispatcher::Backend::tailcall
            ? "the freplace backend chains up to " + std::to_string(dispatcher::kMaxMembersFreplace)
            : "");
  }

  void check_program(const ProgramManifest &program, const std::string &path,
                     std::map<std::string, Mark> &names) {
    if (program.kind != NodeKind::map) {
      add(Check::wrong_type, program.mark, path, "expected a mapping, got " + describe(program));
      return;
    }
    keys(program, path, {"name", "object", "source", "program", "priority", "proceedOn", "maps"});
    if (string(program.name, program.mark, join(path, "name"), true)) {
      if (!valid_program_name(program.name.text))
        add(Check::bad_value, program.name.mark, join(path, "name"),
            "invalid program name '" + program.name.text + "'",
            "use letters, digits, '_', '-' and '.', at most 63, starting with a letter or digit");
      auto [first, inserted] = names.emplace(program.name.text, program.name.mark);
      if (!inserted)
        add(Check::duplicate_name, program.name.mark, join(path, "name"),
            "duplicate program name '" + program.name.text + "' (first at " + at(first->second) +
                ")");
    }
    check_code(program, path);
    string(program.program, program.mark, join(path, "program"), false);
    check_priority(program.priority, join(path, "priority"));
    check_proceed_on(program.proceed_on, join(path, "proceedOn"));
    check_maps(program.maps, join(path, "maps"));
  }

  // Exactly one of object and source, naming a file that is there.
  void check_code(const ProgramManifest &program, const std::string &path) {
    bool has_object = program.object.given(), has_source = program.source.given();
    if (has_object && has_source) {
      add(Check::conflict, program.source.mark, join(path, "source"),
          "give either 'object' or 'source', not both");
      return;
    }
    if (!has_object && !has_source) {
      add(Check::missing_key, program.mark, path, "missing 'object' or 'source'",
          "'object: prog.o' for a BPF ELF object, 'source: prog.lisp' to compile one");
      return;
    }
    const Scalar &file = has_object ? program.object : program.source;
    std::string key = join(path, has_object ? "object" : "source");
    if (!string(file, program.mark, key, true)) return;
    if (has_source && !file.text.ends_with(".lisp")) {
      add(Check::bad_value, file.mark, key, "source '" + file.text + "' is not a .lisp file",
          "use 'object:' for compiled BPF objects");
      return;
    }
    std::string resolved = resolve_path(file_.path, file.text);
    if (!options_.file_exists(resolved))
      add(Check::missing_file, file.mark, key, "file not found: " + resolved,
          "relative paths resolve against the manifest's folder");
  }

  void check_priority(const Scalar &priority, const std::string &path) {
    if (!priority.given()) return;
    auto value = read_integer(priority);
    if (!value) {
      std::string got = priority.kind != NodeKind::scalar ? describe(priority)
                        : priority.quoted                 ? "the string \"" + priority.text + "\""
                                                          : "'" + priority.text + "'";
      add(Check::wrong_type, priority.mark, path, "expected an integer, got " + got);
      return;
    }
    if (*value < kMinPriority || *value > kMaxPriority)
      add(Check::priority_range, priority.mark, path,
          "priority " + priority.text + " out of range " + std::to_string(kMinPriority) + ".." +
              std::to_string(kMaxPriority));
  }

  void check_proceed_on(const List<Scalar> &proceed_on, const std::string &path) {
    if (!proceed_on.given()) return;
    if (proceed_on.kind != NodeKind::sequence) {
      add(Check::wrong_type, proceed_on.mark, path, "expected a list, got " + describe(proceed_on),
          "write a list of actions, e.g. [pass] or [XDP_PASS, XDP_TX]");
      return;
    }
    for (size_t i = 0; i < proceed_on.items.size(); ++i) {
      const Scalar &action = proceed_on.items[i];
      if (!string(action, proceed_on.mark, index(path, i), true)) continue;
      if (dispatcher::action_from_string(action.text) < 0)
        add(Check::unknown_action, action.mark, index(path, i),
            "unknown action '" + action.text + "'",
            "actions are aborted, drop, pass, tx, redirect (or XDP_ABORTED ... XDP_REDIRECT)");
    }
  }

  void check_maps(const List<MapManifest> &maps, const std::string &path) {
    if (!maps.given()) return;
    if (maps.kind != NodeKind::sequence) {
      add(Check::wrong_type, maps.mark, path, "expected a list, got " + describe(maps),
          "write a list of {name, pin} and {pinRoot} entries");
      return;
    }
    std::map<std::string, Mark> pinned;
    const MapManifest *root = nullptr;
    for (size_t i = 0; i < maps.items.size(); ++i) {
      const MapManifest &map = maps.items[i];
      std::string item = index(path, i);
      if (!mapping(map, maps.mark, item, true)) continue;
      keys(map, item, {"name", "pin", "pinRoot"});
      if (map.pin_root.given()) {
        if (map.name.given() || map.pin.given()) {
          add(Check::conflict, map.pin_root.mark, join(item, "pinRoot"),
              "an entry has either 'name' and 'pin', or 'pinRoot'");
          continue;
        }
        if (root)
          add(Check::conflict, map.pin_root.mark, join(item, "pinRoot"),
              "second pinRoot (first at " + at(root->pin_root.mark) + ")");
        root = &map;
        absolute_path(map.pin_root, map.mark, join(item, "pinRoot"));
        continue;
      }
      if (string(map.name, map.mark, join(item, "name"), true)) {
        auto [first, inserted] = pinned.emplace(map.name.text, map.name.mark);
        if (!inserted)
          add(Check::duplicate_name, map.name.mark, join(item, "name"),
              "map '" + map.name.text + "' pinned twice (first at " + at(first->second) + ")");
      }
      absolute_path(map.pin, map.mark, join(item, "pin"));
    }
  }

  // A pin path: absolute, on bpffs, and outside xdpchain's state root.
  void absolute_path(const Scalar &path, const Mark &parent, const std::string &key) {
    if (!string(path, parent, key, true)) return;
    if (path.text[0] != '/') {
      add(Check::bad_value, path.mark, key, "'" + path.text + "' is not an absolute path",
          "pins live on bpffs, e.g. /sys/fs/bpf/shared/");
      return;
    }
    std::error_code ec;
    const std::filesystem::path pin = std::filesystem::weakly_canonical(path.text, ec);
    const std::filesystem::path root = std::filesystem::weakly_canonical(options_.state_root, ec);
    auto [end, _] = std::mismatch(root.begin(), root.end(), pin.begin(), pin.end());
    if (!root.empty() && end == root.end()) {
      add(Check::bad_value, path.mark, key,
          "'" + path.text + "' lies inside xdpchain's state root " + root.string(),
          "pin shared maps elsewhere on bpffs, e.g. /sys/fs/bpf/shared/");
      return;
    }
    if (!options_.on_bpffs(pin.string()))
      add(Check::bad_value, path.mark, key, "'" + path.text + "' is not on a bpffs mount",
          "pins live on bpffs, e.g. /sys/fs/bpf/shared/");
  }

  const ManifestFile &file_;
  ValidateOptions options_;
  std::vector<Diagnostic> out_;
  std::map<std::pair<std::string, std::string>, Mark> interfaces_; // (netns, interface)
};

} // namespace

std::vector<Diagnostic> validate(const ManifestFile &file, const ValidateOptions &options) {
  return Checker(file, options).run();
}

} // namespace xdpchain::manifests
