;;; Tail-call dispatcher: TCP to slot 0, UDP to slot 1, everything else passes.
(defmap jump-table :type :prog-array :key-size 4 :value-size 4 :max-entries 8)

(defprog handle-tcp (:type :xdp :section "xdp/tcp")
  XDP_DROP)

(defprog handle-udp (:type :xdp :section "xdp/udp")
  XDP_TX)

(defprog dispatcher (:type :xdp)
  (with-ipv4 (data data-end ip)
    (case (ipv4-protocol ip)
      (+ip-proto-tcp+ (tail-call jump-table 0))
      (+ip-proto-udp+ (tail-call jump-table 1))))
  XDP_PASS)
