#include "agent/agent.h"

#include "agent/config_dir.h"
#include "agent/link_watch.h"
#include "agent/log.h"
#include "agent/metrics.h"
#include "agent/status_board.h"
#include "common/netns.h"
#include "dispatcher/stale_chains.h"

#include <systemd/sd-daemon.h>
#include <xdpchain/apply.h>

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

// Why a chain is being applied: decides what a swap is called in the log and the counters.
enum class Reason { start, config, interface, resync };

const char *to_string(Reason reason) {
  switch (reason) {
  case Reason::start:
    return "start";
  case Reason::config:
    return "config change";
  case Reason::interface:
    return "interface appeared";
  case Reason::resync:
    return "resync";
  }
  return "?";
}

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

// Takes the chain off the target's interface: the same transaction with no members.
Result<ApplyReport> remove_target(const ChainTarget &target, const ChainOptions &options) {
  ChainTarget empty = target;
  empty.spec.members.clear();
  return apply_target(empty, options);
}

bool interface_present(const ChainTarget &target) {
  auto index = interface_index(target.spec.interface, target.netns);
  return index && *index != 0;
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
  void rescan(bool reread, Reason reason);
  void reconcile_all(Reason reason);
  void reconcile(const ChainTarget &target, Reason reason);
  void remove(const ChainTarget &target);
  void on_link_events(const LinkWatch &watch, const std::vector<LinkEvent> &events);
  void update_link_watches();
  void report_selection_problems();
  void publish_config();
  bool handle_signal();

  const AgentOptions &options_;
  std::shared_ptr<StatusBoard> board_;
  ConfigDir config_;
  Fd inotify_;
  Fd signals_;
  std::map<std::string, std::unique_ptr<LinkWatch>> watches_; // by netns name
  std::map<std::string, int> ifindex_;                        // by interface_key()
  std::map<std::string, std::string> last_error_;             // by interface_key()
  std::set<std::string> selection_problems_;                  // logged already
  std::optional<Clock::time_point> rescan_at_;                // debounce of file events
  bool running_ = true;
};

Status Agent::open_inotify() {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Error::from_errno("inotify", errno);
  inotify_ = Fd(fd);
  uint32_t mask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ATTRIB |
                  IN_DELETE_SELF | IN_MOVE_SELF;
  if (inotify_add_watch(fd, options_.config_dir.c_str(), mask) < 0)
    return Error::from_errno("config dir '" + options_.config_dir + "'", errno)
        .hint("create it, or pass --config-dir");
  return {};
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

void Agent::publish_config() {
  std::vector<ManifestFileReport> files;
  for (const auto &[path, state] : config_.files()) {
    ManifestFileReport report{path, {}};
    for (const auto &problem : state.problems)
      report.problems.push_back(manifests::format(problem));
    files.push_back(std::move(report));
  }
  auto targets = config_.targets();
  board_->update([&](BoardSnapshot &b) {
    b.files = std::move(files);
    b.targets = std::move(targets);
  });
}

void Agent::rescan(bool reread, Reason reason) {
  ScanResult scan = config_.scan(reread);
  for (const auto &path : scan.changed_files) {
    auto it = config_.files().find(path);
    if (it == config_.files().end()) {
      log_info(path + ": file removed");
    } else if (!it->second.problems.empty()) {
      for (const auto &problem : it->second.problems)
        log_error(manifests::format(problem));
      log_error(path + ": " + std::to_string(it->second.problems.size()) +
                " problem(s); its chains keep their last good version");
    } else {
      log_info(path + ": read, " + std::to_string(it->second.targets.size()) + " chain(s)");
    }
  }
  for (const auto &target : config_.duplicates())
    log_error(target.origin + ": " + describe(target) +
              ": another file already describes this interface; ignored");
  publish_config();
  if (reason != Reason::start && scan.targets_changed)
    board_->update([](BoardSnapshot &b) { ++b.config_reloads; });
  for (const auto &target : scan.removed_targets)
    remove(target);
  if (reason == Reason::start || scan.targets_changed) reconcile_all(reason);
}

void Agent::update_link_watches() {
  std::set<std::string> wanted = config_.namespaces();
  for (auto it = watches_.begin(); it != watches_.end();) {
    bool stale = !wanted.count(it->first) ||
                 (!it->first.empty() && netns_inode(it->first) != it->second->netns_inode());
    it = stale ? watches_.erase(it) : std::next(it);
  }
  for (const auto &netns : wanted) {
    if (watches_.count(netns)) continue;
    if (!netns.empty() && netns_inode(netns) == 0) continue; // not there yet: next resync
    auto watch = LinkWatch::open(netns);
    if (!watch) {
      log_warning("link events of network namespace '" + netns + "': " + watch.error().str());
      continue;
    }
    watches_[netns] = std::move(*watch);
  }
}

// A selection that picks no interface is not fatal (a matching link may appear later): it
// is logged once while it lasts and counted as an apply error.
void Agent::report_selection_problems() {
  std::set<std::string> now;
  for (auto &problem : config_.selection_problems()) {
    if (!selection_problems_.count(problem)) {
      log_error(problem + "; waiting for a matching interface");
      board_->update([](BoardSnapshot &b) { ++b.apply_errors; });
    }
    now.insert(std::move(problem));
  }
  selection_problems_ = std::move(now);
}

void Agent::reconcile_all(Reason reason) {
  update_link_watches();
  report_selection_problems();
  for (const auto &target : config_.targets())
    reconcile(target, reason);
}

void Agent::reconcile(const ChainTarget &target, Reason reason) {
  const std::string key = interface_key(target);
  auto index = interface_index(target.spec.interface, target.netns);
  if (!index || *index == 0) {
    if (ifindex_.erase(key) || reason == Reason::start)
      log_info(describe(target) + ": waiting for the interface to appear");
    return;
  }
  ifindex_[key] = static_cast<int>(*index);
  auto report = apply_target(target, options_.chain);
  if (!report) {
    std::string text = report.error().str();
    if (last_error_[key] != text) log_error(describe(target) + ": apply failed: " + text);
    last_error_[key] = text;
    board_->update([&](BoardSnapshot &b) {
      ++b.apply_errors;
      b.last_apply[key] = {false, unix_now(), text};
    });
    return;
  }
  last_error_.erase(key);
  bool repaired = report->swapped && reason == Reason::resync;
  if (report->swapped)
    log_info(describe(target) + ": " + (repaired ? "drift repaired" : "applied") + " (" +
             to_string(reason) + "), generation " + std::to_string(report->status.generation) +
             ", " + std::to_string(report->status.members.size()) + " member(s)");
  board_->update([&](BoardSnapshot &b) {
    if (report->swapped) ++b.applies;
    if (repaired) ++b.drift_repairs;
    if (report->swapped || !b.last_apply.count(key) || !b.last_apply[key].ok)
      b.last_apply[key] = {true, unix_now(), ""};
  });
}

void Agent::remove(const ChainTarget &target) {
  const std::string key = interface_key(target);
  ifindex_.erase(key);
  last_error_.erase(key);
  board_->update([&](BoardSnapshot &b) { b.last_apply.erase(key); });
  if (!interface_present(target)) return;
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

void Agent::on_link_events(const LinkWatch &watch, const std::vector<LinkEvent> &events) {
  bool gone = false;
  for (const auto &event : events) {
    for (const auto &target : config_.targets()) {
      if (target.netns != watch.netns() || target.spec.interface != event.interface) continue;
      const std::string key = interface_key(target);
      auto known = ifindex_.find(key);
      if (event.type == LinkEvent::Type::removed) {
        if (known == ifindex_.end() || known->second != event.ifindex) continue;
        ifindex_.erase(known);
        log_info(describe(target) + ": interface gone (ifindex " + std::to_string(event.ifindex) +
                 ")");
        board_->update([](BoardSnapshot &b) { ++b.interface_events["gone"]; });
        gone = true;
        continue;
      }
      if (known != ifindex_.end() && known->second == event.ifindex) continue;
      log_info(describe(target) + ": interface appeared (ifindex " + std::to_string(event.ifindex) +
               ")");
      board_->update([](BoardSnapshot &b) { ++b.interface_events["appeared"]; });
      reconcile(target, Reason::interface);
    }
  }
  if (!gone) return;
  auto pruned = dispatcher::prune_stale_chains(options_.chain.bpffs_root, false);
  if (!pruned)
    log_warning("pruning the state of removed interfaces: " + pruned.error().str());
  else
    for (const auto &stale : *pruned)
      log_info("pruned " + stale.path + " (" + stale.reason + ")");
}

bool Agent::handle_signal() {
  signalfd_siginfo info{};
  bool any = false;
  while (read(signals_.get(), &info, sizeof info) == sizeof info) {
    any = true;
    if (info.ssi_signo == SIGHUP) {
      log_info("SIGHUP: reloading " + options_.config_dir);
      board_->update([](BoardSnapshot &b) { ++b.config_reloads; });
      rescan(true, Reason::config);
    } else {
      log_info(std::string(strsignal(static_cast<int>(info.ssi_signo))) + ": exiting");
      running_ = false;
    }
  }
  return any;
}

void Agent::start() {
  rescan(true, Reason::start);
  sd_notify(0, "READY=1\nSTATUS=chains applied; watching for changes");
  log_info("ready: " + std::to_string(config_.targets().size()) + " chain(s) from " +
           options_.config_dir + ", resync every " + std::to_string(options_.resync_seconds) +
           " s");
}

void Agent::run() {
  uint64_t watchdog_usec = 0;
  bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0;
  auto watchdog_period = std::chrono::microseconds(watchdog_usec / 2);
  auto resync_period = std::chrono::seconds(options_.resync_seconds);
  Clock::time_point next_resync = Clock::now() + resync_period;
  Clock::time_point next_ping = Clock::now();

  while (running_) {
    Clock::time_point now = Clock::now();
    if (watchdog && now >= next_ping) {
      sd_notify(0, "WATCHDOG=1");
      next_ping = now + watchdog_period;
    }
    if (rescan_at_ && now >= *rescan_at_) {
      rescan_at_.reset();
      rescan(false, Reason::config);
    }
    if (now >= next_resync) {
      rescan(false, Reason::config); // a change inotify could not see (a re-mounted dir)
      reconcile_all(Reason::resync);
      next_resync = Clock::now() + resync_period;
    }

    Clock::time_point wake = next_resync;
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
    if (fds[1].revents) {
      alignas(inotify_event) char buffer[8192];
      while (read(inotify_.get(), buffer, sizeof buffer) > 0) {
      }
      // Editors and ConfigMaps write in several steps: read once they are done.
      rescan_at_ = Clock::now() + std::chrono::milliseconds(150);
    }
    for (size_t i = 0; i < order.size(); ++i)
      if (fds[i + 2].revents) on_link_events(*order[i], order[i]->drain());
  }
}

void Agent::stop() {
  if (!options_.remove_on_exit) {
    log_info("leaving the chains in place");
    return;
  }
  for (const auto &target : config_.targets())
    remove(target);
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
