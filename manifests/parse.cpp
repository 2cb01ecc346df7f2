#include "manifests/parse.h"

#include "common/untrusted_file.h"

#include <unistd.h>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <sstream>
#include <unordered_set>

namespace xdpchain::manifests {

namespace {

Mark mark_of(const YAML::Mark &mark) {
  return {mark.line + 1, mark.column + 1};
}

NodeKind kind_of(const YAML::Node &node) {
  switch (node.Type()) {
  case YAML::NodeType::Null:
    return NodeKind::null;
  case YAML::NodeType::Scalar:
    return NodeKind::scalar;
  case YAML::NodeType::Sequence:
    return NodeKind::sequence;
  case YAML::NodeType::Map:
    return NodeKind::map;
  default:
    return NodeKind::absent;
  }
}

// A null value (`key:`) has no text to point at; yaml-cpp marks the start of the next
// line, so such values take their key's position instead.
void read_node(const YAML::Node &node, const Mark &key_mark, Node &out) {
  out.kind = kind_of(node);
  out.mark = out.kind == NodeKind::null ? key_mark : mark_of(node.Mark());
}

Scalar read_scalar(const YAML::Node &node, const Mark &key_mark) {
  Scalar out;
  read_node(node, key_mark, out);
  if (out.kind == NodeKind::scalar) {
    out.text = node.Scalar();
    out.quoted = node.Tag() == "!";
  }
  return out;
}

template <typename T, typename ReadItem>
List<T> read_list(const YAML::Node &node, const Mark &key_mark, ReadItem read_item) {
  List<T> out;
  read_node(node, key_mark, out);
  if (out.kind != NodeKind::sequence) return out;
  for (const auto &item : node)
    out.items.push_back(read_item(item, mark_of(item.Mark())));
  return out;
}

// Records every key of a mapping in `out.keys` and hands each (name, value, key mark) to
// `field`. Only the first occurrence of a key reaches `field`; validate() reports the rest.
template <typename OnField>
void read_object(const YAML::Node &node, const Mark &key_mark, Object &out, OnField field) {
  read_node(node, key_mark, out);
  if (out.kind != NodeKind::map) return;
  std::unordered_set<std::string> seen; // linear in the number of keys, however many
  for (auto it = node.begin(); it != node.end(); ++it) {
    Key key{it->first.IsScalar() ? it->first.Scalar() : std::string("<complex key>"),
            mark_of(it->first.Mark())};
    bool first = seen.insert(key.name).second;
    out.keys.push_back(key);
    if (first) field(key.name, it->second, key.mark);
  }
}

StringMap read_string_map(const YAML::Node &node, const Mark &key_mark) {
  StringMap out;
  read_object(node, key_mark, out, [](const std::string &, const YAML::Node &, const Mark &) {});
  if (out.kind != NodeKind::map) return out;
  for (auto it = node.begin(); it != node.end(); ++it)
    out.values.push_back(read_scalar(it->second, mark_of(it->first.Mark())));
  return out;
}

MapManifest read_map(const YAML::Node &node, const Mark &key_mark) {
  MapManifest out;
  read_object(node, key_mark, out,
              [&](const std::string &name, const YAML::Node &value, const Mark &mark) {
                if (name == "name")
                  out.name = read_scalar(value, mark);
                else if (name == "pin")
                  out.pin = read_scalar(value, mark);
                else if (name == "pinRoot")
                  out.pin_root = read_scalar(value, mark);
              });
  return out;
}

ProgramManifest read_program(const YAML::Node &node, const Mark &key_mark) {
  ProgramManifest out;
  read_object(node, key_mark, out,
              [&](const std::string &name, const YAML::Node &value, const Mark &mark) {
                if (name == "name")
                  out.name = read_scalar(value, mark);
                else if (name == "object")
                  out.object = read_scalar(value, mark);
                else if (name == "source")
                  out.source = read_scalar(value, mark);
                else if (name == "program")
                  out.program = read_scalar(value, mark);
                else if (name == "priority")
                  out.priority = read_scalar(value, mark);
                else if (name == "proceedOn")
                  out.proceed_on = read_list<Scalar>(value, mark, read_scalar);
                else if (name == "maps")
                  out.maps = read_list<MapManifest>(value, mark, read_map);
              });
  return out;
}

MetadataManifest read_metadata(const YAML::Node &node, const Mark &key_mark) {
  MetadataManifest out;
  read_object(node, key_mark, out,
              [&](const std::string &name, const YAML::Node &value, const Mark &mark) {
                if (name == "name")
                  out.name = read_scalar(value, mark);
                else if (name == "labels")
                  out.labels = read_string_map(value, mark);
                else if (name == "annotations")
                  out.annotations = read_string_map(value, mark);
              });
  return out;
}

InterfaceSelectorManifest read_interface_selector(const YAML::Node &node, const Mark &key_mark) {
  InterfaceSelectorManifest out;
  read_object(node, key_mark, out,
              [&](const std::string &name, const YAML::Node &value, const Mark &mark) {
                if (name == "primary") out.primary = read_scalar(value, mark);
              });
  return out;
}

SpecManifest read_spec(const YAML::Node &node, const Mark &key_mark) {
  SpecManifest out;
  read_object(node, key_mark, out,
              [&](const std::string &name, const YAML::Node &value, const Mark &mark) {
                if (name == "interface")
                  out.interface = read_scalar(value, mark);
                else if (name == "interfaces")
                  out.interfaces = read_list<Scalar>(value, mark, read_scalar);
                else if (name == "interfaceSelector")
                  out.interface_selector = read_interface_selector(value, mark);
                else if (name == "namespace")
                  out.network_namespace = read_scalar(value, mark);
                else if (name == "mode")
                  out.mode = read_scalar(value, mark);
                else if (name == "backend")
                  out.backend = read_scalar(value, mark);
                else if (name == "force")
                  out.force = read_scalar(value, mark);
                else if (name == "counters")
                  out.counters = read_scalar(value, mark);
                else if (name == "programs")
                  out.programs = read_list<ProgramManifest>(value, mark, read_program);
              });
  return out;
}

ChainManifest read_document(const YAML::Node &node, int index) {
  ChainManifest out;
  out.index = index;
  read_object(node, mark_of(node.Mark()), out,
              [&](const std::string &name, const YAML::Node &value, const Mark &mark) {
                if (name == "apiVersion")
                  out.api_version = read_scalar(value, mark);
                else if (name == "kind")
                  out.kind_name = read_scalar(value, mark);
                else if (name == "metadata")
                  out.metadata = read_metadata(value, mark);
                else if (name == "spec")
                  out.spec = read_spec(value, mark);
              });
  return out;
}

} // namespace

namespace {

// Events are not needed, only whether the parser ends.
class IgnoreEvents : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark &) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t,
                const std::string &) override {}
  void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp 0.7 (Debian 12's) loops forever in LoadAll on a ',' at block level (",i",
// "- a\n,b"): each pass yields an empty document without consuming the token. A stream has
// at most one document more than it has "---" and "..." markers, so the documents are counted
// first with a bounded loop; more than that means the parser is stuck.
bool yaml_parser_terminates(const std::string &text) {
  size_t limit = 2;
  for (const char *marker : {"---", "..."})
    for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 3))
      ++limit;
  std::istringstream in(text);
  YAML::Parser parser(in);
  IgnoreEvents events;
  for (size_t documents = 0; parser.HandleNextDocument(events);)
    if (++documents > limit) return false;
  return true;
}

} // namespace

Result<ManifestFile> parse_string(const std::string &text, const std::string &path) {
  ManifestFile file;
  file.path = path;
  try {
    if (!yaml_parser_terminates(text))
      return Error(ErrorKind::invalid_argument,
                   path + ": yaml: a ',' outside a flow collection ([...] or {...})");
    std::vector<YAML::Node> documents = YAML::LoadAll(text);
    for (const auto &document : documents) {
      if (document.IsNull()) continue; // `---` with nothing (or only comments) after it
      file.documents.push_back(read_document(document, static_cast<int>(file.documents.size())));
    }
  } catch (const YAML::Exception &e) {
    Mark mark = mark_of(e.mark);
    std::string where = path;
    if (!e.mark.is_null())
      where += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
    return Error(ErrorKind::invalid_argument, where + ": yaml: " + e.msg);
  } catch (const std::exception &e) { // yaml-cpp may throw others (bad_alloc, ...)
    return Error(ErrorKind::invalid_argument, path + ": yaml: " + e.what());
  }
  return file;
}

Result<ManifestFile> parse_file(const std::string &path) {
  // `-` (and /dev/stdin) read standard input; relative paths in it resolve against the working
  // directory. Any other path must be a regular file. Both are bounded by kMaxManifestBytes.
  if (path == "-" || path == "/dev/stdin") {
    const std::string name = path == "-" ? "<stdin>" : path;
    auto text = read_untrusted_fd(STDIN_FILENO, kMaxManifestBytes, name, "manifest");
    if (!text) return std::move(text).error();
    return parse_string(*text, name);
  }
  auto text = read_untrusted_file(path, kMaxManifestBytes, "manifest");
  if (!text) return std::move(text).error();
  return parse_string(*text, path);
}

} // namespace xdpchain::manifests
