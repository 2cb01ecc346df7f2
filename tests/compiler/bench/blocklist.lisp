;;; Source blocklist: drops IPv4 sources present in a hash map and counts the hits.
(defmap blocklist :type :hash :key-size 4 :value-size 8 :max-entries 4096)

(defprog blocklist-filter (:type :xdp)
  (with-ipv4 (data data-end ip)
    (when-let ((hits (map-lookup blocklist (ipv4-src-addr ip))))
      (atomic-add hits 0 1)
      (return XDP_DROP)))
  XDP_PASS)
