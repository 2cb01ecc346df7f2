#include "agent/config_dir.h"

#include "manifests/interface_selection.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace xdpchain::agent {

namespace {

namespace fs = std::filesystem;

bool is_manifest_name(const std::string &name) {
  if (name.empty() || name[0] == '.') return false;
  auto ends_with = [&](const std::string &suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".yaml") || ends_with(".yml");
}

std::vector<std::string> manifest_paths(const std::string &dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(dir, ec)) {
    std::error_code stat_ec;
    if (!is_manifest_name(entry.path().filename().string())) continue;
    if (!fs::is_regular_file(entry.path(), stat_ec)) continue; // follows symlinks
    paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

bool read_text(const std::string &path, std::string *text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return true;
}

bool same_targets(const std::vector<ChainTarget> &a, const std::vector<ChainTarget> &b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].origin != b[i].origin || interface_key(a[i]) != interface_key(b[i])) return false;
  return true;
}

} // namespace

manifests::LoadedManifest load_agent_manifest(const std::string &path,
                                              const std::string &state_root) {
  manifests::LoadOptions options;
  options.validate.state_root = state_root;
  options.validate.netns_exists = [](const std::string &) { return true; };
  options.validate.interface_exists = [](const std::string &, const std::string &) -> Result<bool> {
    return true;
  };
  return manifests::load_manifest(path, options);
}

std::string interface_key(const ChainTarget &target) {
  return target.netns + "/" + target.spec.interface;
}

std::string describe(const ChainTarget &target) {
  std::string text = "chain '" + target.name + "' on interface '" + target.spec.interface + "'";
  if (!target.netns.empty()) text += " in network namespace '" + target.netns + "'";
  return text;
}

ScanResult ConfigDir::scan(bool reread) {
  ScanResult result;
  const std::vector<ChainTarget> before = targets();
  std::set<std::string> present;
  for (const auto &path : manifest_paths(path_)) {
    std::string text;
    if (!read_text(path, &text)) continue; // vanished between listing and reading
    present.insert(path);
    auto it = files_.find(path);
    if (!reread && it != files_.end() && it->second.content == text) continue;
    FileState &state = files_[path];
    state.content = text;
    manifests::LoadedManifest loaded = load_agent_manifest(path, state_root_);
    state.problems = std::move(loaded.diagnostics);
    if (state.problems.empty()) state.targets = std::move(loaded.targets);
    result.changed_files.push_back(path);
  }
  for (auto it = files_.begin(); it != files_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    result.changed_files.push_back(it->first);
    it = files_.erase(it);
  }
  const std::vector<ChainTarget> after = targets();
  std::set<std::string> kept;
  for (const auto &target : after)
    kept.insert(interface_key(target));
  for (const auto &target : before)
    if (!kept.count(interface_key(target))) result.removed_targets.push_back(target);
  result.targets_changed = !result.changed_files.empty() || !same_targets(before, after);
  return result;
}

std::vector<ChainTarget> ConfigDir::targets() const {
  std::vector<ChainTarget> all;
  std::set<std::string> taken;
  for (const auto &[path, state] : files_)
    for (const auto &stored : state.targets)
      for (auto &target : concrete(stored))
        if (taken.insert(interface_key(target)).second) all.push_back(std::move(target));
  return all;
}

std::vector<ChainTarget> ConfigDir::duplicates() const {
  std::vector<ChainTarget> left_out;
  std::set<std::string> taken;
  for (const auto &[path, state] : files_)
    for (const auto &stored : state.targets)
      for (auto &target : concrete(stored))
        if (!taken.insert(interface_key(target)).second) left_out.push_back(std::move(target));
  return left_out;
}

std::vector<std::string> ConfigDir::selection_problems() const {
  std::vector<std::string> problems;
  for (const auto &[path, state] : files_)
    for (const auto &stored : state.targets)
      if (stored.selection.given())
        if (auto resolved = manifests::resolve_targets({stored}); !resolved)
          problems.push_back(resolved.error().str());
  return problems;
}

std::set<std::string> ConfigDir::namespaces() const {
  std::set<std::string> all;
  for (const auto &[path, state] : files_)
    for (const auto &stored : state.targets)
      all.insert(stored.netns);
  return all;
}

std::vector<ChainTarget> concrete(const ChainTarget &target) {
  if (!target.selection.given()) return {target};
  auto resolved = manifests::resolve_targets({target});
  if (!resolved) return {}; // selection_problems() tells; the interfaces may appear later
  return std::move(*resolved);
}

} // namespace xdpchain::agent
