// The agent's configuration directory: every *.yaml / *.yml file in it (hidden names
// skipped; symlinks followed, as in a mounted Kubernetes ConfigMap), each holding XdpChain
// documents. Remembers the last good targets of each file: a file that now has a problem
// keeps its previous chains and records the problem instead.
#pragma once

#include "agent/apply_adapter.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace xdpchain::agent {

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
  explicit ConfigDir(std::string path) : path_(std::move(path)) {}

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
  std::map<std::string, FileState> files_; // by path, sorted
};

// A stored target as concrete targets: itself when it names one interface, else one per
// interface its selection picks now (none when it picks none).
std::vector<ChainTarget> concrete(const ChainTarget &target);

// Key of a target's interface: "netns/interface".
std::string interface_key(const ChainTarget &target);

} // namespace xdpchain::agent
