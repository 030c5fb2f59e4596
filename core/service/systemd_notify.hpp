// The service manager's readiness protocol (sd_notify(3)), spoken directly: a datagram of
// "KEY=value" lines to the AF_UNIX socket named by $NOTIFY_SOCKET. Without that variable (not
// started by systemd, or Type= is not notify) every call does nothing. Written here rather than
// linking libsystemd: the protocol is one sendmsg, and abmd runs where systemd is not.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace abm::service {

// Sends `state` ("READY=1\nSTATUS=…"); false when there is a socket and the message did not reach it.
bool notify(const std::string& state);

// How often the service manager wants a WATCHDOG=1 (half of $WATCHDOG_USEC, as sd_watchdog_enabled(3)
// advises), when the watchdog is on for this process ($WATCHDOG_PID unset or ours).
std::optional<std::chrono::milliseconds> watchdogInterval();

}  // namespace abm::service
