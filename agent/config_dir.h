// The agent's configuration directory: every *.yaml / *.yml file in it (hidden names
// skipped; symlinks followed, as in a mounted Kubernetes ConfigMap), each holding XdpChain
// documents. Remembers the last good targets of each file and fails closed: a file that
// cannot be read, or now has a problem, keeps its previous chains and records why; a
// directory that cannot be listed changes nothing. Only a file gone from a directory that
// was listed takes its chains away. Files are opened without blocking, checked to be
// regular and within the size limit before a bounded read, and a file still being written
// is left for a later scan.
#pragma once

#include "manifests/load.h"

#include <xdpchain/target.h>

#include <sys/types.h>

#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace xdpchain::agent {

// One manifest file read as `xdpchain apply` reads it (manifests::load_manifest), except
// that an interface or network namespace that does not exist yet is not an error: the agent
// gives the chain to the interface when it appears. `state_root` is the agent's bpffs root.
manifests::LoadedManifest load_agent_manifest(const std::string &text, const std::string &path,
                                              const std::string &state_root);

// What identifies one version of a file without reading it.
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  timespec mtime{};
  bool operator==(const FileStamp &other) const;
};
// The stamp of `path` now (following symlinks); nothing when it cannot be stat'ed.
std::optional<FileStamp> stamp_of(const std::string &path);

struct FileState {
  FileStamp stamp;                   // of the version read last
  uint64_t content_hash = 0;         // of that version's bytes
  std::vector<ChainTarget> targets;  // from the last version that had no problem
  std::vector<std::string> problems; // of the version read last, safe to show (problem_text.h)
  size_t problem_count = 0;          // all of them, shown or not
  std::string read_error;            // why the file cannot be read now; "" when it can
  bool ok() const { return problems.empty() && read_error.empty(); }
};

// What one scan changed.
struct ScanResult {
  std::vector<std::string> changed_files;     // read again with new content, or now unreadable
  std::vector<std::string> removed_files;     // gone from the (listed) directory
  std::vector<std::string> settling;          // still being written: look again shortly
  std::optional<std::string> directory_error; // the directory could not be listed
  bool targets_changed = false;               // the files' good targets differ from before
};

class ConfigDir {
public:
  ConfigDir(std::string path, std::string state_root)
      : path_(std::move(path)), state_root_(std::move(state_root)) {}

  // Reads every file whose stamp changed since the last scan (all of them with `reread`),
  // except those named in `being_written` (file names, no directory) or modified in the
  // last moments, which are left for a later scan.
  ScanResult scan(bool reread = false, const std::set<std::string> &being_written = {});

  // Every good target, in the order of the files' paths, as written (selections not yet
  // resolved).
  std::vector<ChainTarget> stored_targets() const;
  // Every network namespace a file's good targets name.
  std::set<std::string> namespaces() const;
  const std::map<std::string, FileState> &files() const { return files_; }
  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::string state_root_;
  std::map<std::string, FileState> files_; // by path, sorted
};

// Key of a target's interface: "netns/interface".
std::string interface_key(const ChainTarget &target);

// "chain 'edge' on interface 'eth0' in network namespace 'ns1'", for log lines.
std::string describe(const ChainTarget &target);

} // namespace xdpchain::agent
