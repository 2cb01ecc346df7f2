#include "compiler/expand/prelude.h"

#include "compiler/reader/reader.h"

namespace xdpchain::compiler {

namespace {

const char *kPrelude = R"lisp(
;; Packet bounds checks in the shape the verifier understands: data + N > data_end.
(defmacro with-packet ((data data-end &key (min-len 0)) &body body)
  `(let ((,data (ctx data)) (,data-end (ctx data-end)))
     (if (> (+ ,data ,min-len) ,data-end) (return XDP_PASS) (progn ,@body))))
(defmacro with-eth ((data data-end) &body body)
  `(with-packet (,data ,data-end :min-len 14) ,@body))
(defmacro with-ipv4 ((data data-end ip) &body body)
  `(with-packet (,data ,data-end :min-len 34)
     (when (= (eth-type ,data) +ethertype-ipv4+)
       (let ((,ip (+ ,data 14))) ,@body))))
(defmacro with-tcp ((data data-end tcp) &body body)
  `(with-packet (,data ,data-end :min-len 54)
     (when (= (eth-type ,data) +ethertype-ipv4+)
       (when (= (ipv4-protocol (+ ,data 14)) +ip-proto-tcp+)
         (let ((,tcp (+ ,data 34))) ,@body)))))
(defmacro with-udp ((data data-end udp) &body body)
  `(with-packet (,data ,data-end :min-len 42)
     (when (= (eth-type ,data) +ethertype-ipv4+)
       (when (= (ipv4-protocol (+ ,data 14)) +ip-proto-udp+)
         (let ((,udp (+ ,data 34))) ,@body)))))

;; Expression forms: the header pointer, or 0.
(defmacro parse-eth (data data-end)
  `(let ((%d ,data)) (if (> (+ %d 14) ,data-end) 0 %d)))
(defmacro parse-ipv4 (data data-end)
  `(let ((%d ,data))
     (if (> (+ %d 34) ,data-end) 0
         (if (/= (eth-type %d) +ethertype-ipv4+) 0 (+ %d 14)))))
(defmacro parse-tcp (data data-end)
  `(let ((%d ,data))
     (if (> (+ %d 54) ,data-end) 0
         (if (/= (eth-type %d) +ethertype-ipv4+) 0
             (if (/= (ipv4-protocol (+ %d 14)) +ip-proto-tcp+) 0 (+ %d 34))))))
(defmacro parse-udp (data data-end)
  `(let ((%d ,data))
     (if (> (+ %d 42) ,data-end) 0
         (if (/= (eth-type %d) +ethertype-ipv4+) 0
             (if (/= (ipv4-protocol (+ %d 14)) +ip-proto-udp+) 0 (+ %d 34))))))

(defmacro xdp-data () '(ctx data))
(defmacro xdp-data-end () '(ctx data-end))

;; Header fields; network-order fields come back in host order, addresses stay raw.
(defmacro eth-type (p) `(ntohs (load u16 ,p 12)))
(defmacro ipv4-ver-ihl (p) `(load u8 ,p 0))
(defmacro ipv4-tos (p) `(load u8 ,p 1))
(defmacro ipv4-total-len (p) `(ntohs (load u16 ,p 2)))
(defmacro ipv4-id (p) `(ntohs (load u16 ,p 4)))
(defmacro ipv4-frag-off (p) `(ntohs (load u16 ,p 6)))
(defmacro ipv4-ttl (p) `(load u8 ,p 8))
(defmacro ipv4-protocol (p) `(load u8 ,p 9))
(defmacro ipv4-checksum (p) `(load u16 ,p 10))
(defmacro ipv4-src-addr (p) `(load u32 ,p 12))
(defmacro ipv4-dst-addr (p) `(load u32 ,p 16))
(defmacro ipv6-payload-len (p) `(ntohs (load u16 ,p 4)))
(defmacro ipv6-nexthdr (p) `(load u8 ,p 6))
(defmacro ipv6-hop-limit (p) `(load u8 ,p 7))
(defmacro tcp-src-port (p) `(ntohs (load u16 ,p 0)))
(defmacro tcp-dst-port (p) `(ntohs (load u16 ,p 2)))
(defmacro tcp-seq (p) `(ntohl (load u32 ,p 4)))
(defmacro tcp-ack-seq (p) `(ntohl (load u32 ,p 8)))
(defmacro tcp-data-off (p) `(load u8 ,p 12))
(defmacro tcp-flags (p) `(load u8 ,p 13))
(defmacro tcp-window (p) `(ntohs (load u16 ,p 14)))
(defmacro udp-src-port (p) `(ntohs (load u16 ,p 0)))
(defmacro udp-dst-port (p) `(ntohs (load u16 ,p 2)))
(defmacro udp-length (p) `(ntohs (load u16 ,p 4)))
(defmacro icmp-type (p) `(load u8 ,p 0))
(defmacro icmp-code (p) `(load u8 ,p 1))

;; kprobe arguments (x86-64 pt_regs).
(defmacro pt-regs-parm1 () '(ctx di))
(defmacro pt-regs-parm2 () '(ctx si))
(defmacro pt-regs-parm3 () '(ctx dx))
(defmacro pt-regs-parm4 () '(ctx cx))
(defmacro pt-regs-parm5 () '(ctx r8))
(defmacro pt-regs-ret () '(ctx ax))

;; Reserve, run the body when the reservation succeeded, submit.
(defmacro with-ringbuf ((var map size &key (flags 0)) &body body)
  `(let ((,var (ringbuf-reserve ,map ,size ,flags)))
     (when ,var ,@body (ringbuf-submit ,var 0))))
)lisp";

} // namespace

const std::vector<DatumPtr> &prelude_forms() {
  static const SourceFile file("<prelude>", kPrelude);
  static const std::vector<DatumPtr> forms = [] {
    Diagnostics diags;
    return run_reader(file, diags);
  }();
  return forms;
}

} // namespace xdpchain::compiler
