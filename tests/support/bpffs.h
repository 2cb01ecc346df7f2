// The bpffs mount the tests keep their pins under.
#pragma once

#include <string>
#include <vector>

namespace xdpchain::test {

// $XDPCHAIN_BPFFS when set (the test VM sets /run/bpffs, because `ip netns exec` hides
// /sys/fs/bpf there), else /sys/fs/bpf, mounted first when nothing is mounted there.
// Throws std::runtime_error when the directory is not a bpffs and cannot be made one.
std::string bpffs_mount();

// Paths of everything below `dir` that is not a directory (on bpffs: pins), sorted;
// empty when `dir` does not exist.
std::vector<std::string> list_pins(const std::string &dir);

} // namespace xdpchain::test
