;;; L4 policy: looks up (destination address, destination port, protocol) of TCP and UDP
;;; packets in a hash map with a struct key; a matching policy's verdict is returned and
;;; its hit counter bumped. Unmatched flows pass; packets that are not TCP/UDP pass.
(defstruct policy-key
  (daddr u32)
  (dport u16)
  (proto u8)
  (pad u8))
(defstruct policy
  (verdict u32)
  (hits u32))

(defmap policies :type :hash :key-type policy-key :value-type policy :max-entries 4096)
(defmap unmatched :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog l4-policy (:type :xdp)
  (with-ipv4 (data data-end ip)
    (let ((proto (ipv4-protocol ip)))
      (when (and (or (= proto +ip-proto-tcp+) (= proto +ip-proto-udp+))
                 (= (ipv4-ver-ihl ip) #x45)
                 (<= (+ data 38) data-end))
        (let ((key (make-policy-key)))
          (setf (policy-key-daddr key) (ipv4-dst-addr ip)
                (policy-key-dport key) (load u16 data 36)
                (policy-key-proto key) proto)
          (if-let (p (map-lookup policies key))
            (progn (atomic-add p 4 1 u32)
                   (return (policy-verdict p)))
            (incf (getmap unmatched 0)))))))
  XDP_PASS)
