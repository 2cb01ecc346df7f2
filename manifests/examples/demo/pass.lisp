;; Passes every packet: the last member of demo.yaml.
(defprog pass (:type :xdp)
  XDP_PASS)
