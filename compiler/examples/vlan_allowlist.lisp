;;; VLAN allow-list: a tagged frame passes only when its VLAN ID is in `allowed-vlans`
;;; (for QinQ frames, both the outer and the inner ID); untagged frames pass, and frames
;;; with more than two tags are dropped. Drops are counted by outer VLAN ID.
;;; vlan_allowlist.c is the same program in C.
(defmap allowed-vlans :type :hash :key-size 4 :value-size 4 :max-entries 4096)
(defmap vlan-drops :type :array :key-size 4 :value-size 8 :max-entries 4096)

(defmacro allowed-p (vid) `(/= (getmap allowed-vlans ,vid) 0))

(defprog vlan-allowlist (:type :xdp)
  (with-vlan (data data-end l3 type :vid vid :inner-vid inner :tags tags)
    (when (and (> tags 0)
               (or (not (allowed-p vid))
                   (and (= tags 2) (not (allowed-p inner)))
                   (= type +ethertype-vlan+) (= type #x88a8)))
      (incf (getmap vlan-drops vid))
      (return XDP_DROP)))
  XDP_PASS)
