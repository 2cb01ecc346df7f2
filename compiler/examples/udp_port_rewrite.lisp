;;; UDP port rewrite: a UDP packet (over IPv4, whatever its IHL, or over IPv6 behind up
;;; to six extension headers) to a port in `port-map` has its destination port rewritten
;;; to the mapped one, and its checksum updated incrementally (RFC 1624); an IPv4 packet
;;; without a UDP checksum (0) keeps none. `rewrites` counts: 0 IPv4, 1 IPv6.
;;; udp_port_rewrite.c is the same program in C.
(defmap port-map :type :hash :key-size 4 :value-size 4 :max-entries 1024)
(defmap rewrites :type :array :key-size 4 :value-size 8 :max-entries 2)

;; The port at UDP+2 rewritten when mapped; with CHECKSUM-OPTIONAL a zero checksum stays.
(defmacro rewrite-port (udp counter &key checksum-optional)
  `(let ((new (getmap port-map (udp-dst-port ,udp))))
     (when (/= new 0)
       (let ((old (load u16 ,udp 2)))
         (setf (udp-dst-port ,udp) new)
         (when ,(if checksum-optional `(/= (load u16 ,udp 6) 0) 1)
           (csum-update16 ,udp 6 old (load u16 ,udp 2))))
       (incf (getmap rewrites ,counter)))))

(defprog udp-port-rewrite (:type :xdp)
  (with-udp (data data-end udp)
    (rewrite-port udp 0 :checksum-optional t))
  (with-ipv6-l4 (data data-end l4 proto :min-len 8)
    (when (= proto +ip-proto-udp+)
      (rewrite-port l4 1)))
  XDP_PASS)
