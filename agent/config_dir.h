// The agent's configuration directory: every *.yaml / *.yml file in it (hidden names
// skipped; symlinks followed, as in a mounted Kubernetes ConfigMap), each holding XdpChain
// documents. Remembers the last good targets of each file: a file that now has a problem
// keeps its previous chains and records the problem instead.
#pragma once

#include "manifests/load.h"

#include <xdpchain/target.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace xdpchain::agent {

// One manifest file read as `xdpchain apply` reads it (manifests::load_manifest), except
// that an interface or network namespace that does not exist yet is not an error: the agent
// gives the chain to the interface when it appears. `state_root` is the agent's bpffs root.
manifests::LoadedManifest load_agent_manifest(const std::string &path,
                                              const std::string &state_root);

struct FileState {
  std::string content;                         // the text last read (to notice changes)
  std::vector<ChainTarget> targets;            // from the last version that had no problem
  std::vector<manifests::Diagnostic> problems; // of the version read last; empty = good
};

// What one scan changed.
struct ScanResult {
  std::vector<std::string> changed_files;   // read again (good or not)
  std::vector<ChainTarget> removed_targets; // chains no good file describes any more
  bool targets_changed = false;             // the desired set differs from before
};

class ConfigDir {
public:
  ConfigDir(std::string path, std::string state_root)
      : path_(std::move(path)), state_root_(std::move(state_root)) {}

  // Reads every file whose content changed since the last scan (all of them with `reread`).
  ScanResult scan(bool reread = false);

  // Every chain the good files describe. When two files name one interface, the file that
  // sorts first wins; duplicates() names the others.
  std::vector<ChainTarget> targets() const;
  // Targets left out of targets() because a file sorting earlier names their interface.
  std::vector<ChainTarget> duplicates() const;
  // Targets with spec.interfaces / interfaceSelector are resolved against the namespace's
  // links on every call of targets()/duplicates(); these are the selections that pick no
  // interface now (one message each, naming the document and its patterns).
  std::vector<std::string> selection_problems() const;
  // Every network namespace a good file names, selected interfaces or not.
  std::set<std::string> namespaces() const;
  const std::map<std::string, FileState> &files() const { return files_; }
  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::string state_root_;
  std::map<std::string, FileState> files_; // by path, sorted
};

// A stored target as concrete targets: itself when it names one interface, else one per
// interface its selection picks now (none when it picks none).
std::vector<ChainTarget> concrete(const ChainTarget &target);

// Key of a target's interface: "netns/interface".
std::string interface_key(const ChainTarget &target);

// "chain 'edge' on interface 'eth0' in network namespace 'ns1'", for log lines.
std::string describe(const ChainTarget &target);

} // namespace xdpchain::agent
