// Computed macros (issue 8, failure 1) compiled and run in the kernel with
// BPF_PROG_TEST_RUN: the packet bytes out and the map contents are what the expansion
// computed.
#include "compiler_test_support.h"

#include "compiler/compile.h"

#include <gtest/gtest.h>

#include <linux/bpf.h>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::testing;

namespace {

// The Internet checksum of `n` bytes at `p` (0 when a header carrying its checksum is valid).
uint16_t fold_checksum(const uint8_t *p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2)
    sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

// Router-style forwarding: decrement the TTL and fix the IPv4 header checksum
// incrementally (RFC 1624) with a hygienic macro built with gensym, then XDP_TX.
const char *kTtlForwarder = R"(
(defmacro csum-replace16 (ptr off old new)
  "HC' = ~(~HC + ~m + m'), on the checksum stored at PTR+OFF in network order."
  (let ((c (gensym "CSUM")))
    `(let ((,c (ntohs (load u16 ,ptr ,off))))
       (setf ,c (+ (logand (lognot ,c) #xffff) (logand (lognot ,old) #xffff) ,new))
       (setf ,c (+ (logand ,c #xffff) (>> ,c 16)))
       (setf ,c (+ (logand ,c #xffff) (>> ,c 16)))
       (store u16 ,ptr ,off (htons (logand (lognot ,c) #xffff))))))

(defprog p ()
  (with-ipv4 (data data-end ip)
    (let ((c 7)                              ; a user variable the gensym must not capture
          (old (ntohs (load u16 ip 8))))     ; TTL and protocol, one 16-bit word
      (when (<= (ipv4-ttl ip) 1) (return XDP_DROP))
      (store u8 ip 8 (- (ipv4-ttl ip) 1))
      (csum-replace16 ip 10 old (- old #x100))
      (store u8 ip 1 c)                      ; TOS = 7 proves c was not shadowed
      (csum-replace16 ip 10 0 7)))
  XDP_TX)
)";

TEST(ComputedMacros, CsumFixupForwardsWithAValidChecksum) {
  auto elf = compile_source(kTtlForwarder, "ttl.lisp");
  ASSERT_TRUE(elf.has_value()) << elf.error().str();
  auto obj = LoadedObject::load(*elf);
  ASSERT_TRUE(obj.has_value()) << obj.error().str(60);
  for (uint8_t ttl : {64, 2, 1}) {
    std::vector<uint8_t> packet = make_packet({});
    packet[14 + 8] = ttl;
    uint16_t sum = fold_checksum(packet.data() + 14, 20);
    packet[14 + 10] = static_cast<uint8_t>(sum >> 8);
    packet[14 + 11] = static_cast<uint8_t>(sum);
    ASSERT_EQ(fold_checksum(packet.data() + 14, 20), 0);
    RunResult r = test_run(obj->prog_fd("p"), packet);
    ASSERT_EQ(r.err, 0);
    if (ttl == 1) {
      EXPECT_EQ(r.retval, static_cast<uint32_t>(XDP_DROP));
      continue;
    }
    EXPECT_EQ(r.retval, static_cast<uint32_t>(XDP_TX));
    ASSERT_EQ(r.data.size(), packet.size());
    EXPECT_EQ(r.data[14 + 8], ttl - 1);
    EXPECT_EQ(r.data[14 + 1], 7);                        // TOS from the user's c
    EXPECT_EQ(fold_checksum(r.data.data() + 14, 20), 0); // header checksum still valid
    EXPECT_TRUE(std::equal(r.data.begin() + 34, r.data.end(), packet.begin() + 34));
  }
}

// Macros that generate code from lists: a helper function from eval-when names the
// counters, mapcar and a local flet build one map update per field, format/intern build
// accessor names of a defstruct.
const char *kGeneratedCounters = R"(
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 16)
(defstruct hdr (a u8) (b u8) (c u16))

(eval-when (:compile-toplevel)
  (defun numbered (forms n)
    (if (null forms) nil
        (cons (list n (car forms)) (numbered (cdr forms) (+ n 1))))))

(defmacro put-all (&rest forms)
  `(progn ,@(mapcar (lambda (pair) `(setf (getmap out ,(first pair)) ,(second pair)))
                    (numbered forms 0))))

(defmacro copy-fields (struct dst src &rest fields)
  (flet ((accessor (f) (intern (format nil "~a-~a" struct f))))
    `(progn ,@(mapcar (lambda (f) `(setf (,(accessor f) ,dst) (,(accessor f) ,src))) fields))))

(defmacro sum-of (&rest xs) (if (null xs) 0 `(+ ,(car xs) (sum-of ,@(cdr xs)))))

(defprog p ()
  (with-tcp (data data-end tcp)
    (let ((h (make-hdr)) (g (make-hdr)))
      (setf (hdr-a h) (ipv4-ttl (+ data 14)) (hdr-b h) 9 (hdr-c h) (tcp-dst-port tcp))
      (copy-fields hdr g h a c)
      (put-all (hdr-a g) (hdr-b g) (hdr-c g) (sum-of 1 2 3 4) (length-of-list)))
  XDP_PASS))
(defmacro length-of-list () (length '(a b c)))
)";

TEST(ComputedMacros, GeneratedCodeRunsInTheKernel) {
  auto elf = compile_source(kGeneratedCounters, "gen.lisp");
  ASSERT_TRUE(elf.has_value()) << elf.error().str();
  auto obj = LoadedObject::load(*elf);
  ASSERT_TRUE(obj.has_value()) << obj.error().str(60);
  RunResult r = test_run(obj->prog_fd("p"), make_packet({}));
  ASSERT_EQ(r.err, 0);
  EXPECT_EQ(r.retval, static_cast<uint32_t>(XDP_PASS));
  int out = obj->map_fd("out");
  EXPECT_EQ(map_u64(out, 0), 64u); // a copied: the TTL
  EXPECT_EQ(map_u64(out, 1), 0u);  // b not in the copied fields
  EXPECT_EQ(map_u64(out, 2), 80u); // c copied: the TCP port
  EXPECT_EQ(map_u64(out, 3), 10u);
  EXPECT_EQ(map_u64(out, 4), 3u);
}

} // namespace
