// The agent's log: one line per event on stderr, each starting with a syslog priority
// prefix ("<3>" error, "<4>" warning, "<6>" info) that journald turns into the entry's
// priority when the agent runs under systemd; readable as plain text elsewhere.
#pragma once

#include <string>

namespace xdpchain::agent {

void log_error(const std::string &message);
void log_warning(const std::string &message);
void log_info(const std::string &message);

} // namespace xdpchain::agent
