#include "compiler/expand/prelude_packet.h"

namespace xdpchain::compiler {

// The packet library: VLAN tags, IPv6 and its extension headers, ICMP, ICMPv6, ARP and
// checksums. Like the IPv4 macros of the prelude, every header is found from the bytes
// the packet holds and checked against data-end before it is read; a packet of the
// protocol too short for its headers ends the program with XDP_PASS, any other packet
// skips BODY.
const char *packet_prelude_text() {
  return R"lisp(
;; ---- VLAN: zero, one or two tags (802.1Q #x8100, 802.1ad #x88a8) ----
(defmacro %vlan-tpid-p (type) `(or (= ,type #x8100) (= ,type #x88a8)))
(defmacro with-vlan ((data data-end l3 type &key (vid (gensym "VID")) (inner-vid (gensym "IVID"))
                           (tags (gensym "TAGS")) (min-len 0))
                     &body body)
  `(with-packet (,data ,data-end :min-len 14)
     (let ((,type (eth-type ,data)) (,tags 0) (,vid 0) (,inner-vid 0) (,l3 (+ ,data 14)))
       (when (%vlan-tpid-p ,type)
         (if (> (+ ,data 18) ,data-end) (return XDP_PASS))
         (setf ,vid (logand (ntohs (load u16 ,data 14)) #xfff) ,type (ntohs (load u16 ,data 16))
               ,tags 1 ,l3 (+ ,data 18))
         (when (%vlan-tpid-p ,type)
           (if (> (+ ,data 22) ,data-end) (return XDP_PASS))
           (setf ,inner-vid (logand (ntohs (load u16 ,data 18)) #xfff)
                 ,type (ntohs (load u16 ,data 20)) ,tags 2 ,l3 (+ ,data 22))))
       (if (> (+ ,l3 ,min-len) ,data-end) (return XDP_PASS))
       ,@body)))

;; ---- IPv6 and its extension headers ----
(defmacro %when-ipv6 ((data data-end) &body body)
  `(when (= (eth-type ,data) +ethertype-ipv6+)
     (if (> (+ ,data 54) ,data-end) (return XDP_PASS))
     (when (= (>> (load u8 ,data 14) 4) 6) ,@body)))
(defmacro with-ipv6 ((data data-end ip6) &body body)
  `(with-packet (,data ,data-end :min-len 14)
     (%when-ipv6 (,data ,data-end) (let ((,ip6 (+ ,data 14))) ,@body))))

;; One step of the walk per remaining header, unrolled at compile time. STATE: 0 still
;; walking, 1 NH is an upper-layer protocol at DATA + OFF, 2 a fragment other than the
;; first (no upper-layer header). Hop-by-hop (0), routing (43) and destination options
;; (60) are (length + 1) * 8 bytes long, a fragment header (44) 8.
(defmacro %ipv6-ext-walk (data data-end nh off state n)
  (let ((p (gensym "P")))
    (if (= n 0)
        `(when (and (= ,state 0) (/= ,nh 0) (/= ,nh 43) (/= ,nh 60) (/= ,nh 44))
           (setf ,state 1))
        `(progn
           (when (= ,state 0)
             (cond ((or (= ,nh 0) (= ,nh 43) (= ,nh 60))
                    (let ((,p (+ ,data ,off)))
                      (if (> (+ ,p 8) ,data-end) (return XDP_PASS))
                      (setf ,nh (load u8 ,p 0) ,off (+ ,off (<< (+ (load u8 ,p 1) 1) 3)))))
                   ((= ,nh 44)
                    (let ((,p (+ ,data ,off)))
                      (if (> (+ ,p 8) ,data-end) (return XDP_PASS))
                      (if (/= (logand (load u16 ,p 2) (htons #xfff8)) 0)
                          (setf ,state 2)
                          (setf ,nh (load u8 ,p 0) ,off (+ ,off 8)))))
                   (t (setf ,state 1))))
           (%ipv6-ext-walk ,data ,data-end ,nh ,off ,state ,(- n 1))))))

(defmacro with-ipv6-l4 ((data data-end l4 proto &key ip6 (min-len 0) (max-ext 6)
                              (too-deep '(return XDP_PASS)))
                        &body body)
  (unless (and (integerp max-ext) (>= max-ext 1) (<= max-ext 16))
    (error "with-ipv6-l4: :max-ext must be an integer from 1 to 16, found ~a" max-ext))
  (let ((off (gensym "OFF")) (nh (gensym "NH")) (state (gensym "STATE"))
        (iph (if ip6 ip6 (gensym "IP6"))))
    `(with-packet (,data ,data-end :min-len 14)
       (%when-ipv6 (,data ,data-end)
         (let ((,nh (load u8 ,data 20)) (,off 54) (,state 0))
           (%ipv6-ext-walk ,data ,data-end ,nh ,off ,state ,max-ext)
           (when (= ,state 0) ,too-deep)
           (when (= ,state 1)
             (let ((,l4 (+ ,data ,off)))
               (if (> (+ ,l4 ,min-len) ,data-end) (return XDP_PASS))
               (let ((,iph (+ ,data 14)) (,proto ,nh)) ,@body))))))))

(defmacro ipv6-version (p) `(>> (load u8 ,p 0) 4))
(defmacro ipv6-src-addr (p) `(+ ,p 8))
(defmacro ipv6-dst-addr (p) `(+ ,p 24))

;; ---- ICMP and ICMPv6 ----
(defmacro with-icmp ((data data-end icmp &optional ip) &body body)
  `(%with-ipv4-l4 (,data ,data-end ,icmp ,ip +ip-proto-icmp+ 8) ,@body))
(defmacro with-icmpv6 ((data data-end icmp6 &optional ip6) &body body)
  (let ((proto (gensym "PROTO")))
    `(with-ipv6-l4 (,data ,data-end ,icmp6 ,proto :ip6 ,ip6)
       (when (= ,proto +ip-proto-ipv6-icmp+)
         (if (> (+ ,icmp6 8) ,data-end) (return XDP_PASS))
         ,@body))))
(defmacro icmp-checksum (p) `(load u16 ,p 2))
(defmacro icmp-echo-id (p) `(ntohs (load u16 ,p 4)))
(defmacro icmp-echo-seq (p) `(ntohs (load u16 ,p 6)))

;; ---- ARP for IPv4 over Ethernet (28 bytes) ----
(defmacro with-arp ((data data-end arp) &body body)
  `(with-packet (,data ,data-end :min-len 14)
     (when (= (eth-type ,data) +ethertype-arp+)
       (if (> (+ ,data 42) ,data-end) (return XDP_PASS))
       (let ((,arp (+ ,data 14)))
         (when (and (= (load u16 ,arp 0) (htons 1)) (= (load u16 ,arp 2) (htons #x0800))
                    (= (load u8 ,arp 4) 6) (= (load u8 ,arp 5) 4))
           ,@body)))))
(defmacro arp-op (p) `(ntohs (load u16 ,p 6)))
(defmacro arp-sha (p) `(+ ,p 8))
(defmacro arp-spa (p) `(load u32 ,p 14))
(defmacro arp-tha (p) `(+ ,p 18))
(defmacro arp-tpa (p) `(load u32 ,p 24))

;; ---- Checksums (16-bit one's complement; values as stored in the packet) ----
;; The helpers call the %-named forms, so a program that defines its own csum-fold or
;; csum-sum does not change them.
(defmacro csum-fold (sum) `(%csum-fold ,sum))
(defmacro csum-sum (ptr data-end len max &optional (seed 0))
  `(%csum-sum ,ptr ,data-end ,len ,max ,seed))
(defmacro %csum-fold (sum)
  (let ((s (gensym "S")))
    `(let ((,s ,sum))
       (setf ,s (+ (logand ,s #xffff) (>> ,s 16)))
       (setf ,s (+ (logand ,s #xffff) (>> ,s 16)))
       (setf ,s (+ (logand ,s #xffff) (>> ,s 16)))
       (+ (logand ,s #xffff) (>> ,s 16)))))
;; RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for the checksum at PTR+OFF after a 16-bit or
;; 32-bit field it covers changed from OLD to NEW (raw loads, as stored).
(defmacro csum-update16 (ptr off old new)
  `(store u16 ,ptr ,off
          (logand (lognot (%csum-fold (+ (logand (lognot (load u16 ,ptr ,off)) #xffff)
                                        (logand (lognot ,old) #xffff)
                                        (logand ,new #xffff))))
                  #xffff)))
(defmacro csum-update32 (ptr off old new)
  (let ((o (gensym "OLD")) (n (gensym "NEW")))
    `(let ((,o ,old) (,n ,new))
       (store u16 ,ptr ,off
              (logand (lognot (%csum-fold (+ (logand (lognot (load u16 ,ptr ,off)) #xffff)
                                            (logand (lognot ,o) #xffff)
                                            (logand (lognot (>> ,o 16)) #xffff)
                                            (logand ,n #xffff)
                                            (logand (>> ,n 16) #xffff))))
                      #xffff)))))
;; The one's-complement sum (not folded, not inverted) of LEN bytes at PTR plus SEED; an
;; odd last byte counts as padded with zero. MAX, a constant, bounds LEN: a bounded loop
;; of MAX / 2 steps. LEN above MAX or past the packet's end ends the program with XDP_PASS.
(defmacro %csum-sum (ptr data-end len max seed)
  (unless (and (integerp max) (> max 1) (<= max 4096))
    (error "csum-sum: MAX must be an integer from 2 to 4096, found ~a" max))
  (let ((s (gensym "S")) (p (gensym "P")) (n (gensym "N")) (i (gensym "I")) (q (gensym "Q")))
    `(let ((,s ,seed) (,p ,ptr) (,n ,len))
       (if (> ,n ,max) (return XDP_PASS))
       (dotimes (,i ,(/ max 2))
         (when (< (+ (<< ,i 1) 1) ,n)
           (let ((,q (+ ,p (<< ,i 1))))
             (if (> (+ ,q 2) ,data-end) (return XDP_PASS))
             (setf ,s (+ ,s (load u16 ,q 0))))))
       (when (= (logand ,n 1) 1)
         ;; N - 1 for an odd N, as a mask the verifier sees is not negative.
         (let ((,q (+ ,p (logand ,n #x1ffe))))
           (if (> (+ ,q 1) ,data-end) (return XDP_PASS))
           (setf ,s (+ ,s (load u8 ,q 0)))))
       ,s)))
;; The checksum of LEN bytes at PTR (bounded by MAX), ready to store: ~fold(sum).
(defmacro csum-full (ptr data-end len max &optional (seed 0))
  `(logand (lognot (%csum-fold (%csum-sum ,ptr ,data-end ,len ,max ,seed))) #xffff))
)lisp";
}

} // namespace xdpchain::compiler
