;;; IPv6 port filter: TCP and UDP packets to a port in `blocked-ports` are dropped, found
;;; behind up to four extension headers (hop-by-hop, routing, fragment, destination
;;; options), so an extension header cannot hide the port. Longer chains are dropped too,
;;; since the filter cannot see past them; later fragments carry no port and pass.
;;; `verdicts` counts: 0 passed, 1 dropped for a port, 2 dropped for a long chain.
;;; ipv6_port_filter.c is the same program in C.
(defmap blocked-ports :type :hash :key-size 4 :value-size 4 :max-entries 1024)
(defmap verdicts :type :array :key-size 4 :value-size 8 :max-entries 3)

(defprog ipv6-port-filter (:type :xdp)
  (with-ipv6-l4 (data data-end l4 proto :min-len 4 :max-ext 4
                 :too-deep (progn (incf (getmap verdicts 2)) (return XDP_DROP)))
    (when (and (or (= proto +ip-proto-tcp+) (= proto +ip-proto-udp+))
               (/= (getmap blocked-ports (ntohs (load u16 l4 2))) 0))
      (incf (getmap verdicts 1))
      (return XDP_DROP)))
  (incf (getmap verdicts 0))
  XDP_PASS)
