// A manifest file as written: plain structs filled by parse(), checked by validate() and
// turned into dispatcher::ChainSpec by convert(). Every value keeps the line/column of its
// YAML node and the kind of node it was, so that validate() can name the position of any
// problem. Nothing here has been checked: a Scalar may hold "abc" where a number belongs.
#pragma once

#include <string>
#include <vector>

namespace xdpchain::manifests {

// 1-based position in the file; line 0 means "no position" (a key that is not there).
struct Mark {
  int line = 0;
  int column = 0;
};

// What the YAML node was. `absent`: the key is not there; `null`: `key:` or `key: ~`.
enum class NodeKind { absent, null, scalar, sequence, map };

struct Node {
  NodeKind kind = NodeKind::absent;
  Mark mark; // where the value starts (for an absent key: its parent's mark)
  // True when the key is there with a value (not absent, not null).
  bool given() const { return kind != NodeKind::absent && kind != NodeKind::null; }
};

// A key of a mapping, in file order; validate() finds unknown and duplicate keys here.
struct Key {
  std::string name;
  Mark mark;
};

// A mapping: its keys as written. Fields of the derived structs hold the known ones.
struct Object : Node {
  std::vector<Key> keys;
};

struct Scalar : Node {
  std::string text;    // the scalar as written (without quotes)
  bool quoted = false; // "20" rather than 20: a string, never a number
};

template <typename T> struct List : Node { std::vector<T> items; };

// metadata.labels / metadata.annotations: string to string, kept for Kubernetes.
struct StringMap : Object {
  std::vector<Scalar> values; // one per entry of `keys`
};

// spec.programs[].maps[]: either {name, pin} or {pinRoot}.
struct MapManifest : Object {
  Scalar name;     // map name inside the object
  Scalar pin;      // bpffs path for that map
  Scalar pin_root; // directory for all LIBBPF_PIN_BY_NAME maps of the program
};

struct ProgramManifest : Object {
  Scalar name;
  Scalar object;  // ELF object, relative to the manifest's folder
  Scalar source;  // .lisp source, compiled on the fly
  Scalar program; // function name inside the object
  Scalar priority;
  List<Scalar> proceed_on;
  List<MapManifest> maps;
};

struct MetadataManifest : Object {
  Scalar name;
  StringMap labels;
  StringMap annotations;
};

// spec.interfaceSelector: picks interfaces by a property rather than by name.
struct InterfaceSelectorManifest : Object {
  Scalar primary; // true: the interface holding the default route
};

struct SpecManifest : Object {
  Scalar interface;
  List<Scalar> interfaces; // names and glob patterns (`eth*`), resolved at apply time
  InterfaceSelectorManifest interface_selector; // `interfaceSelector`
  Scalar network_namespace;                     // `namespace`
  Scalar mode;
  Scalar backend;
  Scalar force;    // true: replace another tool's XDP program on the interface
  Scalar counters; // false: no per-member counters (fused backend only)
  List<ProgramManifest> programs;
};

// One YAML document: one chain on one interface.
struct ChainManifest : Object {
  int index = 0; // 0-based position among the file's non-empty documents
  Scalar api_version;
  Scalar kind_name; // `kind`
  MetadataManifest metadata;
  SpecManifest spec;
};

struct ManifestFile {
  std::string path; // as given; "<string>" when parsed from memory
  std::vector<ChainManifest> documents;
};

} // namespace xdpchain::manifests
