;;; VXLAN redirect: UDP to port 4789 goes out through the devmap's slot 0.
(defmap tx-port :type :devmap :key-size 4 :value-size 4 :max-entries 8)

(defprog redirect-vxlan (:type :xdp)
  (with-udp (data data-end udp)
    (when (= (udp-dst-port udp) 4789)
      (return (redirect-map tx-port 0 0))))
  XDP_PASS)
