// The agent's HTTP endpoint (prometheus-cpp): /metrics in Prometheus' text format and
// /healthz for liveness probes. Metric names and labels: docs/metrics.md.
#pragma once

#include "agent/status_board.h"
#include "common/result.h"
#include "dispatcher/chain.h"

#include <memory>
#include <string>

namespace prometheus {
class Exposer;
class Collectable;
} // namespace prometheus

namespace xdpchain::agent {

class MetricsServer {
public:
  // Listens on `address` ("127.0.0.1:9437"; port 0 picks a free one).
  static Result<std::unique_ptr<MetricsServer>> start(const std::string &address,
                                                      std::shared_ptr<const StatusBoard> board,
                                                      const dispatcher::ChainOptions &options);
  ~MetricsServer();
  int port() const;

private:
  MetricsServer() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Collectable> metrics_;
  std::shared_ptr<prometheus::Collectable> health_;
};

} // namespace xdpchain::agent
