// The packet library's examples in docs/language.md ("The packet library") compile as
// written, and its macros refuse bounds they cannot honour with a message that says why.
// What the macros do on packets is kernel_packet_lib_test.cpp's.
#include "compiler_test_support.h"

#include <gtest/gtest.h>

using namespace xdpchain::compiler::testing;

namespace {

// BODY in an XDP program with the maps the examples use.
std::string program(const std::string &body) {
  return "(defmap pings :type :array :key-size 4 :value-size 8 :max-entries 2)\n"
         "(defprog p (:type :xdp)\n" +
         body + "\n  XDP_PASS)\n";
}

TEST(PacketLibraryDocs, TheDocumentedExamplesCompile) {
  const char *examples[] = {
      R"((with-vlan (data data-end l3 type :vid vid :inner-vid inner :tags n :min-len 20)
           (when (and (= n 1) (= vid 100) (= type +ethertype-ipv4+)) (return XDP_DROP))))",
      R"((with-ipv6 (data data-end ip6)
           (when (= (ipv6-hop-limit ip6) 1) (return XDP_DROP))))",
      R"((with-ipv6-l4 (data data-end l4 proto :min-len 4 :too-deep (return XDP_DROP))
           (when (and (= proto +ip-proto-udp+) (= (udp-dst-port l4) 53)) (return XDP_DROP))))",
      R"((with-icmp (data data-end icmp ip)
           (when (= (icmp-type icmp) 8) (incf (getmap pings 0)))))",
      R"((with-icmpv6 (data data-end icmp6 ip6)
           (when (= (icmp-type icmp6) 128) (incf (getmap pings 1)))))",
      R"((with-arp (data data-end arp)
           (when (and (= (arp-op arp) 1) (= (arp-tpa arp) (htonl #x0a000001)))
             (return XDP_DROP))))",
      R"((with-udp (data data-end udp ip)
           (let ((old (load u16 udp 2)))
             (setf (udp-dst-port udp) 8053)
             (csum-update16 udp 6 old (load u16 udp 2)))
           (let ((old (ipv4-dst-addr ip)) (new (htonl #x0a090909)))
             (store u32 ip 16 new)
             (csum-update32 ip 10 old new))))",
      R"((with-icmp (data data-end icmp ip)
           (let ((len (- (ipv4-total-len ip) (ipv4-header-len ip))))
             (store u16 icmp 2 0)
             (store u16 icmp 2 (csum-full icmp data-end len 512)))))",
  };
  for (const char *body : examples) {
    SCOPED_TRACE(body);
    EXPECT_FALSE(compile_ok(program(body)).empty());
  }
}

TEST(PacketLibraryDocs, BoundsOutOfRangeAreRefused) {
  EXPECT_NE(compile_error(program("(with-icmp (data data-end icmp) (csum-sum icmp data-end 8 "
                                  "limit))"))
                .find("csum-sum: MAX must be an integer from 2 to 4096, found limit"),
            std::string::npos);
  EXPECT_NE(compile_error(program("(with-icmp (data data-end icmp) (csum-full icmp data-end 8 "
                                  "8192))"))
                .find("MAX must be an integer from 2 to 4096"),
            std::string::npos);
  EXPECT_NE(compile_error(program("(with-ipv6-l4 (data data-end l4 proto :max-ext 17) 0)"))
                .find("with-ipv6-l4: :max-ext must be an integer from 1 to 16, found 17"),
            std::string::npos);
}

// A program may define macros of the library's names (files written before it existed
// do); the library's own helpers keep using theirs.
TEST(PacketLibraryDocs, ProgramsMayDefineMacrosOfTheLibrarysNames) {
  std::string own = "(defmacro csum-fold (x) `(logand ,x #xff))\n"
                    "(defmacro csum-sum (&rest args) (error \"the program's csum-sum\"))\n";
  EXPECT_FALSE(compile_ok(own + program("(with-icmp (data data-end icmp) (return (csum-fold "
                                        "258)))"))
                   .empty());
  EXPECT_FALSE(compile_ok(own + program("(with-icmp (data data-end icmp) (return (csum-full "
                                        "icmp data-end 8 60)))"))
                   .empty());
}

} // namespace
