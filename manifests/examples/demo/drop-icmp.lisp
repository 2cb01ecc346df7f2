;; Drops IPv4 ICMP (ping), passes everything else. Member "drop-icmp" of demo.yaml.
(defprog drop-icmp (:type :xdp)
  (with-ipv4 (data data-end ip)
    (when (= (ipv4-protocol ip) +ip-proto-icmp+)
      (return XDP_DROP)))
  XDP_PASS)
