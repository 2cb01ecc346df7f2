#include "manifests/emit.h"

#include "manifests/schema.h"

#include <yaml-cpp/yaml.h>

#include <cctype>

namespace xdpchain::manifests {

namespace {

std::vector<std::string> action_names(dispatcher::ActionMask mask) {
  std::vector<std::string> names;
  std::string list = dispatcher::actions_to_string(mask);
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    names.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return names;
}

void emit_maps(YAML::Emitter &out, const dispatcher::MemberSpec &member) {
  if (member.map_pins.empty() && member.pin_root.empty()) return;
  out << YAML::Key << "maps" << YAML::Value << YAML::BeginSeq;
  if (!member.pin_root.empty())
    out << YAML::BeginMap << YAML::Key << "pinRoot" << YAML::Value << member.pin_root
        << YAML::EndMap;
  for (const auto &pin : member.map_pins)
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << pin.map << YAML::Key << "pin"
        << YAML::Value << pin.path << YAML::EndMap;
  out << YAML::EndSeq;
}

void emit_member(YAML::Emitter &out, const dispatcher::MemberSpec &member,
                 const EmitOptions &options) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << member.label;
  auto source = options.source_of ? options.source_of(member.object_path) : std::nullopt;
  if (source)
    out << YAML::Key << "source" << YAML::Value << *source;
  else
    out << YAML::Key << "object" << YAML::Value << member.object_path;
  if (!member.program.empty()) out << YAML::Key << "program" << YAML::Value << member.program;
  if (member.priority) out << YAML::Key << "priority" << YAML::Value << *member.priority;
  if (member.proceed_on)
    out << YAML::Key << "proceedOn" << YAML::Value << YAML::Flow
        << action_names(*member.proceed_on);
  emit_maps(out, member);
  out << YAML::EndMap;
}

} // namespace

std::string object_name_for(const std::string &interface) {
  std::string name;
  for (char c : interface) {
    unsigned char u = static_cast<unsigned char>(c);
    name += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : (c == '.' ? '.' : '-');
  }
  while (!name.empty() && !std::isalnum(static_cast<unsigned char>(name.front())))
    name.erase(0, 1);
  while (!name.empty() && !std::isalnum(static_cast<unsigned char>(name.back())))
    name.pop_back();
  return name.empty() ? "chain" : name;
}

std::string emit_manifest(const dispatcher::ChainSpec &spec, const EmitOptions &options) {
  YAML::Emitter out;
  if (!options.comment.empty()) out << YAML::Comment(options.comment);
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << kApiVersion;
  out << YAML::Key << "kind" << YAML::Value << kKind;
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name"
      << YAML::Value << (options.name.empty() ? object_name_for(spec.interface) : options.name)
      << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "interface" << YAML::Value << spec.interface;
  if (!options.netns.empty()) out << YAML::Key << "namespace" << YAML::Value << options.netns;
  out << YAML::Key << "mode" << YAML::Value << dispatcher::to_string(spec.mode);
  out << YAML::Key << "backend" << YAML::Value << dispatcher::to_string(spec.backend);
  if (spec.counters && !*spec.counters) out << YAML::Key << "counters" << YAML::Value << false;
  out << YAML::Key << "programs" << YAML::Value;
  if (spec.members.empty()) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  } else {
    out << YAML::BeginSeq;
    for (const auto &member : spec.members)
      emit_member(out, member, options);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

} // namespace xdpchain::manifests
