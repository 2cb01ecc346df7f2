;;; ARP responder: a request for an IPv4 address in `proxy-macs` is answered in place and
;;; sent back out of the interface (XDP_TX) with the MAC address stored for it (the six
;;; bytes of the value, lowest first). Other ARP packets and all other traffic pass.
;;; `replies` counts the answers. arp_responder.c is the same program in C.
(defmap proxy-macs :type :hash :key-size 4 :value-size 8 :max-entries 256)
(defmap replies :type :array :key-size 4 :value-size 8 :max-entries 1)

;; Writes the 6-byte MAC address held in the integer MAC at P.
(defmacro store-mac (p mac)
  `(progn (store u32 ,p 0 (logand ,mac #xffffffff))
          (store u16 ,p 4 (logand (>> ,mac 32) #xffff))))

(defprog arp-responder (:type :xdp)
  (with-arp (data data-end arp)
    (when (= (arp-op arp) 1)
      (let ((mac (getmap proxy-macs (arp-tpa arp))))
        (when (/= mac 0)
          (let ((asked (arp-tpa arp)))
            (memcpy data 0 data 6 6)       ; to the sender's MAC
            (store-mac (+ data 6) mac)
            (setf (arp-op arp) 2)
            (memcpy (arp-tha arp) 0 (arp-sha arp) 0 10) ; sender's MAC and IP become the target
            (store-mac (arp-sha arp) mac)
            (store u32 arp 14 asked))
          (incf (getmap replies 0))
          (return XDP_TX)))))
  XDP_PASS)
