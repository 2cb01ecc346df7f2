;; Drops UDP datagrams to port 9999 and counts them; passes everything else.
;; Used by lisp-filter.yaml.
(defmap drop-count :type :array :key-size 4 :value-size 8 :max-entries 1)
(defconstant +blocked-port+ 9999)

(defprog drop-port (:type :xdp :priority 20 :proceed-on (:pass))
  (with-udp (data data-end udp)
    (when (= (udp-dst-port udp) +blocked-port+)
      (incf (getmap drop-count 0))
      (return XDP_DROP)))
  XDP_PASS)
