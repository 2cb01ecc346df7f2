#include "agent/agent.h"

#include "agent/chain_fingerprint.h"
#include "agent/config_dir.h"
#include "agent/link_watch.h"
#include "agent/log.h"
#include "agent/metrics.h"
#include "agent/reconcile_plan.h"
#include "agent/status_board.h"
#include "common/fd.h"
#include "dispatcher/stale_chains.h"
#include "manifests/interface_selection.h"

#include <bpf/bpf.h>
#include <systemd/sd-daemon.h>
#include <xdpchain/apply.h>
#include <xdpchain/chain.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace xdpchain::agent {

namespace {

using Clock = std::chrono::steady_clock;

// How often every managed chain's XDP link is compared with what was applied (one lookup
// by link id each, no object read, no bpffs walk); the whole check (one link dump per
// network namespace, selections, plan) runs when that differs, on link and file events,
// and every --resync period.
constexpr auto kCheckPeriod = std::chrono::milliseconds(1500);
// Editors and ConfigMaps write in several steps: a file is read this long after the last
// event in the directory.
constexpr auto kDebounce = std::chrono::milliseconds(150);
// A file modified (inotify IN_MODIFY) and not closed since is being written; after this
// long without a close it is read anyway (a writer that keeps a file open and idle).
constexpr auto kWriterPatience = std::chrono::seconds(30);

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One target through the library's transaction (include/xdpchain/apply.h), the code path of
// `xdpchain apply`: planned with every check first, then one atomic swap under the
// interface's lock (none when the chain already matches). spec.force lets it replace
// another tool's program. Each target is its own transaction, so that an interface that
// fails (a foreign program, a missing object) does not hold back the others.
Result<ApplyReport> apply_target(const ChainTarget &target, const ChainOptions &options) {
  ApplyAllOptions transaction;
  transaction.chain = options;
  ApplyAllResult result = apply_all({target}, transaction);
  if (!result.ok()) return std::move(*result.error);
  return std::move(result.reports.front());
}

// Takes the chain off the target's interface and removes its bpffs state.
Result<ApplyReport> remove_target(const ChainTarget &target, const ChainOptions &options) {
  auto chain = Chain::open(target.spec.interface, target.netns, options);
  if (!chain) return std::move(chain).error();
  return chain->remove();
}

// One agent per bpffs root: an flock on the root directory itself (the CLI locks the
// interface directories below it, so the two never wait for each other).
Result<Fd> lock_root(const std::string &root) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  int fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno("bpffs root '" + root + "'", errno);
  Fd owned(fd);
  if (flock(owned.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return Error(ErrorKind::conflict, "another xdpchain agent runs on bpffs root '" + root + "'");
    return Error::from_errno("lock '" + root + "'", errno);
  }
  return owned;
}

// The network namespace part of an interface_key() ("netns/interface"; an interface name
// holds no '/', a namespace path may).
std::string netns_of_key(const std::string &key) {
  return key.substr(0, key.rfind('/'));
}
std::string interface_of_key(const std::string &key) {
  return key.substr(key.rfind('/') + 1);
}

using ObjectStamps = std::vector<std::pair<std::string, std::optional<FileStamp>>>;

ObjectStamps stamps_of(const ChainTarget &target) {
  ObjectStamps stamps;
  for (const auto &path : object_paths(target))
    stamps.emplace_back(path, stamp_of(path));
  return stamps;
}

// What the agent knows of one interface it gave a chain.
struct Managed {
  ChainTarget target; // as last applied (for messages and removal)
  AppliedChain applied;
  uint32_t link_id = 0; // the XDP bpf_link the chain is attached through
  ObjectStamps objects;
};

// Whether the chain's XDP link still exists and runs the applied program on the applied
// interface: one lookup by id, no dump. Every out-of-band change shows here: a detach
// (ifindex 0), a removal (the link is gone) and another generation swapped in by hand (the
// link's program changed); an interface that goes comes as a link event.
bool runs_as_applied(const Managed &managed) {
  if (managed.link_id == 0) return false;
  int fd = bpf_link_get_fd_by_id(managed.link_id);
  if (fd < 0) return false;
  bpf_link_info info{};
  uint32_t size = sizeof info;
  int err = bpf_obj_get_info_by_fd(fd, &info, &size);
  ::close(fd);
  return err == 0 && info.prog_id == managed.applied.prog_id &&
         static_cast<int>(info.xdp.ifindex) == managed.applied.ifindex;
}

class Agent {
public:
  Agent(const AgentOptions &options, std::shared_ptr<StatusBoard> board)
      : options_(options), board_(std::move(board)),
        config_(options.config_dir, options.chain.bpffs_root) {}

  Status open_inotify();
  Status open_signals();
  void start();
  void run();
  void stop();

private:
  // Reads the config dir; true when a file is still being written (looked at again soon).
  bool rescan(bool reread);
  void check(bool resync);
  void read_inotify();
  void watch_config_dir();
  std::set<std::string> files_being_written();
  void update_link_watches();
  std::map<std::string, std::optional<std::map<std::string, LinkState>>> read_links();
  std::vector<ChainTarget>
  resolve(const std::map<std::string, std::optional<std::map<std::string, LinkState>>> &views);
  void apply(const ChainTarget &target, Why why, int ifindex, bool appeared);
  void remove(const std::string &key);
  void forget(const std::string &key);
  void publish();
  bool handle_signal();

  const AgentOptions &options_;
  std::shared_ptr<StatusBoard> board_;
  ConfigDir config_;
  Fd inotify_;
  int dir_watch_ = -1;                               // -1: the config dir is not watched now
  std::map<std::string, Clock::time_point> writing_; // file name -> last IN_MODIFY, not closed
  Fd signals_;
  std::map<std::string, std::unique_ptr<LinkWatch>> watches_; // by netns name
  std::vector<ChainTarget> targets_;                          // wanted now, one per interface
  std::vector<WantedChain> wanted_;                           // targets_' keys and fingerprints
  std::string resolution_;      // what targets_ were resolved from (files, interface names)
  uint64_t config_version_ = 0; // one more each time a scan changes the files' targets
  uint64_t primary_checks_ = 0;
  std::map<std::string, Managed> managed_;        // by interface_key()
  std::map<std::string, FailedApply> failed_;     // by interface_key()
  std::map<std::string, std::string> last_error_; // by interface_key(), logged
  std::set<std::string> waiting_;                 // keys logged as waiting
  std::set<std::string> present_; // every "netns/interface" the last check's link dumps showed
  std::set<std::string> logged_problems_;                      // selection/duplicate lines
  std::map<std::string, std::string> logged_namespace_errors_; // by netns
  std::string logged_dir_error_;
  std::optional<Clock::time_point> rescan_at_; // debounce of file events
  bool started_ = false;
  bool running_ = true;
};

Status Agent::open_inotify() {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Error::from_errno("inotify", errno);
  inotify_ = Fd(fd);
  watch_config_dir();
  if (dir_watch_ < 0)
    return Error::from_errno("config dir '" + options_.config_dir + "'", errno)
        .hint("create it, or pass --config-dir");
  return {};
}

void Agent::watch_config_dir() {
  uint32_t mask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ATTRIB |
                  IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
  dir_watch_ = inotify_add_watch(inotify_.get(), options_.config_dir.c_str(), mask);
}

Status Agent::open_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGHUP, SIGTERM, SIGINT})
    sigaddset(&set, sig);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return Error::from_errno("sigprocmask", errno);
  int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return Error::from_errno("signalfd", errno);
  signals_ = Fd(fd);
  return {};
}

void Agent::publish() {
  std::vector<ManifestFileReport> files;
  for (const auto &[path, state] : config_.files()) {
    ManifestFileReport report{path, state.problems, state.problem_count, state.read_error};
    files.push_back(std::move(report));
  }
  board_->update([&](BoardSnapshot &b) {
    b.files = std::move(files);
    b.targets = targets_;
    b.config_dir_readable = logged_dir_error_.empty();
  });
}

std::set<std::string> Agent::files_being_written() {
  std::set<std::string> names;
  auto now = Clock::now();
  for (auto it = writing_.begin(); it != writing_.end();) {
    if (now - it->second > kWriterPatience) {
      it = writing_.erase(it);
      continue;
    }
    names.insert(it->first);
    ++it;
  }
  return names;
}

bool Agent::rescan(bool reread) {
  ScanResult scan = config_.scan(reread, files_being_written());
  if (scan.directory_error) {
    // Fail closed: a directory that cannot be listed (moved away, unmounted, unreadable)
    // says nothing about the chains, which keep running as they are.
    if (logged_dir_error_ != *scan.directory_error) {
      log_error(*scan.directory_error + "; every chain keeps its last good version");
      board_->update([](BoardSnapshot &b) { ++b.manifest_read_errors; });
    }
    logged_dir_error_ = *scan.directory_error;
    publish();
    return false;
  }
  if (!logged_dir_error_.empty()) log_info("config dir '" + config_.path() + "' is readable again");
  logged_dir_error_.clear();
  for (const auto &path : scan.removed_files)
    log_info(path + ": file removed");
  for (const auto &path : scan.changed_files) {
    const FileState &state = config_.files().at(path);
    if (!state.read_error.empty()) {
      log_error(state.read_error + "; its chains keep their last good version");
      board_->update([](BoardSnapshot &b) { ++b.manifest_read_errors; });
    } else if (!state.problems.empty()) {
      for (const auto &problem : state.problems)
        log_error(problem);
      log_error(path + ": " + std::to_string(state.problem_count) +
                " problem(s); its chains keep their last good version");
    } else {
      log_info(path + ": read, " + std::to_string(state.targets.size()) + " chain(s)");
    }
  }
  if (!scan.settling.empty() && !rescan_at_) rescan_at_ = Clock::now() + 2 * kDebounce;
  if (scan.targets_changed) ++config_version_;
  if (started_ && scan.targets_changed)
    board_->update([](BoardSnapshot &b) { ++b.config_reloads; });
  publish();
  return !scan.settling.empty();
}

void Agent::update_link_watches() {
  std::set<std::string> wanted = config_.namespaces();
  for (const auto &[key, managed] : managed_)
    wanted.insert(managed.target.netns);
  for (auto it = watches_.begin(); it != watches_.end();) {
    bool stale = !wanted.count(it->first) ||
                 (!it->first.empty() && netns_inode(it->first) != it->second->netns_inode());
    it = stale ? watches_.erase(it) : std::next(it);
  }
  for (const auto &netns : wanted) {
    if (watches_.count(netns)) continue;
    if (!netns.empty() && netns_inode(netns) == 0) continue; // not there (yet)
    auto watch = LinkWatch::open(netns);
    if (!watch) {
      std::string text = watch.error().str();
      if (logged_namespace_errors_[netns] != text)
        log_warning("link events of network namespace '" + netns + "': " + text);
      logged_namespace_errors_[netns] = text;
      continue;
    }
    logged_namespace_errors_.erase(netns);
    watches_[netns] = std::move(*watch);
  }
}

// Every namespace's links by name: nothing (unknown) when a namespace that exists could not
// be read, an empty map when the namespace is not there (so none of its interfaces is).
std::map<std::string, std::optional<std::map<std::string, LinkState>>> Agent::read_links() {
  std::map<std::string, std::optional<std::map<std::string, LinkState>>> views;
  std::set<std::string> namespaces = config_.namespaces();
  for (const auto &[key, managed] : managed_)
    namespaces.insert(managed.target.netns);
  for (const auto &netns : namespaces) {
    auto watch = watches_.find(netns);
    if (watch == watches_.end()) {
      bool missing = !netns.empty() && netns_inode(netns) == 0;
      views[netns] =
          missing ? std::optional<std::map<std::string, LinkState>>(std::in_place) : std::nullopt;
      continue;
    }
    auto links = watch->second->links();
    if (!links) {
      std::string text = links.error().str();
      if (logged_namespace_errors_[netns] != text)
        log_warning("links of network namespace '" + netns + "': " + text +
                    "; its chains are left as they are");
      logged_namespace_errors_[netns] = text;
      views[netns] = std::nullopt;
      continue;
    }
    logged_namespace_errors_.erase(netns);
    auto &view = views[netns].emplace();
    for (auto &link : *links)
      view[link.interface] = std::move(link);
  }
  return views;
}

// The stored targets as one target per interface: selections matched against the links
// just read (by manifests::pick_interfaces, as `apply` matches them). A file sorting first
// wins an interface two files name; a selection picking nothing waits. Each such problem
// is logged once while it lasts and counted as an apply error.
std::vector<ChainTarget> Agent::resolve(
    const std::map<std::string, std::optional<std::map<std::string, LinkState>>> &views) {
  std::vector<ChainTarget> out;
  std::set<std::string> taken;
  std::set<std::string> problems;
  auto add = [&](ChainTarget target) {
    if (taken.insert(interface_key(target)).second) {
      out.push_back(std::move(target));
      return;
    }
    problems.insert(target.origin + ": " + describe(target) +
                    ": another file already describes this interface; ignored");
  };
  for (auto &stored : config_.stored_targets()) {
    if (!stored.selection.given()) {
      add(std::move(stored));
      continue;
    }
    auto view = views.find(stored.netns);
    if (view == views.end() || !view->second) continue; // unknown now: nothing changes there
    std::vector<std::string> names;
    names.reserve(view->second->size());
    for (const auto &[name, link] : *view->second)
      names.push_back(name);
    std::string primary;
    if (stored.selection.primary) {
      auto found = manifests::primary_interface(stored.netns);
      if (found) primary = *found;
    }
    auto picked = manifests::pick_interfaces(stored.selection, names, primary);
    if (picked.empty()) {
      problems.insert(stored.origin + ": document '" + stored.name +
                      "': " + manifests::describe(stored.selection) + " matches no interface" +
                      (stored.netns.empty() ? "" : " in network namespace '" + stored.netns + "'") +
                      "; waiting for a matching interface");
      continue;
    }
    for (const auto &name : picked) {
      ChainTarget one = stored;
      one.spec.interface = name;
      add(std::move(one));
    }
  }
  for (const auto &problem : problems)
    if (!logged_problems_.count(problem)) {
      log_error(problem);
      board_->update([](BoardSnapshot &b) { ++b.apply_errors; });
    }
  logged_problems_ = std::move(problems);
  return out;
}

void Agent::check(bool resync) {
  if (dir_watch_ < 0) {
    watch_config_dir();
    if (dir_watch_ >= 0) rescan(false); // the directory is back
  }
  update_link_watches();
  auto views = read_links();
  // Selections are matched again only when the files or a namespace's interface names
  // changed (or a selection follows the default route): an idle check resolves nothing.
  std::string resolution = std::to_string(config_version_);
  for (const auto &[netns, view] : views) {
    resolution += '\n' + netns + (view ? ":" : "?");
    if (view)
      for (const auto &[name, link] : *view)
        resolution += name + ',';
  }
  for (const auto &stored : config_.stored_targets())
    if (stored.selection.primary) resolution += "\nprimary" + std::to_string(++primary_checks_);
  if (resolution != resolution_) {
    resolution_ = std::move(resolution);
    targets_ = resolve(views);
    wanted_.clear();
    for (const auto &target : targets_)
      wanted_.push_back({interface_key(target), chain_fingerprint(target)});
    publish();
  }

  ReconcileInput input;
  input.retry_failed = resync;
  input.failed = failed_;
  auto link_now = [&](const std::string &key) {
    LinkNow now;
    auto view = views.find(netns_of_key(key));
    if (view == views.end() || !view->second) return now; // unknown
    auto link = view->second->find(interface_of_key(key));
    if (link == view->second->end()) {
      now.state = LinkNow::State::absent;
      return now;
    }
    now.state = LinkNow::State::present;
    now.ifindex = link->second.ifindex;
    now.xdp_prog_id = link->second.xdp_prog_id;
    return now;
  };
  input.wanted = wanted_;
  for (const auto &wanted : wanted_)
    input.links[wanted.key] = link_now(wanted.key);
  std::map<std::string, std::optional<FileStamp>> stamps; // each object file stat'ed once
  for (const auto &[key, managed] : managed_) {
    input.applied[key] = managed.applied;
    input.links.try_emplace(key, link_now(key));
    if (!resync) continue;
    for (const auto &[path, stamp] : managed.objects) {
      auto now = stamps.find(path);
      if (now == stamps.end()) now = stamps.emplace(path, stamp_of(path)).first;
      if (now->second != stamp) input.objects_changed.insert(key);
    }
  }

  bool prune = false;
  for (const auto &step : plan_reconcile(input)) {
    switch (step.action) {
    case ReconcileStep::Action::apply:
      apply(targets_[step.wanted], step.why, input.links[step.key].ifindex,
            step.why == Why::interface || (started_ && !present_.count(step.key)));
      break;
    case ReconcileStep::Action::remove:
      remove(step.key);
      break;
    case ReconcileStep::Action::forget:
      forget(step.key);
      prune = true;
      break;
    }
  }
  // Keys no longer wanted lose their failure record; wanted keys whose interface is not
  // there are logged once as waiting.
  std::set<std::string> wanted_keys;
  present_.clear();
  for (const auto &[netns, view] : views)
    if (view)
      for (const auto &[name, link] : *view)
        present_.insert(netns + "/" + name);
  for (const auto &wanted : input.wanted) {
    wanted_keys.insert(wanted.key);
    if (input.links[wanted.key].state != LinkNow::State::absent) continue;
    if (waiting_.insert(wanted.key).second)
      for (const auto &target : targets_)
        if (interface_key(target) == wanted.key)
          log_info(describe(target) + ": waiting for the interface to appear");
  }
  for (auto it = failed_.begin(); it != failed_.end();)
    it = wanted_keys.count(it->first) ? std::next(it) : failed_.erase(it);
  for (auto it = waiting_.begin(); it != waiting_.end();)
    it = wanted_keys.count(*it) ? std::next(it) : waiting_.erase(it);
  if (prune) {
    auto pruned = dispatcher::prune_stale_chains(options_.chain.bpffs_root, false);
    if (!pruned)
      log_warning("pruning the state of removed interfaces: " + pruned.error().str());
    else
      for (const auto &stale : *pruned)
        log_info("pruned " + stale.path + " (" + stale.reason + ")");
  }
}

void Agent::apply(const ChainTarget &target, Why why, int ifindex, bool appeared) {
  const std::string key = interface_key(target);
  if (appeared) {
    log_info(describe(target) + ": interface appeared (ifindex " + std::to_string(ifindex) + ")");
    board_->update([](BoardSnapshot &b) { ++b.interface_events["appeared"]; });
  }
  waiting_.erase(key);
  ObjectStamps objects = stamps_of(target);
  auto report = apply_target(target, options_.chain);
  if (!report) {
    std::string text = report.error().str();
    if (last_error_[key] != text) log_error(describe(target) + ": apply failed: " + text);
    last_error_[key] = text;
    failed_[key] = {chain_fingerprint(target), ifindex};
    board_->update([&](BoardSnapshot &b) {
      ++b.apply_errors;
      b.last_apply[key] = {false, unix_now(), text};
    });
    return;
  }
  last_error_.erase(key);
  failed_.erase(key);
  Managed &managed = managed_[key];
  managed.target = target;
  managed.applied = {report->status.ifindex, report->status.dispatcher_prog_id,
                     chain_fingerprint(target)};
  managed.link_id = report->status.xdp_link_id;
  managed.objects = std::move(objects);
  bool repaired = report->swapped && why == Why::drift;
  if (report->swapped)
    log_info(describe(target) + ": " + (repaired ? "drift repaired" : "applied") + " (" +
             to_string(why) + "), generation " + std::to_string(report->status.generation) + ", " +
             std::to_string(report->status.members.size()) + " member(s)");
  board_->update([&](BoardSnapshot &b) {
    if (report->swapped) ++b.applies;
    if (repaired) ++b.drift_repairs;
    if (report->swapped || !b.last_apply.count(key) || !b.last_apply[key].ok)
      b.last_apply[key] = {true, unix_now(), ""};
  });
}

void Agent::remove(const std::string &key) {
  auto it = managed_.find(key);
  if (it == managed_.end()) return;
  ChainTarget target = it->second.target;
  managed_.erase(it);
  last_error_.erase(key);
  board_->update([&](BoardSnapshot &b) { b.last_apply.erase(key); });
  auto report = remove_target(target, options_.chain);
  if (!report) {
    log_error(describe(target) + ": remove failed: " + report.error().str());
    board_->update([](BoardSnapshot &b) { ++b.apply_errors; });
    return;
  }
  if (!report->swapped) return;
  log_info(describe(target) + ": removed (no manifest describes it any more)");
  board_->update([](BoardSnapshot &b) { ++b.removals; });
}

void Agent::forget(const std::string &key) {
  auto it = managed_.find(key);
  if (it == managed_.end()) return;
  log_info(describe(it->second.target) + ": interface gone (ifindex " +
           std::to_string(it->second.applied.ifindex) + ")");
  managed_.erase(it);
  failed_.erase(key);
  last_error_.erase(key);
  board_->update([&](BoardSnapshot &b) {
    ++b.interface_events["gone"];
    b.last_apply.erase(key);
  });
}

void Agent::read_inotify() {
  alignas(inotify_event) char buffer[8192];
  ssize_t n;
  while ((n = read(inotify_.get(), buffer, sizeof buffer)) > 0) {
    for (char *at = buffer; at < buffer + n;) {
      const auto *event = reinterpret_cast<const inotify_event *>(at);
      at += sizeof(inotify_event) + event->len;
      if (event->mask & IN_Q_OVERFLOW) writing_.clear(); // nothing known: stamps decide
      if (event->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
        // The directory went away (or was moved): watch its path again once it is back.
        if (dir_watch_ >= 0 && !(event->mask & IN_IGNORED))
          inotify_rm_watch(inotify_.get(), dir_watch_);
        dir_watch_ = -1;
        writing_.clear();
        continue;
      }
      if (event->len == 0) continue;
      std::string name = event->name;
      if (event->mask & IN_MODIFY)
        writing_[name] = Clock::now();
      else if (event->mask & (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO))
        writing_.erase(name);
    }
  }
  rescan_at_ = Clock::now() + kDebounce;
}

bool Agent::handle_signal() {
  signalfd_siginfo info{};
  bool any = false;
  while (read(signals_.get(), &info, sizeof info) == sizeof info) {
    any = true;
    if (info.ssi_signo == SIGHUP) {
      log_info("SIGHUP: reloading " + options_.config_dir);
      board_->update([](BoardSnapshot &b) { ++b.config_reloads; });
      rescan(true);
      check(true);
    } else {
      log_info(std::string(strsignal(static_cast<int>(info.ssi_signo))) + ": exiting");
      running_ = false;
    }
  }
  return any;
}

void Agent::start() {
  // Files written just before the start are given a moment to settle, so that READY means
  // the whole directory was applied.
  auto give_up = Clock::now() + std::chrono::seconds(2);
  bool settling = rescan(true);
  while (settling && Clock::now() < give_up) {
    ::usleep(50000);
    settling = rescan(false);
  }
  rescan_at_.reset();
  check(false);
  started_ = true;
  sd_notify(0, "READY=1\nSTATUS=chains applied; watching for changes");
  log_info("ready: " + std::to_string(targets_.size()) + " chain(s) from " + options_.config_dir +
           ", resync every " + std::to_string(options_.resync_seconds) + " s");
}

void Agent::run() {
  uint64_t watchdog_usec = 0;
  bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0;
  auto watchdog_period = std::chrono::microseconds(watchdog_usec / 2);
  auto resync_period = std::chrono::seconds(options_.resync_seconds);
  Clock::time_point next_resync = Clock::now() + resync_period;
  Clock::time_point next_check = Clock::now() + kCheckPeriod;
  Clock::time_point next_ping = Clock::now();

  while (running_) {
    Clock::time_point now = Clock::now();
    if (watchdog && now >= next_ping) {
      sd_notify(0, "WATCHDOG=1");
      next_ping = now + watchdog_period;
    }
    if (rescan_at_ && now >= *rescan_at_) {
      rescan_at_.reset();
      rescan(false);
      check(false);
      next_check = Clock::now() + kCheckPeriod;
    }
    if (now >= next_resync) {
      rescan(false); // a change inotify could not see (a re-mounted dir)
      check(true);   // and failed applies and changed objects tried again
      next_resync = Clock::now() + resync_period;
      next_check = Clock::now() + kCheckPeriod;
    } else if (now >= next_check) {
      // The cheap look first (each chain's link by id); the whole check (link dumps,
      // selections, plan) only when something differs.
      bool steady = true;
      for (const auto &[key, managed] : managed_)
        if (!(steady = runs_as_applied(managed))) break;
      if (!steady) check(false);
      next_check = Clock::now() + kCheckPeriod;
    }

    Clock::time_point wake = std::min(next_resync, next_check);
    if (watchdog) wake = std::min(wake, next_ping);
    if (rescan_at_) wake = std::min(wake, *rescan_at_);
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now());

    std::vector<pollfd> fds = {{signals_.get(), POLLIN, 0}, {inotify_.get(), POLLIN, 0}};
    std::vector<LinkWatch *> order;
    for (auto &[netns, watch] : watches_) {
      fds.push_back({watch->fd(), POLLIN, 0});
      order.push_back(watch.get());
    }
    int ready =
        poll(fds.data(), fds.size(), std::max<int>(0, static_cast<int>(timeout.count()) + 1));
    if (ready < 0 && errno != EINTR) {
      log_error(std::string("poll: ") + strerror(errno));
      return;
    }
    if (ready <= 0) continue;
    if (fds[0].revents) handle_signal();
    if (!running_) break;
    if (fds[1].revents) read_inotify();
    bool links_changed = false;
    for (size_t i = 0; i < order.size(); ++i)
      if (fds[i + 2].revents) {
        order[i]->drain(); // the check below reads the links as they are now
        links_changed = true;
      }
    if (links_changed) {
      check(false); // an interface came or went: at once
      next_check = Clock::now() + kCheckPeriod;
    }
  }
}

void Agent::stop() {
  if (!options_.remove_on_exit) {
    log_info("leaving the chains in place");
    return;
  }
  std::vector<std::string> keys;
  for (const auto &[key, managed] : managed_)
    keys.push_back(key);
  for (const auto &key : keys)
    remove(key);
}

} // namespace

int run_agent(const AgentOptions &options) {
  auto lock = lock_root(options.chain.bpffs_root);
  if (!lock) {
    log_error(lock.error().str());
    return lock.error().kind() == ErrorKind::conflict ? 4 : 1;
  }
  auto board = std::make_shared<StatusBoard>();
  Agent agent(options, board);
  if (auto status = agent.open_inotify(); !status) {
    log_error(status.error().str());
    return 2;
  }
  if (auto status = agent.open_signals(); !status) {
    log_error(status.error().str());
    return 1;
  }
  auto metrics = MetricsServer::start(options.metrics_address, board, options.chain);
  if (!metrics) {
    log_error(metrics.error().str());
    return 2;
  }
  log_info("metrics on http://" +
           options.metrics_address.substr(0, options.metrics_address.rfind(':')) + ":" +
           std::to_string((*metrics)->port()) + "/metrics");
  agent.start();
  agent.run();
  agent.stop();
  sd_notify(0, "STOPPING=1");
  return 0;
}

} // namespace xdpchain::agent
