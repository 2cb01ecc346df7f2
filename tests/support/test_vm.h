// Whether this test runs inside the test VM (tests/vm/run-in-vm.sh sets XDPCHAIN_IN_VM=1).
// There freplace must work: a test that would skip for want of it fails instead.
#pragma once

namespace xdpchain::test {

bool in_test_vm();

} // namespace xdpchain::test
