;; Counts packets by IPv4 protocol number in the array map proto-count (key 1 = ICMP,
;; 6 = TCP, 17 = UDP); passes everything. Member "count" of demo.yaml.
(defmap proto-count :type :array :key-size 4 :value-size 8 :max-entries 256)

(defprog count (:type :xdp)
  (with-ipv4 (data data-end ip)
    (incf (getmap proto-count (ipv4-protocol ip))))
  XDP_PASS)
