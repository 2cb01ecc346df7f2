(defprog drop-all (:type :xdp)
  XDP_DROP)
