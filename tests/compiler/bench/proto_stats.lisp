;;; Per-protocol packet counters; drops ICMP and packets whose TTL is about to expire.
(defmap proto-count :type :array :key-size 4 :value-size 8 :max-entries 256)

(defprog proto-stats (:type :xdp)
  (with-ipv4 (data data-end ip)
    (let ((proto (ipv4-protocol ip)))
      (incf (getmap proto-count proto))
      (when (or (= proto +ip-proto-icmp+) (<= (ipv4-ttl ip) 1))
        (return XDP_DROP))))
  XDP_PASS)
