#include "compiler/expand/prelude.h"

#include "compiler/expand/prelude_packet.h"
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

;; IPv4 honours the header length (IHL). BODY runs for an IPv4 EtherType whose header has
;; version 4 and an IHL of 5 or more; VI is bound to that first byte. The header length,
;; (logand VI #xf) times 4, is at most 60, a bound the verifier sees.
(defmacro %when-ipv4 ((data vi) &body body)
  `(when (= (eth-type ,data) +ethertype-ipv4+)
     (let ((,vi (load u8 ,data 14)))
       (when (and (>= ,vi #x45) (<= ,vi #x4f)) ,@body))))

;; The packet holds the first 20 bytes of the header; options are the body's to check. IP
;; is only ever a load base, so its loads fold into DATA's offsets.
(defmacro with-ipv4 ((data data-end ip) &body body)
  (let ((vi (gensym "VI")))
    `(with-packet (,data ,data-end :min-len 34)
       (%when-ipv4 (,data ,vi)
         (let ((,ip (+ ,data 14))) ,@body)))))

;; TCP and UDP start right after the IPv4 header and its options; a fragment other than
;; the first carries no L4 header, so BODY is skipped for it. A packet of the protocol too
;; short for both headers ends the program with XDP_PASS. IP, when given, is bound to the
;; IPv4 header. BASE is DATA plus the header length: the L4 header is at BASE + 14.
(defmacro %with-ipv4-l4 ((data data-end l4 ip protocol min-len) &body body)
  (let ((vi (gensym "VI")) (base (gensym "BASE")) (iph (if ip ip (gensym "IP"))))
    `(with-packet (,data ,data-end :min-len 34)
       (%when-ipv4 (,data ,vi)
         (when (and (= (load u8 ,data 23) ,protocol)
                    (= (logand (load u16 ,data 20) (htons #x1fff)) 0))
           (let ((,base (+ ,data (<< (logand ,vi #xf) 2))))
             (if (> (+ ,base (+ 14 ,min-len)) ,data-end)
                 (return XDP_PASS)
                 (let ((,iph (+ ,data 14)) (,l4 (+ ,base 14))) ,@body))))))))
(defmacro with-tcp ((data data-end tcp &optional ip) &body body)
  `(%with-ipv4-l4 (,data ,data-end ,tcp ,ip +ip-proto-tcp+ 20) ,@body))
(defmacro with-udp ((data data-end udp &optional ip) &body body)
  `(%with-ipv4-l4 (,data ,data-end ,udp ,ip +ip-proto-udp+ 8) ,@body))

;; Expression forms: the header pointer, or 0 (also for a header the packet cuts short).
(defmacro parse-eth (data data-end)
  (let ((d (gensym "D")))
    `(let ((,d ,data)) (if (> (+ ,d 14) ,data-end) 0 ,d))))
(defmacro parse-ipv4 (data data-end)
  (let ((d (gensym "D")) (e (gensym "E")) (vi (gensym "VI")))
    `(let ((,d ,data) (,e ,data-end))
       (if (> (+ ,d 34) ,e) 0
           (if (/= (eth-type ,d) +ethertype-ipv4+) 0
               (let ((,vi (load u8 ,d 14)))
                 (if (or (< ,vi #x45) (> ,vi #x4f)) 0 (+ ,d 14))))))))
(defmacro %parse-ipv4-l4 (data data-end protocol min-len)
  (let ((d (gensym "D")) (e (gensym "E")) (vi (gensym "VI")) (base (gensym "BASE")))
    `(let ((,d ,data) (,e ,data-end))
       (if (> (+ ,d 34) ,e) 0
           (if (/= (eth-type ,d) +ethertype-ipv4+) 0
               (let ((,vi (load u8 ,d 14)))
                 (if (or (< ,vi #x45) (> ,vi #x4f)) 0
                     (if (/= (load u8 ,d 23) ,protocol) 0
                         (if (/= (logand (load u16 ,d 20) (htons #x1fff)) 0) 0
                             (let ((,base (+ ,d (<< (logand ,vi #xf) 2))))
                               (if (> (+ ,base (+ 14 ,min-len)) ,e) 0 (+ ,base 14))))))))))))
(defmacro parse-tcp (data data-end) `(%parse-ipv4-l4 ,data ,data-end +ip-proto-tcp+ 20))
(defmacro parse-udp (data data-end) `(%parse-ipv4-l4 ,data ,data-end +ip-proto-udp+ 8))

(defmacro xdp-data () '(ctx data))
(defmacro xdp-data-end () '(ctx data-end))

;; Header fields; network-order fields come back in host order, addresses stay raw.
(defmacro eth-type (p) `(ntohs (load u16 ,p 12)))
(defmacro ipv4-ver-ihl (p) `(load u8 ,p 0))
(defmacro ipv4-ihl (p) `(logand (load u8 ,p 0) #xf))
(defmacro ipv4-header-len (p) `(<< (ipv4-ihl ,p) 2))
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
  static const SourceFile packet("<prelude:packet>", packet_prelude_text());
  static const std::vector<DatumPtr> forms = [] {
    Diagnostics diags;
    auto all = run_reader(file, diags);
    for (auto &form : run_reader(packet, diags))
      all.push_back(std::move(form));
    return all;
  }();
  return forms;
}

} // namespace xdpchain::compiler
