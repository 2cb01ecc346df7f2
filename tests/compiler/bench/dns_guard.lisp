;;; DNS guard: counts UDP queries to port 53 per source, drops a source past the limit.
(defmap dns-queries :type :lru-hash :key-size 4 :value-size 8 :max-entries 1024)
(defconstant +max-queries+ 2)

(defprog dns-guard (:type :xdp)
  (with-udp (data data-end udp)
    (when (= (udp-dst-port udp) 53)
      (let ((src (ipv4-src-addr (+ data 14))))
        (incf (getmap dns-queries src))
        (when (> (getmap dns-queries src) +max-queries+)
          (return XDP_DROP)))))
  XDP_PASS)
