// Error is public (include/xdpchain/error.h).
#pragma once

#include <xdpchain/error.h>
