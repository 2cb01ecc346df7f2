;;; NodePort-style DNAT: TCP and UDP packets to the node port are sent to a backend chosen
;;; at random (bpf_get_prandom_u32) among the configured ones. The destination address and
;;; port are rewritten and the IPv4 and TCP/UDP checksums updated incrementally (the L4
;;; checksum covers the pseudo header with the destination address). UDP packets without a
;;; checksum (0) keep none.
(defstruct backend
  (addr u32)  ; network order
  (port u16)  ; network order
  (pad u16))

(defmap backends :type :array :key-size 4 :value-type backend :max-entries 16)
(defmap nodeport-config :type :array :key-size 4 :value-size 8 :max-entries 1) ; 0: backends in use
(defmap backend-hits :type :array :key-size 4 :value-size 8 :max-entries 16)
(defconstant +node-port+ 30080)
(defconstant +max-backends+ 16)

;; Incremental checksum update (RFC 1624): DIFF is the one's-complement sum of the
;; complements of the old 16-bit words and of the new words; the checksum at PTR+OFF becomes
;; ~(~checksum + DIFF), folded to 16 bits. Words are summed as stored: the sum does not
;; depend on byte order.
(defmacro csum-apply (ptr off diff)
  `(let* ((sum (+ (logxor (load u16 ,ptr ,off) #xffff) ,diff))
          (folded (+ (logand sum #xffff) (>> sum 16))))
     (store u16 ,ptr ,off (logxor (+ (logand folded #xffff) (>> folded 16)) #xffff))))

;; The DIFF of a 32-bit word changing from OLD to NEW (both at most 32 bits).
(defmacro csum-diff4 (old new)
  `(+ (logxor (logand ,old #xffff) #xffff) (logxor (>> ,old 16) #xffff)
      (logand ,new #xffff) (>> ,new 16)))

(defprog nodeport-dnat (:type :xdp)
  (with-ipv4 (data data-end ip)
    (let ((proto (ipv4-protocol ip)) (l4 (+ data 34)))
      (when (and (= (ipv4-ver-ihl ip) #x45)
                 (or (and (= proto +ip-proto-tcp+) (<= (+ data 54) data-end))
                     (and (= proto +ip-proto-udp+) (<= (+ data 42) data-end)))
                 (= (load u16 l4 2) (htons +node-port+)))
        (let ((count (getmap nodeport-config 0)))
          (when (and (> count 0) (<= count +max-backends+))
            (let ((slot (mod (get-prandom-u32) count)))
              (when-let ((b (map-lookup backends slot)))
                (let ((old-addr (ipv4-dst-addr ip)) (new-addr (backend-addr b))
                      (old-port (load u16 l4 2)) (new-port (backend-port b)))
                  (let* ((addr-diff (csum-diff4 old-addr new-addr))
                         (l4-diff (+ addr-diff (logxor old-port #xffff) new-port)))
                    (store u32 ip 16 new-addr)
                    (csum-apply ip 10 addr-diff)
                    (store u16 l4 2 new-port)
                    ;; The TCP/UDP checksum covers the pseudo header's destination address.
                    (if (= proto +ip-proto-tcp+)
                        (csum-apply l4 16 l4-diff)
                        (when (/= (load u16 l4 6) 0)
                          (csum-apply l4 6 l4-diff))))
                  (incf (getmap backend-hits slot))))))))))
  XDP_PASS)
