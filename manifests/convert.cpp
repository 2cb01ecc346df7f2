#include "manifests/convert.h"

#include "compiler/compile.h"
#include "compiler/object_cache.h"
#include "manifests/schema.h"

namespace xdpchain::manifests {

namespace {

std::string location(const std::string &file, const Mark &mark) {
  return file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

dispatcher::ActionMask action_mask(const List<Scalar> &actions) {
  dispatcher::ActionMask mask = 0;
  for (const auto &action : actions.items) {
    int value = dispatcher::action_from_string(action.text);
    if (value >= 0) mask |= 1u << value;
  }
  return mask;
}

void add_maps(const List<MapManifest> &maps, const std::string &manifest_path,
              dispatcher::MemberSpec &member) {
  for (const auto &map : maps.items) {
    if (map.pin_root.given())
      member.pin_root = resolve_path(manifest_path, map.pin_root.text);
    else
      member.map_pins.push_back({map.name.text, resolve_path(manifest_path, map.pin.text)});
  }
}

class Converter {
public:
  Converter(const ManifestFile &file, const ConvertOptions &options)
      : file_(file), options_(options) {
    if (!options_.compile)
      options_.compile = [](const std::string &path) { return compiler::compile_file(path); };
    if (options_.object_cache.empty()) options_.object_cache = compiler::default_object_cache();
  }

  Result<std::vector<ChainTarget>> run() {
    std::vector<ChainTarget> targets;
    for (const auto &document : file_.documents) {
      auto target = convert_document(document);
      if (!target) return std::move(target).error();
      targets.push_back(std::move(*target));
    }
    return targets;
  }

private:
  Result<ChainTarget> convert_document(const ChainManifest &document) {
    const SpecManifest &spec = document.spec;
    ChainTarget target;
    target.name = document.metadata.name.text;
    target.netns = spec.network_namespace.given() ? spec.network_namespace.text : "";
    target.origin = location(file_.path, document.mark);
    target.force = spec.force.given() && spec.force.text == "true";
    target.spec.interface = spec.interface.text;
    for (const auto &pattern : spec.interfaces.items)
      target.selection.patterns.push_back(pattern.text);
    target.selection.primary = spec.interface_selector.primary.text == "true";
    if (spec.mode.given()) target.spec.mode = read_mode(spec.mode.text).value_or(target.spec.mode);
    if (spec.backend.given())
      target.spec.backend = read_backend(spec.backend.text).value_or(target.spec.backend);
    // Declarative: a manifest without the key wants counters on.
    target.spec.counters = !(spec.counters.given() && spec.counters.text == "false");
    for (size_t i = 0; i < spec.programs.items.size(); ++i) {
      auto member = convert_program(spec.programs.items[i], i);
      if (!member) return std::move(member).error();
      target.spec.members.push_back(std::move(*member));
    }
    return target;
  }

  Result<dispatcher::MemberSpec> convert_program(const ProgramManifest &program, size_t i) {
    dispatcher::MemberSpec member;
    member.label = program.name.text;
    member.program = program.program.given() ? program.program.text : "";
    if (program.object.given()) {
      member.object_path = resolve_path(file_.path, program.object.text);
    } else {
      auto object = compile(program.source);
      if (!object)
        return std::move(object.error())
            .wrap(location(file_.path, program.source.mark) + ": key 'spec.programs[" +
                  std::to_string(i) + "].source'");
      member.object_path = *object;
    }
    if (auto priority = read_integer(program.priority))
      member.priority = static_cast<int>(*priority);
    if (program.proceed_on.given()) member.proceed_on = action_mask(program.proceed_on);
    add_maps(program.maps, file_.path, member);
    return member;
  }

  // The cached object for a source file, compiled once per convert() call.
  Result<std::string> compile(const Scalar &source) {
    std::string path = resolve_path(file_.path, source.text);
    for (const auto &[done, object] : compiled_)
      if (done == path) return object;
    auto bytes = options_.compile(path);
    if (!bytes) return std::move(bytes).error();
    auto object =
        options_.staging_dir.empty()
            ? compiler::store_object(*bytes, options_.object_cache, path)
            : compiler::find_object(*bytes, options_.object_cache, options_.staging_dir, path);
    if (!object) return std::move(object).error();
    compiled_.emplace_back(path, *object);
    return *object;
  }

  const ManifestFile &file_;
  ConvertOptions options_;
  std::vector<std::pair<std::string, std::string>> compiled_; // source path -> object path
};

} // namespace

Result<std::vector<ChainTarget>> convert(const ManifestFile &file, const ConvertOptions &options) {
  return Converter(file, options).run();
}

} // namespace xdpchain::manifests
