(defmap drop-count :type :array :key-size 4 :value-size 8 :max-entries 1)
(defconstant +blocked-port+ 9999)

(defprog drop-port (:type :xdp :priority 20 :proceed-on (:pass))
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) +blocked-port+)
      (incf (getmap drop-count 0))
      (return XDP_DROP)))
  XDP_PASS)
