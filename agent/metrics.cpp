#include "agent/metrics.h"

#include "agent/config_dir.h"
#include "agent/problem_text.h"

#include <xdpchain/status.h>

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>

#include <exception>

namespace xdpchain::agent {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// One more whenever a metric's name, labels or meaning changes (docs/metrics.md).
constexpr int kMetricsVersion = 2;
constexpr int kMetricsThreads = 8;
constexpr int kMetricsRequestTimeoutMs = 2000;

const char *const kVerdictNames[5] = {"aborted", "drop", "pass", "tx", "redirect"};

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void add(MetricFamily &f, Labels labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (f.type == MetricType::Counter)
    metric.counter.value = value;
  else
    metric.gauge.value = value;
  f.metric.push_back(std::move(metric));
}

Labels chain_labels(const ChainTarget &target) {
  return {{"chain", target.name}, {"interface", target.spec.interface}, {"netns", target.netns}};
}

Labels with(Labels labels, std::string name, std::string value) {
  labels.push_back({std::move(name), std::move(value)});
  return labels;
}

// What this agent is: its version and the version of the metrics it serves
// (docs/metrics.md, "Versions").
void collect_info(std::vector<MetricFamily> &out) {
  auto info = family("xdpchain_agent_info",
                     "The agent's xdpchain version and the version of its metrics (always 1).",
                     MetricType::Gauge);
  add(info, {{"version", XDPCHAIN_VERSION}, {"metrics_version", std::to_string(kMetricsVersion)}},
      1);
  out.push_back(std::move(info));
}

// Everything /metrics shows, read from the board and, per chain, from the kernel.
class AgentMetrics : public prometheus::Collectable {
public:
  AgentMetrics(std::shared_ptr<const StatusBoard> board, dispatcher::ChainOptions options)
      : board_(std::move(board)), options_(std::move(options)) {}

  std::vector<MetricFamily> Collect() const override {
    const BoardSnapshot snap = board_->snapshot();
    std::vector<MetricFamily> out;
    collect_chains(snap, out);
    collect_files(snap, out);
    collect_events(snap, out);
    collect_info(out);
    return out;
  }

private:
  void collect_chains(const BoardSnapshot &snap, std::vector<MetricFamily> &out) const {
    auto entered = family("xdpchain_member_entered_packets_total",
                          "Packets that entered the chain member.", MetricType::Counter);
    auto verdicts =
        family("xdpchain_member_packets_total", "Packets by the verdict the chain member returned.",
               MetricType::Counter);
    auto generation =
        family("xdpchain_chain_generation", "Generation of the running chain (one more per swap).",
               MetricType::Gauge);
    auto members =
        family("xdpchain_chain_members", "Members in the running chain.", MetricType::Gauge);
    auto attached =
        family("xdpchain_chain_attached",
               "1 when the manifest's chain runs on its interface, else 0.", MetricType::Gauge);
    auto apply_ok =
        family("xdpchain_chain_last_apply_success",
               "1 when the last apply of the chain succeeded, else 0.", MetricType::Gauge);
    auto apply_time = family("xdpchain_chain_last_apply_timestamp_seconds",
                             "When the chain was last applied (Unix time).", MetricType::Gauge);
    for (const auto &target : snap.targets) {
      Labels labels = chain_labels(target);
      if (auto it = snap.last_apply.find(interface_key(target)); it != snap.last_apply.end()) {
        add(apply_ok, labels, it->second.ok ? 1 : 0);
        add(apply_time, labels, it->second.unix_time);
      }
      auto status = read_chain_status(target.spec.interface, target.netns, options_);
      bool running = status && status->present;
      add(attached, labels, running ? 1 : 0);
      if (!running) continue;
      add(generation, labels, status->generation);
      add(members, labels, static_cast<double>(status->members.size()));
      for (const auto &member : status->members) {
        Labels member_labels = with(labels, "member", member.label);
        add(entered, member_labels, static_cast<double>(member.counters.entered));
        for (int v = 0; v < 5; ++v)
          add(verdicts, with(member_labels, "verdict", kVerdictNames[v]),
              static_cast<double>(member.counters.verdicts[v]));
        add(verdicts, with(member_labels, "verdict", "other"),
            static_cast<double>(member.counters.other));
      }
    }
    for (auto *f : {&entered, &verdicts, &generation, &members, &attached, &apply_ok, &apply_time})
      out.push_back(std::move(*f));
  }

  static void collect_files(const BoardSnapshot &snap, std::vector<MetricFamily> &out) {
    auto valid = family("xdpchain_manifest_valid",
                        "1 when the manifest file's last version had no problem, else 0 (its "
                        "previous good chains stay in place).",
                        MetricType::Gauge);
    auto problems =
        family("xdpchain_manifest_problem",
               "One per problem in a manifest file, naming file:line:column.", MetricType::Gauge);
    auto count =
        family("xdpchain_manifest_problems",
               "Problems in the manifest file's last version, shown or not (at most " +
                   std::to_string(kMaxProblemsShown) + " are shown in xdpchain_manifest_problem).",
               MetricType::Gauge);
    auto readable = family("xdpchain_manifest_readable",
                           "1 when the manifest file could be read at the last scan, else 0 "
                           "(its previous good chains stay in place).",
                           MetricType::Gauge);
    for (const auto &file : snap.files) {
      bool ok = file.problems.empty() && file.read_error.empty();
      add(valid, {{"file", file.path}}, ok ? 1 : 0);
      add(readable, {{"file", file.path}}, file.read_error.empty() ? 1 : 0);
      add(count, {{"file", file.path}}, static_cast<double>(file.problem_count));
      for (const auto &problem : file.problems)
        add(problems, {{"file", file.path}, {"problem", problem}}, 1);
    }
    auto dir = family("xdpchain_config_dir_readable",
                      "1 when the config dir could be listed at the last scan, else 0 (every "
                      "chain keeps its last good version).",
                      MetricType::Gauge);
    add(dir, {}, snap.config_dir_readable ? 1 : 0);
    for (auto *f : {&valid, &readable, &count, &problems, &dir})
      out.push_back(std::move(*f));
  }

  static void collect_events(const BoardSnapshot &snap, std::vector<MetricFamily> &out) {
    auto counter = [&](const char *name, const char *help, uint64_t value) {
      auto f = family(name, help, MetricType::Counter);
      add(f, {}, static_cast<double>(value));
      out.push_back(std::move(f));
    };
    counter("xdpchain_applies_total", "Chain swaps the agent made (any reason).", snap.applies);
    counter("xdpchain_apply_errors_total", "Applies that failed (the previous chain stays).",
            snap.apply_errors);
    counter("xdpchain_drift_repairs_total",
            "Chains put back after they were detached or changed out of band.", snap.drift_repairs);
    counter("xdpchain_chain_removals_total",
            "Chains removed because no manifest describes them any more.", snap.removals);
    counter("xdpchain_manifest_read_errors_total",
            "Manifest files, or the config dir, that could not be read (nothing was changed).",
            snap.manifest_read_errors);
    counter("xdpchain_config_reloads_total", "Scans of the config directory that changed it.",
            snap.config_reloads);
    auto events =
        family("xdpchain_interface_events_total",
               "Interfaces named by a manifest that appeared or went away.", MetricType::Counter);
    for (const char *event : {"appeared", "gone"}) {
      auto it = snap.interface_events.find(event);
      add(events, {{"event", event}},
          static_cast<double>(it == snap.interface_events.end() ? 0 : it->second));
    }
    out.push_back(std::move(events));
  }

  std::shared_ptr<const StatusBoard> board_;
  dispatcher::ChainOptions options_;
};

// /healthz: answers while the agent's HTTP server runs.
class Health : public prometheus::Collectable {
public:
  std::vector<MetricFamily> Collect() const override {
    auto up = family("xdpchain_agent_up", "1 while the agent runs.", MetricType::Gauge);
    add(up, {}, 1);
    return {up};
  }
};

} // namespace

Result<std::unique_ptr<MetricsServer>>
MetricsServer::start(const std::string &address, std::shared_ptr<const StatusBoard> board,
                     const dispatcher::ChainOptions &options) {
  std::unique_ptr<MetricsServer> server(new MetricsServer);
  try {
    // Enough workers that a few idle or slow clients cannot starve a scrape, and a bound on
    // how long one request may take to arrive (civetweb counts it from the connection).
    server->exposer_ = std::make_unique<prometheus::Exposer>(std::vector<std::string>{
        "listening_ports", address, "num_threads", std::to_string(kMetricsThreads),
        "request_timeout_ms", std::to_string(kMetricsRequestTimeoutMs)});
  } catch (const std::exception &e) {
    return Error(ErrorKind::invalid_argument,
                 "metrics address '" + address + "': cannot listen: " + e.what());
  }
  server->metrics_ = std::make_shared<AgentMetrics>(std::move(board), options);
  server->health_ = std::make_shared<Health>();
  server->exposer_->RegisterCollectable(server->metrics_, "/metrics");
  server->exposer_->RegisterCollectable(server->health_, "/healthz");
  return server;
}

MetricsServer::~MetricsServer() = default;

int MetricsServer::port() const {
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

} // namespace xdpchain::agent
