;;; ICMP echo responder: answers IPv4 echo requests in place and sends them back out of
;;; the same interface (XDP_TX). Swaps the MAC and IP addresses, resets the TTL, turns the
;;; request into a reply, and updates both checksums incrementally (RFC 1624).
(defmap echo-stats :type :array :key-size 4 :value-size 8 :max-entries 1)
(defconstant +reply-ttl+ 64)

;; The 16-bit one's-complement checksum at PTR+OFF after a 16-bit word of the summed data
;; changed from OLD to NEW. All three are as stored in the packet: the sum does not depend
;; on byte order.
(defmacro csum-replace (ptr off old new)
  `(let ((sum (+ (logand (lognot (load u16 ,ptr ,off)) #xffff)
                 (logand (lognot ,old) #xffff)
                 ,new)))
     (setf sum (+ (logand sum #xffff) (>> sum 16)))
     (setf sum (+ (logand sum #xffff) (>> sum 16)))
     (store u16 ,ptr ,off (logand (lognot sum) #xffff))))

;; Rewrites the 16-bit word at PTR+OFF with FORM (which may read the packet) and fixes the
;; checksum at PTR+CSUM-OFF for it.
(defmacro update-word ((ptr off csum-off) &body form)
  `(let ((old (load u16 ,ptr ,off)))
     (progn ,@form)
     (csum-replace ,ptr ,csum-off old (load u16 ,ptr ,off))))

(defprog icmp-echo (:type :xdp)
  (with-packet (data data-end :min-len 42)
    (let ((ip (+ data 14)) (icmp (+ data 34)))
      (when (and (= (eth-type data) +ethertype-ipv4+)
                 (= (ipv4-ver-ihl ip) #x45)
                 (= (ipv4-protocol ip) +ip-proto-icmp+)
                 (= (icmp-type icmp) 8)
                 (= (icmp-code icmp) 0))
        (let ((mac-hi (load u32 data 0)) (mac-lo (load u16 data 4)))
          (store u32 data 0 (load u32 data 6))
          (store u16 data 4 (load u16 data 10))
          (store u32 data 6 mac-hi)
          (store u16 data 10 mac-lo))
        (let ((src (ipv4-src-addr ip)))
          (store u32 ip 12 (ipv4-dst-addr ip))
          (store u32 ip 16 src))
        (update-word (ip 8 10) (store u8 ip 8 +reply-ttl+))
        (update-word (icmp 0 2) (store u8 icmp 0 0))
        (incf (getmap echo-stats 0))
        (return XDP_TX))))
  XDP_PASS)
